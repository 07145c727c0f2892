// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Times the planner on a fixture tree: enumerates ROOT once (libpci + sysfs, as vfio-claim
 * does), then runs plan_build() REPEAT times and prints the median and the minimum.
 * Usage: plan-bench ROOT REPEAT IDS ADDRS     (IDS/ADDRS as --ids/--addrs, "-" for none)
 * Output: "devices N selected S scan_us X plan_median_us Y plan_min_us Z"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pci.h"
#include "plan.h"
#include "root.h"
#include "settings.h"
#include "sysfs.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct settings set = {0};
	struct device_list devs;
	struct plan plan;
	double t0, scan, *t;
	int repeat;
	size_t selected = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: plan-bench ROOT REPEAT IDS ADDRS\n");
		return 2;
	}
	log_setup(LOG_ERR, false);
	root_set(argv[1]);
	repeat = atoi(argv[2]);
	if (repeat < 1)
		repeat = 1;
	if (strcmp(argv[3], "-") != 0)
		settings_add_ids(&set, argv[3], false, "ids");
	if (strcmp(argv[4], "-") != 0)
		settings_add_addrs(&set, argv[4], "addrs");
	t0 = now_us();
	if (pci_scan(PCI_EXTRA_ALL, &devs) < 0)
		return 1;
	scan = now_us() - t0;
	t = calloc((size_t)repeat, sizeof(*t));
	for (int i = 0; i < repeat; i++) {
		t0 = now_us();
		if (plan_build(&devs, &set.sel,
			       &(struct plan_rules){.iommu_present = sysfs_iommu_present()},
			       &plan) < 0)
			return 1;
		t[i] = now_us() - t0;
		if (i == 0)
			for (size_t k = 0; k < plan.n; k++)
				selected += plan.entry[k].by != BY_NONE;
		plan_free(&plan);
	}
	qsort(t, (size_t)repeat, sizeof(*t), cmp);
	printf("devices %zu selected %zu scan_us %.0f plan_median_us %.1f plan_min_us %.1f\n",
	       devs.n, selected, scan, t[repeat / 2], t[0]);
	free(t);
	device_list_free(&devs);
	settings_free(&set);
	return 0;
}
