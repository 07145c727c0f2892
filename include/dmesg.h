/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the kernel log, as dmesg does (/dev/kmsg under the root prefix), for doctor's
 * evidence. Writing vfio-claim's own lines is log.c's.
 */
#pragma once

struct dmesg {
	char *text; /* the messages, one per line, without the record headers */
};

int dmesg_read(struct dmesg *ret);
void dmesg_free(struct dmesg *log);

/* The first message containing every one of the given substrings (NULL-terminated). */
const char *dmesg_find(const struct dmesg *log, const char *const *needles, char *buf,
		       unsigned size);
