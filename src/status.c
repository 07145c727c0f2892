// SPDX-License-Identifier: GPL-2.0-or-later
/* "vfio-claim status": the plan a claim would make, for every device, without writing. */
#include <stdio.h>

#include "commands.h"
#include "output.h"
#include "survey.h"

int status_run(const struct options *opt, const struct settings *set)
{
	struct device_list devs;
	struct plan plan;
	bool iommu;

	if (survey(set, &devs, &plan, &iommu) < 0)
		return EXIT_NOT_CLAIMED;
	output_status(stdout, &devs, &plan, iommu, opt->json);
	plan_free(&plan);
	device_list_free(&devs);
	return set->n_problems ? EXIT_USAGE : EXIT_OK;
}
