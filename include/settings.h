/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the user asked for, from one source (arguments, config file or kernel command line),
 * and the merge of the three. Pure: problems are collected as text for main to log.
 */
#pragma once

#include <stdbool.h>

#include "selector.h"

#define MAX_PROBLEMS 16
#define MAX_VALUE_LEN 4096
#define MAX_WAIT_SECONDS 600

enum setting {
	SET_OFF = 1 << 0,
	SET_UNBIND = 1 << 1,
	SET_ALLOW_BOOT_VGA = 1 << 2,
	SET_GROUP = 1 << 3,
	SET_WAIT = 1 << 4,
	SET_STRICT = 1 << 5,
};

struct settings {
	struct selectors sel;
	bool off, unbind, allow_boot_vga, group, strict;
	unsigned wait;
	unsigned set; /* enum setting bits: scalars this source set explicitly */
	char problems[MAX_PROBLEMS][200];
	unsigned n_problems, more_problems;
};

/* Records a problem (bad token, unknown key). Keeps the first MAX_PROBLEMS. */
void settings_problem(struct settings *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Applies one "key=value" from the config file or kernel command line. key is without any
 * "vfio-claim." prefix; '-' and '_' are equal. value NULL means the bare key ("unbind" = 1).
 * Returns 0, -ENOENT for an unknown key (not recorded) or -EINVAL (recorded as a problem).
 * where names the source in problem texts ("kernel command line", "/etc/vfio-claim.conf:3").
 */
int settings_apply(struct settings *s, const char *key, const char *value, const char *where);

/* Adds comma-separated selectors; bad tokens are recorded and skipped. Returns bad count. */
int settings_add_ids(struct settings *s, const char *list, bool from_vfio_pci, const char *where);
int settings_add_addrs(struct settings *s, const char *list, const char *where);

/* Unions selectors of from into to; scalars that from set explicitly override to's. */
void settings_merge(struct settings *to, const struct settings *from);

bool settings_any_selector(const struct settings *s);
