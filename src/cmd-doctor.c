// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vfio-claim doctor": answers "why is my GPU still on amdgpu?" in plain words. It looks at
 * the same plan a claim makes, the kernel log of this boot (what vfio-claim and the drivers
 * said), the module state, and the configuration files that commonly go stale.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "dmesg.h"
#include "fileio.h"
#include "holders.h"
#include "log.h"
#include "modprobe-conf.h"
#include "module.h"
#include "pci-names.h"
#include "plan.h"
#include "root.h"
#include "survey.h"
#include "sysfs.h"

struct doctor {
	unsigned problems;
	struct dmesg log;
	bool log_read;	/* the kernel log could be read: what it lacks is evidence */
	bool claim_ran; /* vfio-claim left lines in this boot's kernel log */
	bool off;	/* vfio-claim=off: reported once, the selected devices not one by one */
};

static void problem(struct doctor *doc, const char *fix, const char *fmt, ...) PRINTF_LIKE(3, 4);

static void problem(struct doctor *doc, const char *fix, const char *fmt, ...)
{
	va_list ap;

	fputs("problem: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  fix: %s\n", fix);
	doc->problems++;
}

/* What the user wrote is the first suspect: every problem of the three sources is one. */
static void check_settings(struct doctor *doc, const struct settings *set)
{
	static const char fix[] = "correct it (vfio-claim --help lists the keys and their "
				  "values); a bad selector is skipped and the rest still applies, "
				  "but under --strict nothing is claimed";

	for (size_t i = 0; i < set->problems.n; i++)
		problem(doc, fix, "the configuration has an error: %s", set->problems.v[i]);
	if (set->more_problems)
		problem(doc, fix, "the configuration has %u more errors like these",
			set->more_problems);
	doc->off = settings_on(set, SW_OFF);
	if (doc->off)
		problem(doc, "remove vfio-claim=off (or off = yes) to claim again",
			"vfio-claim is off (%s): no device is touched", set->where[SW_OFF]);
}

static void check_iommu(struct doctor *doc)
{
	if (sysfs_iommu_present())
		return;
	problem(doc,
		"enable VT-d / AMD-Vi in the firmware and boot with intel_iommu=on (Intel; AMD "
		"enables it by default), then check that /sys/kernel/iommu_groups fills up",
		"IOMMU is off: /sys/kernel/iommu_groups is empty, so vfio-pci cannot bind "
		"anything");
}

static void check_module(struct doctor *doc)
{
	static const char *const load_failed[] = {"vfio-claim", "cannot load vfio-pci", NULL};
	char line[512];
	int state = module_vfio_pci_state();

	if (state == -ENOENT)
		problem(doc,
			"add vfio-pci to the initramfs (the vfio-claim hooks do: vfio, vfio_pci, "
			"vfio_pci_core, vfio_iommu_type1) and rebuild it",
			"vfio-pci module is missing: it is not built in and not among this kernel's "
			"modules");
	else if (dmesg_find(&doc->log, load_failed, line, sizeof(line)))
		problem(doc,
			"see the kernel log for vfio-pci's own error; check modprobe.d for "
			"a blacklist of vfio_pci or wrong options",
			"vfio-pci failed to load in this boot: %s", line);
}

