/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the user asked for: one vocabulary of keys (selectors and switches) read from three
 * sources, the program's arguments (args.c), the config file (settings-config.c) and the
 * kernel command line (settings-kcmdline.c), and merged into one struct settings. Pure:
 * problems are collected as text for main to log.
 *
 * Keys: ids, addrs (or addresses), the switches of switch_defs[], and for the run-time
 * hand-over (config file and arguments only) runtime-domains and runtime-stop-units. '-' and
 * '_' are equal in every key, as the kernel has them for parameters. The rule for "rd.": a key
 * may carry it in front, on the kernel command line and in the config file alike, and it means
 * the same as without (rd.vfio-claim.ids= is vfio-claim.ids=). systemd honours rd. keys only in
 * the initrd; vfio-claim does its work there, and status and doctor in the booted system must
 * see what the initrd saw, so both spellings count everywhere.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "selector.h"
#include "text.h"

#define CONFIG_DEFAULT "/etc/vfio-claim.conf"
/* Longest config file and kernel command line taken seriously (both reported when hit). */
#define CONFIG_MAX (1024 * 1024)
#define KCMDLINE_MAX (64 * 1024)
/* Longest value of one key (a list of selectors), reported when hit. */
#define VALUE_MAX 4096
/* Problems kept as text; the rest are counted and logged as "... and N more". */
#define PROBLEMS_SHOWN 16

/* The switches. Adding one: a row here and in switch_defs[] (settings.c), then use it. */
enum switch_id {
	SW_OFF,
	SW_UNBIND,
	SW_ALLOW_BOOT_VGA,
	SW_GROUP,
	SW_WAIT,
	SW_STRICT,
	SW_COUNT,
};

/* The sources, as a mask of where a switch may be set. */
enum source {
	FROM_ARGS = 1 << 0,
	FROM_CONFIG = 1 << 1,
	FROM_CMDLINE = 1 << 2,
};

struct switch_def {
	const char *key;  /* "allow-boot-vga": --KEY, "KEY = " and vfio-claim.KEY= */
	unsigned max;	  /* 1 for a boolean, else the largest value (a number of seconds) */
	unsigned sources; /* enum source mask */
	const char *arg;  /* the value's name in --help ("SECONDS"); NULL for a boolean */
	const char *help; /* what it does, one line for --help */
};

extern const struct switch_def switch_defs[SW_COUNT];

struct settings {
	struct selectors sel;
	struct strv domains;	/* runtime-domains: libvirt domains whose devices are handed over */
	struct strv stop_units; /* runtime-stop-units: units a hand-over may stop (and restart) */
	unsigned value[SW_COUNT]; /* booleans as 0 or 1 */
	char *where[SW_COUNT];	  /* who set it ("kernel command line", "/etc/x.conf:3"), or NULL */
	struct strv problems;	  /* the first PROBLEMS_SHOWN problems */
	unsigned more_problems;	  /* how many more there were */
};

static inline bool settings_on(const struct settings *s, enum switch_id id)
{
	return s->value[id] != 0;
}

/* Records a problem (a bad token, an unknown key, a file that cannot be read). */
void settings_problem(struct settings *s, const char *fmt, ...) PRINTF_LIKE(2, 3);

static inline unsigned settings_n_problems(const struct settings *s)
{
	return (unsigned)s->problems.n + s->more_problems;
}

/*
 * Compares the start of key with name, '-' and '_' equal; returns what follows in key, or
 * NULL when key does not start with name. The one key comparator of every source.
 */
const char *key_skip(const char *key, const char *name);

/*
 * Applies one "key=value" (value NULL for a bare key: a boolean set to 1) from the source
 * src, which where names in problem texts. key is without any "vfio-claim." prefix. Returns
 * 0, -ENOENT for a key that is not ours for that source (not recorded), or -EINVAL (recorded).
 */
int settings_apply(struct settings *s, const char *key, const char *value, const char *where,
		   enum source src);

/*
 * A systemd unit name a hand-over may stop: systemd's name characters (letters, digits,
 * ":_.\\@-"), ending in .service or .scope, the suffixes a process's cgroup can carry.
 */
bool unit_name_ok(const char *name);

/* A libvirt domain name of runtime-domains (letters, digits, "_.+-"), or "*". */
bool domain_name_ok(const char *name);

/* Adds comma-separated unit or domain names; bad ones are recorded and skipped. */
int settings_add_units(struct settings *s, const char *list, const char *where);
int settings_add_domains(struct settings *s, const char *list, const char *where);

/* Adds comma-separated selectors; bad tokens are recorded and skipped. Returns the bad count. */
int settings_add_ids(struct settings *s, const char *list, bool from_vfio_pci, const char *where);
int settings_add_addrs(struct settings *s, const char *list, const char *where);

/* Adds from's selectors and problems to to; switches that from set override to's. */
void settings_merge(struct settings *to, const struct settings *from);

/* Drops the selectors and switches, keeping the run-time lists and the problems. */
void settings_keep_runtime(struct settings *s);

bool settings_any_selector(const struct settings *s);

void settings_free(struct settings *s);

/* settings-config.c: "key = value" lines, '#' comments. name is used in problem texts. */
void settings_parse_config(struct settings *s, const char *text, size_t len, const char *name);

/*
 * Reads the config file (path under the root prefix when absolute, else from the current
 * directory). A missing default file is fine; a missing file given with --config is a problem.
 */
int settings_read_config(struct settings *s, const char *file, bool explicit_file);

/* settings-kcmdline.c: vfio-claim.* keys, vfio-claim=off|on, vfio-pci.ids= (NULs allowed). */
void settings_parse_kcmdline(struct settings *s, const char *text, size_t len);

/* Reads <root>/proc/cmdline. A missing file is not a problem (returns -ENOENT). */
int settings_read_kcmdline(struct settings *s);
