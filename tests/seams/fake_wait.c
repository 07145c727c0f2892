// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test seam for src/wait.c: instead of kernel uevents, watch the fixture's devices folder
 * and report a device directory that was not there when waiting started.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "root.h"
#include "text.h"
#include "wait.h"

#define MAX_SEEN 4096

struct waiter {
	char seen[MAX_SEEN][32];
	size_t n_seen;
};

static bool seen(struct waiter *w, const char *name)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (str_eq(w->seen[i], name))
			return true;
	return false;
}

/* Returns 1 and the first new device's name, 0 when there is none. */
static int scan(struct waiter *w, char *name, size_t size)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (root_path(dir, sizeof(dir), "/sys/bus/pci/devices") < 0 || !(d = opendir(dir)))
		return 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || seen(w, e->d_name) || w->n_seen == MAX_SEEN)
			continue;
		copy_str(w->seen[w->n_seen++], sizeof(w->seen[0]), e->d_name);
		if (name) {
			copy_str(name, size, e->d_name);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int wait_open(struct waiter **ret)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	while (scan(w, NULL, 0) > 0)
		;
	*ret = w;
	return 0;
}

int wait_next(struct waiter *w, int timeout_ms, char *name, size_t size)
{
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (scan(w, name, size))
			return 1;
		nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	}
	return 0;
}

void wait_close(struct waiter *w)
{
	free(w);
}
