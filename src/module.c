// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-pci is loaded in the steps modprobe takes (pre softdeps, dependencies with their own
 * softdeps, the module, post softdeps) with two differences, both on purpose:
 *  - install commands are ignored: a modprobe.d "install vfio_pci vfio-claim --modprobe"
 *    trampoline would otherwise call us again, and no path from vfio-claim reaches a shell;
 *  - the module's ids= parameter is dropped. libkmod hands vfio-pci the kernel command line's
 *    vfio-pci.ids= and modprobe.d's "options vfio-pci ids=", and with them the driver grabs
 *    every unbound device of those IDs the moment it loads, the boot VGA included. vfio-claim
 *    reads those IDs as selectors instead and claims through driver_override, where the
 *    safety rules apply.
 * libkmod walks the dependency graph once: its own probe, in dry-run mode, lists what it would
 * insert, in its order, leaving out what is loaded already; then each module on that list is
 * inserted as it is, vfio_pci with its parameters less ids=. (A probe per dependency re-walks
 * the graph and re-reads every /sys/module/NAME/initstate each time: that was most of the
 * cost of loading here.) Failures of soft dependencies are not errors, as in modprobe.
 * Built-in and already loaded are not errors (systemd's modules-load treats them the same).
 * The module tree and modprobe.d are those under the root prefix (as `modprobe -d DIR`
 * reads them), and whether vfio-pci is there is read from <root>/sys/module: a generated
 * tree without lib/modules has no vfio-pci to load.
 *
 * The load may run on a thread of its own (module_load_begin) while the main thread
 * enumerates and plans. It shares nothing with it but the log, and logs at debug level only.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "fileio.h"
#include "log.h"
#include "module-options.h"
#include "module.h"
#include "root.h"
#include "sysfs.h"
#include "text.h"

#define VFIO_MODULE "vfio_pci"

__attribute__((format(printf, 6, 0))) static void kmod_log(void *data, int priority,
							   const char *file, int line,
							   const char *fn, const char *format,
							   va_list args)
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
	/* The indexes once, in memory: the walk looks every dependency up in them. */
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

static void vfio_module_close(struct vfio_module *vm)
{
	kmod_module_unref(vm->mod);
	kmod_module_unref_list(vm->list);
	kmod_unref(vm->ctx);
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

/* What the walk found to insert, in order: each module with the options libkmod gives it. */
struct insert_step {
	struct kmod_module *mod;
	char *options;
};

struct insert_list {
	struct insert_step *v;
	size_t n;
	int error; /* -ENOMEM while listing */
};

/*
 * libkmod's print_action callback takes no data pointer: the list being filled is here. One
 * load runs at a time (module_load_begin starts at most one thread, and end waits for it).
 */
static struct insert_list *listing;

static void list_step(struct kmod_module *m, bool install, const char *options)
{
	struct insert_step *bigger;
	char *copy;

	/* A dry run lists a module once per path to it (vfio: a dependency of vfio_pci and of
	 * vfio_iommu_type1, its own softdep): the first is where it loads. */
	for (size_t i = 0; i < listing->n; i++)
		if (str_eq(kmod_module_get_name(listing->v[i].mod), kmod_module_get_name(m)))
			return;
	copy = strdup(options ? options : "");
	if (install)
		log_debug("not running the install command of %s; inserting it instead",
			  kmod_module_get_name(m));
	bigger = copy ? realloc(listing->v, (listing->n + 1) * sizeof(*bigger)) : NULL;
	if (!bigger) {
		free(copy);
		listing->error = -ENOMEM;
		return;
	}
	listing->v = bigger;
	listing->v[listing->n++] = (struct insert_step){kmod_module_ref(m), copy};
}

/* A dry run never runs install commands; should one ever try, it gets no shell either. */
static int refuse_command(struct kmod_module *m, const char *cmdline, void *data)
{
	(void)data;
	log_debug("not running install command '%s' for %s", cmdline, kmod_module_get_name(m));
	return -EPERM;
}

static void insert_list_free(struct insert_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		kmod_module_unref(l->v[i].mod);
		free(l->v[i].options);
	}
	free(l->v);
	*l = (struct insert_list){0};
}

/* vfio_pci and its dependencies must load; a soft dependency may fail, as in modprobe. */
static bool is_required(struct kmod_list *deps, struct kmod_module *m)
{
	struct kmod_list *l;

	if (str_eq(kmod_module_get_name(m), VFIO_MODULE))
		return true;
	kmod_list_foreach(l, deps) {
		struct kmod_module *d = kmod_module_get_module(l);
		bool same = str_eq(kmod_module_get_name(d), kmod_module_get_name(m));

		kmod_module_unref(d);
		if (same)
			return true;
	}
	return false;
}

/* Inserts what the walk listed, in its order; the first failure of a required module ends it. */
static int insert_all(struct vfio_module *vm, const struct insert_list *steps,
		      struct module_report *ret)
{
	struct kmod_list *deps = kmod_module_get_dependencies(vm->mod);
	int r = 0;

	for (size_t i = 0; i < steps->n && r == 0; i++) {
		struct kmod_module *m = steps->v[i].mod;
		const char *name = kmod_module_get_name(m);
		bool vfio = str_eq(name, VFIO_MODULE), required = is_required(deps, m);
		char *options = steps->v[i].options;
		int k;

		/* loaded meanwhile (udev, another vfio-claim): as good, and no file to read */
		if (module_state_in_kernel(sysfs_module_state(name))) {
			ret->already = ret->already || vfio;
			continue;
		}
		if (vfio &&
		    module_options_split(kmod_module_get_options(m), &options, &ret->dropped) < 0) {
			set_detail(ret, "out of memory");
			r = -ENOMEM;
			break;
		}
		k = kmod_module_insert_module(m, 0, options);
		if (vfio)
			free(options);
		log_debug("inserted %s: %s", name, k == 0 ? "done" : strerror(-k));
		if (k == -EEXIST) {
			ret->already = ret->already || vfio;
			continue;
		}
		if (k == 0)
			continue;
		if (vfio)
			set_detail(ret, "loading vfio_pci failed: %s", strerror(-k));
		else
			set_detail(ret, "%s %s: %s", required ? "dependency" : "soft dependency",
				   name, strerror(-k));
		if (required)
			r = k;
	}
	kmod_module_unref_list(deps);
	return r;
}

/* The load itself, in whichever thread calls it. */
static int load_vfio_pci(struct module_report *ret)
{
	struct insert_list steps = {0};
	struct vfio_module vm;
	int r;

	*ret = (struct module_report){0};
	if (module_state_in_kernel(sysfs_module_state(VFIO_MODULE))) {
		ret->already = true;
		return 0;
	}
	r = vfio_module_open(&vm);
	if (r == -ENOENT)
		set_detail(ret, "module vfio_pci not found in the modules of this kernel");
	else if (r < 0)
		set_detail(ret, "libkmod: %s", strerror(-r));
	if (r < 0)
		return r;
	if (!kmod_module_get_path(vm.mod)) {
		r = -ENOENT;
		set_detail(ret, "module vfio_pci not found in the modules of this kernel");
		goto out;
	}
	listing = &steps;
	r = kmod_module_probe_insert_module(vm.mod, KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST,
					    NULL, refuse_command, NULL, list_step);
	listing = NULL;
	if (r == KMOD_PROBE_APPLY_BLACKLIST) {
		r = -EPERM;
		set_detail(ret, "vfio_pci is blacklisted (modprobe.d or modprobe.blacklist=)");
		goto out;
	}
	if (r == 0)
		r = steps.error;
	if (r < 0) {
		set_detail(ret, "libkmod: %s", strerror(-r));
		goto out;
	}
	r = insert_all(&vm, &steps, ret);
	if (ret->dropped && !ret->dropped[0]) {
		free(ret->dropped);
		ret->dropped = NULL;
	}
out:
	insert_list_free(&steps);
	vfio_module_close(&vm);
	return r;
}

/* The background load: at most one, started by begin and collected by end. */
static struct {
	pthread_t thread;
	bool running;
	int result;
	struct module_report report;
} background;

static void *load_in_background(void *unused)
{
	(void)unused;
	background.result = load_vfio_pci(&background.report);
	return NULL;
}

int module_load_begin(void)
{
	int r;

	if (background.running)
		return 0;
	r = pthread_create(&background.thread, NULL, load_in_background, NULL);
	if (r != 0)
		return -r;
	background.running = true;
	return 0;
}

int module_load_end(struct module_report *ret)
{
	if (!background.running)
		return load_vfio_pci(ret);
	pthread_join(background.thread, NULL);
	background.running = false;
	*ret = background.report;
	background.report = (struct module_report){0};
	return background.result;
}

void module_report_free(struct module_report *report)
{
	free(report->dropped);
	free(report->detail);
	*report = (struct module_report){0};
}

int module_vfio_pci_state(void)
{
	enum module_state state = sysfs_module_state(VFIO_MODULE);
	struct vfio_module vm;
	int r;

	if (state == MODULE_BUILTIN || state == MODULE_LIVE)
		return 1;
	r = vfio_module_open(&vm);
	if (r < 0)
		return r;
	r = kmod_module_get_path(vm.mod) ? 0 : -ENOENT;
	vfio_module_close(&vm);
	return r;
}
