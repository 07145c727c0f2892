// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hand-over (see handover.h): steps 1-4 before the claim, the check and the record after
 * it. Every change is remembered as it is made, so that a failure at any step undoes exactly
 * what was done before it, in the reverse order. The record's format is handover-record.h's;
 * putting a record back is handover-release.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fileio.h"
#include "handover.h"
#include "holders.h"
#include "log.h"
#include "program.h"
#include "sysfs.h"
#include "units.h"

struct handover_card {
	size_t lo, hi;					    /* its functions in the device list */
	char slot[16];					    /* "0000:03:00" */
	char former[RECORD_FUNCTIONS_MAX][DRIVER_NAME_MAX]; /* per function: the driver it was on */
	bool touched[RECORD_FUNCTIONS_MAX];		    /* override written */
	char vtcon[64];					    /* detached */
	char fb_dev[NAME_MAX + 1], fb_driver[DRIVER_NAME_MAX]; /* released */
	bool fb_in_bar;	     /* its BAR held the firmware framebuffer */
	struct strv stopped; /* units stopped */
	bool failed;
	struct device_list *devs;
};

static bool is_taken(const struct plan_entry *e)
{
	return (e->action == ACTION_CLAIM || e->action == ACTION_CLAIMED) && !e->failed;
}

/* A card needs a hand-over when a claim takes a function a host driver holds, or its console. */
static bool needs_handover(const struct device_list *devs, const struct plan *plan, size_t lo,
			   size_t hi)
{
	for (size_t i = lo; i <= hi; i++) {
		const struct plan_entry *e = &plan->entry[i];

		if (e->action == ACTION_CLAIM && !e->failed &&
		    (e->unbind || device_is_console(&devs->dev[i])))
			return true;
	}
	return false;
}

