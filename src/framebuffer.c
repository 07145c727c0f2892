// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/iomem lists the memory map as a tree, two spaces of indent a level:
 *   c0000000-c0ffffff : 0000:00:01.0
 *     c0000000-c02fffff : efifb
 * The names the kernel gives a firmware framebuffer's region: BOOTFB (sysfb's platform device
 * for simple-framebuffer), efifb, vesafb, simplefb (fbdev drivers), simpledrm, efidrm,
 * vesadrm (their DRM successors). Each driver requests its region busy, and it goes with the
 * driver; BOOTFB is the resource of sysfb's platform device (simple-framebuffer.0), not busy
 * in current kernels, and stays in the BAR as long as that device is registered.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "framebuffer.h"
#include "root.h"

#define IOMEM_MAX (1024 * 1024)
#define DEPTH_MAX 16

static const char *const fb_names[] = {
	"BOOTFB", "efifb", "vesafb", "simplefb", "simpledrm", "efidrm", "vesadrm",
};

static bool is_fb_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fb_names); i++)
		if (str_eq(name, fb_names[i]))
			return true;
	return false;
}

bool framebuffer_is_platform_device(const char *name)
{
	static const char *const kinds[] = {"efi-framebuffer.", "simple-framebuffer.",
					    "vesa-framebuffer."};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i]);

		if (strncmp(name, kinds[i], n) == 0 && name[n] &&
		    strspn(name + n, "0123456789") == strlen(name + n) && strlen(name + n) < 8)
			return true;
	}
	return false;
}

static int device_named(const struct device_list *devs, const char *name)
{
	struct pci_addr addr;
	const char *why;
	const struct device *d;

	if (addr_parse(name, &addr, &why) < 0 || !(d = device_find(devs, &addr)))
		return -1;
	return (int)(d - devs->dev);
}

/* The device one of whose BARs (resource lines 0-5) holds [start, end], or -1. */
static int device_holding(const struct device_list *devs, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < devs->n; i++) {
		char path[PATH_MAX], *text, *line, *save = NULL;
		int found = 0, bar = 0;

		if (root_path(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
			      devs->dev[i].name) < 0 ||
		    file_read(path, 65536, &text, NULL) < 0)
			continue;
		for (line = strtok_r(text, "\n", &save); line && bar < 6 && !found;
		     line = strtok_r(NULL, "\n", &save), bar++) {
			uint64_t s, e, flags;

			if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &s, &e, &flags) == 3 &&
			    e > s && start >= s && end <= e)
				found = 1;
		}
		free(text);
		if (found)
			return (int)i;
	}
	return -1;
}

int framebuffer_find(const struct device_list *devs, struct firmware_fbs *ret)
{
	int parents[DEPTH_MAX]; /* per depth: the device named by the enclosing region, or -1 */
	struct firmware_fbs fbs = {0};
	char path[PATH_MAX], *text, *line, *save = NULL;
	int r;

	*ret = fbs;
	r = root_path(path, sizeof(path), "/proc/iomem");
	if (r < 0)
		return r;
	r = file_read(path, IOMEM_MAX, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	/* found by fuzz/iomem: a line may be indented deeper than the one before it */
	for (size_t d = 0; d < DEPTH_MAX; d++)
		parents[d] = -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t indent = strspn(line, " ");
		unsigned depth = (unsigned)(indent / 2);
		char name[64] = "";
		uint64_t start, end;
		struct firmware_fb *bigger;

		if (depth >= DEPTH_MAX ||
		    sscanf(line + indent, "%" SCNx64 "-%" SCNx64 " : %63[^\n]", &start, &end,
			   name) != 3)
			continue;
		parents[depth] = device_named(devs, name);
		if (parents[depth] < 0 && depth > 0)
			parents[depth] = parents[depth - 1];
		for (unsigned d = depth + 1; d < DEPTH_MAX; d++)
			parents[d] = -1; /* a sibling's children are not this line's */
		if (!is_fb_name(name))
			continue;
		bigger = realloc(fbs.fb, (fbs.n + 1) * sizeof(*bigger));
		if (!bigger) {
			r = -ENOMEM;
			break;
		}
		fbs.fb = bigger;
		bigger = &fbs.fb[fbs.n++];
		copy_str(bigger->name, sizeof(bigger->name), name);
		bigger->start = start;
		bigger->end = end;
		bigger->driver_region = !str_eq(name, "BOOTFB");
		bigger->device = depth > 0 ? parents[depth - 1] : -1;
		/* not nested (BOOTFB may be entered before the BARs): compare the ranges */
		if (bigger->device < 0 && end > start)
			bigger->device = device_holding(devs, start, end);
	}
	free(text);
	if (r < 0) {
		framebuffer_free(&fbs);
		return r;
	}
	*ret = fbs;
	return 0;
}

void framebuffer_free(struct firmware_fbs *fbs)
{
	free(fbs->fb);
	*fbs = (struct firmware_fbs){0};
}

void framebuffer_mark_console(struct device_list *devs, const struct firmware_fbs *fbs)
{
	for (size_t i = 0; i < fbs->n; i++) {
		struct device *d;

		if (fbs->fb[i].device < 0)
			continue;
		d = &devs->dev[fbs->fb[i].device];
		copy_str(d->firmware_fb, sizeof(d->firmware_fb), fbs->fb[i].name);
		if (d->boot_vga == BOOT_VGA_YES)
			continue; /* the boot VGA says it already */
		snprintf(d->console, sizeof(d->console),
			 "holds the firmware framebuffer (%s) in its memory: the host console",
			 fbs->fb[i].name);
	}
}