static void check_device(struct doctor *doc, const struct device_list *devs,
			 const struct plan_entry *e)
{
	const struct device *d = e->dev, *console = device_console_of_card(devs, d);
	static const char fix_first[] =
		"run vfio-claim before the host driver loads: install the initramfs hook and "
		"the modprobe safety net (softdep DRIVER pre: vfio_pci), or take it at runtime "
		"with --unbind (vfio-claim.unbind=1)";
	const char *needles[] = {"vfio-claim", d->name, "bound to", NULL};
	char line[512], who[256];

	/* Devices by address and, where pci.ids knows it, by name. */
	device_label(d, who, sizeof(who));
	if (d->firmware_fb[0] && str_eq(d->driver, VFIO_DRIVER))
		problem(doc,
			"give it back (vfio-claim release ADDR) and hand it over again with "
			"--allow-boot-vga: the hand-over releases the firmware framebuffer first",
			"%s is on vfio-pci, but the firmware framebuffer (%s) still holds memory in "
			"its BAR: vfio-pci cannot reserve it for a guest (\"BAR 0: can't reserve\")",
			who, d->firmware_fb);
	/* Whoever did it, a console on vfio-pci that no claim would take leaves the host blind. */
	if (device_is_console(d) && str_eq(d->driver, VFIO_DRIVER) && e->action != ACTION_CLAIMED) {
		problem(doc,
			"something bound it without vfio-claim's rules, usually vfio-pci.ids= "
			"with vfio-pci loaded the plain way (before vfio-claim's safety net "
			"was installed, or by hand): install vfio-claim's hook and safety net, "
			"whose load of vfio-pci drops ids=, and `vfio-claim release` it; for "
			"single-GPU passthrough select it with --allow-boot-vga",
			"%s %s, but it is on vfio-pci: the host has no console there", who,
			d->console);
		return;
	}
	if (console && console != d && str_eq(d->driver, VFIO_DRIVER) &&
	    e->action != ACTION_CLAIMED) {
		char fix[256];

		snprintf(
			fix, sizeof(fix),
			"something bound it without vfio-claim's rules, usually "
			"vfio-pci.ids= with vfio-pci loaded the plain way: `vfio-claim release %s`, "
			"and select the guest's card by address",
			d->name);
		problem(doc, fix,
			"%s belongs to the card of the host console (%s), but it is on vfio-pci: the "
			"host has lost it",
			who, console->name);
		return;
	}
	if (e->by == BY_NONE || str_eq(d->driver, VFIO_DRIVER) || doc->off)
		return;
	if (device_is_console(d) && e->action == ACTION_REFUSE) {
		problem(doc,
			"for single-GPU passthrough add --allow-boot-vga "
			"(vfio-claim.allow-boot-vga=1); otherwise select the other GPU by "
			"address",
			"%s %s, so vfio-claim leaves it to %s", who, d->console,
			d->driver[0] ? d->driver : "the host");
		return;
	}
	if (e->from_vfio_pci && d->driver[0])
		problem(doc,
			"vfio-pci.ids only works if vfio-pci loads before the host driver; "
			"vfio-claim takes the same IDs through driver_override when it runs in "
			"the initramfs (install its hook), or add vfio-claim.unbind=1",
			"vfio-pci.ids is set but %s is on %s", who, d->driver);
	if (d->driver[0] && dmesg_find(&doc->log, needles, line, sizeof(line)))
		problem(doc, fix_first,
			"%s is bound to %s before vfio-claim ran (the log says: %s)", who,
			d->driver, line);
	else if (d->driver[0] && doc->log_read && !doc->claim_ran)
		problem(doc, fix_first,
			"%s is bound to %s, and vfio-claim did not run in this boot (no line of it "
			"in the kernel log)",
			who, d->driver);
	else if (d->driver[0])
		problem(doc, fix_first, "%s is bound to %s before vfio-claim ran", who, d->driver);
	else if (str_eq(d->override, VFIO_DRIVER))
		problem(doc,
			"load vfio-pci (modprobe vfio_pci) and look for its probe error in "
			"dmesg; vfio-claim release gives the device back",
			"%s has driver_override=vfio-pci but no driver: vfio-pci failed to bind it or "
			"is not loaded",
			who);
	else if (e->action == ACTION_REFUSE || e->action == ACTION_SKIP)
		problem(doc, "see the reason; vfio-claim status shows the whole plan",
			"%s is selected but not claimed: %s", who, e->reason);
	else if (e->action == ACTION_CLAIM && doc->log_read && !doc->claim_ran)
		problem(doc,
			"install the initramfs hook (and the modprobe safety net) and rebuild "
			"the initramfs, or run vfio-claim now",
			"%s is selected but not on vfio-pci (it has no driver), and vfio-claim did not "
			"run in this boot (no line of it in the kernel log)",
			who);
	else if (e->action == ACTION_CLAIM)
		problem(doc,
			"run vfio-claim now, and see its lines of this boot (dmesg | grep "
			"vfio-claim) for why it did not",
			"%s is selected but not on vfio-pci (it has no driver)", who);
}

/* vfio_virqfd was folded into vfio in Linux 6.2; lists that still name it break module loading. */
static void check_stale_file(struct doctor *doc, const char *file)
{
	char path[PATH_MAX], *text;
	int r;

	if (root_path(path, sizeof(path), "%s", file) < 0)
		return;
	r = file_read(path, 1024 * 1024, &text, NULL);
	if (r == -ENOTREG)
		problem(doc, "replace it with a plain file, or remove it",
			"%s is not a plain file: kmod's modprobe, the initramfs generators and "
			"udev read such files, and a FIFO or a device there can block them",
			file);
	if (r < 0)
		return;
	if (strstr(text, "vfio_virqfd") || strstr(text, "vfio-virqfd"))
		problem(doc, "remove vfio_virqfd from that file and rebuild the initramfs",
			"%s names vfio_virqfd, which is part of vfio since Linux 6.2: module lists "
			"that name it fail on newer kernels",
			file);
	free(text);
}

