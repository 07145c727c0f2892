/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config file: "key = value" lines, '#' comments, the keys of the kernel command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

#define CONFIG_DEFAULT "/etc/vfio-claim.conf"
#define CONFIG_MAX (1024 * 1024)

/* Parses text (len bytes) into s; name is used in problem texts. */
void config_parse(struct settings *s, const char *text, size_t len, const char *name);

/*
 * Reads a config file (under the root prefix). A missing default file is fine (returns
 * -ENOENT, nothing recorded); a missing explicit file is a problem.
 */
int config_read(struct settings *s, const char *file, bool explicit_file);
