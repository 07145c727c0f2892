// SPDX-License-Identifier: GPL-2.0-or-later
/* The safety rules and the companion/group logic, on plain device tables. */
#include <string.h>

#include "plan.h"
#include "settings.h"
#include "unit.h"

struct row {
	const char *addr;
	uint16_t vendor, device;
	uint32_t class;
	int group;
	const char *driver;
	int boot_vga;
};

struct want {
	const char *addr;
	enum action action;
	bool counts;
	const char *reason; /* substring of reason or via */
};

struct scenario {
	const char *name;
	struct row rows[10];
	const char *ids, *addrs;
	struct plan_rules rules;
	struct want want[10];
	const char *note;
};

#define IOMMU .iommu_present = true

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
static const struct scenario scenarios[] = {
	{"7900xtx by address brings its audio",
	 {{"0000:03:00.0", 0x1002, 0x744c, 0x030000, 14, "", 0},
	  {"0000:03:00.1", 0x1002, 0xab30, 0x040300, 14, "", -1},
	  {"0000:02:00.0", 0x1002, 0x1479, 0x060400, 14, "pcieport", -1},
	  {"0000:12:00.0", 0x1002, 0x164e, 0x030000, 20, "amdgpu", 1}},
	 NULL, "03:00.0", {IOMMU},
	 {{"0000:03:00.0", ACTION_CLAIM, true, "selected by address"},
	  {"0000:03:00.1", ACTION_CLAIM, true, "companion of 0000:03:00.0"},
	  {"0000:02:00.0", ACTION_SKIP, false, "not selected"},
	  {"0000:12:00.0", ACTION_SKIP, false, "not selected"}}},
	{"boot VGA refused when selected by ID",
	 {{"0000:00:01.0", 0x1234, 0x1111, 0x030000, 1, "bochs-drm", 1},
	  {"0000:01:00.0", 0x1234, 0x1111, 0x030000, 3, "", 0},
	  {"0000:01:00.1", 0x8086, 0x293e, 0x040300, 3, "", -1}},
	 "1234:1111", NULL, {IOMMU},
	 {{"0000:00:01.0", ACTION_REFUSE, false, "boot VGA"},
	  {"0000:01:00.0", ACTION_CLAIM, true, "selected by ID"},
	  {"0000:01:00.1", ACTION_CLAIM, true, "companion"}}},
	{"boot VGA allowed for single-GPU passthrough",
	 {{"0000:00:01.0", 0x1234, 0x1111, 0x030000, 1, "bochs-drm", 1}},
	 NULL, "00:01.0", {IOMMU, .allow_boot_vga = true, .unbind = true},
	 {{"0000:00:01.0", ACTION_CLAIM, true, "unbound from bochs-drm"}}},
	{"boot VGA by address counts as failure",
	 {{"0000:00:01.0", 0x1234, 0x1111, 0x030000, 1, "bochs-drm", 1}},
	 NULL, "00:01.0", {IOMMU},
	 {{"0000:00:01.0", ACTION_REFUSE, true, "boot VGA"}}},
	{"four-function NVIDIA card",
	 {{"0000:01:00.0", 0x10de, 0x1e84, 0x030000, 16, "", 0},
	  {"0000:01:00.1", 0x10de, 0x10f8, 0x040300, 16, "", -1},
	  {"0000:01:00.2", 0x10de, 0x1ad8, 0x0c0330, 16, "", -1},
	  {"0000:01:00.3", 0x10de, 0x1ad9, 0x0c8000, 16, "", -1}},
	 "10de:1e84", NULL, {IOMMU},
	 {{"0000:01:00.0", ACTION_CLAIM, true, ""},
	  {"0000:01:00.1", ACTION_CLAIM, true, "companion"},
	  {"0000:01:00.2", ACTION_CLAIM, true, "companion"},
	  {"0000:01:00.3", ACTION_CLAIM, true, "companion"}}},
	{"companion in another group stays",
	 {{"0000:01:00.0", 0x10de, 0x1e84, 0x030000, 16, "", 0},
	  {"0000:01:00.1", 0x10de, 0x10f8, 0x040300, 17, "snd_hda_intel", -1}},
	 "10de:1e84", NULL, {IOMMU},
	 {{"0000:01:00.0", ACTION_CLAIM, true, ""},
	  {"0000:01:00.1", ACTION_SKIP, false, "not selected"}}},
	{"bridges never claimed",
	 {{"0000:00:1c.0", 0x8086, 0xa33c, 0x060400, 12, "pcieport", -1}},
	 NULL, "00:1c.0", {IOMMU, .unbind = true},
	 {{"0000:00:1c.0", ACTION_REFUSE, true, "bridge"}}},
	{"storage by ID refused, by address allowed",
	 {{"0000:04:00.0", 0x144d, 0xa80a, 0x010802, 15, "nvme", -1},
	  {"0000:05:00.0", 0x144d, 0xa80a, 0x010802, 16, "", -1}},
	 "144d:a80a", "05:00.0", {IOMMU},
	 {{"0000:04:00.0", ACTION_REFUSE, false, "select it by address"},
	  {"0000:05:00.0", ACTION_CLAIM, true, "selected by address"}}},
	{"group shared with SATA is not viable",
	 {{"0000:05:00.0", 0x10de, 0x1c82, 0x030000, 12, "", 0},
	  {"0000:06:00.0", 0x1b21, 0x0612, 0x010601, 12, "ahci", -1},
	  {"0000:00:1c.0", 0x8086, 0xa33c, 0x060400, 12, "pcieport", -1}},
	 "10de:1c82", NULL, {IOMMU},
	 {{"0000:05:00.0", ACTION_CLAIM, true, "not viable"},
	  {"0000:06:00.0", ACTION_SKIP, false, "not selected"},
	  {"0000:00:1c.0", ACTION_SKIP, false, "not selected"}},
	 "IOMMU group 12 is not viable for VFIO: 0000:06:00.0 (ahci)"},
	{"--group takes the group but not storage or bridges",
	 {{"0000:05:00.0", 0x10de, 0x1c82, 0x030000, 12, "", 0},
	  {"0000:05:00.1", 0x10de, 0x0fb9, 0x040300, 12, "", -1},
	  {"0000:06:00.0", 0x1b21, 0x0612, 0x010601, 12, "ahci", -1},
	  {"0000:07:00.0", 0x8086, 0x1533, 0x020000, 12, "igb", -1},
	  {"0000:00:1c.0", 0x8086, 0xa33c, 0x060400, 12, "pcieport", -1}},
	 NULL, "05:00.0", {IOMMU, .group = true, .unbind = true},
	 {{"0000:05:00.0", ACTION_CLAIM, true, ""},
	  {"0000:05:00.1", ACTION_CLAIM, true, "companion"},
	  {"0000:06:00.0", ACTION_REFUSE, true, "joined only through --group"},
	  {"0000:07:00.0", ACTION_CLAIM, true, "same IOMMU group as 0000:05:00.0"},
	  {"0000:00:1c.0", ACTION_SKIP, false, "not selected"}}},
	{"no IOMMU: nothing is touched",
	 {{"0000:03:00.0", 0x1002, 0x744c, 0x030000, -1, "", 0}},
	 NULL, "03:00.0", {0},
	 {{"0000:03:00.0", ACTION_REFUSE, true, "no IOMMU"}}},
	{"bound device left alone without --unbind",
	 {{"0000:03:00.0", 0x1002, 0x744c, 0x030000, 14, "amdgpu", 0}},
	 NULL, "03:00.0", {IOMMU},
	 {{"0000:03:00.0", ACTION_SKIP, true, "bound to amdgpu already, leaving it"}}},
	{"already on vfio-pci",
	 {{"0000:03:00.0", 0x1002, 0x744c, 0x030000, 14, "vfio-pci", 0}},
	 "1002:744c", NULL, {IOMMU},
	 {{"0000:03:00.0", ACTION_CLAIMED, true, "already"}}},
	{"expected ID mismatch: hardware moved",
	 {{"0000:03:00.0", 0x10de, 0x2684, 0x030000, 14, "", 0}},
	 NULL, "0000:03:00.0=1002:744c", {IOMMU},
	 {{"0000:03:00.0", ACTION_REFUSE, true, "hardware moved"}}},
};
/* clang-format on */