static void check_stale_dir(struct doctor *doc, const char *dir)
{
	char path[PATH_MAX], file[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (root_path(path, sizeof(path), "%s", dir) < 0 || !(d = opendir(path)))
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    snprintf(file, sizeof(file), "%s/%s", dir, e->d_name) < (int)sizeof(file))
			check_stale_file(doc, file);
	closedir(d);
}

static void check_stale_names(struct doctor *doc)
{
	static const char *const files[] = {"/proc/cmdline", "/etc/modules",
					    "/etc/initramfs-tools/modules", "/etc/mkinitcpio.conf"};
	static const char *const dirs[] = {"/etc/modprobe.d", "/etc/modules-load.d",
					   "/etc/dracut.conf.d", "/etc/mkinitcpio.conf.d"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		check_stale_file(doc, files[i]);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		check_stale_dir(doc, dirs[i]);
}

/* The words of a softdep list with '-' read as '_', as module names. */
static bool softdep_has(const char *rest, const char *module)
{
	char *copy = strdup(rest), *save = NULL;
	bool found = false;

	for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w && !found;
	     w = strtok_r(NULL, " ", &save)) {
		for (char *c = w; *c; c++)
			if (*c == '-')
				*c = '_';
		found = str_eq(w, module);
	}
	free(copy);
	return found;
}

/*
 * libkmod takes the first softdep line of a module, and the first install line, in the order
 * of modprobe.d's file names: a line of the machine's that sorts before the safety net's
 * keeps vfio-claim from running first, and one after it is ignored.
 */
static void check_modprobe_shadowing(struct doctor *doc)
{
	static const char fix[] =
		"regenerate the safety net, which sorts first and merges the "
		"machine's softdep lines into its own: make install-modprobe for the "
		"booted system, update-initramfs -u (or your generator) for the "
		"initramfs";
	struct modprobe_conf conf;

	if (modprobe_conf_read(&conf) < 0)
		return;
	for (size_t i = 0; i < conf.n; i++) {
		const struct modprobe_line *first = &conf.lines[i];
		bool seen = false;

		if (!str_eq(first->command, "softdep") && !str_eq(first->command, "install"))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = str_eq(conf.lines[k].command, first->command) &&
			       str_eq(conf.lines[k].module, first->module);
		if (seen)
			continue; /* only the first line of a module counts */
		for (size_t k = i + 1; k < conf.n; k++) {
			const struct modprobe_line *l = &conf.lines[k];
			bool ours_first, ours_later;

			if (!str_eq(l->command, first->command) ||
			    !str_eq(l->module, first->module))
				continue;
			if (str_eq(first->command, "install")) {
				if (!strstr(first->rest, "--modprobe") &&
				    strstr(l->rest, "--modprobe"))
					problem(doc,
						"remove that install line: vfio-claim's trampoline "
						"takes its place (an older vfio-pci override script?)",
						"%s:%u has its own 'install %s' line, which comes "
						"before the safety net's (%s:%u): loading vfio_pci does not "
						"run vfio-claim",
						first->file, first->line, first->module, l->file,
						l->line);
				continue;
			}
			ours_first = softdep_has(first->rest, "vfio_pci");
			ours_later = softdep_has(l->rest, "vfio_pci");
			if (!ours_first && ours_later)
				problem(doc, fix,
					"%s:%u ('softdep %s %s') comes before the safety net's "
					"line for %s (%s:%u), and libkmod uses only the first: loading %s "
					"does not run vfio-claim first",
					first->file, first->line, first->module, first->rest,
					first->module, l->file, l->line, first->module);
			else if (ours_first && !ours_later)
				problem(doc, fix,
					"%s:%u ('softdep %s %s') is ignored: the safety net's "
					"line for %s (%s:%u) comes first, and libkmod uses only the first",
					l->file, l->line, l->module, l->rest, l->module,
					first->file, first->line);
		}
	}
	/* /etc/modprobe.d's unreadable files were named by check_stale_names() already */
	for (size_t i = 0; i < conf.problems.n; i++)
		if (strncmp(conf.problems.v[i], "/etc/modprobe.d/", 16) != 0)
			problem(doc, "replace it with a plain file, or remove it", "modprobe.d: %s",
				conf.problems.v[i]);
	modprobe_conf_free(&conf);
}

