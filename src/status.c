// SPDX-License-Identifier: GPL-2.0-or-later
/* "vfio-claim status": the plan a claim would make, for every device, without writing. */
#include <stdio.h>

#include "commands.h"
#include "output.h"
#include "pci.h"
#include "plan.h"
#include "sysfs.h"

int status_run(const struct options *opt, const struct settings *set)
{
	bool iommu = sysfs_iommu_present();
	struct device_list devs;
	struct plan plan;
	int r;

	r = pci_scan(&devs);
	if (r < 0)
		return EXIT_NOT_CLAIMED;
	r = plan_build(&devs, &set->sel,
		       &(struct plan_options){.unbind = set->unbind,
					      .allow_boot_vga = set->allow_boot_vga,
					      .group = set->group,
					      .iommu_present = iommu},
		       &plan);
	if (r < 0) {
		device_list_free(&devs);
		return EXIT_NOT_CLAIMED;
	}
	output_status(stdout, &devs, &plan, iommu, opt->json);
	plan_free(&plan);
	device_list_free(&devs);
	return set->n_problems ? EXIT_USAGE : EXIT_OK;
}
