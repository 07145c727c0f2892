/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The first step of every command: scan the machine, then plan against the settings. */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "plan.h"
#include "settings.h"

/* What the scan reads: everything (the commands that show devices), or what a claim needs. */
enum survey_reads {
	SURVEY_ALL,
	SURVEY_CLAIM, /* subsystem IDs and prog-if only when the selectors match on them */
};

/* Fills devs and plan (free both) and tells whether an IOMMU is active. */
int survey(const struct settings *set, enum survey_reads reads, struct device_list *ret_devs,
	   struct plan *ret_plan, bool *ret_iommu);
