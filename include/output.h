/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What people read: one log line per device, the status table, and its JSON form. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

/* Logs "0000:03:00.0 [1002:744c] claimed: bound to vfio-pci (selected by address)". */
void output_device_line(const struct plan_entry *e, bool dry_run);

/* Logs the plan's group notes. */
void output_notes(const struct plan *plan);

/* Logs the devices the scan had to skip, each with the reason. */
void output_skipped(const struct device_list *devs);

/* Writes s as a JSON string: quotes, backslashes and bytes outside printable ASCII escaped. */
void output_json_string(FILE *out, const char *s);

/* Prints every device with what a claim would do, as a table or one JSON object. */
void output_status(FILE *out, const struct device_list *devs, const struct plan *plan,
		   bool iommu_present, bool json);
