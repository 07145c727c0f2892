// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The override goes first, so from that moment only vfio-pci can bind the device. Devices a
 * host driver holds are not unbound here: their cards are handed over (handover.c), which
 * checks who holds them first and can put everything back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "clock.h"
#include "fileio.h"
#include "sysfs.h"

static void fail(struct plan_entry *e, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void fail(struct plan_entry *e, const char *fmt, ...)
{
	va_list ap;

	e->failed = true;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

void apply_detach(struct plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *e = &plan->entry[i];
		const struct device *d = e->dev;
		int r;

		if (e->action != ACTION_CLAIM || e->failed || e->handover)
			continue;
		r = sysfs_set_override(d, VFIO_DRIVER);
		if (r < 0)
			fail(e, "cannot write driver_override (%s); device left as it was",
			     file_strerror(r));
	}
}

bool apply_needs_driver(const struct plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->entry[i].action == ACTION_CLAIM && !plan->entry[i].failed)
			return true;
	return false;
}

/* Watches an unbound device's driver link until the deadline (clock_ms()), in 10 ms steps. */
static void settle(const struct device *d, char *driver, size_t size, long deadline)
{
	while (!driver[0] && clock_ms() < deadline) {
		sleep_ms(10);
		sysfs_read_driver(d, driver, size);
	}
}

void apply_bind(struct plan *plan, int module_error, const struct module_report *report,
		int settle_ms)
{
	/* One deadline for the pass, not settle_ms a device: devices vfio-pci refuses (they
	 * stay unbound in every pass) would otherwise hold a late pass, and the lock, for
	 * settle_ms each, and the device that just came would wait behind them. */
	long deadline = clock_ms() + settle_ms;

	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *e = &plan->entry[i];
		struct device *d = e->dev;
		int r;

		if (e->action != ACTION_CLAIM || e->failed)
			continue;
		if (!sysfs_device_present(d)) {
			fail(e, "%s", "the device disappeared before it could be bound");
			continue;
		}
		/* Loading vfio-pci binds overridden devices itself; the probe covers the rest. */
		sysfs_read_driver(d, d->driver, sizeof(d->driver));
		if (!d->driver[0]) {
			r = sysfs_probe(d);
			if (r < 0 && module_error == 0)
				fail(e, "the kernel refused the probe request (%s)",
				     file_strerror(r));
		}
		r = sysfs_read_driver(d, d->driver, sizeof(d->driver));
		if (r == 0 && module_error == 0 && !e->failed)
			settle(d, d->driver, sizeof(d->driver), deadline);
		sysfs_read_override(d);
		if (r < 0 && !e->failed)
			fail(e, "cannot read its driver link (%s)", strerror(-r));
		if (e->failed)
			continue;
		if (str_eq(d->driver, VFIO_DRIVER)) {
			e->action = ACTION_CLAIMED;
			snprintf(e->reason, sizeof(e->reason), "bound to vfio-pci");
		} else if (d->driver[0]) {
			fail(e, "ended on %s instead of vfio-pci", d->driver);
		} else if (module_error < 0) {
			fail(e,
			     "not bound: vfio-pci is not available (%.120s); driver_override "
			     "stays, so no host driver takes it",
			     report->detail ? report->detail : "?");
		} else {
			fail(e, "%s",
			     "vfio-pci did not bind it although the kernel accepted the "
			     "probe (see vfio-pci's error in dmesg)");
		}
	}
}
