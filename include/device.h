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

struct device {
	struct pci_ident id;
	char name[16];			/* "0000:03:00.0" */
	int iommu_group;		/* NO_GROUP when the device has none */
	char driver[DRIVER_NAME_MAX];	/* "" when unbound */
	char override[DRIVER_NAME_MAX]; /* "" when none */
	int boot_vga;			/* -1 without the attribute, else 0 or 1 */
};

struct device_list {
	struct device *dev;
	size_t n;
};

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

/* Two functions of one card: the same domain, bus and device number. */
static inline bool device_same_slot(const struct device *a, const struct device *b)
{
	return a->id.addr.domain == b->id.addr.domain && a->id.addr.bus == b->id.addr.bus &&
	       a->id.addr.dev == b->id.addr.dev;
}
