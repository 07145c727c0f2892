// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test seam for src/module.c: a "kernel" made of files under the fixture root.
 *   <root>/fake/vfio-pci    how vfio-pci behaves: "ok" (default), "missing" (not installed),
 *                           "nobind" (loads, binds nothing), "eperm", "eexist", "enoent"
 *   <root>/fake/vfio-pci-refuses   devices vfio-pci does not bind (its probe fails on them)
 *   <root>/fake/vfio-pci-loads     when a load begun in the background is done: "late"
 *                           (default: when vfio-claim waits for it, after the overrides) or
 *                           "early" (at once, before the scan: the load won the race)
 * The parameters it is given are those of the tree's modprobe.d ("options vfio-pci ..."),
 * read as vfio-claim reads them (src/modprobe-conf.c); the ids= among them are dropped.
 *   <root>/fake/calls       what was asked of the kernel, one line per call
 * Loading binds every device whose driver_override is vfio-pci, as driver registration does,
 * and leaves <root>/sys/module/vfio_pci/initstate "live".
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

#include "fileio.h"
#include "modprobe-conf.h"
#include "module-options.h"
#include "module.h"
#include "root.h"
#include "text.h"

static void fake_read(const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (root_path(path, sizeof(path), "/fake/%s", name) == 0)
		attr_read(path, buf, size);
}

static void fake_call(const char *fmt, ...) PRINTF_LIKE(1, 2);

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

/* Every unbound overridden device, in address order (as the kernel's driver registration
 * walks the bus), bound to vfio-pci. (Writes to sysfs take effect in tests/fixture/shim.c.) */
static void bind_overridden(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], value[64], refuses[256];
	struct dirent **e;
	int n;

	fake_read("vfio-pci-refuses", refuses, sizeof(refuses));

	if (root_path(dir, sizeof(dir), "/sys/bus/pci/devices") < 0)
		return;
	n = scandir(dir, &e, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = e[i]->d_name;

		snprintf(path, sizeof(path), "%s/%s/driver_override", dir, name);
		if (name[0] != '.' && attr_read(path, value, sizeof(value)) == 0 &&
		    str_eq(value, "vfio-pci") && !(refuses[0] && strstr(refuses, name))) {
			snprintf(path, sizeof(path), "%s/%s/driver", dir, name);
			if (access(path, F_OK) != 0 && symlink("../../drivers/vfio-pci", path) == 0)
				fake_call("bind %s", name);
		}
		free(e[i]);
	}
	if (n >= 0)
		free(e);
}

static bool loaded(void)
{
	char path[PATH_MAX];

	return root_path(path, sizeof(path), "/sys/module/vfio_pci") == 0 &&
	       access(path, F_OK) == 0;
}

/* The vfio_pci parameters of the tree's modprobe.d, as one line ("" when none). */
static char *configured_params(void)
{
	struct modprobe_conf conf;
	size_t size = 1, o = 0;
	char *params;

	if (modprobe_conf_read(&conf) < 0)
		return strdup("");
	for (size_t i = 0; i < conf.n; i++)
		size += strlen(conf.lines[i].rest) + 1;
	params = malloc(size);
	if (params) {
		params[0] = '\0';
		for (size_t i = 0; i < conf.n; i++)
			if (str_eq(conf.lines[i].command, "options") &&
			    str_eq(conf.lines[i].module, "vfio_pci"))
				o += (size_t)snprintf(params + o, size - o, "%s%s", o ? " " : "",
						      conf.lines[i].rest);
	}
	modprobe_conf_free(&conf);
	return params;
}

static char *dup_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);

static char *dup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int fake_load(struct module_report *ret)
{
	char mode[64], path[PATH_MAX], *params, *keep, *ids;

	*ret = (struct module_report){0};
	fake_read("vfio-pci", mode, sizeof(mode));
	if (str_eq(mode, "missing") || str_eq(mode, "enoent")) {
		ret->detail = dup_printf("module vfio_pci not found in the modules of this kernel");
		fake_call("load vfio_pci: %s", "ENOENT");
		return -ENOENT;
	}
	if (str_eq(mode, "eperm")) {
		ret->detail = dup_printf("loading vfio_pci failed: %s", strerror(EPERM));
		fake_call("load vfio_pci: %s", "EPERM");
		return -EPERM;
	}
	params = configured_params();
	ret->already = loaded() || str_eq(mode, "eexist");
	/* the ids= words dropped as src/module.c drops them */
	if (params && module_options_split(params, &keep, &ids) == 0) {
		if (ids[0])
			ret->dropped = ids;
		else
			free(ids);
		free(keep);
	}
	fake_call("load vfio_pci ignoring install commands and ids= (%s)", params ? params : "");
	free(params);
	if (root_path(path, sizeof(path), "/sys/module") == 0)
		mkdir(path, 0755);
	if (root_path(path, sizeof(path), "/sys/module/vfio_pci") == 0)
		mkdir(path, 0755);
	if (root_path(path, sizeof(path), "/sys/module/vfio_pci/initstate") == 0) {
		FILE *f = fopen(path, "we");

		if (f) {
			fputs("live\n", f);
			fclose(f);
		}
	}
	if (root_path(path, sizeof(path), "/sys/bus/pci/drivers/vfio-pci") == 0 &&
	    mkdir(path, 0755) == 0 &&
	    root_path(path, sizeof(path), "/sys/bus/pci/drivers/vfio-pci/unbind") == 0)
		close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	if (!str_eq(mode, "nobind"))
		bind_overridden();
	return 0;
}

/* The race's two ends, one at a time: the load is done at begin ("early") or at end. */
static struct fake_background {
	bool begun, done;
	int result;
	struct module_report report;
} background;

int module_load_begin(void)
{
	char when[32];

	if (background.begun)
		return 0;
	background.begun = true;
	fake_read("vfio-pci-loads", when, sizeof(when));
	if (str_eq(when, "early")) {
		background.result = fake_load(&background.report);
		background.done = true;
	}
	return 0;
}

int module_load_end(struct module_report *ret)
{
	int r;

	if (!background.begun)
		return fake_load(ret);
	r = background.done ? background.result : fake_load(&background.report);
	*ret = background.report;
	background = (struct fake_background){0};
	return r;
}

void module_report_free(struct module_report *report)
{
	free(report->dropped);
	free(report->detail);
	*report = (struct module_report){0};
}

int module_vfio_pci_state(void)
{
	char mode[64];

	fake_read("vfio-pci", mode, sizeof(mode));
	if (str_eq(mode, "missing"))
		return -ENOENT;
	return loaded() ? 1 : 0;
}
