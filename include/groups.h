/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IOMMU group view: every group with its devices, whether it can go to a guest and why
 * not, and which one holds the host console. Pure: the verdicts come from the planner itself,
 * asked to take every group as a whole (see groups.c), so they follow the same rules a claim
 * does.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "device.h"
#include "plan.h"
#include "selector.h"
#include "text.h"

struct iommu_group {
	int group;	/* NO_GROUP for the devices that have none */
	size_t *member; /* indices into the device list, by address */
	size_t n;
	bool viable;		      /* its devices can go to a guest together */
	const struct device *console; /* the member that is the host console, or NULL */
	struct strv why;	      /* why it is not viable, one reason a line */
	struct strv notes;	      /* what to know even so: storage, devices in use */
};

struct groups_view {
	struct iommu_group *g; /* by group number; the devices without a group last */
	size_t n;
	struct plan plan; /* the planner's answer for every group taken as a whole */
	struct selectors sel;
	const struct iommu_group *console_group; /* the group of the host console, or NULL */
};

/*
 * Builds the view. allow_boot_vga is the user's switch (single-GPU passthrough makes the
 * console's group viable). devs must outlive the view.
 */
int groups_build(struct device_list *devs, bool iommu_present, bool allow_boot_vga,
		 struct groups_view *ret);
void groups_free(struct groups_view *view);
