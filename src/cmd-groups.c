// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vfio-claim groups": the table every passthrough guide builds with a shell loop over
 * /sys/kernel/iommu_groups and lspci, with the answers to the questions behind it: which
 * functions form one card, whether the group can go to a guest and why not, which group holds
 * the host console, and what to run next. A command of its own rather than a status flag: it
 * is another view (one block per group, not one row per device) with its own JSON.
 */
#include <stdio.h>

#include "commands.h"
#include "groups.h"
#include "output.h"
#include "pci-names.h"
#include "survey.h"

static void card_of(const struct device *d, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%02x:%02x", d->id.addr.domain, d->id.addr.bus, d->id.addr.dev);
}

static const char *role(const struct device *d, char *buf, size_t size)
{
	char card[16];

	if (device_is_bridge(d))
		return "bridge";
	card_of(d, card, sizeof(card));
	snprintf(buf, size, "card %s", card);
	return buf;
}

static bool bridges_only(const struct device_list *devs, const struct iommu_group *g)
{
	for (size_t k = 0; k < g->n; k++)
		if (!device_is_bridge(&devs->dev[g->member[k]]))
			return false;
	return true;
}

static void print_group_table(FILE *out, const struct device_list *devs,
			      const struct iommu_group *g)
{
	char head[32] = "no IOMMU group";

	if (g->group != NO_GROUP)
		snprintf(head, sizeof(head), "IOMMU group %d", g->group);
	fprintf(out, "%s: %s%s%s\n", head, g->viable ? "viable" : "not viable",
		g->console ? ", holds the host console " : "", g->console ? g->console->name : "");
	for (size_t k = 0; k < g->n; k++) {
		const struct device *d = &devs->dev[g->member[k]];
		char buf[32];

		fprintf(out, "  %s [%04x:%04x] %04x %-14s ", d->name, d->id.vendor, d->id.device,
			device_class16(d), d->driver[0] ? d->driver : "-");
		if (d->model)
			fprintf(out, "%-15s %s\n", role(d, buf, sizeof(buf)), d->model);
		else
			fprintf(out, "%s\n", role(d, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < g->why.n; i++)
		fprintf(out, "  why: %s\n", g->why.v[i]);
	for (size_t i = 0; i < g->notes.n; i++)
		fprintf(out, "  note: %s\n", g->notes.v[i]);
}

/* Groups of bridges alone (root ports, host bridges) on one line: nothing to decide there. */
static void print_bridge_groups(FILE *out, const struct device_list *devs,
				const struct groups_view *v)
{
	bool any = false;

	for (size_t i = 0; i < v->n; i++) {
		if (v->g[i].group == NO_GROUP || !bridges_only(devs, &v->g[i]))
			continue;
		fprintf(out, "%s%d",
			any ? " "
			    : "IOMMU groups of bridges only (nothing to pass "
			      "through): ",
			v->g[i].group);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* The displays a guest can have: the first function of each in a viable group. */
static void print_next_steps(FILE *out, const struct device_list *devs, const struct groups_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct iommu_group *g = &v->g[i];

		for (size_t k = 0; g->viable && k < g->n; k++) {
			const struct device *d = &devs->dev[g->member[k]];

			if (device_base_class(d) == 0x03)
				fprintf(out,
					"next: vfio-claim suggest %s   (the configuration that "
					"passes IOMMU group %d through)\n",
					d->name, g->group);
		}
	}
}

static void json_strv(FILE *out, const char *key, const struct strv *l)
{
	fprintf(out, ",\"%s\":[", key);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			fputc(',', out);
		output_json_string(out, l->v[i]);
	}
	fputc(']', out);
}

static void json_member(FILE *out, const struct device *d)
{
	char buf[32];

	fputs("{\"address\":", out);
	output_json_string(out, d->name);
	fprintf(out, ",\"vendor\":\"%04x\",\"device\":\"%04x\",\"class\":\"%06x\"", d->id.vendor,
		d->id.device, d->id.class);
	if (d->model) {
		fputs(",\"name\":", out);
		output_json_string(out, d->model);
	}
	fputs(",\"driver\":", out);
	output_json_string(out, d->driver);
	card_of(d, buf, sizeof(buf));
	fprintf(out, ",\"card\":\"%s\",\"bridge\":%s,\"console\":%s}", buf,
		device_is_bridge(d) ? "true" : "false", device_is_console(d) ? "true" : "false");
}

static void print_json(FILE *out, const struct device_list *devs, const struct groups_view *v,
		       bool iommu)
{
	fprintf(out, "{\"iommu\":%s,\"console_group\":", iommu ? "true" : "false");
	if (v->console_group)
		fprintf(out, "%d", v->console_group->group);
	else
		fputs("null", out);
	fputs(",\"groups\":[", out);
	for (size_t i = 0; iommu && i < v->n; i++) {
		const struct iommu_group *g = &v->g[i];

		if (i)
			fputc(',', out);
		if (g->group == NO_GROUP)
			fputs("{\"group\":null", out);
		else
			fprintf(out, "{\"group\":%d", g->group);
		fprintf(out, ",\"viable\":%s,\"console\":%s", g->viable ? "true" : "false",
			g->console ? "true" : "false");
		json_strv(out, "why", &g->why);
		json_strv(out, "notes", &g->notes);
		fputs(",\"devices\":[", out);
		for (size_t k = 0; k < g->n; k++) {
			if (k)
				fputc(',', out);
			json_member(out, &devs->dev[g->member[k]]);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
}

void groups_run(const struct args *a, const struct settings *set, struct outcome *out)
{
	struct device_list devs;
	struct groups_view view;
	struct plan plan;
	bool iommu;

	if (survey(set, SURVEY_ALL, &devs, &plan, &iommu) < 0) {
		out->cannot_run = true;
		return;
	}
	plan_free(&plan);
	pci_names_fill(&devs);
	if (groups_build(&devs, iommu, settings_on(set, SW_ALLOW_BOOT_VGA), &view) < 0) {
		device_list_free(&devs);
		out->cannot_run = true;
		return;
	}
	if (a->json) {
		print_json(stdout, &devs, &view, iommu);
	} else if (!iommu) {
		fputs("IOMMU: off (no /sys/kernel/iommu_groups): there are no IOMMU groups, and no "
		      "device can go to a guest; enable VT-d / AMD-Vi in the firmware and boot "
		      "with intel_iommu=on (Intel)\n",
		      stdout);
	} else {
		for (size_t i = 0; i < view.n; i++)
			if (view.g[i].group == NO_GROUP || !bridges_only(&devs, &view.g[i]))
				print_group_table(stdout, &devs, &view.g[i]);
		print_bridge_groups(stdout, &devs, &view);
		if (view.console_group)
			printf("console: IOMMU group %d (%s %s)\n", view.console_group->group,
			       view.console_group->console->name,
			       view.console_group->console->console);
		print_next_steps(stdout, &devs, &view);
	}
	for (size_t i = 0; i < devs.skipped.n; i++)
		fprintf(a->json ? stderr : stdout, "note: %s\n", devs.skipped.v[i]);
	groups_free(&view);
	device_list_free(&devs);
}