static void card_fail(struct handover_card *c, struct plan *plan, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* Every taken function of the card fails, with one reason. */
static void card_fail(struct handover_card *c, struct plan *plan, const char *fmt, ...)
{
	char reason[PLAN_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->failed = true;
	for (size_t i = c->lo; i <= c->hi; i++) {
		struct plan_entry *e = &plan->entry[i];

		if (e->action != ACTION_CLAIM && e->action != ACTION_CLAIMED)
			continue;
		e->failed = true;
		copy_str(e->reason, sizeof(e->reason), reason);
	}
}

int handover_systemctl(const char *verb, const char *unit)
{
	const char *argv[] = {"systemctl", "--no-block", verb, "--", unit, NULL};

	return program_run(argv);
}

/* The distinct units of the holders, in the order they hold the card. */
static int units_to_stop(const struct holders *h, struct strv *ret)
{
	struct strv units = {0};

	for (size_t i = 0; i < h->n_proc; i++) {
		bool listed = false;

		for (size_t k = 0; k < units.n && !listed; k++)
			listed = str_eq(units.v[k], h->proc[i].unit);
		if (!listed && strv_addf(&units, "%s", h->proc[i].unit) < 0) {
			strv_free(&units);
			return -ENOMEM;
		}
	}
	*ret = units;
	return 0;
}

/* After stopping: the holders gone, or still there after HANDOVER_STOP_SECONDS. */
static int wait_for_holders(struct handover_card *c, struct plan *plan)
{
	char who[PLAN_REASON_MAX];
	struct holders again;

	for (long deadline = clock_ms() + HANDOVER_STOP_SECONDS * 1000L;;) {
		if (holders_find(c->devs, c->lo, c->hi, &again) < 0)
			return -ENOMEM;
		if (again.n_proc == 0) {
			holders_free(&again);
			return 0;
		}
		if (clock_ms() >= deadline) {
			holders_describe(&again, who, sizeof(who));
			holders_free(&again);
			card_fail(c, plan,
				  "still held by %s %d s after stopping its units; not "
				  "handed over",
				  who, HANDOVER_STOP_SECONDS);
			return -ETIMEDOUT;
		}
		holders_free(&again);
		sleep_ms(100);
	}
}

/* Step 1: nobody may hold the card, or only units we may stop (stopped and waited for). */
static int free_from_processes(struct handover_card *c, struct plan *plan,
			       const struct handover *ho, const struct holders *h)
{
	char who[PLAN_REASON_MAX];
	struct strv units;
	int r = 0;

	holders_describe(h, who, sizeof(who));
	if (!holders_all_in_units(h, (const char *const *)ho->allowed.v, ho->allowed.n)) {
		card_fail(c, plan,
			  "held by %s; not handed over: stop them first, or list their "
			  "units in runtime-stop-units (--stop-units)",
			  who);
		return -EBUSY;
	}
	if (units_to_stop(h, &units) < 0)
		return -ENOMEM;
	for (size_t k = 0; k < units.n && r == 0; k++)
		if (unit_holds_process(units.v[k], "self")) {
			/* systemd would end this run with the unit, half way through */
			card_fail(c, plan,
				  "not handed over: %s holds it, and it is the unit "
				  "vfio-claim itself runs in: stopping it would end this run half "
				  "way (end its processes, or run vfio-claim from another unit)",
				  units.v[k]);
			r = -EDEADLK;
		}
	for (size_t k = 0; k < units.n && r == 0; k++) {
		for (size_t i = 0; i < h->n_proc; i++)
			if (str_eq(h->proc[i].unit, units.v[k])) {
				log_notice("%s: stopping %s, whose %s (pid %d) holds %s", c->slot,
					   units.v[k], h->proc[i].comm, (int)h->proc[i].pid,
					   h->proc[i].node);
				break;
			}
		if (handover_systemctl("stop", units.v[k]) != 0) {
			card_fail(c, plan, "held by %s; systemctl stop %s failed", who, units.v[k]);
			r = -EIO;
		} else if (strv_addf(&c->stopped, "%s", units.v[k]) < 0) {
			r = -ENOMEM;
		}
	}
	strv_free(&units);
	return r < 0 ? r : wait_for_holders(c, plan);
}

/*
 * The firmware framebuffer regions left in the card's BARs: with drivers_only, those of the
 * framebuffer drivers (busy, they go with the driver) but not sysfb's BOOTFB, which stays
 * until its platform device is unregistered. The first one left goes to ret.
 */
static bool firmware_fb_left(const struct handover_card *c, bool drivers_only,
			     struct firmware_fb *ret)
{
	struct firmware_fbs left;
	bool found = false;

	if (framebuffer_find(c->devs, &left) < 0)
		return false;
	for (size_t i = 0; i < left.n && !found; i++)
		if (left.fb[i].device >= (int)c->lo && left.fb[i].device <= (int)c->hi &&
		    (left.fb[i].driver_region || !drivers_only)) {
			*ret = left.fb[i];
			found = true;
		}
	framebuffer_free(&left);
	return found;
}

/*
 * Step 3: the firmware framebuffer's driver lets go, and none of the drivers' regions is left
 * in the BARs. sysfb's BOOTFB may stay: vfio-pci's probe of a VGA device unregisters sysfb's
 * device (Linux 6.0 and later), and handover_end() checks that it is gone.
 */
static int release_firmware_fb(struct handover_card *c, struct plan *plan)
{
	struct firmware_fb fb;
	int r;

	c->fb_in_bar = true;
	r = sysfs_firmware_fb_device(c->fb_dev, sizeof(c->fb_dev), c->fb_driver,
				     sizeof(c->fb_driver));
	if (r == 0) {
		r = sysfs_platform_bind(c->fb_dev, c->fb_driver, false);
		if (r < 0) {
			card_fail(c, plan,
				  "cannot release the firmware framebuffer %s from %s (%s)",
				  c->fb_dev, c->fb_driver, file_strerror(r));
			c->fb_dev[0] = '\0';
			return r;
		}
		log_notice("%s: released the firmware framebuffer %s (%s) from its BAR", c->slot,
			   c->fb_dev, c->fb_driver);
	} else {
		c->fb_dev[0] = '\0';
	}
	if (firmware_fb_left(c, true, &fb)) {
		card_fail(c, plan,
			  "the firmware framebuffer (%s) still holds memory in its BAR, so "
			  "vfio-pci could not map it for a guest; not handed over",
			  fb.name);
		return -EBUSY;
	}
	return 0;
}

/* Step 2: the virtual console off the card's framebuffer. */
static int detach_vtcon(struct handover_card *c, struct plan *plan, const struct holders *h)
{
	const char *fb = h->fb_node[0] ? h->fb_node : "the firmware framebuffer";
	int r = sysfs_vtcon_bind(h->vtcon, false);

	if (r < 0) {
		card_fail(c, plan, "cannot detach the virtual console %s from %s (%s)", h->vtcon,
			  fb, file_strerror(r));
		return r;
	}
	copy_str(c->vtcon, sizeof(c->vtcon), h->vtcon);
	log_notice("%s: detached the virtual console %s from %s", c->slot, h->vtcon, fb);
	return 0;
}

/* Step 4: every function its override, those a host driver holds unbound. */
static int take_functions(struct handover_card *c, struct plan *plan)
{
	int r = 0;

	for (size_t i = c->lo; i <= c->hi && r == 0; i++) {
		struct plan_entry *e = &plan->entry[i];
		const struct device *d = &c->devs->dev[i];

		if (e->action != ACTION_CLAIM || e->failed)
			continue;
		e->handover = true;
		r = sysfs_set_override(d, VFIO_DRIVER);
		if (r < 0) {
			card_fail(c, plan, "cannot write driver_override of %s (%s)", d->name,
				  file_strerror(r));
			break;
		}
		c->touched[i - c->lo] = true;
		if (!d->driver[0])
			continue;
		copy_str(c->former[i - c->lo], sizeof(c->former[0]), d->driver);
		r = sysfs_unbind(d);
		if (r < 0)
			card_fail(c, plan, "cannot unbind %s from %s (%s)", d->name, d->driver,
				  file_strerror(r));
	}
	return r;
}

/* Steps 1-4 for one card; on failure the card's entries say why and it is undone. */
static int begin_card(struct handover_card *c, struct plan *plan, const struct handover *ho)
{
	bool console_taken = false;
	struct holders h;
	int r;

	for (size_t i = c->lo; i <= c->hi; i++)
		console_taken = console_taken ||
				(is_taken(&plan->entry[i]) && device_is_console(&c->devs->dev[i]));
	r = holders_find(c->devs, c->lo, c->hi, &h);
	if (r < 0) {
		card_fail(c, plan, "cannot tell who holds it (%s); not handed over", strerror(-r));
		return r;
	}
	if (h.n_proc > 0)
		r = free_from_processes(c, plan, ho, &h);
	if (r == 0 && h.vtcon[0])
		r = detach_vtcon(c, plan, &h);
	if (r == 0 && console_taken && h.firmware.n > 0)
		r = release_firmware_fb(c, plan);
	if (r == 0)
		r = take_functions(c, plan);
	holders_free(&h);
	return r;
}

static void undo_problem(const struct handover_card *c, unsigned *n, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* One thing the undo could not put back: a line of its own (a reason has no room for four). */
static void undo_problem(const struct handover_card *c, unsigned *n, const char *fmt, ...)
{
	char what[PLAN_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_error("%s: undoing the hand-over: %s", c->slot, what);
	(*n)++;
}

/* Puts back what the card's hand-over changed; logs what could not be, and counts it. */
static unsigned card_undo(struct handover_card *c)
{
	unsigned problems = 0;
	int r;

	for (size_t i = c->lo; i <= c->hi; i++) {
		struct device *d = &c->devs->dev[i];
		const char *former = c->former[i - c->lo];
		char now[DRIVER_NAME_MAX];

		if (!c->touched[i - c->lo])
			continue;
		sysfs_set_override(d, NULL);
		if (sysfs_read_driver(d, now, sizeof(now)) == 0 && str_eq(now, VFIO_DRIVER))
			sysfs_unbind(d);
		if (former[0] && sysfs_read_driver(d, now, sizeof(now)) == 0 && !now[0] &&
		    sysfs_bind(d, former) < 0)
			sysfs_probe(d);
		if (former[0] &&
		    (sysfs_read_driver(d, now, sizeof(now)) < 0 || !str_eq(now, former)))
			undo_problem(c, &problems, "%s is not back on %s", d->name, former);
	}
	if (c->fb_dev[0] && (r = sysfs_platform_bind(c->fb_dev, c->fb_driver, true)) < 0)
		undo_problem(c, &problems, "the firmware framebuffer %s is not back on %s (%s)",
			     c->fb_dev, c->fb_driver, file_strerror(r));
	if (c->vtcon[0] && (r = sysfs_vtcon_bind(c->vtcon, true)) < 0 && r != -ENOENT)
		undo_problem(c, &problems, "the virtual console %s is not attached again (%s)",
			     c->vtcon, file_strerror(r));
	for (size_t k = 0; k < c->stopped.n; k++)
		if (handover_systemctl("start", c->stopped.v[k]) != 0)
			undo_problem(c, &problems, "%s is not started again", c->stopped.v[k]);
	c->fb_dev[0] = c->vtcon[0] = '\0';
	strv_free(&c->stopped);
	memset(c->touched, 0, sizeof(c->touched));
	return problems;
}

/* The units that may be stopped, once for all cards: the listed ones, aliases resolved. */
static int stop_rules(struct handover *ho, const struct settings *set)
{
	return unit_list_with_aliases(&set->stop_units, &ho->allowed);
}

int handover_begin(struct device_list *devs, struct plan *plan, const struct settings *set,
		   const char *domain, struct handover *ret)
{
	struct handover ho = {.domain = domain};

	for (size_t lo = 0, hi; lo < devs->n; lo = hi + 1) {
		struct handover_card *c, *bigger;
		unsigned problems;

		device_card(devs, &devs->dev[lo], &lo, &hi);
		if (hi - lo >= RECORD_FUNCTIONS_MAX || !needs_handover(devs, plan, lo, hi))
			continue;
		bigger = realloc(ho.card, (ho.n + 1) * sizeof(*bigger));
		if (!bigger || (ho.n == 0 && stop_rules(&ho, set) < 0)) {
			ho.card = bigger ? bigger : ho.card;
			handover_free(&ho);
			return -ENOMEM;
		}
		ho.card = bigger;
		c = &ho.card[ho.n++];
		*c = (struct handover_card){.lo = lo, .hi = hi, .devs = devs};
		snprintf(c->slot, sizeof(c->slot), "%04x:%02x:%02x", devs->dev[lo].id.addr.domain,
			 devs->dev[lo].id.addr.bus, devs->dev[lo].id.addr.dev);
		if (begin_card(c, plan, &ho) == 0)
			continue;
		problems = card_undo(c);
		for (size_t i = lo; i <= hi; i++)
			if (plan->entry[i].failed) {
				size_t n = strlen(plan->entry[i].reason);

				snprintf(plan->entry[i].reason + n,
					 sizeof(plan->entry[i].reason) - n, "%s",
					 problems ? "; the hand-over is undone, but not all "
						    "of it could be put back (see above)"
						  : "; the card is left as it was");
			}
	}
	*ret = ho;
	return 0;
}

/* Whether the hand-over changed more than a plain claim would: release needs a record then
 * (and one for a domain, so that another domain's release leaves it alone). */
static bool worth_a_record(const struct handover_card *c, const char *domain)
{
	for (size_t i = c->lo; i <= c->hi; i++)
		if (c->touched[i - c->lo] && c->former[i - c->lo][0])
			return true;
	return domain || c->vtcon[0] || c->fb_dev[0] || c->stopped.n;
}

/* The card's record, named after the first function it took. */
static int write_record(const struct handover_card *c, const char *domain)
{
	struct handover_record rec = {0};
	const char *name = NULL;
	int r = 0;

	if (!worth_a_record(c, domain))
		return 0;
	copy_str(rec.slot, sizeof(rec.slot), c->slot);
	copy_str(rec.domain, sizeof(rec.domain), domain ? domain : "");
	for (size_t i = c->lo; i <= c->hi; i++) {
		struct record_function *f;

		if (!c->touched[i - c->lo])
			continue;
		f = &rec.fn[rec.n_fn++];
		copy_str(f->name, sizeof(f->name), c->devs->dev[i].name);
		copy_str(f->driver, sizeof(f->driver), c->former[i - c->lo]);
		name = name ? name : c->devs->dev[i].name;
	}
	copy_str(rec.vtcon, sizeof(rec.vtcon), c->vtcon);
	copy_str(rec.fb_dev, sizeof(rec.fb_dev), c->fb_dev);
	copy_str(rec.fb_driver, sizeof(rec.fb_driver), c->fb_driver);
	rec.units = c->stopped; /* borrowed */
	if (name)
		r = record_write(&rec, name);
	return r;
}

/* Every function the card's hand-over took fails with one reason (it is then undone). */
static void card_fail_taken(struct handover_card *c, struct plan *plan, const char *reason)
{
	for (size_t i = c->lo; i <= c->hi; i++) {
		struct plan_entry *e = &plan->entry[i];

		if (!e->handover)
			continue;
		e->failed = true;
		copy_str(e->reason, sizeof(e->reason), reason);
	}
}

/*
 * After the bind: no firmware framebuffer range may be left in the BARs. sysfb's BOOTFB goes
 * when vfio-pci's probe of a VGA device unregisters its platform device (Linux 6.0 and later);
 * where it stays (older kernels, a console device of another class), vfio-pci cannot reserve
 * the BAR: the kernel descends into a range that is not busy only when the request fits in it.
 */
static bool bars_free(struct handover_card *c, struct plan *plan)
{
	char reason[PLAN_REASON_MAX];
	struct firmware_fb fb;

	if (!c->fb_in_bar || !firmware_fb_left(c, false, &fb))
		return true;
	snprintf(reason, sizeof(reason),
		 "vfio-pci took it, but %s (%" PRIx64 "-%" PRIx64 ") is "
		 "still in its BAR, so vfio-pci cannot reserve the BAR for a guest (boot with "
		 "initcall_blacklist=sysfb_init)",
		 fb.name, fb.start, fb.end);
	card_fail_taken(c, plan, reason);
	return false;
}

/* Whether every function the card's hand-over took is on vfio-pci. */
static bool all_claimed(const struct handover_card *c, const struct plan *plan)
{
	for (size_t i = c->lo; i <= c->hi; i++) {
		const struct plan_entry *e = &plan->entry[i];

		if (e->handover && (e->failed || e->action != ACTION_CLAIMED))
			return false;
	}
	return true;
}

void handover_end(struct handover *ho, struct plan *plan)
{
	for (size_t k = 0; k < ho->n; k++) {
		struct handover_card *c = &ho->card[k];
		unsigned problems;
		int r;

		if (c->failed)
			continue;
		if (all_claimed(c, plan) && bars_free(c, plan)) {
			r = write_record(c, ho->domain);
			if (r < 0)
				log_warning("%s: cannot record the hand-over in %s (%s); "
					    "release will only rebind the functions",
					    c->slot, HANDOVER_DIR, strerror(-r));
			continue;
		}
		/* Half a card is of no use to a guest, and the host loses it: put it all back. */
		problems = card_undo(c);
		for (size_t i = c->lo; i <= c->hi; i++) {
			struct plan_entry *e = &plan->entry[i];
			size_t n = strlen(e->reason);

			if (!e->handover)
				continue;
			if (e->action == ACTION_CLAIMED && !e->failed) {
				e->failed = true;
				snprintf(e->reason, sizeof(e->reason),
					 "handed back to %s: another "
					 "function of its card did not reach vfio-pci",
					 c->former[i - c->lo][0] ? c->former[i - c->lo]
								 : "no driver");
				n = strlen(e->reason);
			}
			snprintf(e->reason + n, sizeof(e->reason) - n,
				 "; the hand-over is undone%s",
				 problems ? ", but not all of it could be put back (see above)"
					  : ", all put back");
		}
	}
}

void handover_free(struct handover *ho)
{
	for (size_t k = 0; k < ho->n; k++)
		strv_free(&ho->card[k].stopped);
	free(ho->card);
	strv_free(&ho->allowed);
	*ho = (struct handover){0};
}
