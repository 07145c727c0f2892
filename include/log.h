/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr, or to /dev/kmsg in the initrd so the lines land in the kernel log next
 * to the drivers' own messages.
 */
#pragma once

#include <stdbool.h>

enum log_level { LOG_ERR = 3, LOG_WARNING = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

/* max: messages above it are dropped. to_kmsg: write to /dev/kmsg (falls back to stderr). */
void log_setup(enum log_level max, bool to_kmsg);

/* True when running in an initrd-like place: our parent is PID 1 and stderr is no terminal. */
bool log_should_use_kmsg(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
