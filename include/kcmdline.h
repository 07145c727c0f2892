/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel command line: vfio-claim.* (and rd.vfio-claim.*) keys, vfio-pci.ids=. */
#pragma once

#include <stddef.h>

#include "settings.h"

/* Longest command line taken seriously; the kernel's own limit is a few KiB. */
#define KCMDLINE_MAX (64 * 1024)

/* Parses text (len bytes, NULs allowed) into s. Problems are recorded in s. */
void kcmdline_parse(struct settings *s, const char *text, size_t len);

/* Reads <root>/proc/cmdline into s. A missing file is not an error (returns -ENOENT). */
int kcmdline_read(struct settings *s);
