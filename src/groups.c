// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whether a group can go to a guest is the planner's question with every group's devices
 * selected by address (with their IDs), --unbind on (a host driver holding a device now is
 * no obstacle: the claim in the initrd comes before it) and --group off. Storage is left out
 * of that selection unless the group holds nothing else: the planner never takes a disk
 * controller the user did not name, and a group whose other devices would go to a guest
 * while the host keeps its disk controller is exactly the shared group that cannot be passed
 * through. A group is viable when the planner takes every device it was given and its check
 * of the group (every member on vfio-pci or on no driver, bridges aside) finds nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"

static int compare_members(const void *a, const void *b, void *data)
{
	const struct device_list *devs = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	/* NO_GROUP (-1) goes last: as unsigned it is the largest */
	unsigned gx = (unsigned)devs->dev[x].iommu_group, gy = (unsigned)devs->dev[y].iommu_group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Cut the sorted indices into groups. */
static int split_groups(const struct device_list *devs, size_t *order, struct groups_view *v)
{
	for (size_t p = 0, q; p < devs->n; p = q) {
		int g = devs->dev[order[p]].iommu_group;
		struct iommu_group *bigger;

		for (q = p; q < devs->n && devs->dev[order[q]].iommu_group == g; q++)
			;
		bigger = realloc(v->g, (v->n + 1) * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		v->g = bigger;
		v->g[v->n] = (struct iommu_group){.group = g, .n = q - p};
		v->g[v->n].member = malloc((q - p) * sizeof(size_t));
		if (!v->g[v->n].member)
			return -ENOMEM;
		memcpy(v->g[v->n].member, &order[p], (q - p) * sizeof(size_t));
		v->n++;
	}
	return 0;
}

/* The devices of g that the planner is asked to take. */
static int select_group(const struct device_list *devs, const struct iommu_group *g,
			struct selectors *sel)
{
	bool only_storage = true;

	for (size_t k = 0; k < g->n; k++) {
		const struct device *d = &devs->dev[g->member[k]];

		if (!device_is_bridge(d) && !device_is_storage(d))
			only_storage = false;
	}
	for (size_t k = 0; k < g->n; k++) {
		const struct device *d = &devs->dev[g->member[k]];
		struct addr_sel s = {.addr = d->id.addr,
				     .has_id = true,
				     .vendor = d->id.vendor,
				     .device = d->id.device};

		if (device_is_bridge(d) || (device_is_storage(d) && !only_storage))
			continue;
		if (selectors_add_addr(sel, &s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int judge(const struct plan *plan, struct iommu_group *g)
{
	size_t endpoints = 0;
	int r = 0;

	for (size_t k = 0; k < g->n && r == 0; k++) {
		const struct plan_entry *e = &plan->entry[g->member[k]];
		const struct device *d = e->dev;

		if (device_is_console(d) && !g->console)
			g->console = d;
		if (device_is_bridge(d))
			continue;
		endpoints++;
		if (e->by != BY_NONE && !plan_entry_taken(e))
			r = strv_addf(&g->why, "%s %s", d->name, e->reason);
		else if (e->by == BY_NONE && d->driver[0] && !str_eq(d->driver, VFIO_DRIVER))
			/* storage the planner was not given, in use by the host */
			r = strv_addf(&g->why,
				      "%s is a storage controller the host uses (%s): a "
				      "guest would have to take it, and its disks, with the rest; "
				      "select it by address if the host does not need it, or move "
				      "the card to a slot with an IOMMU group of its own (ACS)",
				      d->name, d->driver);
		else if (e->by != BY_NONE && device_is_storage(d))
			r = strv_addf(&g->notes,
				      "%s is a storage controller: passing it through "
				      "takes its disks from the host",
				      d->name);
		if (r == 0 && e->by != BY_NONE && plan_entry_taken(e) && d->driver[0] &&
		    !str_eq(d->driver, VFIO_DRIVER))
			r = strv_addf(&g->notes,
				      "%s is on %s now: a claim in the initramfs comes "
				      "before it; at runtime use --unbind",
				      d->name, d->driver);
	}
	if (r == 0 && endpoints == 0)
		r = strv_addf(&g->why, "only bridges: nothing to pass through");
	g->viable = r == 0 && g->why.n == 0;
	return r < 0 ? -ENOMEM : 0;
}

int groups_build(struct device_list *devs, bool iommu_present, bool allow_boot_vga,
		 struct groups_view *ret)
{
	struct plan_rules rules = {
		.unbind = true, .allow_boot_vga = allow_boot_vga, .iommu_present = iommu_present};
	struct groups_view v = {0};
	size_t *order;
	int r = 0;

	order = malloc((devs->n ? devs->n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < devs->n; i++)
		order[i] = i;
	qsort_r(order, devs->n, sizeof(*order), compare_members, devs);
	r = split_groups(devs, order, &v);
	free(order);
	for (size_t i = 0; i < v.n && r == 0; i++)
		r = select_group(devs, &v.g[i], &v.sel);
	if (r == 0)
		r = plan_build(devs, &v.sel, &rules, &v.plan);
	for (size_t i = 0; i < v.n && r == 0; i++) {
		r = judge(&v.plan, &v.g[i]);
		if (v.g[i].console && !v.console_group && v.g[i].group != NO_GROUP)
			v.console_group = &v.g[i];
	}
	if (r < 0) {
		groups_free(&v);
		return r;
	}
	*ret = v;
	return 0;
}

void groups_free(struct groups_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->g[i].member);
		strv_free(&v->g[i].why);
		strv_free(&v->g[i].notes);
	}
	free(v->g);
	plan_free(&v->plan);
	selectors_free(&v->sel);
	*v = (struct groups_view){0};
}