/* doctor ADDR: what keeps ADDR's card from a hand-over, each with what to do about it. */
static void check_holders(struct doctor *doc, const struct device_list *devs,
			  const struct device *d)
{
	struct holders h;
	size_t lo, hi;

	device_card(devs, d, &lo, &hi);
	if (holders_find(devs, lo, hi, &h) < 0) {
		problem(doc, "run doctor as root", "cannot tell who holds %s's card", d->name);
		return;
	}
	for (size_t i = 0; i < h.n_proc; i++) {
		const struct holder_process *p = &h.proc[i];
		char fix[1024];

		if (p->unit[0])
			snprintf(
				fix, sizeof(fix),
				"stop %s, or list it in the hand-over's units "
				"(runtime-stop-units = %s, or --stop-units %s): the hand-over then "
				"stops it and starts it again on release",
				p->unit, p->unit, p->unit);
		else
			snprintf(fix, sizeof(fix), "end %s (pid %d) before the hand-over", p->comm,
				 (int)p->pid);
		problem(doc, fix, "%s is held: %s (pid %d%s%s) has %s open", p->device, p->comm,
			(int)p->pid, p->unit[0] ? ", " : "", p->unit, p->node);
	}
	if (h.vtcon[0])
		printf("note: the virtual console %s shows on %s of %s's card; a hand-over "
		       "detaches it and release attaches it again\n",
		       h.vtcon, h.fb_node, d->name);
	for (size_t i = 0; i < h.firmware.n; i++)
		printf("note: the firmware framebuffer (%s, %" PRIx64 "-%" PRIx64 ") lies in a BAR "
		       "of %s's card; a hand-over with --allow-boot-vga releases it\n",
		       h.firmware.fb[i].name, h.firmware.fb[i].start, h.firmware.fb[i].end,
		       d->name);
	if (h.module_refs > 0)
		printf("note: %s (the module of %s's driver) is in use %d time(s)\n", h.module,
		       d->name, h.module_refs);
	if (h.n_proc == 0)
		printf("note: no process holds %s's card: a hand-over (claim --unbind) can take "
		       "it\n",
		       d->name);
	holders_free(&h);
}

void doctor_run(const struct args *a, const struct settings *set, struct outcome *out)
{
	static const char *const claim_lines[] = {"vfio-claim[", NULL};
	struct doctor doc = {0};
	struct device_list devs;
	struct plan plan;
	char line[512];
	int r;

	r = dmesg_read(&doc.log);
	doc.log_read = r == 0;
	if (r < 0) {
		char path[PATH_MAX] = "/dev/kmsg";

		root_path(path, sizeof(path), "/dev/kmsg");
		printf("note: cannot read the kernel log %s (%s): run doctor as root to see what "
		       "vfio-claim did in this boot\n",
		       path, strerror(-r));
	}
	doc.claim_ran = dmesg_find(&doc.log, claim_lines, line, sizeof(line)) != NULL;
	check_settings(&doc, set);
	check_iommu(&doc);
	check_module(&doc);
	if (survey(set, SURVEY_ALL, &devs, &plan, NULL) == 0) {
		pci_names_fill(&devs);
		for (size_t i = 0; i < plan.n; i++)
			check_device(&doc, &devs, &plan.entry[i]);
		for (size_t i = 0; i < plan.notes.n; i++)
			problem(&doc,
				strstr(plan.notes.v[i], "the host console")
					? "move the card to a slot with its own IOMMU group (ACS): "
					  "the console stays with the host"
					: "pass the whole group through (--group), or move the "
					  "card to a slot with its own group (ACS)",
				"%s", plan.notes.v[i]);
		for (size_t i = 0; i < devs.skipped.n; i++)
			printf("note: %s\n", devs.skipped.v[i]);
		for (int i = 0; i < a->n_operands; i++) {
			struct pci_addr addr;
			const struct device *d;
			const char *why;

			if (addr_parse(a->operands[i], &addr, &why) < 0) {
				log_error("bad address '%.40s': %s", a->operands[i], why);
				out->usage = true;
			} else if (!(d = device_find(&devs, &addr))) {
				problem(&doc, "check the address with vfio-claim status",
					"%s: no such device", a->operands[i]);
			} else {
				check_holders(&doc, &devs, d);
			}
		}
		plan_free(&plan);
		device_list_free(&devs);
	}
	if (!settings_any_selector(set))
		printf("note: no device is selected (vfio-claim.ids=, vfio-claim.addrs=, "
		       "vfio-pci.ids= or /etc/vfio-claim.conf)\n");
	check_stale_names(&doc);
	check_modprobe_shadowing(&doc);
	dmesg_free(&doc.log);
	if (doc.problems == 0)
		printf("doctor: no problems found\n");
	else
		printf("doctor: %u problem(s) found\n", doc.problems);
	out->failures = doc.problems;
}
