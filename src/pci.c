// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enumeration through libpci. libpci reports fatal errors through a callback that must not
 * return; ours jumps back to pci_scan(). Each device is read on its own (pci_get_dev, then
 * pci_fill_info), so one that cannot be read (its files gone mid-scan in a hot-unplug, a name
 * libpci cannot take) is skipped with a note instead of ending the enumeration: one bad
 * device must never stop the claim of the others. libpci's own scan would stop at the first
 * entry it cannot parse.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/magic.h>

#include <pci/pci.h>

#include "log.h"
#include "pci.h"
#include "root.h"
#include "sysfs.h"

jmp_buf pci_escape;
char pci_error_text[PCI_ERROR_MAX];

static void pci_on_error(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void pci_on_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_error_text, sizeof(pci_error_text), msg, ap);
	va_end(ap);
	longjmp(pci_escape, 1);
}

static void pci_on_warning(char *msg, ...) __attribute__((format(printf, 1, 2)));

static void pci_on_warning(char *msg, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(text, sizeof(text), msg, ap);
	va_end(ap);
	log_debug("libpci: %s", text);
}

static void pci_on_debug(char *msg, ...)
{
	(void)msg;
}

struct pci_access *pci_access_new(void)
{
	struct pci_access *pacc = pci_alloc();

	if (!pacc)
		return NULL;
	pacc->error = pci_on_error;
	pacc->warning = pci_on_warning;
	pacc->debug = pci_on_debug;
	return pacc;
}

static int compare_devices(const void *a, const void *b)
{
	return addr_compare(&((const struct device *)a)->id.addr,
			    &((const struct device *)b)->id.addr);
}

static void fill_device(struct device *out, struct pci_dev *p, unsigned extra)
{
	int known =
		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS |
					 ((extra & PCI_EXTRA_PROG_IF) ? PCI_FILL_CLASS_EXT : 0) |
					 ((extra & PCI_EXTRA_SUBSYS) ? PCI_FILL_SUBSYS : 0));

	*out = (struct device){
		.id.addr = {.domain = (uint32_t)p->domain,
			    .bus = p->bus,
			    .dev = p->dev,
			    .fn = p->func},
		.id.vendor = p->vendor_id,
		.id.device = p->device_id,
		.id.subvendor = (known & PCI_FILL_SUBSYS) ? p->subsys_vendor_id : 0,
		.id.subdevice = (known & PCI_FILL_SUBSYS) ? p->subsys_id : 0,
		.id.class = (uint32_t)p->device_class << 8 |
			    ((known & PCI_FILL_CLASS_EXT) ? p->prog_if : 0),
	};
	addr_format(&out->id.addr, out->name, sizeof(out->name));
	sysfs_read_state(out);
}

/* The address a devices/ entry names, if it is one in the kernel's own spelling. */
static bool entry_address(const char *name, struct pci_addr *ret)
{
	char canonical[32];
	const char *why;

	if (addr_parse(name, ret, &why) < 0)
		return false;
	addr_format(ret, canonical, sizeof(canonical));
	return str_eq(canonical, name);
}

/*
 * libpci opens the attributes it reads itself, blocking: a FIFO or a device node in a device's
 * directory would hold the scan (and the boot) forever. Finds the first entry that is neither
 * a regular file, a directory nor a link to one of those; its path into bad, or false. Only a
 * tree that is not sysfs (a --root copy) needs it: sysfs holds files, directories and links to
 * directories, nothing else.
 */
static bool has_odd_entry(const char *dir, char *bad, size_t size)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	bool odd = false;

	if (!d)
		return false; /* libpci says why */
	while (!odd && (e = readdir(d))) {
		struct stat st;

		if (e->d_type == DT_REG || e->d_type == DT_DIR)
			continue;
		snprintf(bad, size, "%s/%s", dir, e->d_name);
		odd = stat(bad, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
	}
	closedir(d);
	return odd;
}

/* The guards need to know a card has a function nobody could read: it may be the console. */
static int remember_unreadable(struct device_list *list, const struct pci_addr *addr)
{
	struct pci_addr *bigger =
		realloc(list->unreadable, (list->n_unreadable + 1) * sizeof(*bigger));

	if (!bigger)
		return -ENOMEM;
	list->unreadable = bigger;
	list->unreadable[list->n_unreadable++] = *addr;
	return 0;
}

