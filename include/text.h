/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strings: copying, comparing, parsing numbers and booleans, quoting user text, lists. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Copies with truncation and always terminates (for names whose length is known). */
void copy_str(char *dst, size_t size, const char *src);

bool str_eq(const char *a, const char *b);

/* Parses a decimal number in [min, max]; -EINVAL / -ERANGE otherwise. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/* Parses 1/0 yes/no true/false on/off y/n (any case); -EINVAL otherwise. */
int parse_bool(const char *s, bool *ret);

/*
 * Shows user text (len bytes, NULs allowed) in a message: bytes outside printable ASCII as
 * \xNN, at most about size bytes, "..." when cut. A message never carries raw bytes or a
 * 1 MiB value, and an invisible byte (a UTF-8 BOM, a CR) is shown.
 */
void text_escape(char *buf, size_t size, const char *text, size_t len);

/* A growable list of heap strings. */
struct strv {
	char **v;
	size_t n;
};

/* Appends a formatted string; -ENOMEM (the list unchanged) when memory runs out. */
int strv_addf(struct strv *l, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strv_free(struct strv *l);
