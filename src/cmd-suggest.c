// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vfio-claim suggest ADDR...": the exact lines that claim the card at ADDR, for every way in
 * (the config file, the kernel command line, the NixOS module with and without a
 * specialisation) and the install command for this system's initramfs generator. A
 * suggestion, nothing written: hence the name. What a claim would take is the planner's
 * answer (the devices at ADDR, their companions, with --group their groups), asked as in the
 * initrd, before any host driver: --unbind on. The lines name those devices by ID when the
 * IDs select exactly them (IDs survive a move to another slot), and by address with the
 * expected ID otherwise: when an ID would also match the console or a second card.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "generator.h"
#include "log.h"
#include "pci-names.h"
#include "survey.h"
#include "sysfs.h"

struct suggestion {
	struct device_list devs;
	struct plan plan; /* the claim of the devices at ADDR */
	struct plan_rules rules;
	bool by_id;		     /* the ID lines select exactly what the plan takes */
	char ids[1024], addrs[1024]; /* "1002:744c,1002:ab30", "0000:03:00.0=1002:744c,..." */
	char why_addrs[512];	     /* why the IDs would not do */
};

static void append(char *buf, size_t size, const char *fmt, const char *sep, ...) PRINTF_LIKE(3, 5);

static void append(char *buf, size_t size, const char *fmt, const char *sep, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n < size)
		n += (size_t)snprintf(buf + n, size - n, "%s", sep);
	if (n >= size)
		return;
	va_start(ap, sep);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* The ID selectors of the taken devices, each vendor:device once. */
static int id_selectors(const struct plan *plan, struct selectors *ret, char *text, size_t size)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct device *d = plan->entry[i].dev;
		struct id_sel id = {.vendor = d->id.vendor,
				    .device = d->id.device,
				    .subvendor = PCI_ANY,
				    .subdevice = PCI_ANY};
		bool seen = false;

		if (!plan_entry_taken(&plan->entry[i]))
			continue;
		for (size_t k = 0; k < ret->n_ids; k++)
			seen |= ret->ids[k].vendor == id.vendor && ret->ids[k].device == id.device;
		if (seen)
			continue;
		if (selectors_add_id(ret, &id) < 0)
			return -ENOMEM;
		append(text, size, "%04x:%04x", ",", d->id.vendor, d->id.device);
	}
	return 0;
}

/* Would the IDs select the same devices, and take the same? If not, say why not. */
static int check_ids(struct suggestion *s)
{
	struct selectors ids = {0};
	struct plan by_id;
	int r;

	r = id_selectors(&s->plan, &ids, s->ids, sizeof(s->ids));
	if (r == 0)
		r = plan_build(&s->devs, &ids, &s->rules, &by_id);
	selectors_free(&ids);
	if (r < 0)
		return r;
	s->by_id = true;
	for (size_t i = 0; i < by_id.n && s->by_id; i++) {
		const struct plan_entry *want = &s->plan.entry[i], *got = &by_id.entry[i];
		const struct device *d = got->dev;

		if (plan_entry_taken(want) == plan_entry_taken(got) &&
		    (got->by == BY_NONE) == !plan_entry_taken(want))
			continue;
		s->by_id = false;
		snprintf(s->why_addrs, sizeof(s->why_addrs),
			 "the ID %04x:%04x would also select %s (%s)", d->id.vendor, d->id.device,
			 d->name,
			 device_is_console(d)	 ? "the host console"
			 : plan_entry_taken(got) ? "a second card"
						 : "which a claim would refuse");
	}
	plan_free(&by_id);
	return 0;
}

static void addr_lines(struct suggestion *s)
{
	for (size_t i = 0; i < s->plan.n; i++) {
		const struct device *d = s->plan.entry[i].dev;

		if (plan_entry_taken(&s->plan.entry[i]))
			append(s->addrs, sizeof(s->addrs), "%s=%04x:%04x", ",", d->name,
			       d->id.vendor, d->id.device);
	}
}

/* "[ "1002:744c" "1002:ab30" ]" from "1002:744c,1002:ab30" */
static void nix_list(const char *list, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "[");

	for (const char *p = list; *p && n < size;) {
		size_t len = strcspn(p, ",");

		n += (size_t)snprintf(buf + n, size - n, " \"%.*s\"", (int)len, p);
		p += len + (p[len] == ',');
	}
	if (n < size)
		snprintf(buf + n, size - n, " ]");
}

