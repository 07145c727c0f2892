/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Scan the machine and plan against the settings: the first step of every command. */
#pragma once

#include <stdbool.h>

#include "pci.h"
#include "plan.h"
#include "settings.h"

/* Fills devs and plan (free both) and tells whether an IOMMU is active. */
int survey(const struct settings *set, struct device_list *ret_devs, struct plan *ret_plan,
	   bool *ret_iommu);
