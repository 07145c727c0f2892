// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The safety rules live here, in one place:
 *  - bridges (class 06) are never claimed: the devices behind them would go with them;
 *  - the console (the boot VGA, or the device holding the firmware framebuffer; see device.h)
 *    is refused unless --allow-boot-vga, and so are the other functions of its card unless
 *    the console function itself is taken;
 *  - a card is not touched on a kernel without driver_override (before 3.16);
 *  - mass storage matched only by ID is refused: the boot disk may be the same model;
 *  - without an IOMMU, vfio-pci cannot bind at all, so nothing is touched;
 *  - a device on a host driver is left alone unless --unbind.
 * A selected display brings its slot's audio, USB and UCSI functions when they share its
 * IOMMU group, since passing half a card through fails in the guest.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define CLASS_BRIDGE 0x06
#define CLASS_STORAGE 0x01
#define CLASS_DISPLAY 0x03

static const unsigned companion_classes[] = {
	0x0403, /* HDA audio */
	0x0c03, /* USB controller (USB-C on the card) */
	0x0c80, /* serial bus: the UCSI controller of USB-C */
};

const char *action_name(enum action a)
{
	switch (a) {
	case ACTION_CLAIM:
		return "claim";
	case ACTION_CLAIMED:
		return "claimed";
	case ACTION_REFUSE:
		return "refuse";
	case ACTION_SKIP:
	default:
		return "skip";
	}
}

