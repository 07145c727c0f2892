// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test seam for src/module.c: a "kernel" made of files under the fixture root.
 *   <root>/fake/vfio-pci    how vfio-pci behaves: "ok" (default), "missing" (not installed),
 *                           "nobind" (loads, binds nothing), "eperm", "eexist", "enoent"
 *   <root>/fake/vfio-pci-options   the options modprobe.d would give it (for the ids= rule)
 *   <root>/fake/calls       what was asked of the kernel, one line per call
 * Loading binds every device whose driver_override is vfio-pci, as driver registration does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "util.h"

static void fake_read(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (root_path(path, sizeof(path), "/fake/%s", name) == 0)
		read_attr(path, buf, size);
}

static void fake_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fake_call(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	if (root_path(path, sizeof(path), "/fake/calls") < 0 || !(f = fopen(path, "ae")))
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* An unbind written to drivers/NAME/unbind takes effect when the fake kernel next runs. */
static void apply_unbind(const char *dir, const char *name)
{
	char path[3 * PATH_MAX], target[PATH_MAX], unbind[4 * PATH_MAX], *text;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", dir, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return;
	target[n] = '\0';
	snprintf(unbind, sizeof(unbind), "%s/%s/%s/unbind", dir, name, target);
	if (read_file(unbind, 65536, &text, NULL) < 0)
		return;
	if (strstr(text, name) && unlink(path) == 0)
		fake_call("unbind %s from %s", name, strrchr(target, '/') + 1);
	free(text);
}

static void bind_overridden(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], value[64];
	struct dirent *e;
	DIR *d;

	if (root_path(dir, sizeof(dir), "/sys/bus/pci/devices") < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver_override", dir, e->d_name);
		if (read_attr(path, value, sizeof(value)) < 0 || !str_eq(value, "vfio-pci"))
			continue;
		apply_unbind(dir, e->d_name);
		snprintf(path, sizeof(path), "%s/%s/driver", dir, e->d_name);
		if (access(path, F_OK) == 0)
			continue;
		if (symlink("../../drivers/vfio-pci", path) == 0)
			fake_call("bind %s", e->d_name);
	}
	closedir(d);
}

static bool loaded(void)
{
	char path[PATH_MAX];

	return root_path(path, sizeof(path), "/sys/module/vfio_pci") == 0 &&
	       access(path, F_OK) == 0;
}

int module_load_vfio_pci(struct module_report *ret)
{
	char mode[64], options[256], path[PATH_MAX];

	*ret = (struct module_report){0};
	fake_read("vfio-pci", mode, sizeof(mode));
	fake_read("vfio-pci-options", options, sizeof(options));
	if (str_eq(mode, "missing") || str_eq(mode, "enoent")) {
		snprintf(ret->detail, sizeof(ret->detail),
			 "module vfio_pci not found in the modules of this kernel");
		fake_call("load vfio_pci: %s", "ENOENT");
		return -ENOENT;
	}
	if (str_eq(mode, "eperm")) {
		snprintf(ret->detail, sizeof(ret->detail), "loading vfio_pci failed: %s",
			 strerror(EPERM));
		fake_call("load vfio_pci: %s", "EPERM");
		return -EPERM;
	}
	ret->already = loaded() || str_eq(mode, "eexist");
	if (strstr(options, "ids="))
		snprintf(ret->dropped, sizeof(ret->dropped), "%.*s",
			 (int)strcspn(strstr(options, "ids="), " "), strstr(options, "ids="));
	fake_call("load vfio_pci ignoring install commands and ids= (%s)", options);
	if (root_path(path, sizeof(path), "/sys/module/vfio_pci") == 0)
		mkdir(path, 0755);
	if (root_path(path, sizeof(path), "/sys/bus/pci/drivers/vfio-pci") == 0 &&
	    mkdir(path, 0755) == 0 &&
	    root_path(path, sizeof(path), "/sys/bus/pci/drivers/vfio-pci/unbind") == 0)
		close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (!str_eq(mode, "nobind"))
		bind_overridden();
	return 0;
}

int module_vfio_pci_state(void)
{
	char mode[64];

	fake_read("vfio-pci", mode, sizeof(mode));
	if (str_eq(mode, "missing"))
		return -ENOENT;
	return loaded() ? 1 : 0;
}

int module_configured_ids(char *buf, size_t size)
{
	char options[256], *ids;

	buf[0] = '\0';
	fake_read("vfio-pci-options", options, sizeof(options));
	ids = strstr(options, "ids=");
	if (ids)
		snprintf(buf, size, "%.*s", (int)strcspn(ids + 4, " "), ids + 4);
	return 0;
}
