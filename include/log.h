/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing vfio-claim's log: to stderr, or to /dev/kmsg (under the root prefix) in the initrd,
 * so the lines land in the kernel log next to the drivers' own messages. Levels are syslog's
 * (<syslog.h>: LOG_ERR ... LOG_DEBUG), as the kernel log has them.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

/* max: messages above it are dropped. to_kmsg: write to <root>/dev/kmsg (else stderr). */
void log_setup(int max, bool to_kmsg);

/* True when running in an initrd-like place: our parent is PID 1 and stderr is no terminal. */
bool log_should_use_kmsg(void);

void log_msg(int level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
