// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Files are opened with O_NONBLOCK and it stays set: an open() of a FIFO without a writer
 * returns at once, and the fstat() that follows refuses it (and any other non-regular file)
 * before a read or write could wait on it. For regular files, sysfs and procfs included,
 * O_NONBLOCK changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "text.h"

const char *file_strerror(int r)
{
	return r == -ENOTREG ? "not a regular file" : strerror(-r);
}

/* Opens a regular file without ever blocking; the descriptor or -errno. */
static int open_regular(const char *path, int flags)
{
	struct stat st;
	int fd, r;

	fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTREG;
		close(fd);
		return r;
	}
	return fd;
}

int file_read(const char *path, size_t max, char **ret_text, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	char *text;
	int fd, r = 0;

	fd = open_regular(path, O_RDONLY);
	if (fd < 0)
		return fd;
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

int attr_read(const char *path, char *buf, size_t size)
{
	ssize_t k;
	int fd, r = 0;

	fd = open_regular(path, O_RDONLY);
	if (fd < 0)
		return fd;
	do
		k = read(fd, buf, size - 1);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		r = -errno;
	else if ((size_t)k == size - 1 && !memchr(buf, '\n', (size_t)k)) {
		char more;

		/* a full buffer without the newline: is there more of the value? */
		if (read(fd, &more, 1) > 0)
			r = -EOVERFLOW;
	}
	close(fd);
	if (r < 0)
		return r;
	buf[k] = '\0';
	/* sysfs values are one line: anything after a NUL or the newline is not part of it */
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int attr_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t k;
	int fd, r = 0;

	fd = open_regular(path, O_WRONLY);
	if (fd < 0)
		return fd;
	do
		k = write(fd, value, len);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		r = -errno;
	else if ((size_t)k != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int link_read_name(const char *path, char *buf, size_t size)
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
