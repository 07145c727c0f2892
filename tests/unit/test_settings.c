// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel command line and config file: keys, prefixes, merging, and what bad input does. */
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "unit.h"

struct expect {
	unsigned n_ids, n_addrs, n_problems;
	bool off, unbind, allow_boot_vga, group;
	unsigned wait;
	const char *problem; /* a substring of the first problem */
};

static void check_settings(const struct settings *s, const struct expect *e)
{
	CHECK(s->sel.n_ids == e->n_ids);
	CHECK(s->sel.n_addrs == e->n_addrs);
	CHECK(settings_n_problems(s) == e->n_problems);
	CHECK(settings_on(s, SW_OFF) == e->off);
	CHECK(settings_on(s, SW_UNBIND) == e->unbind);
	CHECK(settings_on(s, SW_ALLOW_BOOT_VGA) == e->allow_boot_vga);
	CHECK(settings_on(s, SW_GROUP) == e->group);
	CHECK(s->value[SW_WAIT] == e->wait);
	if (e->problem)
		CHECK(s->problems.n > 0 && strstr(s->problems.v[0], e->problem));
}

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
static const struct {
	const char *name, *text;
	struct expect want;
} cmdline_cases[] = {
	{"plain", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet", {0}},
	{"ids-and-addrs", "vfio-claim.ids=1002:744c,1002:ab30 vfio-claim.addrs=03:00.0",
	 {.n_ids = 2, .n_addrs = 1}},
	{"rd-prefix-underscores", "rd.vfio_claim.addrs=0000:03:00.0 rd.vfio-claim.allow_boot_vga=1",
	 {.n_addrs = 1, .allow_boot_vga = true}},
	{"vfio-pci-ids", "vfio-pci.ids=1234:1111 vfio_pci.ids=10de:2684", {.n_ids = 2}},
	{"off", "vfio-claim=off vfio-claim.ids=1002:744c", {.n_ids = 1, .off = true}},
	{"switches", "vfio-claim.unbind vfio-claim.group=yes vfio-claim.wait=30",
	 {.unbind = true, .group = true, .wait = 30}},
	{"quoted", "vfio-claim.ids=\"1002:744c,1002:ab30\" x=\"a b\"", {.n_ids = 2}},
	{"bad-id", "vfio-claim.ids=zz:1,1002:744c", {.n_ids = 1, .n_problems = 1, .problem = "'zz:1'"}},
	{"bad-wait", "vfio-claim.wait=abc", {.n_problems = 1, .problem = "wait='abc'"}},
	{"wait-too-long", "vfio-claim.wait=100000", {.n_problems = 1, .problem = "wait="}},
	{"bad-bool", "vfio-claim.unbind=maybe", {.n_problems = 1, .problem = "not a boolean"}},
	{"unknown-key", "vfio-claim.idz=1002:744c", {.n_problems = 1, .problem = "unknown key"}},
	{"path-in-addr", "vfio-claim.addrs=../../../etc/passwd", {.n_problems = 1,
								 .problem = "bad address"}},
	{"empty-value", "vfio-claim.ids=", {.n_problems = 1, .problem = "needs a value"}},
	{"binary", "vfio-claim.ids=\x01\x02\xff:1", {.n_problems = 1, .problem = "\\x01"}},
	/* found by review: an unreadable value silently meant "off" */
	{"off-unparseable", "vfio-claim=enabled vfio-claim.ids=1002:744c",
	 {.n_ids = 1, .n_problems = 1, .problem = "'enabled' is neither off nor on"}},
	{"on-beats-nothing", "vfio-claim=on", {0}},
	{"bare-is-on", "vfio-claim", {0}},
	{"namespace-typo", "vfio-claim-ids=1002:744c vfio_claim_addrs=03:00.0",
	 {.n_problems = 2, .problem = "unknown key 'vfio-claim-ids' (vfio-claim's keys are"}},
	{"not-our-namespace", "vfio-claimed=1 vfio-claimer.x=2", {0}},
};
/* clang-format on */

/* One case a row, as a table reads: clang-format would put each field on a line. */
/* clang-format off */
static const struct {
	const char *name, *text;
	struct expect want;
} config_cases[] = {
	{"keys", "# the guest GPU\nids = 1002:744c\naddresses = 03:00.0=1002:744c\n"
		 "unbind = yes\nwait=5\n",
	 {.n_ids = 1, .n_addrs = 1, .unbind = true, .wait = 5}},
	{"cmdline-spelling", "vfio-claim.ids=1002:744c  # pasted from the cmdline\n", {.n_ids = 1}},
	{"crlf-and-blanks", "\r\n   \nids = 1002:744c\r\n", {.n_ids = 1}},
	{"no-equals", "ids 1002:744c\n", {.n_problems = 1, .problem = ":1: expected"}},
	{"unknown", "\nfoo = 1\n", {.n_problems = 1, .problem = ":2: unknown key 'foo'"}},
	{"bad-line-keeps-rest", "ids = xx\nids = 1002:744c\n",
	 {.n_ids = 1, .n_problems = 1, .problem = "'xx'"}},
	/* found by review: the BOM made the first key unknown, and invisible in the message */
	{"utf8-bom", "\xef\xbb\xbf" "addrs = 03:00.0\n", {.n_addrs = 1}},
	{"odd-byte-shown", "\x01wait = 3\n", {.n_problems = 1, .problem = "'\\x01wait'"}},
	{"off-key", "off = yes\n", {.off = true}},
	{"rd-and-prefix", "rd.vfio-claim.ids = 1002:744c\n", {.n_ids = 1}},
};
/* clang-format on */

static void test_huge_inputs(void)
{
	struct settings *s = calloc(1, sizeof(*s));
	size_t big = 1024 * 1024;
	char *text = malloc(big + 1);

	unit_case_begin("settings/cmdline 1 MiB of garbage is ignored");
	for (size_t i = 0; i < big; i++)
		text[i] = (char)(i * 7919 % 251 + 1);
	settings_parse_kcmdline(s, text, big);
	CHECK(settings_n_problems(s) == 1 && strstr(s->problems.v[0], "ignoring it"));
	CHECK(s->sel.n_ids == 0);
	settings_free(s);
	unit_case_end();

	unit_case_begin("settings/cmdline oversize value");
	memcpy(text, "vfio-claim.ids=", 15);
	for (size_t i = 15; i < 15 + 10000; i++)
		text[i] = i % 10 == 4 ? ',' : '1';
	settings_parse_kcmdline(s, text, 15 + 10000);
	CHECK(settings_n_problems(s) == 1 && strstr(s->problems.v[0], "longer than"));
	CHECK(s->sel.n_ids == 0);
	settings_free(s);
	unit_case_end();

	unit_case_begin("settings/config 100k lines and NUL bytes");
	{
		static const char tail[] = "ids = 10de\0:1\nids = 1002:744c\n";
		size_t o = 0;

		for (int i = 0; i < 100000 && o + 16 < big; i++)
			o += (size_t)snprintf(text + o, big - o, "# %d\n", i);
		memcpy(text + o, tail, sizeof(tail) - 1);
		settings_parse_config(s, text, o + sizeof(tail) - 1, "big.conf");
	}
	CHECK(s->sel.n_ids == 1);
	CHECK(settings_n_problems(s) == 1 && strstr(s->problems.v[0], "NUL byte"));
	settings_free(s);
	unit_case_end();

	unit_case_begin("settings/problems are capped, and counted");
	for (int i = 0; i < 40; i++)
		settings_add_ids(s, "bad", false, "t");
	CHECK(s->problems.n == PROBLEMS_SHOWN && s->more_problems == 40 - PROBLEMS_SHOWN);
	CHECK(settings_n_problems(s) == 40);
	settings_free(s);
	unit_case_end();
	free(text);
	free(s);
}

static void test_merge(void)
{
	struct settings cfg = {0}, kcl = {0}, args = {0}, out = {0};

	unit_case_begin("settings/merge: cmdline over config, arguments over both");
	settings_parse_config(&cfg, "wait = 5\nunbind = 1\nids = 1002:744c\n", 35, "c");
	settings_parse_kcmdline(&kcl, "vfio-claim.wait=10 vfio-claim.addrs=03:00.0", 43);
	settings_apply(&args, "wait", "2", "arguments", FROM_ARGS);
	settings_merge(&out, &cfg);
	settings_merge(&out, &kcl);
	CHECK(out.value[SW_WAIT] == 10 && settings_on(&out, SW_UNBIND));
	settings_merge(&out, &args);
	CHECK(out.value[SW_WAIT] == 2 && settings_on(&out, SW_UNBIND));
	CHECK(out.sel.n_ids == 1 && out.sel.n_addrs == 1);
	settings_free(&cfg);
	settings_free(&kcl);
	settings_free(&args);
	settings_free(&out);
	unit_case_end();
}

void test_settings(void)
{
	for (size_t i = 0; i < sizeof(cmdline_cases) / sizeof(cmdline_cases[0]); i++) {
		struct settings s = {0};

		unit_case_begin("settings/cmdline %s", cmdline_cases[i].name);
		settings_parse_kcmdline(&s, cmdline_cases[i].text, strlen(cmdline_cases[i].text));
		check_settings(&s, &cmdline_cases[i].want);
		settings_free(&s);
		unit_case_end();
	}
	for (size_t i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
		struct settings s = {0};

		unit_case_begin("settings/config %s", config_cases[i].name);
		settings_parse_config(&s, config_cases[i].text, strlen(config_cases[i].text),
				      "test.conf");
		check_settings(&s, &config_cases[i].want);
		settings_free(&s);
		unit_case_end();
	}
	test_huge_inputs();
	test_merge();
}
