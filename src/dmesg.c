// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /dev/kmsg hands out one record per read ("prio,seq,usec,flags;message\n" plus indented
 * continuation lines) and EAGAIN at the end when opened non-blocking; a saved copy of it
 * (used under --root) is the same text in one file. Both go through the same parser.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmesg.h"
#include "root.h"

#define DMESG_MAX (4 * 1024 * 1024)

static int slurp(int fd, char **ret, size_t *ret_len)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	while (len < DMESG_MAX) {
		ssize_t k;

		if (cap - len < 8192) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		k = read(fd, buf + len, cap - len - 1);
		if (k < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: a record was overwritten while we read; go on */
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return 0;
}

int dmesg_read(struct dmesg *ret)
{
	char path[PATH_MAX], *raw, *out;
	size_t len, o = 0;
	int fd, r;

	*ret = (struct dmesg){0};
	r = root_path(path, sizeof(path), "/dev/kmsg");
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = slurp(fd, &raw, &len);
	close(fd);
	if (r < 0)
		return r;
	out = malloc(len + 1);
	if (!out) {
		free(raw);
		return -ENOMEM;
	}
	/* Keep the message part of each record line; drop continuation (key=value) lines. */
	for (char *line = raw; line < raw + len;) {
		char *end = memchr(line, '\n', (size_t)(raw + len - line));
		char *semi;
		size_t n;

		if (!end)
			end = raw + len;
		semi = memchr(line, ';', (size_t)(end - line));
		if (line[0] != ' ' && semi) {
			n = (size_t)(end - semi - 1);
			memcpy(out + o, semi + 1, n);
			o += n;
			out[o++] = '\n';
		}
		line = end + 1;
	}
	out[o] = '\0';
	free(raw);
	ret->text = out;
	return 0;
}

void dmesg_free(struct dmesg *log)
{
	free(log->text);
	log->text = NULL;
}

const char *dmesg_find(const struct dmesg *log, const char *const *needles, char *buf,
		       unsigned size)
{
	for (const char *line = log->text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		bool all = true;

		if (n >= size)
			n = size - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
		for (const char *const *k = needles; *k && all; k++)
			all = strstr(buf, *k) != NULL;
		if (all)
			return buf;
		line = end ? end + 1 : NULL;
	}
	return NULL;
}
