// SPDX-License-Identifier: GPL-2.0-or-later
/* Formatting only: no decisions are taken here. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "output.h"

static const char *verb(const struct plan_entry *e, bool dry_run)
{
	if (e->failed)
		return "failed";
	switch (e->action) {
	case ACTION_CLAIM:
		return dry_run ? "would claim" : "to claim";
	case ACTION_CLAIMED:
		return "claimed";
	case ACTION_REFUSE:
		return "refused";
	case ACTION_SKIP:
	default:
		return "skipped";
	}
}

void output_device_line(const struct plan_entry *e, bool dry_run)
{
	const struct device *d = e->dev;
	int level = LOG_NOTICE;

	if (e->by == BY_NONE)
		level = LOG_DEBUG;
	else if (plan_entry_is_problem(e, false))
		level = LOG_ERR;
	else if (e->action == ACTION_REFUSE || e->group_warning)
		level = LOG_WARNING;
	log_msg(level, "%s [%04x:%04x] %s: %s%s%s%s", d->name, d->id.vendor, d->id.device,
		verb(e, dry_run), e->reason, e->via[0] ? " (" : "", e->via, e->via[0] ? ")" : "");
}

void output_notes(const struct plan *plan)
{
	for (size_t i = 0; i < plan->notes.n; i++)
		log_warning("%s", plan->notes.v[i]);
}

void output_skipped(const struct device_list *devs)
{
	for (size_t i = 0; i < devs->skipped.n; i++)
		log_warning("%s", devs->skipped.v[i]);
}

/* The length of the well-formed UTF-8 sequence at s (2-4 bytes), or 0 (RFC 3629's table). */
static size_t utf8_length(const unsigned char *s)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c >= 0x80 && (n = utf8_length((const unsigned char *)s)) > 0) {
			/* pci.ids has a few names in UTF-8: JSON carries them as they are */
			fwrite(s, 1, n, out);
			s += n;
			continue;
		} else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
		s++;
	}
	fputc('"', out);
}

void output_json_string(FILE *out, const char *s)
{
	json_string(out, s);
}

static void json_device(FILE *out, const struct plan_entry *e)
{
	const struct device *d = e->dev;
	char buf[16];

	fputs("{\"address\":", out);
	json_string(out, d->name);
	snprintf(buf, sizeof(buf), "%04x", d->id.vendor);
	fputs(",\"vendor\":", out);
	json_string(out, buf);
	snprintf(buf, sizeof(buf), "%04x", d->id.device);
	fputs(",\"device\":", out);
	json_string(out, buf);
	snprintf(buf, sizeof(buf), "%06x", d->id.class);
	fputs(",\"class\":", out);
	json_string(out, buf);
	if (d->model) {
		fputs(",\"name\":", out);
		json_string(out, d->model);
	}
	if (d->iommu_group == NO_GROUP)
		fputs(",\"iommu_group\":null", out);
	else
		fprintf(out, ",\"iommu_group\":%d", d->iommu_group);
	fputs(",\"driver\":", out);
	json_string(out, d->driver);
	fputs(",\"driver_override\":", out);
	json_string(out, d->override);
	if (d->boot_vga == BOOT_VGA_ABSENT)
		fputs(",\"boot_vga\":null", out);
	else if (d->boot_vga == BOOT_VGA_ODD)
		fputs(",\"boot_vga\":\"unreadable\"", out);
	else
		fprintf(out, ",\"boot_vga\":%s", d->boot_vga == BOOT_VGA_YES ? "true" : "false");
	fprintf(out, ",\"console\":%s", device_is_console(d) ? "true" : "false");
	if (device_is_console(d)) {
		fputs(",\"console_reason\":", out);
		json_string(out, d->console);
	}
	if (d->firmware_fb[0]) {
		fputs(",\"firmware_framebuffer\":", out);
		json_string(out, d->firmware_fb);
	}
	fputs(",\"selected\":", out);
	fputs(e->by != BY_NONE ? "true" : "false", out);
	fputs(",\"action\":", out);
	json_string(out, action_name(e->action));
	fputs(",\"reason\":", out);
	json_string(out, e->reason);
	fputs(",\"via\":", out);
	json_string(out, e->via);
	fprintf(out, ",\"group_viable\":%s}", e->group_warning ? "false" : "true");
}

void output_status(FILE *out, const struct device_list *devs, const struct plan *plan,
		   bool iommu_present, bool json)
{
	if (json) {
		fprintf(out, "{\"iommu\":%s,\"devices\":[", iommu_present ? "true" : "false");
		for (size_t i = 0; i < plan->n; i++) {
			if (i)
				fputc(',', out);
			json_device(out, &plan->entry[i]);
		}
		fputs("],\"notes\":[", out);
		for (size_t i = 0; i < plan->notes.n; i++) {
			if (i)
				fputc(',', out);
			json_string(out, plan->notes.v[i]);
		}
		fputs("],\"skipped\":[", out);
		for (size_t i = 0; i < devs->skipped.n; i++) {
			if (i)
				fputc(',', out);
			json_string(out, devs->skipped.v[i]);
		}
		fputs("]}\n", out);
		return;
	}
	if (!iommu_present)
		fputs("IOMMU: off (no /sys/kernel/iommu_groups): vfio-pci cannot bind anything\n",
		      out);
	fprintf(out, "%-13s %-9s %-6s %-5s %-14s %-9s %-7s %-7s %s\n", "ADDRESS", "ID", "CLASS",
		"GROUP", "DRIVER", "OVERRIDE", "CONSOLE", "ACTION", "REASON");
	for (size_t i = 0; i < plan->n; i++) {
		const struct plan_entry *e = &plan->entry[i];
		const struct device *d = e->dev;
		char group[12] = "-";

		if (d->iommu_group != NO_GROUP)
			snprintf(group, sizeof(group), "%d", d->iommu_group);
		fprintf(out, "%-13s %04x:%04x %04x   %-5s %-14s %-9s %-7s %-7s %s%s%s%s\n", d->name,
			d->id.vendor, d->id.device, device_class16(d), group,
			d->driver[0] ? d->driver : "-", d->override[0] ? d->override : "-",
			device_is_console(d) ? "yes" : "-", action_name(e->action), e->reason,
			e->via[0] ? " (" : "", e->via, e->via[0] ? ")" : "");
		/* the name on a line of its own, under the ID, as lspci -k puts details */
		if (d->model)
			fprintf(out, "%-13s %s\n", "", d->model);
	}
	for (size_t i = 0; i < plan->notes.n; i++)
		fprintf(out, "note: %s\n", plan->notes.v[i]);
	for (size_t i = 0; i < devs->skipped.n; i++)
		fprintf(out, "note: %s\n", devs->skipped.v[i]);
	for (size_t i = 0; i < devs->n; i++) {
		const struct device *d = &devs->dev[i];

		if (!d->firmware_fb[0])
			continue;
		if (str_eq(d->driver, VFIO_DRIVER))
			fprintf(out,
				"note: %s is on vfio-pci, but the firmware framebuffer (%s) still "
				"holds memory in its BAR: a guest cannot map that BAR\n",
				d->name, d->firmware_fb);
		else
			fprintf(out,
				"note: the firmware framebuffer (%s) is in %s's BAR: that is the "
				"console\n",
				d->firmware_fb, d->name);
	}
}
