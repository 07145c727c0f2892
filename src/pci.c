// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enumeration through libpci. libpci reports fatal errors through a callback that must not
 * return; ours jumps back to pci_scan(), which turns it into -EIO with the message kept.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "log.h"
#include "pci.h"
#include "root.h"
#include "sysfs.h"

static jmp_buf pci_escape;
static char pci_error_text[256];

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

static int compare_devices(const void *a, const void *b)
{
	const struct pci_addr *x = &((const struct device *)a)->id.addr;
	const struct pci_addr *y = &((const struct device *)b)->id.addr;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus - y->bus;
	if (x->dev != y->dev)
		return x->dev - y->dev;
	return x->fn - y->fn;
}

static void fill_device(struct device *out, struct pci_dev *p)
{
	int known = pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
					     PCI_FILL_SUBSYS);

	*out = (struct device){
		.id = {
			.addr = {.domain = (uint32_t)p->domain, .bus = p->bus, .dev = p->dev,
				 .fn = p->func},
			.vendor = p->vendor_id,
			.device = p->device_id,
			.subvendor = (known & PCI_FILL_SUBSYS) ? p->subsys_vendor_id : 0,
			.subdevice = (known & PCI_FILL_SUBSYS) ? p->subsys_id : 0,
			.class = (uint32_t)p->device_class << 8 |
				 ((known & PCI_FILL_CLASS_EXT) ? p->prog_if : 0),
		},
	};
	addr_format(&out->id.addr, out->name, sizeof(out->name));
	sysfs_read_state(out);
}

int pci_scan(struct device_list *ret)
{
	static char sysfs_dir[PATH_MAX];
	/* volatile: these must hold their values across the longjmp from pci_on_error(). */
	struct device *volatile devs = NULL;
	volatile size_t n = 0, cap = 0;
	struct pci_access *pacc;
	struct pci_dev *p;
	int r;

	r = root_path(sysfs_dir, sizeof(sysfs_dir), "/sys/bus/pci");
	if (r < 0)
		return r;
	pacc = pci_alloc();
	if (!pacc)
		return -ENOMEM;
	pacc->error = pci_on_error;
	pacc->warning = pci_on_warning;
	pacc->debug = pci_on_debug;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	if (setjmp(pci_escape)) {
		/* libpci gave up part way; what it allocated is released with the context. */
		log_error("cannot enumerate PCI devices: %s", pci_error_text);
		free(devs);
		pci_cleanup(pacc);
		return -EIO;
	}
	pci_set_param(pacc, "sysfs.path", sysfs_dir);
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (p = pacc->devices; p; p = p->next) {
		if (n == cap) {
			size_t bigger = cap ? cap * 2 : 64;
			struct device *grown = realloc(devs, bigger * sizeof(*devs));

			if (!grown) {
				free(devs);
				pci_cleanup(pacc);
				return -ENOMEM;
			}
			devs = grown;
			cap = bigger;
		}
		fill_device(&devs[n++], p);
	}
	pci_cleanup(pacc);
	if (n > 1)
		qsort((struct device *)devs, n, sizeof(struct device), compare_devices);
	*ret = (struct device_list){.dev = devs, .n = n};
	return 0;
}
