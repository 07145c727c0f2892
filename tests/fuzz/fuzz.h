/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c, built by mk/hardening.mk): a private
 * --root tree for the targets that go through files, and a quiet log.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "settings.h"

/* Creates (once per process) a private root under $TMPDIR or /dev/shm, removed at exit. */
const char *fuzz_root(void);

/* Writes len bytes to <root>/<rel>, replacing the file; creates the parent directories. */
void fuzz_write(const char *rel, const uint8_t *data, size_t len);

/* Replaces <root>/<rel> with a symlink to target (NUL-terminated); target "" leaves none. */
void fuzz_symlink(const char *rel, const char *target);

/*
 * Splits data into up to max fields at the byte 0x1e (ASCII record separator), which none of
 * the parsed formats gives a meaning; missing fields are empty. Returns the field count.
 */
size_t fuzz_split(const uint8_t *data, size_t len, const uint8_t **field, size_t *field_len,
		  size_t max);

/* A NUL-terminated heap copy of data (for the parsers that take C strings). */
char *fuzz_strdup(const uint8_t *data, size_t len);

/* Aborts unless s keeps the parsers' invariants: switches in range and sourced, problems set. */
void fuzz_check_settings(const struct settings *s);
