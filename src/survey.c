// SPDX-License-Identifier: GPL-2.0-or-later
/* The machine as it is now (libpci + sysfs) turned into a plan by the pure planner. */
#include "console.h"
#include "pci.h"
#include "survey.h"
#include "sysfs.h"

int survey(const struct settings *set, struct device_list *ret_devs, struct plan *ret_plan,
	   bool *ret_iommu)
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
	int r;

	r = pci_scan(&devs);
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
