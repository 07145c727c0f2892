/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the kernel log (/dev/kmsg, under the root prefix) for doctor's evidence. */
#pragma once

#include <stdbool.h>

struct klog {
	char *text; /* the messages, one per line, without the record headers */
};

int klog_read(struct klog *ret);
void klog_free(struct klog *log);

/* The first message containing every one of the given substrings (NULL-terminated). */
const char *klog_find(const struct klog *log, const char *const *needles, char *buf,
		      unsigned size);
