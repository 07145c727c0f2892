// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-pci's ids= never reaches the kernel when vfio-claim loads it: every way of writing it
 * in modprobe.d or on the command line is taken out, and nothing else is lost.
 */
#include <stdlib.h>
#include <string.h>

#include "module-options.h"
#include "unit.h"

static const struct {
	const char *name, *options, *keep, *ids;
} cases[] = {
	{"none", NULL, "", ""},
	{"empty", "", "", ""},
	{"only ids", "ids=1002:744c,1002:ab30", "", "ids=1002:744c,1002:ab30"},
	{"ids among others", "disable_vga=1 ids=1234:1111 disable_idle_d3=1",
	 "disable_vga=1 disable_idle_d3=1", "ids=1234:1111"},
	{"ids twice (command line and modprobe.d)", "ids=1:2 nointxmask=1 ids=3:4", "nointxmask=1",
	 "ids=1:2 ids=3:4"},
	{"tabs and runs of spaces", "\tdisable_vga=1  \t ids=1:2\t", "disable_vga=1", "ids=1:2"},
	{"quoted value with a space", "ids=\"1:2 3:4\" disable_vga=1", "disable_vga=1",
	 "ids=\"1:2 3:4\""},
	{"whole word quoted", "\"ids=1:2\" disable_vga=1", "disable_vga=1", "\"ids=1:2\""},
	{"bare ids", "ids disable_vga=1", "disable_vga=1", "ids"},
	{"ids inside another's quoted value stays that value", "x=\"a ids=1:2\"", "x=\"a ids=1:2\"",
	 ""},
	{"an unclosed quote runs to the end, as in the kernel", "disable_vga=1 ids=\"1:2 x=1",
	 "disable_vga=1", "ids=\"1:2 x=1"},
	/* a no-break space pasted from a web page: UTF-8 c2 a0, and the kernel splits at a0 */
	{"the kernel's isspace() counts 0xa0", "disable_vga=1\xc2\xa0ids=1:2", "disable_vga=1\xc2",
	 "ids=1:2"},
	{"names that only start with ids are kept", "idsx=1 ids_extra=2", "idsx=1 ids_extra=2", ""},
};

/* The IDs of the ids= taken out, as the kernel hands them to vfio-pci: claimed instead. */
static const struct {
	const char *name, *options, *ids;
} values[] = {
	{"ids values: none", "disable_vga=1", ""},
	{"ids values: plain", "ids=1:2,3:4 disable_vga=1", "1:2,3:4"},
	{"ids values: twice", "ids=1:2 x=1 ids=3:4", "1:2,3:4"},
	{"ids values: value quoted", "ids=\"1:2\"", "1:2"},
	{"ids values: whole word quoted", "\"ids=1:2\"", "1:2"},
	{"ids values: bare ids has none", "ids x=1", ""},
	{"ids values: empty", "ids= ids=\"\"", ""},
	{"ids values: inside another's quoted value", "x=\"a ids=1:2\"", ""},
	{"ids values: a quote in the name is another name", "\"ids\"=1:2", ""},
	{"ids values: after a no-break space", "disable_vga=1\xa0ids=1:2", "1:2"},
};

void test_module_options(void)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *ids;

		unit_case_begin("module-options/%s", values[i].name);
		ids = module_options_ids(values[i].options);
		CHECK(ids && strcmp(ids, values[i].ids) == 0);
		free(ids);
		unit_case_end();
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *keep = NULL, *ids = NULL;

		unit_case_begin("module-options/%s", cases[i].name);
		CHECK(module_options_split(cases[i].options, &keep, &ids) == 0);
		CHECK(keep && strcmp(keep, cases[i].keep) == 0);
		CHECK(ids && strcmp(ids, cases[i].ids) == 0);
		free(keep);
		free(ids);
		unit_case_end();
	}
}