static void print_taken(const struct suggestion *s)
{
	printf("A claim takes:\n");
	for (size_t i = 0; i < s->plan.n; i++) {
		const struct plan_entry *e = &s->plan.entry[i];
		const struct device *d = e->dev;

		if (e->by == BY_NONE)
			continue;
		printf("  %s [%04x:%04x] %s%s%s%s\n", d->name, d->id.vendor, d->id.device,
		       plan_entry_taken(e) ? "" : "not taken: ",
		       plan_entry_taken(e) ? e->via : e->reason, d->model ? ": " : "",
		       d->model ? d->model : "");
		if (plan_entry_taken(e) && d->driver[0] && !str_eq(d->driver, VFIO_DRIVER))
			printf("    (on %s now: the claim in the initramfs comes before it)\n",
			       d->driver);
	}
	for (size_t i = 0; i < s->plan.notes.n; i++)
		printf("warning: %s\n", s->plan.notes.v[i]);
	if (s->plan.notes.n)
		printf("warning: a guest cannot use these devices until their group is viable; "
		       "the lines below keep the host's drivers off them all the same\n");
}

static void print_ways(const struct suggestion *s)
{
	const char *key = s->by_id ? "ids" : "addrs", *list = s->by_id ? s->ids : s->addrs;
	bool vga = s->rules.allow_boot_vga, group = s->rules.group;
	char nix[2048];

	if (s->by_id)
		printf("Selected by ID: %s matches these devices and no other.\n", s->ids);
	else
		printf("Selected by address, each with the ID expected there (a card moved "
		       "elsewhere is not touched): %s.\n",
		       s->why_addrs);
	printf("\nOne way in is enough.\n\n/etc/vfio-claim.conf (copied into the initramfs: "
	       "regenerate it after editing, below):\n    %s = %s\n%s%s",
	       key, list, vga ? "    allow-boot-vga = yes\n" : "",
	       group ? "    group = yes\n" : "");
	printf("\nKernel command line (no regeneration; e.g. GRUB_CMDLINE_LINUX in "
	       "/etc/default/grub, then update-grub):\n    vfio-claim.%s=%s%s%s\n",
	       key, list, vga ? " vfio-claim.allow-boot-vga=1" : "",
	       group ? " vfio-claim.group=1" : "");
	nix_list(list, nix, sizeof(nix));
	printf("\nNixOS, every boot entry (configuration.nix, with vfio-claim's "
	       "nixosModules.default):\n    boot.initrd.vfio-claim.enable = true;\n"
	       "    boot.initrd.vfio-claim.%s = %s;\n%s%s",
	       s->by_id ? "ids" : "addresses", nix,
	       vga ? "    boot.initrd.vfio-claim.allowBootVga = true;\n" : "",
	       group ? "    boot.initrd.vfio-claim.group = true;\n" : "");
	printf("\nNixOS, a boot entry of its own (the default entry keeps the card for the "
	       "host):\n    boot.initrd.vfio-claim.enable = true;\n"
	       "    specialisation.vfio.configuration = {\n"
	       "      system.nixos.tags = [ \"vfio\" ];\n"
	       "      boot.kernelParams = [ \"vfio-claim.%s=%s\"%s%s ];\n    };\n",
	       key, list, vga ? " \"vfio-claim.allow-boot-vga=1\"" : "",
	       group ? " \"vfio-claim.group=1\"" : "");
}

