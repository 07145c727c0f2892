// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * systemd units from the files systemd itself reads (see units.h). The unit directories are
 * those of systemd's search path that hold what an administrator or a package installs; an
 * alias is a symlink there whose target's last component is the real unit's name (what
 * `systemctl enable` makes of Alias=display-manager.service).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "root.h"
#include "settings.h"
#include "units.h"

#define ALIAS_HOPS 8

static const char *const unit_dirs[] = {
	"/etc/systemd/system",	   "/run/systemd/system", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
};

static bool is_unit(const char *c)
{
	size_t n = strlen(c);

	return (n > 8 && str_eq(c + n - 8, ".service")) || (n > 6 && str_eq(c + n - 6, ".scope"));
}

/* The process's cgroup path (cgroup v2's "0::/path", or v1's "1:name=systemd:/path"), split
 * into its components: each is handed to fn until it returns true (then true). */
static bool cgroup_walk(const char *pid, bool (*fn)(const char *c, void *data), void *data)
{
	char path[PATH_MAX], *text, *save = NULL;
	bool done = false, found = false;

	if (root_path(path, sizeof(path), "/proc/%s/cgroup", pid) < 0 ||
	    file_read(path, 65536, &text, NULL) < 0)
		return false;
	for (char *line = strtok_r(text, "\n", &save); line && !found && !done;
	     line = strtok_r(NULL, "\n", &save)) {
		char *cg = strrchr(line, ':'), *save2 = NULL;

		if (!cg || !(strncmp(line, "0::", 3) == 0 || strstr(line, ":name=systemd:")))
			continue;
		/* the first such line with a unit in it: systemd's own hierarchy */
		for (char *c = strtok_r(cg + 1, "/", &save2); c && !done;
		     c = strtok_r(NULL, "/", &save2)) {
			found = found || is_unit(c);
			done = fn(c, data);
		}
	}
	free(text);
	return done;
}

struct deepest {
	char *unit;
	size_t size;
};

static bool keep_unit(const char *c, void *data)
{
	struct deepest *d = data;

	if (is_unit(c))
		copy_str(d->unit, d->size, c);
	return false;
}

void unit_of_process(const char *pid, char *unit, size_t size)
{
	struct deepest d = {unit, size};

	unit[0] = '\0';
	cgroup_walk(pid, keep_unit, &d);
}

static bool is_named(const char *c, void *data)
{
	return str_eq(c, data);
}

bool unit_holds_process(const char *unit, const char *pid)
{
	return is_unit(unit) && cgroup_walk(pid, is_named, (void *)unit);
}

/* The name the first unit directory that has `name` gives it: the target's last component
 * for a symlink, name itself for a unit file; -ENOENT when no directory has it. */
static int unit_link_target(const char *name, char *ret, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_dirs); i++) {
		char path[PATH_MAX];
		struct stat st;

		if (root_path(path, sizeof(path), "%s/%s", unit_dirs[i], name) < 0 ||
		    lstat(path, &st) < 0)
			continue;
		if (!S_ISLNK(st.st_mode)) {
			copy_str(ret, size, name);
			return 0;
		}
		return link_read_name(path, ret, size);
	}
	return -ENOENT;
}

static bool same_kind(const char *a, const char *b)
{
	const char *x = strrchr(a, '.'), *y = strrchr(b, '.');

	return x && y && str_eq(x, y);
}

void unit_resolve(const char *name, char *ret, size_t size)
{
	char now[256], next[256];

	copy_str(now, sizeof(now), name);
	for (int hop = 0; hop < ALIAS_HOPS; hop++) {
		if (unit_link_target(now, next, sizeof(next)) < 0 || str_eq(next, now) ||
		    !unit_name_ok(next) || !same_kind(next, now))
			break;
		copy_str(now, sizeof(now), next);
	}
	copy_str(ret, size, now);
}

int unit_list_with_aliases(const struct strv *listed, struct strv *ret)
{
	struct strv all = {0};

	for (size_t i = 0; i < listed->n; i++) {
		char real[256];

		unit_resolve(listed->v[i], real, sizeof(real));
		if (strv_addf(&all, "%s", listed->v[i]) < 0 ||
		    (!str_eq(real, listed->v[i]) && strv_addf(&all, "%s", real) < 0)) {
			strv_free(&all);
			return -ENOMEM;
		}
	}
	*ret = all;
	return 0;
}
