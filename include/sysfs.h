/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sysfs edge: reading a device's state and the writes that move it between drivers.
 * Device names come from enumeration (formatted from numbers), never from user text.
 */
#pragma once

#include <stdbool.h>

#include "device.h"

/*
 * Fills iommu_group, driver, override and boot_vga (and the console reason that boot_vga
 * gives); missing attributes read as "none". boot_vga is read for display controllers (its
 * class set) only: the kernel has it for no other device.
 */
void sysfs_read_state(struct device *d);

/* Fills override and has_override. */
void sysfs_read_override(struct device *d);

/* A kernel module as <root>/sys/module shows it (see sysfs_module_state). */
enum module_state {
	MODULE_ABSENT,	/* neither loaded nor built in */
	MODULE_BUILTIN, /* its folder without initstate: built in (and it has parameters) */
	MODULE_LIVE,
	MODULE_COMING, /* being loaded right now */
	MODULE_GOING,  /* being removed */
	MODULE_ODD,    /* an initstate that reads as none of these */
};

/*
 * The state of a module the way libkmod reads it for /sys, without libkmod: "initstate" for
 * a loaded module, the folder alone for a built-in one with parameters (vfio_pci has some).
 */
enum module_state sysfs_module_state(const char *module);

/* Loaded or built in, or on its way in: nothing is left to load. */
static inline bool module_state_in_kernel(enum module_state s)
{
	return s == MODULE_BUILTIN || s == MODULE_LIVE || s == MODULE_COMING;
}

/* True when /sys/kernel/iommu_groups has at least one group. */
bool sysfs_iommu_present(void);

/* True when the device's directory still exists. */
bool sysfs_device_present(const struct device *d);

/* Writes driver_override; NULL clears it. */
int sysfs_set_override(const struct device *d, const char *driver);

/* Detaches the device from its current driver (driver/unbind). */
int sysfs_unbind(const struct device *d);

/* Asks the kernel to bind the device (bus drivers_probe). Success does not mean it bound. */
int sysfs_probe(const struct device *d);

/* Reads the current driver; "" when unbound. */
int sysfs_read_driver(const struct device *d, char *buf, size_t size);

/* Binds the device to the driver of that name (drivers/DRIVER/bind). */
int sysfs_bind(const struct device *d, const char *driver);

/* The virtual console fbcon has bound ("vtcon1") into vtcon, or -ENOENT when it has none. */
int sysfs_fbcon_vtcon(char *vtcon, size_t size);

/* True when the device has the framebuffer fbN among its graphics nodes. */
bool sysfs_has_fb(const struct device *d, const char *fb);

/* Attaches (bind) or detaches a virtual console ("vtcon1": /sys/class/vtconsole/NAME/bind). */
int sysfs_vtcon_bind(const char *vtcon, bool bind);

/*
 * The firmware framebuffer's platform device while a driver holds it (efi-framebuffer.0,
 * simple-framebuffer.0, vesa-framebuffer.0) and that driver; -ENOENT when there is none.
 */
int sysfs_firmware_fb_device(char *dev, size_t dev_size, char *driver, size_t driver_size);

/* True when the platform device exists at all (the kernel unregisters a replaced one). */
bool sysfs_platform_present(const char *dev);

/* Binds or unbinds a platform device to or from a driver. */
int sysfs_platform_bind(const char *dev, const char *driver, bool bind);