static void set_reason(struct plan_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_reason(struct plan_entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

static void append_reason(struct plan_entry *e, const char *text)
{
	size_t n = strlen(e->reason);

	snprintf(e->reason + n, sizeof(e->reason) - n, "%s", text);
}

static bool is_taken(const struct plan_entry *e)
{
	return e->action == ACTION_CLAIM || e->action == ACTION_CLAIMED;
}

/* The per-device rules, for a device that some selector (or a companion rule) picked. */
static void decide(struct plan_entry *e, const struct plan_rules *opt)
{
	const struct device *d = e->dev;
	bool explicit_choice = e->by == BY_ADDRESS;

	e->counts = true;
	if (device_base_class(d) == CLASS_BRIDGE) {
		e->action = ACTION_REFUSE;
		e->counts = explicit_choice;
		set_reason(e, "is a PCI bridge; bridges are never claimed");
	} else if (device_is_console(d) && !opt->allow_boot_vga && str_eq(d->driver, VFIO_DRIVER)) {
		/* kept from a claim, but someone else took it: say so, as the failure it is */
		e->action = ACTION_REFUSE;
		e->failed = true;
		set_reason(e,
			   "%s, but it is on vfio-pci already (vfio-pci's own ids=, or bound by "
			   "hand): the host has no console; vfio-claim release %s gives it back",
			   d->console, d->name);
	} else if (device_is_console(d) && !opt->allow_boot_vga) {
		e->action = ACTION_REFUSE;
		e->counts = explicit_choice;
		set_reason(e, "%s; use --allow-boot-vga for single-GPU passthrough", d->console);
	} else if (d->console_unknown && !opt->allow_boot_vga && e->by != BY_ADDRESS) {
		e->action = ACTION_REFUSE;
		e->counts = false;
		set_reason(e,
			   "is a display controller without boot_vga and the firmware framebuffer "
			   "cannot be located: it may be the host console; select it by address");
	} else if (device_base_class(d) == CLASS_STORAGE && e->by != BY_ADDRESS) {
		e->action = ACTION_REFUSE;
		e->counts = false;
		set_reason(e, "is a storage controller selected only by ID (the boot disk may be "
			      "the same model); select it by address to claim it");
	} else if (!opt->iommu_present) {
		e->action = ACTION_REFUSE;
		set_reason(e, "no IOMMU is active, vfio-pci cannot bind; enable it "
			      "(intel_iommu=on or amd_iommu=on) and VT-d/AMD-Vi in the firmware");
	} else if (d->iommu_group == NO_GROUP) {
		e->action = ACTION_REFUSE;
		set_reason(e, "has no IOMMU group, vfio-pci cannot bind it");
	} else if (str_eq(d->driver, VFIO_DRIVER)) {
		e->action = ACTION_CLAIMED;
		set_reason(e, "bound to vfio-pci already");
	} else if (d->driver[0] && !opt->unbind) {
		e->action = ACTION_SKIP;
		set_reason(e, "bound to %s already, leaving it (use --unbind to take it)",
			   d->driver);
	} else if (d->driver[0]) {
		e->action = ACTION_CLAIM;
		e->unbind = true;
		set_reason(e, "will be unbound from %s", d->driver);
	} else {
		e->action = ACTION_CLAIM;
		set_reason(e, "unbound");
	}
}

/* Remembers an address selector whose device is not there (once per address). */
static int add_missing(struct plan *plan, const struct pci_addr *addr)
{
	struct pci_addr *bigger;

	for (size_t m = 0; m < plan->n_missing; m++)
		if (addr_eq(&plan->missing[m], addr))
			return 0;
	bigger = realloc(plan->missing, (plan->n_missing + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	plan->missing = bigger;
	plan->missing[plan->n_missing++] = *addr;
	return 0;
}

static int select_direct(const struct device_list *devs, const struct selectors *sel,
			 const struct plan_rules *opt, struct plan *plan)
{
	for (size_t a = 0; a < sel->n_addrs; a++) {
		const struct addr_sel *s = &sel->addrs[a];
		const struct device *d = device_find(devs, &s->addr);
		struct plan_entry *e;

		if (!d) {
			/* The same address from config and command line is one missing device. */
			if (add_missing(plan, &s->addr) < 0)
				return -ENOMEM;
			continue;
		}
		e = &plan->entry[d - devs->dev];
		if (e->by == BY_ADDRESS)
			continue;
		e->by = BY_ADDRESS;
		copy_str(e->via, sizeof(e->via), "selected by address");
		if (s->has_id && (s->vendor != d->id.vendor || s->device != d->id.device)) {
			e->action = ACTION_REFUSE;
			e->counts = true;
			set_reason(e,
				   "expected %04x:%04x at this address but found %04x:%04x "
				   "(hardware moved?); not touching it",
				   s->vendor, s->device, d->id.vendor, d->id.device);
			continue;
		}
		decide(e, opt);
	}
	for (size_t i = 0; i < devs->n; i++) {
		struct plan_entry *e = &plan->entry[i];

		if (e->by != BY_NONE)
			continue;
		for (size_t k = 0; k < sel->n_ids; k++) {
			if (!id_sel_match(&sel->ids[k], &devs->dev[i].id))
				continue;
			e->by = BY_ID;
			e->from_vfio_pci = sel->ids[k].from_vfio_pci;
			copy_str(e->via, sizeof(e->via),
				 e->from_vfio_pci ? "selected by vfio-pci.ids" : "selected by ID");
			decide(e, opt);
			break;
		}
	}
	return 0;
}

static bool is_companion_class(const struct device *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(companion_classes); i++)
		if (device_class16(d) == companion_classes[i])
			return true;
	return false;
}

/*
 * Every device's IOMMU group as a run of device indices (ascending) in one sorted array, so
 * the rules below visit a device's group instead of every device: planning stays linear in
 * the number of devices (a 4096-device tree took 0.2 s with the all-pairs loops). Devices
 * without a group (NO_GROUP) form one run, as the all-pairs comparison treated them.
 */
struct group_index {
	size_t *order; /* device indices sorted by (iommu_group, index) */
	size_t *start; /* per device: where its group's run begins in order[] */
	size_t *end;   /* ... and ends (exclusive) */
};

static int compare_by_group(const void *a, const void *b, void *data)
{
	const struct device_list *devs = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int gx = devs->dev[x].iommu_group, gy = devs->dev[y].iommu_group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int group_index_build(const struct device_list *devs, struct group_index *ret)
{
	size_t n = devs->n ? devs->n : 1;
	struct group_index gi = {
		.order = calloc(n, sizeof(size_t)),
		.start = calloc(n, sizeof(size_t)),
		.end = calloc(n, sizeof(size_t)),
	};

	if (!gi.order || !gi.start || !gi.end) {
		free(gi.order);
		free(gi.start);
		free(gi.end);
		return -ENOMEM;
	}
	for (size_t i = 0; i < devs->n; i++)
		gi.order[i] = i;
	qsort_r(gi.order, devs->n, sizeof(size_t), compare_by_group, (void *)devs);
	for (size_t p = 0, q; p < devs->n; p = q) {
		int g = devs->dev[gi.order[p]].iommu_group;

		for (q = p; q < devs->n && devs->dev[gi.order[q]].iommu_group == g; q++)
			;
		for (size_t k = p; k < q; k++) {
			gi.start[gi.order[k]] = p;
			gi.end[gi.order[k]] = q;
		}
	}
	*ret = gi;
	return 0;
}

static void group_index_free(struct group_index *gi)
{
	free(gi->order);
	free(gi->start);
	free(gi->end);
}

/* Adds what goes with each taken device: its card's functions, or with --group its group. */
static void select_followers(const struct device_list *devs, const struct plan_rules *opt,
			     const struct group_index *gi, struct plan *plan)
{
	for (size_t i = 0; i < devs->n; i++) {
		const struct device *d = &devs->dev[i];

		if (!is_taken(&plan->entry[i]))
			continue;
		/* Companions and group members both share d's group: visit only that. */
		for (size_t p = gi->start[i]; p < gi->end[i]; p++) {
			size_t k = gi->order[p];
			const struct device *o = &devs->dev[k];
			struct plan_entry *e = &plan->entry[k];
			bool companion = device_base_class(d) == CLASS_DISPLAY &&
					 device_same_slot(d, o) && is_companion_class(o) &&
					 o->iommu_group == d->iommu_group;
			bool group_member = opt->group && o->iommu_group == d->iommu_group &&
					    device_base_class(o) != CLASS_BRIDGE;

			if (k == i || e->by != BY_NONE || (!companion && !group_member))
				continue;
			e->by = companion ? BY_COMPANION : BY_GROUP;
			decide(e, opt);
			if (!companion && device_base_class(o) == CLASS_STORAGE) {
				/* The group cannot be viable then: --group users need to know. */
				e->action = ACTION_REFUSE;
				e->counts = true;
				set_reason(e,
					   "is a storage controller joined only through --group; "
					   "select it by address to claim it");
			}
			snprintf(e->via, sizeof(e->via), "%s %s",
				 companion ? "companion of" : "same IOMMU group as", d->name);
		}
	}
}

/* The console card's other functions go with its console function, or stay. */
static void guard_console_cards(const struct device_list *devs, struct plan *plan)
{
	for (size_t i = 0; i < devs->n; i++) {
		struct plan_entry *e = &plan->entry[i];
		const struct device *console = device_console_of_card(devs, e->dev);

		if (!is_taken(e) || !console || console == e->dev ||
		    is_taken(&plan->entry[console - devs->dev]))
			continue;
		e->action = ACTION_REFUSE;
		e->counts = e->by == BY_ADDRESS;
		set_reason(e,
			   "belongs to the card of the host console (%s), which stays with the "
			   "host; for single-GPU passthrough select %s by address with "
			   "--allow-boot-vga",
			   console->name, console->name);
	}
}

/* A card with a function nobody could read is not touched: that function may drive the console. */
static void guard_unreadable_cards(const struct device_list *devs, struct plan *plan)
{
	for (size_t i = 0; i < devs->n; i++) {
		struct plan_entry *e = &plan->entry[i];
		const struct pci_addr *a = &e->dev->id.addr;

		if (!is_taken(e))
			continue;
		for (size_t k = 0; k < devs->n_unreadable; k++) {
			const struct pci_addr *u = &devs->unreadable[k];
			char name[16];

			if (u->domain != a->domain || u->bus != a->bus || u->dev != a->dev)
				continue;
			addr_format(u, name, sizeof(name));
			e->action = ACTION_REFUSE;
			e->counts = e->by == BY_ADDRESS;
			set_reason(e,
				   "its card's %s cannot be read (it may be the host console); "
				   "not touching it",
				   name);
			break;
		}
	}
}

/* Without driver_override (kernels before 3.16) nothing can be claimed safely: none of a card. */
static void guard_override_support(const struct device_list *devs, struct plan *plan)
{
	for (size_t i = 0; i < devs->n; i++) {
		struct plan_entry *e = &plan->entry[i];
		const struct device *lacking = NULL;
		size_t lo, hi;

		if (!is_taken(e))
			continue;
		device_card(devs, e->dev, &lo, &hi);
		for (size_t k = lo; k <= hi && !lacking; k++)
			if (!devs->dev[k].has_override && (plan->entry[k].by != BY_NONE || k == i))
				lacking = &devs->dev[k];
		if (!lacking)
			continue;
		e->action = ACTION_REFUSE;
		e->counts = true;
		if (lacking == e->dev)
			set_reason(e, "has no driver_override attribute (kernels before 3.16 lack "
				      "it, and a claim needs it); not touching it");
		else
			set_reason(e,
				   "its card's %s has no driver_override attribute (kernels "
				   "before 3.16 lack it); none of the card is touched",
				   lacking->name);
	}
}

#define HOLDERS_SHOWN 8

static const char *stay(size_t count)
{
	return count == 1 ? "stays on its host driver" : "stay on host drivers";
}

/* A group is viable for VFIO only when no member stays on a host driver (bridges aside). */
static int check_groups(const struct device_list *devs, const struct group_index *gi,
			struct plan *plan)
{
	for (size_t i = 0; i < devs->n; i++) {
		const struct device *d = &devs->dev[i], *console = NULL;
		char holders[HOLDERS_SHOWN * (16 + DRIVER_NAME_MAX + 8) + 32] = "";
		bool first_of_group = true;
		size_t n = 0, count = 0;
		int r;

		if (!is_taken(&plan->entry[i]) || d->iommu_group == NO_GROUP)
			continue;
		for (size_t p = gi->start[i]; p < gi->end[i] && gi->order[p] < i; p++)
			if (is_taken(&plan->entry[gi->order[p]]))
				first_of_group = false;
		for (size_t p = gi->start[i]; p < gi->end[i]; p++) {
			size_t k = gi->order[p];
			const struct device *o = &devs->dev[k];

			if (o->iommu_group != d->iommu_group || is_taken(&plan->entry[k]) ||
			    device_base_class(o) == CLASS_BRIDGE || !o->driver[0] ||
			    str_eq(o->driver, VFIO_DRIVER))
				continue;
			if (device_is_console(o) && !console)
				console = o;
			if (count++ < HOLDERS_SHOWN)
				n += (size_t)snprintf(holders + n, sizeof(holders) - n, "%s%s (%s)",
						      n ? ", " : "", o->name, o->driver);
		}
		if (!count)
			continue;
		if (count > HOLDERS_SHOWN)
			snprintf(holders + n, sizeof(holders) - n, " and %zu more",
				 count - HOLDERS_SHOWN);
		plan->entry[i].group_warning = true;
		append_reason(&plan->entry[i], "; its IOMMU group is not viable");
		if (!first_of_group)
			continue;
		if (console)
			r = strv_addf(&plan->notes,
				      "IOMMU group %d is not viable for VFIO: %s %s; %s drives "
				      "the host console, which stays with the host, so the "
				      "group cannot go to a guest (move the card to a slot "
				      "with its own IOMMU group: ACS)",
				      d->iommu_group, holders, stay(count), console->name);
		else
			r = strv_addf(&plan->notes,
				      "IOMMU group %d is not viable for VFIO: %s %s (select "
				      "%s too, or use --group)",
				      d->iommu_group, holders, stay(count),
				      count == 1 ? "it" : "them");
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

/* vfio-claim=off: the plan shows what was selected, and that none of it is touched. */
static void apply_off(struct plan *plan, const char *off)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *e = &plan->entry[i];

		if (e->by == BY_NONE)
			continue;
		e->action = ACTION_SKIP;
		e->counts = false;
		e->group_warning = false;
		set_reason(e, "not touched: vfio-claim is off (%s)", off);
	}
	strv_free(&plan->notes);
}

int plan_build(struct device_list *devs, const struct selectors *sel,
	       const struct plan_rules *rules, struct plan *ret)
{
	struct plan plan = {.n = devs->n};
	struct group_index gi;
	int r;

	plan.entry = calloc(devs->n ? devs->n : 1, sizeof(*plan.entry));
	if (!plan.entry)
		return -ENOMEM;
	for (size_t i = 0; i < devs->n; i++)
		plan.entry[i].dev = &devs->dev[i];
	r = group_index_build(devs, &gi);
	if (r == 0) {
		r = select_direct(devs, sel, rules, &plan);
		if (r == 0) {
			select_followers(devs, rules, &gi, &plan);
			guard_console_cards(devs, &plan);
			guard_unreadable_cards(devs, &plan);
			guard_override_support(devs, &plan);
			r = check_groups(devs, &gi, &plan);
		}
		group_index_free(&gi);
	}
	if (r < 0) {
		plan_free(&plan);
		return r;
	}
	for (size_t i = 0; i < devs->n; i++)
		if (plan.entry[i].by == BY_NONE)
			set_reason(&plan.entry[i], "not selected");
	if (rules->off)
		apply_off(&plan, rules->off);
	*ret = plan;
	return 0;
}

void plan_free(struct plan *plan)
{
	free(plan->entry);
	free(plan->missing);
	strv_free(&plan->notes);
	*plan = (struct plan){0};
}

bool plan_entry_is_problem(const struct plan_entry *e, bool strict)
{
	if (e->by == BY_NONE)
		return false;
	if (strict && (e->action == ACTION_REFUSE || e->group_warning))
		return true;
	if (e->failed)
		return true;
	return e->counts && e->action != ACTION_CLAIMED && e->action != ACTION_CLAIM;
}
