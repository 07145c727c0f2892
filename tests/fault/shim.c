// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An LD_PRELOAD seam for the fault suite: write(2) to a sysfs attribute fails the way the
 * kernel would make it fail, which files in a fixture tree cannot. Environment:
 *   FAULT_WRITE=SUFFIX     which writes fail: those to a file whose path ends with SUFFIX
 *   FAULT_ERRNO=NAME       EBUSY, EACCES, ENODEV, EINVAL, EIO, ENOMEM or ENOSPC (default EIO)
 *   FAULT_VANISH=DIR       after the first write to a file under DIR succeeds, DIR is renamed
 *                          away (the device was unplugged between the write and the bind)
 *   FAULT_MARK=FILE        a line is appended to FILE each time a fault fires
 * The variables are read by this test library only; vfio-claim itself reads no environment.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);

static int errno_named(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} table[] = {{"EBUSY", EBUSY}, {"EACCES", EACCES}, {"ENODEV", ENODEV},
		     {"EINVAL", EINVAL}, {"EIO", EIO},	   {"ENOMEM", ENOMEM},
		     {"ENOSPC", ENOSPC}};

	for (size_t i = 0; name && i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(name, table[i].name) == 0)
			return table[i].value;
	return EIO;
}

static void mark(const char *what, const char *path)
{
	const char *file = getenv("FAULT_MARK");
	char line[PATH_MAX + 64];
	int fd, n;

	if (!file)
		return;
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %s\n", what, path);
	real_write(fd, line, (size_t)n);
	close(fd);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	const char *fail = getenv("FAULT_WRITE"), *vanish = getenv("FAULT_VANISH");
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (fd <= 2 || (!fail && !vanish))
		return real_write(fd, buf, count);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return real_write(fd, buf, count);
	path[n] = '\0';
	if (fail && *fail && ends_with(path, fail)) {
		mark("fail", path);
		errno = errno_named(getenv("FAULT_ERRNO"));
		return -1;
	}
	n = real_write(fd, buf, count);
	if (vanish && *vanish && strncmp(path, vanish, strlen(vanish)) == 0 &&
	    path[strlen(vanish)] == '/') {
		char gone[PATH_MAX + 8];

		snprintf(gone, sizeof(gone), "%s.gone", vanish);
		if (rename(vanish, gone) == 0)
			mark("vanish", vanish);
	}
	return n;
}
