// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vfio-claim release ADDR...": the way back. A device that a hand-over took comes back as
 * its record says (handover.h), with the other functions that hand-over took; every other
 * device named the plain way: the override is cleared first, so the probe that follows the
 * unbind lets the host driver (if loaded) take the device again. Nothing is taken from a VM
 * that holds the device through VFIO, and the run holds the claim's lock, so a claim pass
 * (a udev worker's trampoline, the hook's prepare begin) never runs half way through it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"
#include "handover.h"
#include "lock.h"
#include "log.h"
#include "pci.h"
#include "sysfs.h"

#define LOCK_WAIT_S 30

static int clear_override(struct device *d)
{
	int r = sysfs_set_override(d, NULL);

	if (r < 0)
		log_error("%s: cannot clear driver_override (%s)", d->name, file_strerror(r));
	return r;
}

static int release_one(struct device *d)
{
	int r;

	sysfs_read_state(d); /* as it is now: an earlier operand may have moved it */
	if (d->driver[0] && !str_eq(d->driver, VFIO_DRIVER)) {
		if (!str_eq(d->override, VFIO_DRIVER)) {
			log_notice("%s: on %s, not on vfio-pci; leaving it", d->name, d->driver);
			return 0;
		}
		/* What a failed --unbind leaves: the next rebind would find no driver. */
		r = clear_override(d);
		if (r == 0)
			log_notice("%s [%04x:%04x] released: stays on %s; its driver_override="
				   "vfio-pci is cleared",
				   d->name, d->id.vendor, d->id.device, d->driver);
		return r;
	}
	if (d->driver[0] && handover_in_use(d))
		return -EBUSY;
	if (d->override[0] && (r = clear_override(d)) < 0)
		return r;
	if (d->driver[0]) {
		r = sysfs_unbind(d);
		if (r < 0) {
			log_error("%s: cannot unbind it from vfio-pci (%s)", d->name,
				  file_strerror(r));
			return r;
		}
	}
	r = sysfs_probe(d);
	if (r < 0)
		log_debug("%s: probe request failed (%s)", d->name, file_strerror(r));
	sysfs_read_state(d);
	if (str_eq(d->driver, VFIO_DRIVER)) {
		log_error("%s [%04x:%04x] not released: still on vfio-pci after the unbind (is it "
			  "in use by a VM, or named in vfio-pci's ids=?)",
			  d->name, d->id.vendor, d->id.device);
		return -EBUSY;
	}
	if (d->driver[0])
		log_notice("%s [%04x:%04x] released: now on %s", d->name, d->id.vendor,
			   d->id.device, d->driver);
	else
		log_notice("%s [%04x:%04x] released: no driver took it (is its host driver "
			   "loaded?)",
			   d->name, d->id.vendor, d->id.device);
	return 0;
}

/* One operand: through its hand-over record, or the plain way. */
static int release_operand(struct device_list *devs, struct device *d, const char *domain,
			   bool *covered, struct outcome *out)
{
	int r = handover_release(devs, d, domain, covered);

	if (r == HANDOVER_UNUSABLE)
		out->failures++;
	if (r == HANDOVER_NONE || r == HANDOVER_UNUSABLE)
		r = release_one(d);
	return r;
}

void release_run(const struct args *a, struct outcome *out)
{
	struct device_list devs;
	bool *covered;
	int lock;

	if (pci_scan(PCI_EXTRA_ALL, &devs) < 0) {
		out->cannot_run = true;
		return;
	}
	/* covered[i]: a record put back (or left) devs.dev[i] already in this run */
	covered = calloc(devs.n ? devs.n : 1, sizeof(*covered));
	if (!covered) {
		device_list_free(&devs);
		out->cannot_run = true;
		return;
	}
	lock = lock_take_claim(LOCK_WAIT_S, "releasing without it", "releasing", false);
	for (int i = 0; i < a->n_operands; i++) {
		const char *why = NULL;
		struct pci_addr addr;
		struct device *d;

		if (addr_parse(a->operands[i], &addr, &why) < 0) {
			log_error("bad address '%.40s': %s", a->operands[i], why);
			out->usage = true;
			continue;
		}
		d = device_find(&devs, &addr);
		if (!d) {
			log_error("%s: no such device", a->operands[i]);
			out->failures++;
			continue;
		}
		if (covered[d - devs.dev])
			continue; /* its hand-over's record was put back (or left) already */
		if (release_operand(&devs, d, a->domain, covered, out) < 0)
			out->failures++;
	}
	if (lock >= 0)
		close(lock);
	free(covered);
	device_list_free(&devs);
}
