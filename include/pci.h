/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libpci edge: every PCI device's identity through libpci (its sysfs method, re-rooted
 * with its sysfs.path parameter), its state through sysfs.c.
 */
#pragma once

#include <setjmp.h>

#include "device.h"

#define PCI_ERROR_MAX 256

struct pci_access;

/*
 * libpci's fatal errors must not return: a pci_access from pci_access_new() jumps back to
 * the caller's setjmp(pci_escape) with the message in pci_error_text; its warnings go to the
 * debug log. One such access at a time.
 */
extern jmp_buf pci_escape;
extern char pci_error_text[PCI_ERROR_MAX];
struct pci_access *pci_access_new(void);

/*
 * What a scan reads of each device besides vendor, device, base and sub class and the sysfs
 * state: each is a file read per device, so a claim asks only for what its selectors match on.
 * Left unread, a field is 0.
 */
enum pci_extra {
	PCI_EXTRA_PROG_IF = 1 << 0, /* the class's low byte (libpci reads the revision with it) */
	PCI_EXTRA_SUBSYS = 1 << 1,  /* subsystem vendor and device */
	PCI_EXTRA_ALL = PCI_EXTRA_PROG_IF | PCI_EXTRA_SUBSYS,
};

/* Scans every PCI device into ret, sorted by address. */
int pci_scan(unsigned extra, struct device_list *ret);
