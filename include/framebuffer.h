/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware framebuffer: the console the firmware (UEFI GOP, VESA) left in a GPU's memory,
 * which the kernel hands to efifb, simpledrm & co. before any GPU driver loads. Where it lies
 * tells which device is the console whatever its class; display controllers that are not VGA
 * (0380, 0302) have no boot_vga to say so. Read from <root>/proc/iomem: its region nested in
 * a PCI device's BAR, or, when not nested, within a BAR of the device's resource file.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

struct firmware_fb {
	char name[32]; /* the region's name: BOOTFB, efifb, simpledrm, vesafb, ... */
	uint64_t start, end;
	int device; /* index in the device list of the device whose BAR holds it, or -1 */
	/*
	 * A framebuffer driver's own region (efifb, simpledrm, ...: requested busy, it goes
	 * when the driver is unbound), not sysfb's BOOTFB, the resource of the platform device
	 * itself, which stays until the kernel unregisters that device.
	 */
	bool driver_region;
};

struct firmware_fbs {
	struct firmware_fb *fb;
	size_t n;
};

/* Finds the framebuffer regions and the devices holding them; none found is not an error. */
int framebuffer_find(const struct device_list *devs, struct firmware_fbs *ret);
void framebuffer_free(struct firmware_fbs *fbs);

/* A firmware framebuffer's platform device: efi-framebuffer.N, simple-framebuffer.N, ... */
bool framebuffer_is_platform_device(const char *name);

/* Marks each device that holds a firmware framebuffer (firmware_fb) as the console. */
void framebuffer_mark_console(struct device_list *devs, const struct firmware_fbs *fbs);
