/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small file helpers shared by the edge files. Every path goes through root_path() so that
 * --root DIR re-roots /sys, /proc and /etc for tests.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Largest file the tool reads whole (kernel command line, config file). */
#define READ_FILE_MAX (1024 * 1024)

void root_set(const char *dir);
const char *root_get(void);
bool root_is_default(void);

/* Formats "<root><path>" into buf; -ENAMETOOLONG when it does not fit. */
int root_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Reads a whole file (at most max bytes) into a NUL-terminated heap buffer. -EFBIG when the
 * file is longer than max; *ret_len gets the length (the text may contain NUL bytes).
 */
int read_file(const char *path, size_t max, char **ret_text, size_t *ret_len);

/* Reads a short sysfs attribute, trailing newline stripped. */
int read_attr(const char *path, char *buf, size_t size);

/* Writes a short string with one write(2), as sysfs wants it. */
int write_attr(const char *path, const char *value);

/* Last component of a symlink's target ("../../../bus/pci/drivers/vfio-pci" -> "vfio-pci"). */
int read_link_name(const char *path, char *buf, size_t size);

/*
 * Takes an exclusive lock on path (created if needed), waiting at most timeout_ms. Returns the
 * open descriptor that holds the lock, or -errno (-ETIMEDOUT when another holder kept it).
 */
int lock_wait(const char *path, int timeout_ms);

/* Copies with truncation and always terminates. */
void copy_str(char *dst, size_t size, const char *src);

bool str_eq(const char *a, const char *b);

/* Parses a decimal number in [min, max]; -EINVAL / -ERANGE otherwise. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/* Parses 1/0 yes/no true/false on/off; -EINVAL otherwise. */
int parse_bool(const char *s, bool *ret);
