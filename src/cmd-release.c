// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vfio-claim release ADDR...": the way back. The override is cleared first, so the probe
 * that follows the unbind lets the host driver (if loaded) take the device again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "fileio.h"
#include "handover.h"
#include "log.h"
#include "pci.h"
#include "sysfs.h"

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
				   "vfio-pci is cleared", d->name, d->id.vendor, d->id.device,
				   d->driver);
		return r;
	}
	if (d->override[0] && (r = clear_override(d)) < 0)
		return r;
	if (d->driver[0]) {
		r = sysfs_unbind(d);
		if (r < 0) {
			log_error("%s: cannot unbind it from vfio-pci (%s)", d->name, file_strerror(r));
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

/* True when another function of d's card was released with its card's record already. */
static bool slot_done(const struct device_list *devs, const struct device *d, const bool *done)
{
	size_t lo, hi;

	device_card(devs, d, &lo, &hi);
	for (size_t i = lo; i <= hi; i++)
		if (done[i])
			return true;
	return false;
}

void release_run(const struct args *a, struct outcome *out)
{
	struct device_list devs;
	bool *done;
	int r;

	if (pci_scan(PCI_EXTRA_ALL, &devs) < 0) {
		out->cannot_run = true;
		return;
	}
	done = calloc(devs.n ? devs.n : 1, sizeof(*done));
	if (!done) {
		device_list_free(&devs);
		out->cannot_run = true;
		return;
	}
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
		/* a handed-over card comes back whole, as its record says, once */
		if (slot_done(&devs, d, done))
			continue;
		r = handover_release(&devs, d);
		if (r > 0)
			done[d - devs.dev] = true;
		else if (r == 0)
			r = release_one(d);
		if (r < 0)
			out->failures++;
	}
	free(done);
	device_list_free(&devs);
}
