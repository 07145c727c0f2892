/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device selectors: vendor:device IDs in the kernel's vfio-pci.ids syntax and PCI addresses in
 * lspci's syntax. Pure parsing and matching, no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_ANY 0xffffffffu

struct pci_addr {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

/* vendor:device[:subvendor[:subdevice[:class[:class_mask]]]], as vfio-pci parses ids=. */
struct id_sel {
	uint32_t vendor, device, subvendor, subdevice, class, class_mask;
	bool from_vfio_pci; /* came from vfio-pci.ids= (the user's older configuration) */
};

/* [domain:]bus:dev.fn, optionally =vendor:device (the ID expected at that address). */
struct addr_sel {
	struct pci_addr addr;
	bool has_id;
	uint16_t vendor, device;
};

/* Everything the user selected: growable, so no selector is ever dropped. */
struct selectors {
	struct id_sel *ids;
	size_t n_ids;
	struct addr_sel *addrs;
	size_t n_addrs;
};

/* The identity a selector is matched against. class is 24 bits: base, sub, prog-if. */
struct pci_ident {
	struct pci_addr addr;
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;
};

/* Each returns 0 or -EINVAL and, on error, a static string saying what is wrong. */
int id_sel_parse(const char *token, struct id_sel *ret, const char **ret_why);
int addr_parse(const char *token, struct pci_addr *ret, const char **ret_why);
int addr_sel_parse(const char *token, struct addr_sel *ret, const char **ret_why);

/* Append to a selector set (and from another); -ENOMEM leaves it as it was. */
int selectors_add_id(struct selectors *s, const struct id_sel *id);
int selectors_add_addr(struct selectors *s, const struct addr_sel *addr);
int selectors_add_all(struct selectors *to, const struct selectors *from);
void selectors_free(struct selectors *s);

bool id_sel_match(const struct id_sel *sel, const struct pci_ident *dev);

/*
 * Whether matching these selectors looks at a device's subsystem IDs, or at its prog-if
 * (the low byte of the 24-bit class): the fields a scan for a claim can leave unread.
 */
bool selectors_need_subsystem(const struct selectors *s);
bool selectors_need_prog_if(const struct selectors *s);
bool addr_eq(const struct pci_addr *a, const struct pci_addr *b);
/* <0, 0, >0 as a sorts before, with or after b: by domain, bus, device, function. */
int addr_compare(const struct pci_addr *a, const struct pci_addr *b);

/* "0000:03:00.0" */
void addr_format(const struct pci_addr *addr, char *buf, size_t size);