int pci_scan(unsigned extra, struct device_list *ret)
{
	static char sysfs_dir[PATH_MAX], devices_dir[PATH_MAX + 16], entry_dir[PATH_MAX + 300],
		odd[PATH_MAX + 600];
	/* volatile: these must hold their values across a longjmp from pci_on_error(). */
	struct device *volatile devs = NULL;
	struct pci_dev *volatile p = NULL;
	volatile size_t n = 0, cap = 0;
	struct device_list list = {0};
	struct pci_access *pacc;
	struct statfs fs;
	bool real_sysfs;
	struct dirent *e;
	DIR *dir;
	int r;

	r = root_path(sysfs_dir, sizeof(sysfs_dir), "/sys/bus/pci");
	if (r < 0)
		return r;
	snprintf(devices_dir, sizeof(devices_dir), "%s/devices", sysfs_dir);
	dir = opendir(devices_dir);
	if (!dir) {
		r = -errno;
		log_error("cannot enumerate PCI devices: cannot open %s: %s", devices_dir,
			  strerror(-r));
		return r;
	}
	real_sysfs = fstatfs(dirfd(dir), &fs) == 0 && fs.f_type == SYSFS_MAGIC;
	pacc = pci_access_new();
	if (!pacc) {
		closedir(dir);
		return -ENOMEM;
	}
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (setjmp(pci_escape)) {
		log_error("cannot enumerate PCI devices: %s", pci_error_text);
		closedir(dir);
		pci_cleanup(pacc);
		return -EIO;
	}
	pci_set_param(pacc, "sysfs.path", sysfs_dir);
	pci_init(pacc);
	while ((e = readdir(dir))) {
		struct pci_addr addr;
		char shown[64];

		if (e->d_name[0] == '.')
			continue;
		if (!entry_address(e->d_name, &addr) || addr.domain > 0x7fffffff) {
			text_escape(shown, sizeof(shown), e->d_name, strlen(e->d_name));
			r = strv_addf(&list.skipped,
				      "'%s' in %s is no PCI address libpci can take; "
				      "skipping it",
				      shown, devices_dir);
			if (r < 0)
				break;
			continue;
		}
		if (n == cap) {
			size_t bigger = cap ? cap * 2 : 64;
			struct device *grown = realloc(devs, bigger * sizeof(*devs));

			if (!grown) {
				r = -ENOMEM;
				break;
			}
			devs = grown;
			cap = bigger;
		}
		snprintf(entry_dir, sizeof(entry_dir), "%s/%s", devices_dir, e->d_name);
		if (!real_sysfs && has_odd_entry(entry_dir, odd, sizeof(odd))) {
			addr_format(&addr, shown, sizeof(shown));
			r = strv_addf(&list.skipped,
				      "%s cannot be read (%s: not a regular file); "
				      "skipping it",
				      shown, odd);
			if (r < 0 || (r = remember_unreadable(&list, &addr)) < 0)
				break;
			continue;
		}
		p = pci_get_dev(pacc, (int)addr.domain, addr.bus, addr.dev, addr.fn);
		if (setjmp(pci_escape)) {
			addr_format(&addr, shown, sizeof(shown));
			pci_free_dev(p);
			p = NULL;
			r = strv_addf(&list.skipped, "%s cannot be read (%s); skipping it", shown,
				      pci_error_text);
			if (r < 0 || (r = remember_unreadable(&list, &addr)) < 0)
				break;
			continue;
		}
		/* counted only once filled: a longjmp out of fill_device() leaves no half entry */
		fill_device(&devs[n], p, extra);
		n++;
		pci_free_dev(p);
		p = NULL;
	}
	closedir(dir);
	pci_cleanup(pacc);
	if (r < 0) {
		free(devs);
		strv_free(&list.skipped);
		free(list.unreadable);
		return r;
	}
	if (n > 1)
		qsort((struct device *)devs, n, sizeof(struct device), compare_devices);
	list.dev = devs;
	list.n = n;
	*ret = list;
	return 0;
}
