/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny table-test harness: each case prints "PASS: unit/NAME" or "FAIL: unit/NAME" with the
 * failed checks, which tests/tally.sh counts.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

void unit_case_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void unit_case_end(void);
void unit_check_failed(const char *file, int line, const char *what);

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond))                                          \
			unit_check_failed(__FILE__, __LINE__, #cond); \
	} while (0)

void test_selector(void);
void test_settings(void);
void test_plan(void);
void test_fileio(void);
void test_record(void);
void test_module_options(void);
