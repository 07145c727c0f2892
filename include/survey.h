/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The first step of every command: scan the machine, then plan against the settings. */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "plan.h"
#include "settings.h"

/* Fills devs and plan (free both) and tells whether an IOMMU is active. */
int survey(const struct settings *set, struct device_list *ret_devs, struct plan *ret_plan,
	   bool *ret_iommu);