static void print_install(const struct generator *g)
{
	static const char *const make_target[GEN_KINDS] = {
		[GEN_MKINITCPIO] = "install-mkinitcpio",
		[GEN_DRACUT] = "install-dracut",
		[GEN_INITRAMFS_TOOLS] = "install-initramfs-tools",
	};
	static const char *const rebuild[GEN_KINDS] = {
		[GEN_NIXOS] = "sudo nixos-rebuild boot",
		[GEN_MKINITCPIO] = "sudo mkinitcpio -P",
		[GEN_DRACUT] = "sudo dracut --force",
		[GEN_INITRAMFS_TOOLS] = "sudo update-initramfs -u",
	};

	printf("\nThis system builds its initramfs with %s (%s is there); ", g->name, g->evidence);
	if (g->kind == GEN_NIXOS)
		printf("the module does the rest:\n");
	else if (g->hook)
		printf("vfio-claim's hook is installed (%s%s):\n", g->hook,
		       g->from_package ? ", from the Debian package" : "");
	else
		printf("install vfio-claim's hook first:\n");
	if (!g->hook && g->kind == GEN_INITRAMFS_TOOLS)
		printf("    sudo apt install ./vfio-claim_*.deb   (the package, which "
		       "dpkg-buildpackage -us -uc -b leaves beside vfio-claim's source tree), "
		       "or\n");
	if (!g->hook && g->kind != GEN_NIXOS)
		printf("    make STATIC=1 && sudo make install %s STATIC=1 PREFIX=/usr   (in "
		       "vfio-claim's source tree)\n",
		       make_target[g->kind]);
	if (g->kind == GEN_DRACUT)
		printf("    echo 'add_dracutmodules+=\" vfio-claim \"' | sudo tee "
		       "/etc/dracut.conf.d/vfio-claim.conf\n");
	if (g->kind == GEN_MKINITCPIO)
		printf("    (then put vfio-claim before udev in HOOKS=() of /etc/mkinitcpio.conf, "
		       "or sd-vfio-claim after systemd)\n");
	printf("    %s\n", rebuild[g->kind]);
}

/* The devices at the operands, selected by address; false after saying what is wrong. */
static bool take_operands(const struct args *a, const struct device_list *devs,
			  struct selectors *sel, struct outcome *out)
{
	for (int i = 0; i < a->n_operands; i++) {
		const char *why = NULL;
		struct addr_sel s;

		if (addr_sel_parse(a->operands[i], &s, &why) < 0) {
			log_error("bad address '%.40s': %s", a->operands[i], why);
			out->usage = true;
		} else if (!device_find(devs, &s.addr)) {
			log_error("%s: no such device (vfio-claim groups lists them)",
				  a->operands[i]);
			out->failures++;
		} else if (selectors_add_addr(sel, &s) < 0) {
			out->cannot_run = true;
		}
	}
	return !out->usage && !out->failures && !out->cannot_run;
}

void suggest_run(const struct args *a, const struct settings *set, struct outcome *out)
{
	struct suggestion s = {0};
	struct generator gens[GEN_KINDS];
	struct selectors sel = {0};
	struct plan ignored;
	size_t n_gens;
	bool refused = false;

	if (a->json) {
		log_error("suggest prints configuration lines, not JSON (groups --json and status "
			  "--json do)");
		out->usage = true;
		return;
	}
	if (survey(set, SURVEY_ALL, &s.devs, &ignored, &s.rules.iommu_present) < 0) {
		out->cannot_run = true;
		return;
	}
	plan_free(&ignored);
	pci_names_fill(&s.devs);
	s.rules.unbind = true;
	s.rules.allow_boot_vga = settings_on(set, SW_ALLOW_BOOT_VGA);
	s.rules.group = settings_on(set, SW_GROUP);
	if (!take_operands(a, &s.devs, &sel, out))
		goto done;
	if (plan_build(&s.devs, &sel, &s.rules, &s.plan) < 0 || check_ids(&s) < 0) {
		out->cannot_run = true;
		goto done;
	}
	addr_lines(&s);
	for (size_t i = 0; i < s.plan.n; i++) {
		const struct plan_entry *e = &s.plan.entry[i];

		if (e->by != BY_ADDRESS || plan_entry_taken(e))
			continue;
		log_error("%s [%04x:%04x] cannot be claimed: %s", e->dev->name, e->dev->id.vendor,
			  e->dev->id.device, e->reason);
		refused = true;
	}
	if (refused) {
		log_error("no configuration suggested; vfio-claim groups shows what can go to a "
			  "guest");
		out->failures++;
		goto done;
	}
	print_taken(&s);
	print_ways(&s);
	n_gens = generator_detect(gens);
	for (size_t i = 0; i < n_gens; i++)
		print_install(&gens[i]);
	if (n_gens == 0)
		printf("\nNo initramfs generator found (NixOS, mkinitcpio, dracut or "
		       "initramfs-tools); initramfs-hooks/README.md has every recipe.\n");
	printf("\nThen reboot, and check: vfio-claim status\n");
	/* a group that cannot go to a guest makes the suggestion a failure, printed anyway */
	out->failures += (unsigned)s.plan.notes.n;
done:
	plan_free(&s.plan);
	selectors_free(&sel);
	device_list_free(&s.devs);
}
