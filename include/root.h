/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root prefix: every path the tool reads or writes (/sys, /proc, /etc, /run, /dev/kmsg,
 * the module tree) goes through root_path(), so that --root DIR points all of them at a dumped
 * or generated tree. It is only a prefix: nothing else changes with it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* NULL, "" and "/" all mean the real system. */
void root_set(const char *dir);

/* True when a root other than the real system is set. */
bool root_is_set(void);

/* Formats "<root><path>" into buf; -ENAMETOOLONG when it does not fit. */
int root_path(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);
