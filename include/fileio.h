/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and writing files that must be plain files: the config file, /proc/cmdline,
 * modprobe.d, sysfs attributes (all regular files, sysfs and procfs ones included). Anything
 * else in their place (a FIFO, a tty, a device node, a directory) is refused at once with
 * -ENOTREG instead of being read, so no read or write can block: the boot is never held.
 * Every function returns 0 or -errno; use file_strerror() for the text.
 */
#pragma once

#include <errno.h>
#include <stddef.h>

/* "not a regular file": a code of our own, mapped to its text by file_strerror(). */
#define ENOTREG EMEDIUMTYPE

/* strerror(-r), except that -ENOTREG reads "not a regular file". */
const char *file_strerror(int r);

/*
 * Reads a whole file of at most max bytes into a NUL-terminated heap buffer (*ret_len gets
 * the length; the text may contain NUL bytes). -EFBIG when the file is longer than max.
 */
int file_read(const char *path, size_t max, char **ret_text, size_t *ret_len);

/*
 * Reads a one-line attribute into buf, the trailing newline stripped. -EOVERFLOW when the
 * value does not fit: a cut value is never taken for the whole.
 */
int attr_read(const char *path, char *buf, size_t size);

/* Writes a short string with one write(2), as sysfs wants it. */
int attr_write(const char *path, const char *value);

/* The last component of a symlink's target ("../../bus/pci/drivers/vfio-pci" -> "vfio-pci"). */
int link_read_name(const char *path, char *buf, size_t size);
