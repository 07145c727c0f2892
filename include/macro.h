/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small macros every file may use. */
#pragma once

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
