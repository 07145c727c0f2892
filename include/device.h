/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device model: each PCI device as the tool sees it, its identity (from libpci) and its
 * state (from sysfs), in a list sorted by address. Plain data, shared by the pure planner, the
 * output and the edges that fill it in (pci.c, sysfs.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "selector.h"
#include "text.h"

#define VFIO_DRIVER "vfio-pci"
#define DRIVER_NAME_MAX 64
#define NO_GROUP -1

/* boot_vga as read: the attribute exists only for VGA-class devices. */
enum boot_vga { BOOT_VGA_ABSENT = -1, BOOT_VGA_NO = 0, BOOT_VGA_YES = 1, BOOT_VGA_ODD = 2 };

struct device {
	struct pci_ident id;
	char name[16];			/* "0000:03:00.0" */
	int iommu_group;		/* NO_GROUP when the device has none */
	char driver[DRIVER_NAME_MAX];	/* "" when unbound */
	char override[DRIVER_NAME_MAX]; /* "" when none */
	bool has_override;		/* the kernel has driver_override (Linux 3.16+) */
	enum boot_vga boot_vga;		/* ODD: unreadable, or neither 0 nor 1 */
	/*
	 * Why this device is (or must be taken for) the host's console, "" when it is not: the
	 * boot VGA, a boot_vga that cannot be read as 0 or 1 (the guard fails closed), or the
	 * firmware framebuffer in one of its BARs (console devices of any class, on UEFI).
	 */
	char console[128];
	char firmware_fb[32]; /* the firmware framebuffer in one of its BARs ("efifb"), or "" */
	bool console_unknown; /* may be the console: where the firmware framebuffer is is unknown */
	/* Vendor and device name from pci.ids, as lspci prints them, or NULL (pci-names.c). */
	char *model;
};

struct device_list {
	struct device *dev;
	size_t n;
	struct strv skipped;	     /* devices that could not be read, each with the reason */
	struct pci_addr *unreadable; /* the addresses of those libpci could not read */
	size_t n_unreadable;
};

static inline bool device_is_console(const struct device *d)
{
	return d->console[0] != '\0';
}

void device_list_free(struct device_list *list);

/* The functions of d's card (the same slot): neighbours in the sorted list, [*ret_lo, *ret_hi]. */
void device_card(const struct device_list *list, const struct device *d, size_t *ret_lo,
		 size_t *ret_hi);

/* The device of d's card (same slot) that drives the console, or NULL (d itself included). */
const struct device *device_console_of_card(const struct device_list *list, const struct device *d);

/* "0000:03:00.0 (Advanced Micro Devices ... Navi 31 [...])", or the address alone unnamed. */
void device_label(const struct device *d, char *buf, size_t size);

/* The device at addr, or NULL. */
struct device *device_find(const struct device_list *list, const struct pci_addr *addr);

/* Base class and base+sub class of a device, e.g. 0x03 and 0x0300. */
static inline unsigned device_base_class(const struct device *d)
{
	return d->id.class >> 16;
}

static inline unsigned device_class16(const struct device *d)
{
	return d->id.class >> 8;
}

/* Bridges (06) are never claimed and never keep their group from a guest; storage (01) may
 * hold the host's disks. */
static inline bool device_is_bridge(const struct device *d)
{
	return device_base_class(d) == 0x06;
}

static inline bool device_is_storage(const struct device *d)
{
	return device_base_class(d) == 0x01;
}

/* Two functions of one card: the same domain, bus and device number. */
static inline bool device_same_slot(const struct device *a, const struct device *b)
{
	return a->id.addr.domain == b->id.addr.domain && a->id.addr.bus == b->id.addr.bus &&
	       a->id.addr.dev == b->id.addr.dev;
}
