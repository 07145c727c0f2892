// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-claim: keep the host's drivers off the devices meant for a VM, from the first moment
 * of boot. main() gathers what the user asked for and runs a command; the claim command below
 * is the sequence that runs in the initrd: start loading vfio-pci, survey, write overrides,
 * wait for vfio-pci, probe, verify, log, then wait for late devices.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "args.h"
#include "clock.h"
#include "commands.h"
#include "fileio.h"
#include "handover.h"
#include "lock.h"
#include "log.h"
#include "modprobe-conf.h"
#include "module.h"
#include "output.h"
#include "root.h"
#include "settings.h"
#include "survey.h"
#include "sysfs.h"
#include "wait.h"

/*
 * The claim run's state, one per process, kept across the passes of a --wait: whether
 * vfio-pci's load was started and whether its outcome was taken (once), the devices already
 * logged (so a later pass does not log them again), and what the last pass left.
 */
static struct claim_run {
	const struct args *args;
	const struct settings *set;
	bool module_begun, module_tried, skipped_logged, lock_warned;
	int module_error;
	struct module_report module;
	struct pci_addr *reported; /* devices already logged, sorted */
	size_t n_reported;
	unsigned failures;
	struct pci_addr *missing; /* selected addresses not present (yet) */
	size_t n_missing;
} run;

/* Config file, then kernel command line, then arguments: later sources win for switches. */
static void gather_settings(const struct args *a, struct settings *set)
{
	struct settings from_config = {0}, from_cmdline = {0};
	struct modprobe_conf conf;
	char *ids;

	settings_read_config(&from_config, a->config, a->config_explicit);
	if (a->domain) {
		/*
		 * The libvirt hook's hand-over: the domain's devices (the arguments) alone. Of the
		 * config only the run-time lists count; its selectors, the command line's and
		 * vfio-claim=off are about the boot, and would join a claim that runs with --unbind
		 * --allow-boot-vga.
		 */
		settings_keep_runtime(&from_config);
		settings_merge(set, &from_config);
		settings_merge(set, &a->settings);
		settings_free(&from_config);
		return;
	}
	if (!a->no_cmdline)
		settings_read_kcmdline(&from_cmdline);
	/* "options vfio-pci ids=" in modprobe.d is the same wish as vfio-pci.ids= */
	if (modprobe_conf_read(&conf) == 0) {
		ids = modprobe_conf_vfio_ids(&conf);
		if (ids && ids[0])
			settings_add_ids(&from_config, ids, true,
					 "modprobe.d options for vfio-pci");
		free(ids);
		modprobe_conf_free(&conf);
	}
	settings_merge(set, &from_config);
	settings_merge(set, &from_cmdline);
	settings_merge(set, &a->settings);
	settings_free(&from_config);
	settings_free(&from_cmdline);
}

static void report_problems(const struct settings *set)
{
	for (size_t i = 0; i < set->problems.n; i++)
		log_error("%s", set->problems.v[i]);
	if (set->more_problems)
		log_error("... and %u more problems like these", set->more_problems);
}

/* True when addr was logged by an earlier pass; remembers it otherwise. */
static bool already_reported(const struct pci_addr *addr)
{
	size_t lo = 0, hi = run.n_reported;
	struct pci_addr *bigger;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = addr_compare(&run.reported[mid], addr);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	bigger = realloc(run.reported, (run.n_reported + 1) * sizeof(*bigger));
	if (!bigger)
		return false; /* logged again at worst */
	run.reported = bigger;
	memmove(&run.reported[lo + 1], &run.reported[lo],
		(run.n_reported - lo) * sizeof(*run.reported));
	run.reported[lo] = *addr;
	run.n_reported++;
	return false;
}

/*
 * Starts loading vfio-pci in the background, unless it is in the kernel already: then
 * libkmod is not even opened. Safe before any override is written: without its ids= (see
 * module.c), vfio-pci binds only devices whose driver_override names it. A device overridden
 * before vfio-pci registers is bound by the registration, one overridden after by the probe in
 * apply_bind(), which comes after both: no device is probed before its override is written.
 */
static void begin_vfio_pci(void)
{
	enum module_state state;

	if (run.module_begun || run.module_tried)
		return;
	run.module_begun = true;
	state = sysfs_module_state("vfio_pci");
	if (module_state_in_kernel(state)) {
		run.module_tried = true;
		run.module.already = true;
		log_debug("vfio-pci is in the kernel already (%s)",
			  state == MODULE_BUILTIN ? "built in" : "loaded");
		return;
	}
	if (module_load_begin() < 0)
		log_debug("cannot load vfio-pci in the background; it is loaded when needed");
}

/* vfio-pci's outcome, at the point of need: waits for the load begun, or loads it now. */
static void load_vfio_pci(void)
{
	begin_vfio_pci();
	if (run.module_tried)
		return;
	run.module_tried = true;
	run.module_error = module_load_end(&run.module);
	if (run.module_error < 0)
		log_error("cannot load vfio-pci: %s", run.module.detail ? run.module.detail : "?");
	else if (run.module.dropped)
		log_notice("loaded vfio-pci without its '%s': those IDs are claimed through "
			   "driver_override, where the safety rules apply",
			   run.module.dropped);
	else
		log_debug("vfio-pci %s", run.module.already ? "was already there" : "loaded");
}

