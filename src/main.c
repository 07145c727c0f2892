// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-claim: keep the host's drivers off the devices meant for a VM, from the first moment
 * of boot. Read main() top to bottom: it is the sequence that runs in the initrd.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "commands.h"
#include "config.h"
#include "kcmdline.h"
#include "log.h"
#include "module.h"
#include "options.h"
#include "output.h"
#include "pci.h"
#include "plan.h"
#include "settings.h"
#include "survey.h"
#include "util.h"
#include "wait.h"

struct claim_state {
	const struct options *opt;
	const struct settings *set;
	bool module_tried;
	int module_error;
	struct module_report module;
	char reported[MAX_SELECTORS * 2][24]; /* devices already logged, for the wait passes */
	size_t n_reported;
	unsigned failures;
	struct pci_addr missing[MAX_SELECTORS]; /* selected addresses not present (yet) */
	size_t n_missing;
};

/* Config file, then kernel command line, then arguments: later sources win for switches. */
static void gather_settings(const struct options *opt, struct settings *set)
{
	static struct settings from_config, from_cmdline;
	char ids[MAX_VALUE_LEN];

	config_read(&from_config, opt->config, opt->config_explicit);
	if (!opt->no_cmdline)
		kcmdline_read(&from_cmdline);
	/* "options vfio-pci ids=" in modprobe.d is the same wish as vfio-pci.ids= */
	if (module_configured_ids(ids, sizeof(ids)) == 0 && ids[0])
		settings_add_ids(&from_config, ids, true, "modprobe.d options for vfio-pci");
	settings_merge(set, &from_config);
	settings_merge(set, &from_cmdline);
	settings_merge(set, &opt->args);
}

static void report_problems(const struct settings *set)
{
	for (unsigned i = 0; i < set->n_problems; i++)
		log_error("%s", set->problems[i]);
	if (set->more_problems)
		log_error("... and %u more problems like these", set->more_problems);
}

static bool already_reported(struct claim_state *st, const char *name)
{
	for (size_t i = 0; i < st->n_reported; i++)
		if (str_eq(st->reported[i], name))
			return true;
	if (st->n_reported < ARRAY_SIZE(st->reported))
		copy_str(st->reported[st->n_reported++], sizeof(st->reported[0]), name);
	return false;
}

static void load_vfio_pci(struct claim_state *st)
{
	if (st->module_tried)
		return;
	st->module_tried = true;
	st->module_error = module_load_vfio_pci(&st->module);
	if (st->module_error < 0)
		log_error("cannot load vfio-pci: %s", st->module.detail);
	else if (st->module.dropped[0])
		log_notice("loaded vfio-pci without its '%s': those IDs are claimed through "
			   "driver_override, where the safety rules apply",
			   st->module.dropped);
	else
		log_debug("vfio-pci %s", st->module.already ? "was already there" : "loaded");
}

/* One pass: scan, plan, write overrides, load vfio-pci, probe, verify, log. */
static int claim_pass(struct claim_state *st)
{
	const struct settings *set = st->set;
	struct device_list devs;
	struct plan plan;
	bool logged = false;
	int r;

	r = survey(set, &devs, &plan, NULL);
	if (r < 0)
		return r;
	if (!st->opt->dry_run) {
		claim_detach(&devs, &plan);
		if (claim_needs_driver(&plan) || st->opt->modprobe)
			load_vfio_pci(st);
		claim_bind(&devs, &plan, st->module_error, &st->module);
	}
	st->failures = 0;
	for (size_t i = 0; i < devs.n; i++) {
		if (plan_entry_is_problem(&plan.entry[i], set->strict))
			st->failures++;
		if (plan.entry[i].by == BY_NONE || already_reported(st, devs.dev[i].name))
			continue;
		output_device_line(&devs.dev[i], &plan.entry[i], st->opt->dry_run);
		logged = true;
	}
	if (logged)
		output_notes(&plan);
	memcpy(st->missing, plan.missing, sizeof(plan.missing));
	st->n_missing = plan.n_missing;
	plan_free(&plan);
	device_list_free(&devs);
	return 0;
}

