// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-pci is loaded in the steps modprobe takes (pre softdeps, dependencies, the module,
 * post softdeps) with two differences, both on purpose:
 *  - install commands are ignored: a modprobe.d "install vfio_pci vfio-claim --modprobe"
 *    trampoline would otherwise call us again;
 *  - the module's ids= option is dropped. libkmod hands vfio-pci the kernel command line's
 *    vfio-pci.ids= and modprobe.d's "options vfio-pci ids=", and with them the driver grabs
 *    every unbound device of those IDs the moment it loads, the boot VGA included. vfio-claim
 *    reads those IDs as selectors instead and claims through driver_override, where the
 *    safety rules apply.
 * Built-in and already loaded are not errors (systemd's modules-load treats them the same).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

#include "log.h"
#include "module.h"
#include "util.h"

#define VFIO_MODULE "vfio_pci"

__attribute__((format(printf, 6, 0)))
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

/*
 * Looks vfio_pci up as modprobe does (modules.dep, modules.builtin); -ENOENT if unknown.
 * libkmod cannot be re-rooted, so under --root there is no module to look at (-EOPNOTSUPP):
 * a fixture tree must never load the host's modules.
 */
static int vfio_module_open(struct vfio_module *ret)
{
	struct vfio_module vm = {0};
	int r;

	if (!root_is_default())
		return -EOPNOTSUPP;
	vm.ctx = kmod_new(NULL, NULL);
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

static void vfio_module_close(struct vfio_module *vm)
{
	kmod_module_unref(vm->mod);
	kmod_module_unref_list(vm->list);
	kmod_unref(vm->ctx);
}

/* Splits the configured options into what we pass on and the ids= we keep back. */
static void split_options(const char *options, char *keep, size_t keep_size, char *dropped,
			  size_t dropped_size)
{
	size_t nk = 0, nd = 0;

	keep[0] = dropped[0] = '\0';
	for (const char *p = options ? options : ""; *p;) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (strncmp(p, "ids=", 4) == 0)
			nd += (size_t)snprintf(dropped + nd, nd < dropped_size ? dropped_size - nd : 0,
					       "%s%.*s", nd ? " " : "", (int)n, p);
		else
			nk += (size_t)snprintf(keep + nk, nk < keep_size ? keep_size - nk : 0,
					       "%s%.*s", nk ? " " : "", (int)n, p);
		if (nd >= dropped_size)
			nd = dropped_size - 1;
		if (nk >= keep_size)
			nk = keep_size - 1;
		p += n;
	}
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

static int probe_list(struct kmod_list *list, const char *what, struct module_report *ret)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		int k = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_COMMAND, NULL,
							insert_instead_of_command, NULL, NULL);

		if (k < 0 && r == 0) {
			r = k;
			snprintf(ret->detail, sizeof(ret->detail), "%s %s: %s", what,
				 kmod_module_get_name(m), strerror(-k));
		}
		kmod_module_unref(m);
	}
	return r;
}

int module_load_vfio_pci(struct module_report *ret)
{
	struct kmod_list *pre = NULL, *post = NULL, *deps, *allowed = NULL;
	struct vfio_module vm;
	char options[512];
	int state, r;

	*ret = (struct module_report){0};
	r = vfio_module_open(&vm);
	if (r == -ENOENT)
		snprintf(ret->detail, sizeof(ret->detail),
			 "module vfio_pci not found in the modules of this kernel");
	else if (r == -EOPNOTSUPP)
		snprintf(ret->detail, sizeof(ret->detail), "modules are not loaded under --root");
	else if (r < 0)
		snprintf(ret->detail, sizeof(ret->detail), "libkmod: %s", strerror(-r));
	if (r < 0)
		return r;
	state = kmod_module_get_initstate(vm.mod);
	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE ||
	    state == KMOD_MODULE_COMING) {
		ret->already = true;
		goto out;
	}
	if (!kmod_module_get_path(vm.mod)) {
		r = -ENOENT;
		snprintf(ret->detail, sizeof(ret->detail),
			 "module vfio_pci not found in the modules of this kernel");
		goto out;
	}
	if (kmod_module_apply_filter(vm.ctx, KMOD_FILTER_BLACKLIST, vm.list, &allowed) == 0 &&
	    !allowed) {
		r = -EPERM;
		snprintf(ret->detail, sizeof(ret->detail),
			 "vfio_pci is blacklisted (modprobe.d or modprobe.blacklist=)");
		goto out;
	}
	if (kmod_module_get_softdeps(vm.mod, &pre, &post) == 0)
		probe_list(pre, "soft dependency", ret);
	deps = kmod_module_get_dependencies(vm.mod);
	r = probe_list(deps, "dependency", ret);
	kmod_module_unref_list(deps);
	if (r < 0)
		goto out;
	split_options(kmod_module_get_options(vm.mod), options, sizeof(options), ret->dropped,
		      sizeof(ret->dropped));
	r = kmod_module_insert_module(vm.mod, 0, options);
	if (r == -EEXIST) {
		ret->already = true;
		r = 0;
	} else if (r < 0) {
		snprintf(ret->detail, sizeof(ret->detail), "loading vfio_pci failed: %s",
			 strerror(-r));
		goto out;
	}
	probe_list(post, "soft dependency", ret);
out:
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	kmod_module_unref_list(allowed);
	vfio_module_close(&vm);
	return r;
}

int module_vfio_pci_state(void)
{
	struct vfio_module vm;
	int r, state;

	r = vfio_module_open(&vm);
	if (r < 0)
		return r;
	state = kmod_module_get_initstate(vm.mod);
	if (state == KMOD_MODULE_BUILTIN || state == KMOD_MODULE_LIVE)
		r = 1;
	else
		r = kmod_module_get_path(vm.mod) ? 0 : -ENOENT;
	vfio_module_close(&vm);
	return r;
}

int module_configured_ids(char *buf, size_t size)
{
	char keep[512], dropped[512];
	struct vfio_module vm;
	size_t n = 0;
	int r;

	buf[0] = '\0';
	r = vfio_module_open(&vm);
	if (r < 0)
		return r;
	split_options(kmod_module_get_options(vm.mod), keep, sizeof(keep), dropped,
		      sizeof(dropped));
	/* "ids=a:b ids=c:d" -> "a:b,c:d" */
	for (char *tok = strtok(dropped, " "); tok && n < size; tok = strtok(NULL, " "))
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", tok + 4);
	vfio_module_close(&vm);
	return 0;
}
