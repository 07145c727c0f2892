/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI devices of the machine as plain structs: identity from libpci (sysfs method,
 * re-rooted through its sysfs.path parameter), state (driver, override, group) from sysfs.
 */
#pragma once

#include <stddef.h>

#include "selector.h"

#define DRIVER_NAME_MAX 64
#define NO_GROUP -1

struct device {
	struct pci_ident id;
	char name[24]; /* "0000:03:00.0" */
	int iommu_group; /* NO_GROUP when the device has none */
	char driver[DRIVER_NAME_MAX]; /* "" when unbound */
	char override[DRIVER_NAME_MAX]; /* "" when none */
	int boot_vga; /* -1 without the attribute, else 0 or 1 */
};

struct device_list {
	struct device *dev;
	size_t n;
};

/* Scans every PCI device, sorted by address. */
int pci_scan(struct device_list *ret);

void device_list_free(struct device_list *list);

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
