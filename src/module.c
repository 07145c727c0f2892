// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-pci is loaded in the steps modprobe takes (pre softdeps, dependencies, the module,
 * post softdeps) with two differences, both on purpose:
 *  - install commands are ignored: a modprobe.d "install vfio_pci vfio-claim --modprobe"
 *    trampoline would otherwise call us again;
 *  - the module's ids= parameter is dropped. libkmod hands vfio-pci the kernel command line's
 *    vfio-pci.ids= and modprobe.d's "options vfio-pci ids=", and with them the driver grabs
 *    every unbound device of those IDs the moment it loads, the boot VGA included. vfio-claim
 *    reads those IDs as selectors instead and claims through driver_override, where the
 *    safety rules apply.
 * Built-in and already loaded are not errors (systemd's modules-load treats them the same).
 * The module tree and modprobe.d are those under the root prefix (as `modprobe -d DIR`
 * reads them), and whether vfio-pci is there is read from <root>/sys/module: a generated
 * tree without lib/modules has no vfio-pci to load.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "fileio.h"
#include "log.h"
#include "module.h"
#include "root.h"
#include "text.h"

#define VFIO_MODULE "vfio_pci"

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args) PRINTF_LIKE(6, 0);

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
	char text[512];

	(void)data, (void)file, (void)line, (void)fn;
	vsnprintf(text, sizeof(text), format, args);
	text[strcspn(text, "\n")] = '\0';
	log_debug("libkmod (%d): %s", priority, text);
}

/* vfio_pci as libkmod knows it; the three parts are released together. */
struct vfio_module {
	struct kmod_ctx *ctx;
	struct kmod_list *list; /* the lookup's result, holding mod */
	struct kmod_module *mod;
};

/* libkmod's context over <root>/lib/modules/RELEASE and <root>'s modprobe.d folders. */
static struct kmod_ctx *kmod_context(void)
{
	static const char *const conf_dirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
						"/usr/local/lib/modprobe.d", "/lib/modprobe.d",
						"/usr/lib/modprobe.d"};
	char release[256], path[PATH_MAX], dirs[ARRAY_SIZE(conf_dirs)][PATH_MAX];
	const char *paths[ARRAY_SIZE(conf_dirs) + 1] = {0};
	struct utsname u;

	if (root_path(path, sizeof(path), "/proc/sys/kernel/osrelease") < 0 ||
	    attr_read(path, release, sizeof(release)) < 0) {
		if (uname(&u) < 0)
			return NULL;
		copy_str(release, sizeof(release), u.release);
	}
	for (size_t i = 0; i < ARRAY_SIZE(conf_dirs); i++) {
		if (root_path(dirs[i], sizeof(dirs[i]), "%s", conf_dirs[i]) < 0)
			return NULL;
		paths[i] = dirs[i];
	}
	if (root_path(path, sizeof(path), "/lib/modules/%s", release) < 0)
		return NULL;
	return kmod_new(path, paths);
}

/* Looks vfio_pci up as modprobe does (modules.dep, modules.builtin); -ENOENT if unknown. */
static int vfio_module_open(struct vfio_module *ret)
{
	struct vfio_module vm = {0};
	int r;

	vm.ctx = kmod_context();
	if (!vm.ctx)
		return -ENOMEM;
	kmod_set_log_fn(vm.ctx, kmod_log, NULL);
	/* The indexes once, in memory: every dependency's lookup below reuses them. */
	kmod_load_resources(vm.ctx);
	r = kmod_module_new_from_lookup(vm.ctx, VFIO_MODULE, &vm.list);
	if (r == 0 && !vm.list)
		r = -ENOENT;
	if (r < 0) {
		kmod_unref(vm.ctx);
		return r;
	}
	vm.mod = kmod_module_get_module(vm.list);
	*ret = vm;
	return 0;
}

/*
 * vfio_pci's state as the kernel shows it under <root>/sys/module, the way libkmod reads it
 * for /sys: "initstate" for a loaded module, the folder alone for a built-in one (vfio_pci
 * has parameters, so a built-in vfio_pci has its folder); -ENOENT when neither.
 */
static int vfio_pci_initstate(void)
{
	static const struct {
		const char *text;
		int state;
	} states[] = {{"live", KMOD_MODULE_LIVE},
		      {"coming", KMOD_MODULE_COMING},
		      {"going", KMOD_MODULE_GOING}};
	char path[PATH_MAX], value[32];
	struct stat st;

	if (root_path(path, sizeof(path), "/sys/module/%s/initstate", VFIO_MODULE) == 0 &&
	    attr_read(path, value, sizeof(value)) == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(states); i++)
			if (str_eq(value, states[i].text))
				return states[i].state;
		return -EINVAL;
	}
	if (root_path(path, sizeof(path), "/sys/module/%s", VFIO_MODULE) == 0 &&
	    stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return KMOD_MODULE_BUILTIN;
	return -ENOENT;
}

static void vfio_module_close(struct vfio_module *vm)
{
	kmod_module_unref(vm->mod);
	kmod_module_unref_list(vm->list);
	kmod_unref(vm->ctx);
}