static void load(const struct scenario *sc, struct device_list *devs, struct device *storage)
{
	size_t n = 0;

	for (; n < 10 && sc->rows[n].addr; n++) {
		const struct row *r = &sc->rows[n];
		struct device *d = &storage[n];
		const char *why;

		memset(d, 0, sizeof(*d));
		CHECK(addr_parse(r->addr, &d->id.addr, &why) == 0);
		strcpy(d->name, r->addr);
		d->id.vendor = r->vendor;
		d->id.device = r->device;
		d->id.class = r->class;
		d->iommu_group = r->group;
		strcpy(d->driver, r->driver);
		d->boot_vga = r->boot_vga;
		d->has_override = true;
		if (r->boot_vga == BOOT_VGA_YES)
			strcpy(d->console, "is the boot VGA (the host console)");
	}
	*devs = (struct device_list){.dev = storage, .n = n};
}

void test_plan(void)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *sc = &scenarios[i];
		struct settings set = {0};
		struct device storage[10];
		struct device_list devs;
		struct plan plan;

		unit_case_begin("plan/%s", sc->name);
		load(sc, &devs, storage);
		if (sc->ids)
			CHECK(settings_add_ids(&set, sc->ids, false, "test") == 0);
		if (sc->addrs)
			CHECK(settings_add_addrs(&set, sc->addrs, "test") == 0);
		CHECK(plan_build(&devs, &set.sel, &sc->rules, &plan) == 0);
		for (size_t w = 0; w < 10 && sc->want[w].addr; w++) {
			const struct want *want = &sc->want[w];

			for (size_t k = 0; k < devs.n; k++) {
				const struct plan_entry *e = &plan.entry[k];

				if (strcmp(devs.dev[k].name, want->addr) != 0)
					continue;
				CHECK(e->action == want->action);
				CHECK(e->by == BY_NONE || e->counts == want->counts);
				CHECK(strstr(e->reason, want->reason) ||
				      strstr(e->via, want->reason));
				if (e->action != want->action ||
				    !(strstr(e->reason, want->reason) ||
				      strstr(e->via, want->reason)))
					printf("  %s: %s: %s (%s)\n", want->addr,
					       action_name(e->action), e->reason, e->via);
			}
		}
		if (sc->note)
			CHECK(plan.notes.n == 1 && strstr(plan.notes.v[0], sc->note));
		plan_free(&plan);
		settings_free(&set);
		unit_case_end();
	}
	{
		struct settings set = {0};
		struct device_list none = {0};
		struct plan plan;

		unit_case_begin("plan/missing address is reported for waiting");
		settings_add_addrs(&set, "07:00.0,0000:08:00.0", "t");
		CHECK(plan_build(&none, &set.sel, &(struct plan_rules){IOMMU}, &plan) == 0);
		CHECK(plan.n_missing == 2);
		plan_free(&plan);
		settings_free(&set);
		unit_case_end();

		/* Found by tests/fault: each copy was reported "not present" and counted. */
		unit_case_begin("plan/missing address given twice is reported once");
		settings_add_addrs(&set, "07:00.0,0000:07:00.0,07:00.0=1002:744c", "t");
		CHECK(plan_build(&none, &set.sel, &(struct plan_rules){IOMMU}, &plan) == 0);
		CHECK(plan.n_missing == 1);
		plan_free(&plan);
		settings_free(&set);
		unit_case_end();
	}
}