/* One claim pass under the lock: two udev workers may each run the trampoline at once. */
static int locked_claim_pass(struct claim_state *st)
{
	char lock_path[PATH_MAX];
	int lock = -1, r;

	if (!st->opt->dry_run && root_path(lock_path, sizeof(lock_path), "/run/vfio-claim.lock") == 0) {
		lock = lock_wait(lock_path, 30 * 1000);
		if (lock == -ETIMEDOUT)
			log_warning("another vfio-claim held %s for 30 s; going on", lock_path);
	}
	r = claim_pass(st);
	if (lock >= 0)
		close(lock);
	return r;
}

static long seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Devices selected by address that are not there yet: claim each as its uevent comes in. */
static void wait_for_late_devices(struct claim_state *st, struct waiter *w)
{
	long deadline = seconds_now() + st->set->wait;
	char name[64];

	if (st->n_missing)
		log_notice("waiting up to %u s for %zu selected device(s) to appear",
			   st->set->wait, st->n_missing);
	while (st->n_missing > 0 && seconds_now() < deadline) {
		int r = wait_next(w, (int)(deadline - seconds_now()) * 1000, name, sizeof(name));

		if (r < 0) {
			log_error("cannot watch for new devices: %s", strerror(-r));
			return;
		}
		if (r == 0)
			return;
		log_debug("%s appeared", name);
		locked_claim_pass(st);
	}
}

static void report_missing(struct claim_state *st)
{
	char name[24];

	for (size_t i = 0; i < st->n_missing; i++) {
		addr_format(&st->missing[i], name, sizeof(name));
		log_error("%s: selected by address but not present%s", name,
			  st->set->wait ? " (not even after waiting)" : " (use --wait if it comes late)");
		st->failures++;
	}
}

static int run_claim(const struct options *opt, const struct settings *set)
{
	static struct claim_state st;
	struct waiter *w = NULL;
	bool claim = true;
	int r = 0;

	st = (struct claim_state){.opt = opt, .set = set};
	if (set->off) {
		log_notice("disabled by vfio-claim=off: not touching any device");
		claim = false;
	} else if (set->strict && set->n_problems) {
		log_error("--strict: the configuration has errors, not claiming anything");
		claim = false;
	} else if (!settings_any_selector(set)) {
		if (!opt->modprobe)
			log_notice("no device selected (see vfio-claim --help); nothing to do");
		claim = opt->modprobe;
	}
	if (claim) {
		/* Listen before scanning, so a device that appears in between is not missed. The
		 * trampoline never waits: it runs inside a udev worker or modprobe, holding up the
		 * host driver's load (and the boot) for as long as it runs. */
		if (set->wait && set->sel.n_addrs && !opt->dry_run && !opt->modprobe) {
			r = wait_open(&w);
			if (r < 0)
				log_error("cannot listen for new devices (%s); not waiting", strerror(-r));
		}
		r = locked_claim_pass(&st);
		if (r == 0 && w)
			wait_for_late_devices(&st, w);
		wait_close(w);
		if (r == 0)
			report_missing(&st);
	}
	/* The trampoline stands in for "modprobe vfio_pci": whatever happened above (a config
	 * error, a failed scan), vfio-pci is loaded, without its ids=. */
	if (opt->modprobe) {
		load_vfio_pci(&st);
		return st.module_error < 0 ? EXIT_NOT_CLAIMED : EXIT_OK;
	}
	if (set->off)
		return EXIT_OK;
	if (set->n_problems)
		return EXIT_USAGE;
	return r < 0 || st.failures ? EXIT_NOT_CLAIMED : EXIT_OK;
}

int main(int argc, char **argv)
{
	static struct options opt;
	static struct settings set;
	enum log_level level = LOG_NOTICE;
	int r;

	r = options_parse(argc, argv, &opt);
	if (r != 0)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	if (opt.quiet)
		level = LOG_WARNING;
	if (opt.verbose)
		level = LOG_DEBUG;
	root_set(opt.root);
	/* The trampoline runs under modprobe with no terminal of ours: the kernel log it is,
	 * except for a fixture tree (--root), whose runs must not write into the host's log. */
	log_setup(level, opt.kmsg || (opt.modprobe && root_is_default()) || log_should_use_kmsg());

	gather_settings(&opt, &set);
	report_problems(&set);

	switch (opt.cmd) {
	case CMD_STATUS:
		return status_run(&opt, &set);
	case CMD_RELEASE:
		return release_run(&opt);
	case CMD_DOCTOR:
		return doctor_run(&opt, &set);
	case CMD_CLAIM:
	default:
		return run_claim(&opt, &set);
	}
}
