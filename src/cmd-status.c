// SPDX-License-Identifier: GPL-2.0-or-later
/* "vfio-claim status": the plan a claim would make, for every device, without writing. */
#include <stdio.h>

#include "commands.h"
#include "output.h"
#include "pci-names.h"
#include "survey.h"

void status_run(const struct args *a, const struct settings *set, struct outcome *out)
{
	struct device_list devs;
	struct plan plan;
	bool iommu;

	if (survey(set, SURVEY_ALL, &devs, &plan, &iommu) < 0) {
		out->cannot_run = true;
		return;
	}
	pci_names_fill(&devs);
	output_status(stdout, &devs, &plan, iommu, a->json);
	plan_free(&plan);
	device_list_free(&devs);
}
