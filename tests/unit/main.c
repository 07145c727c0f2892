// SPDX-License-Identifier: GPL-2.0-or-later
/* Runs every unit table; exit status 1 when any case failed. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "unit.h"

static unsigned case_failures, total_failed_cases;
static char case_name[200];

void unit_case_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(case_name, sizeof(case_name), fmt, ap);
	va_end(ap);
	case_failures = 0;
}

void unit_check_failed(const char *file, int line, const char *what)
{
	printf("  %s:%d: %s: check failed: %s\n", file, line, case_name, what);
	case_failures++;
}

void unit_case_end(void)
{
	printf("%s: unit/%s\n", case_failures ? "FAIL" : "PASS", case_name);
	total_failed_cases += case_failures > 0;
}

int main(void)
{
	log_setup(LOG_ERR - 1, false); /* the code under test may log; keep the output clean */
	test_selector();
	test_settings();
	test_plan();
	test_fileio();
	test_record();
	test_module_options();
	return total_failed_cases ? 1 : 0;
}
