// SPDX-License-Identifier: GPL-2.0-or-later
/* The hand-over record's parser (src/handover-record.c): what a hand-over writes is read back
 * whole; every other line is refused with its number, and never taken. */
#include <string.h>

#include "handover-record.h"
#include "unit.h"

static void parse(const char *text, struct handover_record *rec)
{
	CHECK(record_parse(text, strlen(text), "0000:03:00", rec) == 0);
}

static void test_written_lines(void)
{
	struct handover_record rec;

	unit_case_begin("record/every line a hand-over writes is read back");
	parse("# comment\ndomain win11\nfunction 0000:03:00.0 amdgpu\nfunction 0000:03:00.1 -\n"
	      "vtcon vtcon1\nfb simple-framebuffer.0 simple-framebuffer\nunit sddm.service\n"
	      "unit sddm.service\n\n",
	      &rec);
	CHECK(rec.problems.n == 0);
	CHECK(strcmp(rec.domain, "win11") == 0);
	CHECK(rec.n_fn == 2 && strcmp(rec.fn[1].name, "0000:03:00.1") == 0 && !rec.fn[1].driver[0]);
	CHECK(record_function(&rec, "0000:03:00.0") &&
	      strcmp(record_function(&rec, "0000:03:00.0")->driver, "amdgpu") == 0);
	CHECK(!record_function(&rec, "0000:03:00.2"));
	CHECK(strcmp(rec.vtcon, "vtcon1") == 0 && strcmp(rec.fb_dev, "simple-framebuffer.0") == 0);
	CHECK(rec.units.n == 1);
	record_free(&rec);
	unit_case_end();
}

static void test_forged_lines(void)
{
	static const char *const forged[] = {
		"function 0000:02:00.0 e1000e",	 /* another card */
		"function 0000:03:00.0 ../../x", /* a path for a driver */
		"function 03:00.0",		 /* no driver */
		"unit poweroff.target",		 /* not a .service or .scope */
		"unit ../evil.service",
		"vtcon ../../../dev/sda",
		"fb serial8250 serial", /* not a firmware framebuffer */
		"domain *",
		"domain win 11",
		"reboot now",
		"function 0000:03:00.0 amdgpu extra",
	};

	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		struct handover_record rec;

		unit_case_begin("record/refused: %s", forged[i]);
		parse(forged[i], &rec);
		CHECK(rec.problems.n == 1 && strncmp(rec.problems.v[0], "line 1: ", 8) == 0);
		CHECK(rec.n_fn == 0 && rec.units.n == 0 && !rec.vtcon[0] && !rec.fb_dev[0] &&
		      !rec.domain[0]);
		record_free(&rec);
		unit_case_end();
	}
}

static void test_odd_text(void)
{
	static const char text[] = "function 0000:03:00.0 amdgpu\nfunc\0tion x\n"
				   "function 0000:03:00.0 -";
	struct handover_record rec;

	unit_case_begin("record/NUL bytes and a second line for one function are refused");
	CHECK(record_parse(text, sizeof(text) - 1, "0000:03:00", &rec) == 0);
	CHECK(rec.n_fn == 1 && strcmp(rec.fn[0].driver, "amdgpu") == 0);
	CHECK(rec.problems.n == 2);
	CHECK(rec.problems.n == 2 && strncmp(rec.problems.v[1], "line 3: ", 8) == 0);
	record_free(&rec);
	unit_case_end();
}

void test_record(void)
{
	test_written_lines();
	test_forged_lines();
	test_odd_text();
}
