/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hand-over of a card the host is using, made one checked, recorded and reversible step
 * (what the single-GPU guides' hook scripts do by hand). It runs for every card a claim takes
 * while a host driver holds one of its functions (claim --unbind: at run time, the libvirt
 * hook) or while it is the console (--allow-boot-vga, at boot too):
 *   1. who holds it (holders.h): processes make it refuse, with their names and units, unless
 *      all of them run in units it may stop (runtime-stop-units, --stop-units): those are
 *      stopped and waited for (at most HANDOVER_STOP_SECONDS);
 *   2. the virtual console is detached from the card's framebuffer (vtconsole bind = 0);
 *   3. the firmware framebuffer in its BARs is released (its platform driver unbound), and no
 *      framebuffer range may be left in them;
 *   4. every function gets its override, and those a host driver holds are unbound.
 * Then main loads vfio-pci and apply_bind() verifies; handover_end() keeps the hand-over only
 * when every function of the card is on vfio-pci, and records what it changed in
 * <root>/run/vfio-claim/handover/SLOT, so that `release` puts back exactly that: each function
 * on its own driver again, the framebuffer and the console, the units started again. A
 * hand-over that fails part way is undone, and what could not be put back is said.
 */
#pragma once

#include <stdbool.h>

#include "device.h"
#include "plan.h"
#include "settings.h"

#define HANDOVER_STOP_SECONDS 30
#define HANDOVER_DIR "/run/vfio-claim/handover"

struct handover_card;

struct handover {
	struct handover_card *card;
	size_t n;
};

/*
 * Steps 1-4 for every card that needs a hand-over; its entries are marked (e->handover) so
 * apply_detach() leaves them alone, and failed with the reason when a step fails.
 */
int handover_begin(struct device_list *devs, struct plan *plan, const struct settings *set,
		   struct handover *ret);

/* After apply_bind(): record each card all of whose taken functions are on vfio-pci, undo the
 * others. */
void handover_end(struct handover *ho, struct plan *plan);

void handover_free(struct handover *ho);

/*
 * release of a function of a handed-over card: puts the whole card back as its record says,
 * logs each step; 1 when there was a record (0 when none: release does the plain way back),
 * -errno when part of it could not be put back.
 */
int handover_release(struct device_list *devs, const struct device *d);
