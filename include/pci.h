/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libpci edge: every PCI device's identity through libpci (its sysfs method, re-rooted
 * with its sysfs.path parameter), its state through sysfs.c.
 */
#pragma once

#include "device.h"

/* Scans every PCI device into ret, sorted by address. */
int pci_scan(struct device_list *ret);
