/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan: for every PCI device, whether a claim takes it and why (not). Pure: it reads the
 * device list and the selectors and touches nothing, so it is tested on plain structs.
 */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "selector.h"
#include "text.h"

#define PLAN_REASON_MAX 256

enum action {
	ACTION_SKIP,	/* left as it is (also: not selected) */
	ACTION_CLAIM,	/* to be moved to vfio-pci */
	ACTION_CLAIMED, /* on vfio-pci already */
	ACTION_REFUSE,	/* selected, but a safety rule keeps it on the host */
};

enum selected_by { BY_NONE, BY_ADDRESS, BY_ID, BY_COMPANION, BY_GROUP };

struct plan_entry {
	struct device *dev; /* the device this entry is about */
	enum action action;
	enum selected_by by;
	bool counts;	    /* not ending on vfio-pci makes the run fail (exit 1) */
	bool unbind;	    /* claiming it means detaching it from its current driver */
	bool group_warning; /* its IOMMU group keeps other devices on host drivers */
	bool from_vfio_pci; /* selected through the user's vfio-pci.ids */
	bool failed;	    /* the claim was tried and did not end on vfio-pci */
	bool handover;	    /* its card is handed over (handover.h), not plainly claimed */
	char reason[PLAN_REASON_MAX];
	char via[64]; /* how it was selected: "by address", "companion of ..." */
};

/* The switches that shape a plan, and the one fact about the machine it needs. */
struct plan_rules {
	bool unbind, allow_boot_vga, group;
	const char *
		off; /* vfio-claim is off: where that was said ("kernel command line"), else NULL */
	bool iommu_present;
};

struct plan {
	struct plan_entry *entry; /* one per device, in the list's order */
	size_t n;
	struct pci_addr *missing; /* address selectors with no device (yet) */
	size_t n_missing;
	struct strv notes; /* per-group findings */
};

/* The entries point into devs, which must outlive the plan. */
int plan_build(struct device_list *devs, const struct selectors *sel,
	       const struct plan_rules *rules, struct plan *ret);
void plan_free(struct plan *plan);

const char *action_name(enum action a);

/* The claim takes it: to be moved to vfio-pci, or there already. */
static inline bool plan_entry_taken(const struct plan_entry *e)
{
	return e->action == ACTION_CLAIM || e->action == ACTION_CLAIMED;
}

/* Strict mode: warnings and refusals count as failures too. */
bool plan_entry_is_problem(const struct plan_entry *e, bool strict);
