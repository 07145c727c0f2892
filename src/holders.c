// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding who holds a card (see holders.h). A device node is named by sysfs: the entries of
 * devices/ADDR/drm/ (card0, renderD128) are /dev/dri/NAME, those of devices/ADDR/sound/cardN/
 * (controlC0, pcmC0D3p) /dev/snd/NAME, devices/ADDR/graphics/fbN is /dev/fbN. A process
 * holds a node when one of its /proc/PID/fd links points to it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "holders.h"
#include "root.h"
#include "sysfs.h"

struct node {
	char path[NAME_MAX + 16]; /* "/dev/dri/card0" */
	const char *device;	  /* the function's name */
};

struct nodes {
	struct node *v;
	size_t n;
};

static int add_node(struct nodes *nodes, const char *dir, const char *name, const char *device)
{
	struct node *bigger = realloc(nodes->v, (nodes->n + 1) * sizeof(*bigger));

	if (!bigger)
		return -ENOMEM;
	nodes->v = bigger;
	snprintf(bigger[nodes->n].path, sizeof(bigger[0].path), "/dev/%s%s", dir, name);
	bigger[nodes->n++].device = device;
	return 0;
}

/* The entries of <root>/sys/bus/pci/devices/DEV/SUB whose names start with one of prefixes. */
static int add_nodes_in(struct nodes *nodes, const struct device *d, const char *sub,
			const char *const *prefixes, const char *devdir, char *ret_fb,
			size_t fb_size)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	if (root_path(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", d->name, sub) < 0 ||
	    !(dir = opendir(path)))
		return 0;
	while (r == 0 && (e = readdir(dir)))
		for (const char *const *p = prefixes; *p && r == 0; p++)
			if (strncmp(e->d_name, *p, strlen(*p)) == 0) {
				r = add_node(nodes, devdir, e->d_name, d->name);
				if (ret_fb && !ret_fb[0])
					copy_str(ret_fb, fb_size, e->d_name);
			}
	closedir(dir);
	return r;
}

static int card_nodes(const struct device *d, struct nodes *nodes, char *ret_fb, size_t fb_size)
{
	static const char *const drm[] = {"card", "renderD", NULL};
	static const char *const snd[] = {"controlC", "pcmC", "hwC", "midiC", NULL};
	static const char *const fb[] = {"fb", NULL};
	char path[PATH_MAX], sub[NAME_MAX + 8];
	struct dirent *e;
	DIR *dir;
	int r;

	r = add_nodes_in(nodes, d, "drm", drm, "dri/", NULL, 0);
	if (r == 0)
		r = add_nodes_in(nodes, d, "graphics", fb, "", ret_fb, fb_size);
	if (r < 0 || root_path(path, sizeof(path), "/sys/bus/pci/devices/%s/sound", d->name) < 0 ||
	    !(dir = opendir(path)))
		return r;
	while (r == 0 && (e = readdir(dir)))
		if (strncmp(e->d_name, "card", 4) == 0) {
			snprintf(sub, sizeof(sub), "sound/%s", e->d_name);
			r = add_nodes_in(nodes, d, sub, snd, "snd/", NULL, 0);
		}
	closedir(dir);
	return r;
}

/* The deepest .service or .scope of the process's cgroup path: its systemd unit. */
static void process_unit(const char *pid, char *unit, size_t size)
{
	char path[PATH_MAX], *text, *save = NULL;

	unit[0] = '\0';
	if (root_path(path, sizeof(path), "/proc/%s/cgroup", pid) < 0 ||
	    file_read(path, 65536, &text, NULL) < 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cg = strrchr(line, ':'), *save2 = NULL;

		/* cgroup v2 ("0::/path") or v1's systemd hierarchy ("1:name=systemd:/path") */
		if (!cg || !(strncmp(line, "0::", 3) == 0 || strstr(line, ":name=systemd:")))
			continue;
		for (char *c = strtok_r(cg + 1, "/", &save2); c; c = strtok_r(NULL, "/", &save2)) {
			size_t n = strlen(c);

			if ((n > 8 && str_eq(c + n - 8, ".service")) ||
			    (n > 6 && str_eq(c + n - 6, ".scope")))
				copy_str(unit, size, c);
		}
		if (unit[0])
			break;
	}
	free(text);
}

