// SPDX-License-Identifier: GPL-2.0-or-later
/* The ID and address grammars, bad inputs included, and the kernel's matching rules. */
#include <string.h>

#include "selector.h"
#include "unit.h"

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
static const struct {
	const char *text;
	bool ok;
	struct id_sel want;
} id_cases[] = {
	{"1002:744c", true, {0x1002, 0x744c, PCI_ANY, PCI_ANY, 0, 0, false}},
	{"10DE:2684:1043:8935", true, {0x10de, 0x2684, 0x1043, 0x8935, 0, 0, false}},
	{"ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000", true,
	 {PCI_ANY, PCI_ANY, PCI_ANY, PCI_ANY, 0x030000, 0xff0000, false}},
	{"1002", false, {0}},
	{"1002:", false, {0}},
	{":744c", false, {0}},
	{"10de:zz", false, {0}},
	{"10de:2684:", false, {0}},
	{"1:2:3:4:5:6:7", false, {0}},
	{"1:2:3:4:5:6:", false, {0}}, /* found by fuzz/ids: the trailing ':' was accepted */
	{"123456789:1", false, {0}},
	{"10de:2684 ", false, {0}},
	{"", false, {0}},
	{"../../x", false, {0}},
};
/* clang-format on */

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
/* What a scan for a claim must read: subsystem IDs and prog-if only when an ID names them. */
static const struct {
	const char *name, *ids[3];
	bool subsystem, prog_if;
} need_cases[] = {
	{"nothing selected", {NULL}, false, false},
	{"vendor:device only", {"1002:744c", "10de:2684"}, false, false},
	{"a subvendor", {"1002:744c", "10de:2684:1043"}, true, false},
	{"a subdevice alone", {"10de:2684:ffffffff:8935"}, true, false},
	{"base and sub class", {"ffffffff:ffffffff:ffffffff:ffffffff:030000:ffff00"}, false,
	 false},
	{"prog-if", {"ffffffff:ffffffff:ffffffff:ffffffff:0c0330:ffffff"}, false, true},
	{"both", {"1:2:3:4:0c0330:ff", "5:6"}, true, true},
};

static const struct {
	const char *text;
	bool ok;
	struct pci_addr want;
	bool has_id;
} addr_cases[] = {
	{"03:00.0", true, {0, 3, 0, 0}, false},
	{"0000:03:00.1", true, {0, 3, 0, 1}, false},
	{"10000:e0:1f.7", true, {0x10000, 0xe0, 0x1f, 7}, false},
	{"0000:03:00.0=1002:744c", true, {0, 3, 0, 0}, true},
	{"03:00", false, {0}, false},
	{"03:20.0", false, {0}, false},
	{"03:00.8", false, {0}, false},
	{"0000:003:00.0", false, {0}, false},
	{"../03:00.0", false, {0}, false},
	{"03:00.0/..", false, {0}, false},
	{"0000:03:00.0=1002", false, {0}, false},
	{"0000:03:00.0=1002:744c:1:2", false, {0}, false},
	{"a:b:c:d.0", false, {0}, false},
	{"", false, {0}, false},
};
/* clang-format on */

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
static const struct {
	const char *name, *sel;
	struct pci_ident dev;
	bool match;
} match_cases[] = {
	{"vendor-device", "1002:744c", {.vendor = 0x1002, .device = 0x744c, .class = 0x030000}, true},
	{"other-device", "1002:744c", {.vendor = 0x1002, .device = 0x7480}, false},
	{"any-device", "1002:ffffffff", {.vendor = 0x1002, .device = 0x7480}, true},
	{"subsystem", "10de:2684:1043:8935",
	 {.vendor = 0x10de, .device = 0x2684, .subvendor = 0x1043, .subdevice = 0x8935}, true},
	{"other-subsystem", "10de:2684:1043:8935",
	 {.vendor = 0x10de, .device = 0x2684, .subvendor = 0x1458, .subdevice = 0x4104}, false},
	{"class-mask", "ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000",
	 {.vendor = 0x10de, .device = 0x2684, .class = 0x030200}, true},
	{"class-mask-other", "ffffffff:ffffffff:ffffffff:ffffffff:030000:ff0000",
	 {.vendor = 0x10de, .device = 0x2684, .class = 0x040300}, false},
};
/* clang-format on */

