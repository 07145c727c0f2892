/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Carrying out a plan: driver_override and unbind, then (main loads vfio-pci) a probe and
 * the check that the device really ended on vfio-pci (drivers_probe says "done" even when
 * nothing bound).
 */
#pragma once

#include <stdbool.h>

#include "module.h"
#include "plan.h"

/* Writes driver_override for every ACTION_CLAIM entry not handed over (handover.h). */
void apply_detach(struct plan *plan);

/* True when some entry still has to be bound. */
bool apply_needs_driver(const struct plan *plan);

/*
 * Asks the kernel to probe each claimed device and reads back its driver link. Entries end
 * as ACTION_CLAIMED or failed, with the reason. module_error/report say why vfio-pci may be
 * missing, so the failure can name the cause. settle_ms: how long, from the start of the call
 * (for all devices together), a device the probe left unbound is watched for the kernel
 * binding it itself (a hot-plugged device is announced before drivers may match it; the
 * kernel then attaches it, to vfio-pci by its override).
 */
void apply_bind(struct plan *plan, int module_error, const struct module_report *report,
		int settle_ms);
