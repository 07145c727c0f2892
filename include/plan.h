/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan: for every PCI device, whether a claim takes it and why (not). Pure: it reads the
 * device list and the selectors and touches nothing, so it is tested on plain structs.
 */
#pragma once

#include <stdbool.h>

#include "pci.h"
#include "selector.h"

#define PLAN_REASON_MAX 240
#define PLAN_NOTES_MAX 8

enum action {
	ACTION_SKIP,	/* left as it is (also: not selected) */
	ACTION_CLAIM,	/* to be moved to vfio-pci */
	ACTION_CLAIMED, /* on vfio-pci already */
	ACTION_REFUSE,	/* selected, but a safety rule keeps it on the host */
};

enum selected_by { BY_NONE, BY_ADDRESS, BY_ID, BY_COMPANION, BY_GROUP };

struct plan_entry {
	enum action action;
	enum selected_by by;
	bool counts;	     /* not ending on vfio-pci makes the run fail (exit 1) */
	bool unbind;	     /* claiming it means detaching it from its current driver */
	bool group_warning;  /* its IOMMU group keeps other devices on host drivers */
	bool from_vfio_pci;  /* selected through the user's vfio-pci.ids */
	bool failed;	     /* the claim was tried and did not end on vfio-pci */
	char reason[PLAN_REASON_MAX];
	char via[64];	     /* how it was selected: "by address", "companion of ..." */
};

struct plan_options {
	bool unbind, allow_boot_vga, group;
	bool iommu_present;
};

struct plan {
	struct plan_entry *entry; /* parallel to the device list */
	size_t n;
	struct pci_addr missing[MAX_SELECTORS]; /* address selectors with no device (yet) */
	size_t n_missing;
	char notes[PLAN_NOTES_MAX][PLAN_REASON_MAX]; /* per-group findings */
	size_t n_notes;
};

int plan_build(const struct device_list *devs, const struct selectors *sel,
	       const struct plan_options *opt, struct plan *ret);
void plan_free(struct plan *plan);

const char *action_name(enum action a);

/* Strict mode: warnings and refusals count as failures too. */
bool plan_entry_is_problem(const struct plan_entry *e, bool strict);
