/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hand-over of a card the host is using, made one checked, recorded and reversible step
 * (what the single-GPU guides' hook scripts do by hand). It runs for every card a claim takes
 * while a host driver holds one of its functions (claim --unbind: at run time, the libvirt
 * hook) or while it is the console (--allow-boot-vga, at boot too):
 *   1. who holds it (holders.h): processes make it refuse, with their names and units, unless
 *      all of them run in units it may stop (runtime-stop-units, --stop-units; an alias such
 *      as display-manager.service counts for the unit it names): those are stopped and waited
 *      for (at most HANDOVER_STOP_SECONDS). The unit vfio-claim itself runs in is never
 *      stopped: that would end the run half way;
 *   2. the virtual console is detached from the card's framebuffer (vtconsole bind = 0);
 *   3. the firmware framebuffer in its BARs is released (its platform driver unbound), and no
 *      framebuffer driver's range may be left in them;
 *   4. every function gets its override, and those a host driver holds are unbound.
 * Then main loads vfio-pci and apply_bind() verifies; handover_end() keeps the hand-over only
 * when every function it took is on vfio-pci and no firmware framebuffer range is left in the
 * BARs (sysfb's BOOTFB goes only when vfio-pci's probe unregisters its device), and records
 * what it changed (handover-record.h), so that `release` puts back exactly that: each
 * function on its own driver again, the framebuffer and the console, the units started again.
 * A hand-over that fails part way is undone, and each thing that could not be put back is
 * logged on a line of its own.
 */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "handover-record.h"
#include "plan.h"
#include "settings.h"

#define HANDOVER_STOP_SECONDS 30

struct handover_card;

struct handover {
	struct handover_card *card;
	size_t n;
	const char *domain;  /* --domain: recorded, so another domain's release leaves it */
	struct strv allowed; /* the units that may be stopped, with what their aliases name */
};

/*
 * Steps 1-4 for every card that needs a hand-over; its entries are marked (e->handover) so
 * apply_detach() leaves them alone, and failed with the reason when a step fails. domain is
 * the libvirt domain it is for, or NULL.
 */
int handover_begin(struct device_list *devs, struct plan *plan, const struct settings *set,
		   const char *domain, struct handover *ret);

/* After apply_bind(): record each card all of whose taken functions are on vfio-pci, with its
 * BARs free, undo the others. */
void handover_end(struct handover *ho, struct plan *plan);

void handover_free(struct handover *ho);

/* systemctl --no-block VERB -- UNIT; its exit status, or -errno when it could not run. */
int handover_systemctl(const char *verb, const char *unit);

/* What handover_release() did with a device (> 0; -errno when part of it failed). */
enum {
	HANDOVER_NONE = 0,     /* no record lists it: release it the plain way */
	HANDOVER_DONE = 1,     /* its record was put back, or left for its own domain */
	HANDOVER_UNUSABLE = 2, /* its slot's record could not be used (logged): release it
				  the plain way, and count the failure */
};

/*
 * release of d: the record that lists d is put back whole (every function it took, the
 * framebuffer, the console, the units), each step logged, and removed; what could not be put
 * back stays in it for another release. Nothing is done while a process holds one of its
 * functions through VFIO (a VM runs), or when the record is another domain's than domain
 * (non-NULL: the hook's release end). covered[i] is set for each function of devs the record
 * names, so that release does not take them again.
 */
int handover_release(struct device_list *devs, const struct device *d, const char *domain,
		     bool *covered);

/* release's first check of a device on vfio-pci: true, and said with the processes' names,
 * while a process holds it through VFIO (/dev/vfio/GROUP: a VM's QEMU). */
bool handover_in_use(const struct device *d);