void test_selector(void)
{
	for (size_t i = 0; i < sizeof(id_cases) / sizeof(id_cases[0]); i++) {
		struct id_sel got;
		const char *why = NULL;
		int r;

		unit_case_begin("selector/id '%s'", id_cases[i].text);
		r = id_sel_parse(id_cases[i].text, &got, &why);
		CHECK((r == 0) == id_cases[i].ok);
		/* Field by field: memcmp would compare the padding after from_vfio_pci, which the
		 * compound literal in id_sel_parse() leaves undefined (clang does not zero it). */
		if (id_cases[i].ok && r == 0) {
			const struct id_sel *w = &id_cases[i].want;

			CHECK(got.vendor == w->vendor && got.device == w->device &&
			      got.subvendor == w->subvendor && got.subdevice == w->subdevice &&
			      got.class == w->class && got.class_mask == w->class_mask &&
			      got.from_vfio_pci == w->from_vfio_pci);
		}
		if (!id_cases[i].ok)
			CHECK(why && *why);
		unit_case_end();
	}
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		struct addr_sel got;
		const char *why = NULL;
		int r;

		unit_case_begin("selector/address '%s'", addr_cases[i].text);
		r = addr_sel_parse(addr_cases[i].text, &got, &why);
		CHECK((r == 0) == addr_cases[i].ok);
		if (addr_cases[i].ok && r == 0) {
			CHECK(addr_eq(&got.addr, &addr_cases[i].want));
			CHECK(got.has_id == addr_cases[i].has_id);
		}
		if (!addr_cases[i].ok)
			CHECK(why && *why);
		unit_case_end();
	}
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct id_sel sel;
		const char *why;

		unit_case_begin("selector/match %s", match_cases[i].name);
		CHECK(id_sel_parse(match_cases[i].sel, &sel, &why) == 0);
		CHECK(id_sel_match(&sel, &match_cases[i].dev) == match_cases[i].match);
		unit_case_end();
	}
	for (size_t i = 0; i < sizeof(need_cases) / sizeof(need_cases[0]); i++) {
		struct selectors s = {0};
		struct id_sel sel;
		const char *why;

		unit_case_begin("selector/scan needs, %s", need_cases[i].name);
		for (size_t k = 0; k < 3 && need_cases[i].ids[k]; k++) {
			CHECK(id_sel_parse(need_cases[i].ids[k], &sel, &why) == 0);
			CHECK(selectors_add_id(&s, &sel) == 0);
		}
		CHECK(selectors_need_subsystem(&s) == need_cases[i].subsystem);
		CHECK(selectors_need_prog_if(&s) == need_cases[i].prog_if);
		selectors_free(&s);
		unit_case_end();
	}
	{
		char buf[24];

		unit_case_begin("selector/format");
		addr_format(&(struct pci_addr){0x10000, 0xe0, 0x1f, 7}, buf, sizeof(buf));
		CHECK(strcmp(buf, "10000:e0:1f.7") == 0);
		addr_format(&(struct pci_addr){0, 3, 0, 1}, buf, sizeof(buf));
		CHECK(strcmp(buf, "0000:03:00.1") == 0);
		unit_case_end();
	}
	{
		/* lspci's order: domain, bus, device, function; the domain compared unsigned */
		static const struct pci_addr sorted[] = {{0, 3, 0, 0},
							 {0, 3, 0, 1},
							 {0, 3, 1, 0},
							 {0, 0xe0, 0, 0},
							 {0xffffffff, 0, 0, 0}};

		unit_case_begin("selector/address order");
		for (size_t i = 0; i < sizeof(sorted) / sizeof(sorted[0]); i++) {
			CHECK(addr_compare(&sorted[i], &sorted[i]) == 0);
			if (i > 0)
				CHECK(addr_compare(&sorted[i - 1], &sorted[i]) < 0 &&
				      addr_compare(&sorted[i], &sorted[i - 1]) > 0);
		}
		unit_case_end();
	}
}