/*
 * Splits the configured parameters into what we pass on and the ids= we keep back; both
 * heap strings ("" when empty), NULL on out of memory.
 */
static int split_params(const char *params, char **ret_keep, char **ret_dropped)
{
	size_t len = params ? strlen(params) : 0, nk = 0, nd = 0;
	char *keep = malloc(len + 1), *dropped = malloc(len + 1);

	if (!keep || !dropped) {
		free(keep);
		free(dropped);
		return -ENOMEM;
	}
	for (const char *p = params ? params : ""; *p;) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (strncmp(p, "ids=", 4) == 0)
			nd += (size_t)sprintf(dropped + nd, "%s%.*s", nd ? " " : "", (int)n, p);
		else
			nk += (size_t)sprintf(keep + nk, "%s%.*s", nk ? " " : "", (int)n, p);
		p += n;
	}
	keep[nk] = dropped[nd] = '\0';
	*ret_keep = keep;
	*ret_dropped = dropped;
	return 0;
}

/*
 * libkmod applies KMOD_PROBE_IGNORE_COMMAND only to the module named in a call; the
 * dependencies it gathers on the way may still have their modprobe.d install commands run
 * through a shell. This callback is what libkmod calls instead: insert the module itself,
 * so no path from vfio-claim reaches a shell.
 */
static int insert_instead_of_command(struct kmod_module *m, const char *cmdline, void *data)
{
	int r;

	(void)data;
	log_debug("not running install command '%s' for %s", cmdline, kmod_module_get_name(m));
	r = kmod_module_insert_module(m, 0, kmod_module_get_options(m));
	return r == -EEXIST ? 0 : r;
}

static void set_detail(struct module_report *ret, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void set_detail(struct module_report *ret, const char *fmt, ...)
{
	va_list ap;

	free(ret->detail);
	va_start(ap, fmt);
	if (vasprintf(&ret->detail, fmt, ap) < 0)
		ret->detail = NULL;
	va_end(ap);
}

static int probe_list(struct kmod_list *list, const char *what, struct module_report *ret)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		int k = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_COMMAND, NULL,
							insert_instead_of_command, NULL, NULL);

		if (k < 0 && r == 0) {
			r = k;
			set_detail(ret, "%s %s: %s", what, kmod_module_get_name(m), strerror(-k));
		}
		kmod_module_unref(m);
	}
	return r;
}

int module_load_vfio_pci(struct module_report *ret)
{
	struct kmod_list *pre = NULL, *post = NULL, *deps, *allowed = NULL;
	struct vfio_module vm;
	char *params = NULL;
	int state, r;

	*ret = (struct module_report){0};
	r = vfio_module_open(&vm);
	if (r == -ENOENT)
		set_detail(ret, "module vfio_pci not found in the modules of this kernel");
	else if (r < 0)
		set_detail(ret, "libkmod: %s", strerror(-r));
	if (r < 0)
		return r;
	state = vfio_pci_initstate();
	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE ||
	    state == KMOD_MODULE_COMING) {
		ret->already = true;
		goto out;
	}
	if (!kmod_module_get_path(vm.mod)) {
		r = -ENOENT;
		set_detail(ret, "module vfio_pci not found in the modules of this kernel");
		goto out;
	}
	if (kmod_module_apply_filter(vm.ctx, KMOD_FILTER_BLACKLIST, vm.list, &allowed) == 0 &&
	    !allowed) {
		r = -EPERM;
		set_detail(ret, "vfio_pci is blacklisted (modprobe.d or modprobe.blacklist=)");
		goto out;
	}
	if (kmod_module_get_softdeps(vm.mod, &pre, &post) == 0)
		probe_list(pre, "soft dependency", ret);
	deps = kmod_module_get_dependencies(vm.mod);
	r = probe_list(deps, "dependency", ret);
	kmod_module_unref_list(deps);
	if (r < 0)
		goto out;
	r = split_params(kmod_module_get_options(vm.mod), &params, &ret->dropped);
	if (r < 0) {
		set_detail(ret, "out of memory");
		goto out;
	}
	if (!ret->dropped[0]) {
		free(ret->dropped);
		ret->dropped = NULL;
	}
	r = kmod_module_insert_module(vm.mod, 0, params);
	if (r == -EEXIST) {
		ret->already = true;
		r = 0;
	} else if (r < 0) {
		set_detail(ret, "loading vfio_pci failed: %s", strerror(-r));
		goto out;
	}
	probe_list(post, "soft dependency", ret);
out:
	free(params);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	kmod_module_unref_list(allowed);
	vfio_module_close(&vm);
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
	struct vfio_module vm;
	int r, state;

	r = vfio_module_open(&vm);
	if (r < 0)
		return r;
	state = vfio_pci_initstate();
	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE)
		r = 1;
	else
		r = kmod_module_get_path(vm.mod) ? 0 : -ENOENT;
	vfio_module_close(&vm);
	return r;
}
