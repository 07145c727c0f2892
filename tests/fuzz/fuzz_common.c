// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers for the libFuzzer targets: a private root tree and quiet logging. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "root.h"
#include "text.h"

static char root[PATH_MAX];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_root(void)
{
	if (root[0])
		nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_root(void)
{
	const char *tmp;

	if (root[0])
		return root;
	tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(root, sizeof(root), "%s/vfio-claim-fuzz.XXXXXX", tmp);
	if (!mkdtemp(root)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(remove_root);
	/* The code under test logs problems; the fuzzer's own output is what matters. */
	log_setup(LOG_ERR - 1, false);
	root_set(root);
	return root;
}

static void make_parents(const char *path)
{
	char dir[PATH_MAX];

	copy_str(dir, sizeof(dir), path);
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

void fuzz_write(const char *rel, const uint8_t *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_root(), rel);
	make_parents(path);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (len > 0) {
		ssize_t k = write(fd, data, len);

		if (k <= 0) {
			perror(path);
			abort();
		}
		data += k;
		len -= (size_t)k;
	}
	close(fd);
}

void fuzz_symlink(const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fuzz_root(), rel);
	make_parents(path);
	unlink(path);
	if (*target)
		(void)!symlink(target, path); /* ENAMETOOLONG etc.: then there is no link */
}

size_t fuzz_split(const uint8_t *data, size_t len, const uint8_t **field, size_t *field_len,
		  size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < max; i++) {
		if (i < len && (data[i] != 0x1e || n == max - 1))
			continue;
		field[n] = data + start;
		field_len[n++] = i - start;
		start = i + 1;
	}
	for (size_t i = n; i < max; i++) {
		field[i] = data + len;
		field_len[i] = 0;
	}
	return n;
}

char *fuzz_strdup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

void fuzz_check_settings(const struct settings *s)
{
	if (s->problems.n > PROBLEMS_SHOWN || (s->sel.n_ids && !s->sel.ids) ||
	    (s->sel.n_addrs && !s->sel.addrs))
		abort();
	for (enum switch_id id = 0; id < SW_COUNT; id++)
		if (s->value[id] > switch_defs[id].max || (s->value[id] && !s->where[id]))
			abort();
	for (size_t i = 0; i < s->problems.n; i++)
		if (!s->problems.v[i] || !s->problems.v[i][0])
			abort();
}
