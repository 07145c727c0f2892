// SPDX-License-Identifier: GPL-2.0-or-later
/* The machine as it is now (libpci + sysfs) turned into a plan by the pure planner. */
#include "console.h"
#include "pci.h"
#include "survey.h"
#include "sysfs.h"

int survey(const struct settings *set, enum survey_reads reads, struct device_list *ret_devs,
	   struct plan *ret_plan, bool *ret_iommu)
{
	bool iommu = sysfs_iommu_present();
	struct plan_rules rules = {
		.unbind = settings_on(set, SW_UNBIND),
		.allow_boot_vga = settings_on(set, SW_ALLOW_BOOT_VGA),
		.group = settings_on(set, SW_GROUP),
		.off = settings_on(set, SW_OFF) ? set->where[SW_OFF] : NULL,
		.iommu_present = iommu,
	};
	struct device_list devs;
	unsigned extra = PCI_EXTRA_ALL;
	int r;

	if (reads == SURVEY_CLAIM)
		extra = (selectors_need_prog_if(&set->sel) ? PCI_EXTRA_PROG_IF : 0) |
			(selectors_need_subsystem(&set->sel) ? PCI_EXTRA_SUBSYS : 0);
	r = pci_scan(extra, &devs);
	if (r < 0)
		return r;
	/* The console of any class, beyond boot_vga */
	console_mark(&devs);
	r = plan_build(&devs, &set->sel, &rules, ret_plan);
	if (r < 0) {
		device_list_free(&devs);
		return r;
	}
	*ret_devs = devs;
	if (ret_iommu)
		*ret_iommu = iommu;
	return 0;
}