/* How long a late pass watches a probed device that is not bound yet (see apply_bind()). */
#define LATE_SETTLE_MS 2000

/*
 * One pass: scan, plan, hand over the cards the host uses, write the other overrides, wait
 * for vfio-pci, probe, verify (and keep or undo each hand-over), log. late: a pass woken by a
 * device's uevent, which the kernel sends before it lets drivers match the device.
 */
static int claim_pass(bool late)
{
	const struct settings *set = run.set;
	struct handover handover = {0};
	struct pci_addr *missing;
	struct device_list devs;
	struct plan plan;
	bool logged = false, iommu;
	int r;

	/* --dry-run --json prints the status object, every field of every device */
	r = survey(set, run.args->json ? SURVEY_ALL : SURVEY_CLAIM, &devs, &plan, &iommu);
	if (r < 0)
		return r;
	if (!run.skipped_logged)
		output_skipped(&devs);
	run.skipped_logged = true;
	if (!run.args->dry_run) {
		if (handover_begin(&devs, &plan, set, run.args->domain, &handover) < 0)
			log_error("out of memory preparing the hand-over");
		apply_detach(&plan);
		/* every override is written: vfio-pci is waited for here, the probe follows */
		if (apply_needs_driver(&plan) || run.args->modprobe)
			load_vfio_pci();
		/* a pass woken by a uevent may find a device the kernel is still adding */
		apply_bind(&plan, run.module_error, &run.module, late ? LATE_SETTLE_MS : 0);
		handover_end(&handover, &plan);
		handover_free(&handover);
	}
	run.failures = 0;
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_entry *e = &plan.entry[i];

		if (plan_entry_is_problem(e, settings_on(set, SW_STRICT)))
			run.failures++;
		if (e->by == BY_NONE || run.args->json || already_reported(&e->dev->id.addr))
			continue;
		output_device_line(e, run.args->dry_run);
		logged = true;
	}
	if (run.args->json)
		output_status(stdout, &devs, &plan, iommu, true); /* --dry-run --json: the plan */
	else if (logged)
		output_notes(&plan);
	missing = plan.n_missing ? malloc(plan.n_missing * sizeof(*missing)) : NULL;
	free(run.missing);
	run.missing = missing;
	run.n_missing = missing ? plan.n_missing : 0;
	if (missing)
		memcpy(missing, plan.missing, plan.n_missing * sizeof(*missing));
	plan_free(&plan);
	device_list_free(&devs);
	return 0;
}

/* One claim pass under the lock: two udev workers may each run the trampoline at once. */
static int locked_claim_pass(bool late)
{
	/* The trampoline holds up a host driver's load: it waits less for a stuck holder. */
	int wait_s = run.args->modprobe ? 5 : 30;
	int lock = -1, r;

	/* nothing selected, nothing written: no lock needed */
	if (!run.args->dry_run && settings_any_selector(run.set)) {
		lock = lock_take_claim(wait_s, "going on", "claiming", run.lock_warned);
		run.lock_warned = run.lock_warned || lock < 0;
	}
	r = claim_pass(late);
	if (lock >= 0)
		close(lock);
	return r;
}

/* Devices selected by address that are not there yet: claim each as its uevent comes in. */
static void wait_for_late_devices(struct waiter *w)
{
	unsigned wait = run.set->value[SW_WAIT];
	long deadline = clock_ms() + wait * 1000L;
	char name[64];

	if (run.n_missing)
		log_notice("waiting up to %u s for %zu selected device(s) to appear", wait,
			   run.n_missing);
	while (run.n_missing > 0 && clock_ms() < deadline) {
		int r = wait_next(w, (int)(deadline - clock_ms()), name, sizeof(name));

		if (r < 0) {
			log_error("cannot watch for new devices: %s", strerror(-r));
			return;
		}
		if (r == 0)
			return;
		log_debug("%s appeared", name);
		locked_claim_pass(true);
	}
}

static void report_missing(bool waited)
{
	char name[24];

	for (size_t i = 0; i < run.n_missing; i++) {
		addr_format(&run.missing[i], name, sizeof(name));
		log_error("%s: selected by address but not present%s", name,
			  waited		    ? " (not even after waiting)"
			  : run.args->modprobe	    ? ""
			  : run.set->value[SW_WAIT] ? " (and no waiting for it)"
						    : " (use --wait if it comes late)");
		run.failures++;
	}
}

/* A load begun for a claim that in the end had nothing to bind: waited for, and only noted. */
static void end_unneeded_load(void)
{
	struct module_report report;
	int r = module_load_end(&report);

	log_debug("vfio-pci, loaded although nothing needed binding: %s",
		  r < 0 ? (report.detail ? report.detail : strerror(-r)) : "done");
	module_report_free(&report);
}

