// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enumeration end to end on a one-device sysfs tree made from the input: libpci parses the
 * vendor, device and class files (and calls our error callback, which longjmps, when it
 * cannot), then sysfs_read_state reads the rest and the planner runs on the result.
 * Fields (separated by the byte 0x1e): VENDOR, DEVICE, CLASS, DRIVER-TARGET, GROUP-TARGET,
 * BOOT_VGA, DEVICE-DIR-NAME (used only when it is a valid domain:bus:dev.fn).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "pci.h"
#include "plan.h"
#include "root.h"
#include "selector.h"
#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char devdir[PATH_MAX];

static void put(const char *attr, const uint8_t *v, size_t n)
{
	char rel[PATH_MAX + 32];

	snprintf(rel, sizeof(rel), "%s/%s", devdir, attr);
	fuzz_write(rel, v, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t zero[] = "0x0000\n", irq[] = "0\n";
	static struct id_sel any = {
		.vendor = PCI_ANY, .device = PCI_ANY, .subvendor = PCI_ANY, .subdevice = PCI_ANY};
	static const struct selectors sel = {.ids = &any, .n_ids = 1};
	const uint8_t *f[7];
	size_t len[7];
	char name[64], *driver, *group, path[PATH_MAX];
	struct device_list devs;
	struct plan plan;
	struct pci_addr addr;
	const char *why;

	fuzz_root();
	fuzz_split(data, size, f, len, 7);
	/*
	 * The directory name is what libpci parses the address from. A name it cannot parse
	 * makes it call our error callback, which longjmps out of sysfs_scan() and so leaks
	 * that function's DIR (an fd and 32 KiB) and one pci_dev: fine once per run of the
	 * tool, fatal to a fuzzer that would hit it millions of times. That path is covered by
	 * tests/fault (one run, under ASan and valgrind); here the name is one addr_parse()
	 * accepts with a domain up to 0x7fffffff, which libpci's sysfs_scan() always takes.
	 */
	snprintf(name, sizeof(name), "%.*s", (int)(len[6] < 40 ? len[6] : 40), (const char *)f[6]);
	if (addr_parse(name, &addr, &why) < 0 || strchr(name, ':') == strrchr(name, ':') ||
	    addr.domain > 0x7fffffff) /* libpci 3.9 refuses larger domains through ->error */
		snprintf(name, sizeof(name), "0000:00:02.0");
	snprintf(devdir, sizeof(devdir), "sys/bus/pci/devices/%s", name);
	/* One IOMMU group exists, so the planner sees an IOMMU. */
	fuzz_write("sys/kernel/iommu_groups/1/devices/.keep", zero, 0);
	put("vendor", f[0], len[0]);
	put("device", f[1], len[1]);
	put("class", f[2], len[2]);
	put("subsystem_vendor", zero, sizeof(zero) - 1);
	put("subsystem_device", zero, sizeof(zero) - 1);
	put("irq", irq, sizeof(irq) - 1);
	put("resource", zero, 0);
	put("boot_vga", f[5], len[5]);
	driver = fuzz_strdup(f[3], len[3]);
	group = fuzz_strdup(f[4], len[4]);
	snprintf(path, sizeof(path), "%s/driver", devdir);
	fuzz_symlink(path, driver);
	snprintf(path, sizeof(path), "%s/iommu_group", devdir);
	fuzz_symlink(path, group);

	if (pci_scan(PCI_EXTRA_ALL, &devs) == 0) {
		if (devs.n > 1)
			abort();
		if (plan_build(&devs, &sel,
			       &(struct plan_rules){.iommu_present = sysfs_iommu_present()},
			       &plan) == 0)
			plan_free(&plan);
		device_list_free(&devs);
	}
	/* Remove this device so the next input starts from an empty bus. */
	{
		static const char *const attrs[] = {
			"vendor", "device",   "class",	  "subsystem_vendor", "subsystem_device",
			"irq",	  "resource", "boot_vga", "driver",	      "iommu_group"};
		char rel[PATH_MAX];

		for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
			snprintf(rel, sizeof(rel), "%s/%s/%s", fuzz_root(), devdir, attrs[i]);
			unlink(rel);
		}
		snprintf(rel, sizeof(rel), "%s/%s", fuzz_root(), devdir);
		rmdir(rel);
	}
	free(driver);
	free(group);
	return 0;
}
