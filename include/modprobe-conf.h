/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modprobe.d as kmod reads it: the *.conf files of /etc/modprobe.d, /run/modprobe.d,
 * /usr/local/lib/modprobe.d, /lib/modprobe.d and /usr/lib/modprobe.d (under the root prefix),
 * a name in an earlier folder hiding the same name in a later one, all sorted by file name;
 * lines joined at a trailing backslash, '#' comments. Read by vfio-claim itself (not through
 * libkmod, which reads only the real /etc and the real /proc/cmdline), so that --root and
 * --no-cmdline mean what they say.
 */
#pragma once

#include <stddef.h>

#include "text.h"

struct modprobe_line {
	char *file;    /* "/etc/modprobe.d/vfio.conf" (without the root prefix) */
	unsigned line; /* its number in the file */
	char *command; /* "options", "softdep", "install", "blacklist", ... */
	char *module;  /* the module named, '-' turned into '_' ("vfio_pci") */
	char *rest;    /* what follows the module name, spaces folded */
};

struct modprobe_conf {
	struct modprobe_line *lines; /* in kmod's order */
	size_t n;
	struct strv problems; /* files that could not be read */
};

int modprobe_conf_read(struct modprobe_conf *ret);
void modprobe_conf_free(struct modprobe_conf *conf);

/* The "ids=" values of every "options vfio_pci" line, comma-joined into a heap string. */
char *modprobe_conf_vfio_ids(const struct modprobe_conf *conf);
