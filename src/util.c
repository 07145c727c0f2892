// SPDX-License-Identifier: GPL-2.0-or-later
/* File helpers: one root prefix, bounded reads, single-write sysfs stores. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static char root[PATH_MAX] = "";

void root_set(const char *dir)
{
	size_t n;

	copy_str(root, sizeof(root), dir ? dir : "");
	/* "/" and "" both mean the real system; keep no trailing slash so paths join cleanly. */
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
}

const char *root_get(void)
{
	return root[0] ? root : "/";
}

bool root_is_default(void)
{
	return root[0] == '\0';
}

int root_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(root);
	int k;

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, root, n);
	va_start(ap, fmt);
	k = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= size - n)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Opens without blocking, then restores blocking reads and writes. Sysfs and procfs ignore
 * O_NONBLOCK, but a FIFO in place of an attribute or a config file would otherwise block the
 * open forever (no writer / no reader) and with it the boot; now a FIFO without a writer reads
 * as empty and one without a reader fails with ENXIO.
 */
static int open_noblock(const char *path, int flags)
{
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0)
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int read_file(const char *path, size_t max, char **ret_text, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *text;
	int fd, r = 0;

	fd = open_noblock(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	text = malloc(cap + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t k;

		if (len == cap) {
			char *bigger;

			if (cap > max) {
				r = -EFBIG;
				break;
			}
			cap *= 2;
			bigger = realloc(text, cap + 1);
			if (!bigger) {
				r = -ENOMEM;
				break;
			}
			text = bigger;
		}
		k = read(fd, text + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r < 0) {
		free(text);
		return r;
	}
	text[len] = '\0';
	*ret_text = text;
	if (ret_len)
		*ret_len = len;
	return 0;
}

int read_attr(const char *path, char *buf, size_t size)
{
	ssize_t k;
	int fd;

	fd = open_noblock(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	k = read(fd, buf, size - 1);
	if (k < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	close(fd);
	buf[k] = '\0';
	/* sysfs values are one line; anything after a NUL or newline is not part of the value. */
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int write_attr(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t k;
	int fd, r = 0;

	fd = open_noblock(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	k = write(fd, value, len);
	if (k < 0)
		r = -errno;
	else if ((size_t)k != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int read_link_name(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t k;

	k = readlink(path, target, sizeof(target) - 1);
	if (k < 0)
		return -errno;
	target[k] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)
		return -EINVAL;
	copy_str(buf, size, base);
	return 0;
}

int lock_wait(const char *path, int timeout_ms)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
		if (errno != EWOULDBLOCK || waited >= timeout_ms) {
			int r = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;

			close(fd);
			return r;
		}
		nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	}
	return fd;
}

void copy_str(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return;
	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (ULONG_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = {"1", "yes", "true", "on", "y"};
	static const char *const no[] = {"0", "no", "false", "off", "n"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	return -EINVAL;
}