/* The claim command: what the initramfs hooks run, and the trampoline (--modprobe). */
static void claim_run(const struct args *a, const struct settings *set, struct outcome *out)
{
	struct waiter *w = NULL;
	bool claim = true;
	int r = 0;

	run.args = a;
	run.set = set;
	if (settings_on(set, SW_OFF)) {
		log_notice("vfio-claim is off (%s): not touching any device", set->where[SW_OFF]);
		claim = false;
	} else if (settings_on(set, SW_STRICT) && settings_n_problems(set)) {
		log_error("--strict: the configuration has errors, not claiming anything");
		claim = false;
	} else if (!settings_any_selector(set)) {
		if (!a->modprobe)
			log_notice("no device selected (see vfio-claim --help); nothing to do");
		claim = a->modprobe;
	}
	if (claim) {
		/* Listen before scanning, so a device that appears in between is not missed. The
		 * trampoline never waits: it runs inside a udev worker or modprobe, holding up the
		 * host driver's load (and the boot) for as long as it runs. */
		if (set->value[SW_WAIT] && set->sel.n_addrs && !a->dry_run && !a->modprobe) {
			r = wait_open(&w);
			if (r < 0)
				log_error("cannot listen for new devices (%s); not waiting",
					  strerror(-r));
		}
		/* The module load is the longest step and needs nothing from the scan: it runs
		 * while the scan and the plan do. Without an IOMMU nothing will be claimed. */
		if (!a->dry_run && (a->modprobe || sysfs_iommu_present()))
			begin_vfio_pci();
		r = locked_claim_pass(false);
		if (r == 0 && w)
			wait_for_late_devices(w);
		if (r == 0)
			report_missing(w != NULL);
		wait_close(w);
	}
	/* The trampoline stands in for "modprobe vfio_pci": whatever happened above (a config
	 * error, a failed scan), vfio-pci is loaded, without its ids=. */
	if (a->modprobe)
		load_vfio_pci();
	else if (run.module_begun && !run.module_tried)
		end_unneeded_load();
	/* the trampoline's result is vfio-pci's: whether "modprobe vfio_pci" worked */
	out->cannot_run = a->modprobe ? run.module_error < 0 : r < 0;
	out->failures = run.failures;
	module_report_free(&run.module);
	free(run.reported);
	free(run.missing);
}

/* --domain NAME (the libvirt hook): only the domains the config names ("*": every one). */
static bool domain_listed(const struct settings *set, const char *domain)
{
	for (size_t i = 0; i < set->domains.n; i++)
		if (str_eq(set->domains.v[i], "*") || str_eq(set->domains.v[i], domain))
			return true;
	return false;
}

/*
 * The one place that turns what a command found into the exit status (see --help):
 * 0 all well, 1 a selected device is not on vfio-pci (or doctor found a problem), 2 bad usage
 * or configuration. The trampoline answers for "modprobe vfio_pci" only: 1 when vfio-pci
 * could not be loaded.
 */
static int exit_code(const struct args *a, const struct settings *set, const struct outcome *o)
{
	/* the hook's hand-over (--domain) does not fail a domain's start for a boot-time typo */
	bool config_counts = (a->cmd == CMD_CLAIM || a->cmd == CMD_STATUS) && !a->domain;

	if (a->modprobe)
		return o->cannot_run ? 1 : 0;
	if (o->usage)
		return 2;
	if (o->cannot_run)
		return 1;
	if (config_counts && settings_n_problems(set))
		return 2;
	return o->failures ? 1 : 0;
}

static void run_command(const struct args *a, const struct settings *set, struct outcome *out)
{
	switch (a->cmd) {
	case CMD_STATUS:
		status_run(a, set, out);
		break;
	case CMD_RELEASE:
		release_run(a, out);
		break;
	case CMD_DOCTOR:
		doctor_run(a, set, out);
		break;
	case CMD_GROUPS:
		groups_run(a, set, out);
		break;
	case CMD_SUGGEST:
		suggest_run(a, set, out);
		break;
	case CMD_CLAIM:
	default:
		claim_run(a, set, out);
		break;
	}
}

int main(int argc, char **argv)
{
	struct settings set = {0};
	struct outcome out = {0};
	struct args a;
	int level = LOG_NOTICE, r;

	r = args_parse(argc, argv, &a);
	if (r != 0)
		return r > 0 ? 0 : 2;
	if (a.quiet)
		level = LOG_WARNING;
	if (a.verbose)
		level = LOG_DEBUG;
	root_set(a.root);
	/* The trampoline runs under modprobe with no terminal of ours: the kernel log it is. */
	log_setup(level, a.kmsg || a.modprobe || log_should_use_kmsg());

	gather_settings(&a, &set);
	report_problems(&set);

	if (a.domain && !domain_listed(&set, a.domain))
		log_notice("domain '%s' is not in runtime-domains: leaving its devices alone",
			   a.domain);
	else
		run_command(&a, &set, &out);
	r = exit_code(&a, &set, &out);
	settings_free(&set);
	settings_free(&a.settings);
	return r;
}