static int add_process(struct holders *h, const char *pid, const struct node *node)
{
	struct holder_process *bigger, *p;
	char path[PATH_MAX];

	bigger = realloc(h->proc, (h->n_proc + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	h->proc = bigger;
	p = &h->proc[h->n_proc++];
	*p = (struct holder_process){.pid = (pid_t)atoi(pid)};
	copy_str(p->node, sizeof(p->node), node->path);
	copy_str(p->device, sizeof(p->device), node->device);
	if (root_path(path, sizeof(path), "/proc/%s/comm", pid) < 0 ||
	    attr_read(path, p->comm, sizeof(p->comm)) < 0)
		copy_str(p->comm, sizeof(p->comm), "?");
	process_unit(pid, p->unit, sizeof(p->unit));
	return 0;
}

static bool is_pid(const char *name)
{
	for (const char *c = name; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	return *name != '\0';
}

/* Every process with one of the nodes open, once per process and node. */
static int find_processes(struct holders *h, const struct nodes *nodes)
{
	char proc[PATH_MAX];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	if (nodes->n == 0 || root_path(proc, sizeof(proc), "/proc") < 0 || !(dir = opendir(proc)))
		return 0;
	while (r == 0 && (e = readdir(dir))) {
		char fds[PATH_MAX + 300], link[PATH_MAX * 2], target[PATH_MAX];
		bool *seen;
		struct dirent *f;
		DIR *fdir;

		if (!is_pid(e->d_name))
			continue;
		snprintf(fds, sizeof(fds), "%s/%s/fd", proc, e->d_name);
		if (!(fdir = opendir(fds)))
			continue; /* gone, or not ours to look at */
		seen = calloc(nodes->n, sizeof(*seen));
		while (seen && r == 0 && (f = readdir(fdir))) {
			ssize_t k;

			snprintf(link, sizeof(link), "%s/%s", fds, f->d_name);
			k = readlink(link, target, sizeof(target) - 1);
			if (k <= 0)
				continue;
			target[k] = '\0';
			for (size_t i = 0; i < nodes->n && r == 0; i++)
				if (!seen[i] && str_eq(target, nodes->v[i].path)) {
					seen[i] = true;
					r = add_process(h, e->d_name, &nodes->v[i]);
				}
		}
		if (!seen)
			r = -ENOMEM;
		free(seen);
		closedir(fdir);
	}
	closedir(dir);
	return r;
}

/* fbcon bound while the card has the console's framebuffer: that vtcon holds the card. */
static void find_vtcon(struct holders *h, bool console_card)
{
	/*
	 * fbcon draws on fb0 unless told otherwise (fbcon=map:). A console card is the console's
	 * whether its framebuffer is its driver's or the firmware's (efifb's fb0 belongs to the
	 * platform device efi-framebuffer.0, not to the card).
	 */
	if (!console_card && !str_eq(h->fb_node, "fb0"))
		return;
	if (sysfs_fbcon_vtcon(h->vtcon, sizeof(h->vtcon)) < 0)
		h->vtcon[0] = '\0';
}

static void find_module(struct holders *h, const struct device *d)
{
	char path[PATH_MAX], value[16];
	unsigned long refs;

	h->module_refs = -1;
	if (!d->driver[0] ||
	    root_path(path, sizeof(path), "/sys/bus/pci/drivers/%s/module", d->driver) < 0 ||
	    link_read_name(path, h->module, sizeof(h->module)) < 0)
		return;
	if (root_path(path, sizeof(path), "/sys/module/%s/refcnt", h->module) == 0 &&
	    attr_read(path, value, sizeof(value)) == 0 && parse_uint(value, 0, INT_MAX, &refs) == 0)
		h->module_refs = (int)refs;
}

int holders_find(const struct device_list *devs, size_t lo, size_t hi, struct holders *ret)
{
	struct holders h = {.module_refs = -1};
	struct firmware_fbs fbs = {0};
	struct nodes nodes = {0};
	const struct device *main_fn = &devs->dev[lo];
	bool console_card = false;
	int r = 0;

	/* the card's main function: its console function, else its display, else its first */
	for (size_t i = hi + 1; i-- > lo;)
		if (device_base_class(&devs->dev[i]) == 0x03)
			main_fn = &devs->dev[i];
	for (size_t i = lo; i <= hi && r == 0; i++) {
		const struct device *d = &devs->dev[i];

		if (device_is_console(d)) {
			main_fn = d;
			console_card = true;
		}
		r = card_nodes(d, &nodes, h.fb_node, sizeof(h.fb_node));
	}
	if (r == 0)
		r = find_processes(&h, &nodes);
	free(nodes.v);
	if (r == 0) {
		find_vtcon(&h, console_card);
		find_module(&h, main_fn);
		if (framebuffer_find(devs, &fbs) == 0) {
			/* only those in this card's BARs */
			size_t kept = 0;

			for (size_t i = 0; i < fbs.n; i++)
				if (fbs.fb[i].device >= (int)lo && fbs.fb[i].device <= (int)hi)
					fbs.fb[kept++] = fbs.fb[i];
			fbs.n = kept;
			h.firmware = fbs;
		}
	}
	if (r < 0) {
		holders_free(&h);
		return r;
	}
	*ret = h;
	return 0;
}

void holders_free(struct holders *h)
{
	free(h->proc);
	framebuffer_free(&h->firmware);
	*h = (struct holders){0};
}

bool holders_all_in_units(const struct holders *h, const char *const *units, size_t n_units)
{
	for (size_t i = 0; i < h->n_proc; i++) {
		bool allowed = false;

		for (size_t k = 0; k < n_units && !allowed; k++)
			allowed = h->proc[i].unit[0] && str_eq(h->proc[i].unit, units[k]);
		if (!allowed)
			return false;
	}
	return true;
}
