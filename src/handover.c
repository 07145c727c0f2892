// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hand-over (see handover.h). Every change is remembered as it is made, so that a failure
 * at any step undoes exactly what was done before it, in the reverse order.
 *
 * The record, <root>/run/vfio-claim/handover/DDDD:BB:DD (one per card), is lines of words:
 *   function 0000:03:00.0 amdgpu        the function and the driver it was on ("-": none)
 *   vtcon vtcon1                        the virtual console detached from its framebuffer
 *   fb efi-framebuffer.0 efi-framebuffer   the firmware framebuffer released, and its driver
 *   unit lactd.service                  a unit stopped
 * Only root can write to /run; every word read back is still checked before it is used.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "handover.h"
#include "holders.h"
#include "log.h"
#include "program.h"
#include "root.h"
#include "sysfs.h"

#define FUNCTIONS_MAX 8 /* a PCI slot has eight functions */

struct handover_card {
	size_t lo, hi; /* its functions in the device list */
	char slot[16]; /* "0000:03:00" */
	/* per function: the driver it was on */
	char former[FUNCTIONS_MAX][DRIVER_NAME_MAX];
	bool touched[FUNCTIONS_MAX]; /* override written */
	char vtcon[64];		     /* detached */
	/* the firmware framebuffer's platform device and its driver, released */
	char fb_dev[NAME_MAX + 1], fb_driver[DRIVER_NAME_MAX];
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

#define PROCESSES_SHOWN 2

/* "lactd (pid 812, lactd.service) on /dev/dri/card1, ... and 3 more" (doctor lists all). */
static void describe_processes(const struct holders *h, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->n_proc && i < PROCESSES_SHOWN && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%.24s (pid %d%s%.40s) on %.32s",
				      i ? ", " : "", h->proc[i].comm, (int)h->proc[i].pid,
				      h->proc[i].unit[0] ? ", " : "", h->proc[i].unit,
				      h->proc[i].node);
	if (h->n_proc > PROCESSES_SHOWN && o < size)
		snprintf(buf + o, size - o, " and %zu more (vfio-claim doctor lists them)",
			 h->n_proc - PROCESSES_SHOWN);
}

static int run_systemctl(const char *verb, const char *unit)
{
	const char *argv[] = {"systemctl", "--no-block", verb, "--", unit, NULL};

	return program_run(argv);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Step 1: nobody may hold the card, or only units we may stop (stopped and waited for). */
static int free_from_processes(struct handover_card *c, struct plan *plan,
			       const struct settings *set, const struct holders *h)
{
	char who[PLAN_REASON_MAX];
	struct holders again;
	long deadline;

	describe_processes(h, who, sizeof(who));
	if (!holders_all_in_units(h, (const char *const *)set->stop_units.v, set->stop_units.n)) {
		card_fail(c, plan,
			  "held by %s; not handed over: stop them first, or list their "
			  "units in runtime-stop-units (--stop-units)",
			  who);
		return -EBUSY;
	}
	for (size_t i = 0; i < h->n_proc; i++) {
		bool done = false;

		for (size_t k = 0; k < c->stopped.n && !done; k++)
			done = str_eq(c->stopped.v[k], h->proc[i].unit);
		if (done)
			continue;
		log_notice("%s: stopping %s, whose %s (pid %d) holds %s", c->slot, h->proc[i].unit,
			   h->proc[i].comm, (int)h->proc[i].pid, h->proc[i].node);
		if (run_systemctl("stop", h->proc[i].unit) != 0) {
			card_fail(c, plan, "held by %s; systemctl stop %s failed", who,
				  h->proc[i].unit);
			return -EIO;
		}
		if (strv_addf(&c->stopped, "%s", h->proc[i].unit) < 0)
			return -ENOMEM;
	}
	for (deadline = now_ms() + HANDOVER_STOP_SECONDS * 1000L;;) {
		if (holders_find(c->devs, c->lo, c->hi, &again) < 0)
			return -ENOMEM;
		if (again.n_proc == 0) {
			holders_free(&again);
			return 0;
		}
		if (now_ms() >= deadline) {
			describe_processes(&again, who, sizeof(who));
			holders_free(&again);
			card_fail(c, plan,
				  "still held by %s %d s after stopping its units; not "
				  "handed over",
				  who, HANDOVER_STOP_SECONDS);
			return -ETIMEDOUT;
		}
		holders_free(&again);
		nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
	}
}

/* Step 3: the firmware framebuffer's driver lets go, and no framebuffer is left in the BARs. */
static int release_firmware_fb(struct handover_card *c, struct plan *plan, const struct holders *h)
{
	struct firmware_fbs left;
	bool in_card = false;
	int r;

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
	if (framebuffer_find(c->devs, &left) == 0) {
		for (size_t i = 0; i < left.n; i++)
			in_card = in_card || (left.fb[i].device >= (int)c->lo &&
					      left.fb[i].device <= (int)c->hi);
		framebuffer_free(&left);
	}
	if (in_card) {
		card_fail(c, plan,
			  "the firmware framebuffer (%s) still holds memory in its BAR, so "
			  "vfio-pci could not map it for a guest; not handed over",
			  h->firmware.fb[0].name);
		return -EBUSY;
	}
	return 0;
}

/* Steps 1-4 for one card; on failure the card's entries say why and it is undone. */
static int begin_card(struct handover_card *c, struct plan *plan, const struct settings *set)
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
		r = free_from_processes(c, plan, set, &h);
	if (r == 0 && h.vtcon[0]) {
		r = sysfs_vtcon_bind(h.vtcon, false);
		if (r < 0)
			card_fail(c, plan, "cannot detach the virtual console %s from %s (%s)",
				  h.vtcon, h.fb_node[0] ? h.fb_node : "the firmware framebuffer",
				  file_strerror(r));
		else {
			copy_str(c->vtcon, sizeof(c->vtcon), h.vtcon);
			log_notice("%s: detached the virtual console %s from %s", c->slot, h.vtcon,
				   h.fb_node[0] ? h.fb_node : "the firmware framebuffer");
		}
	}
	if (r == 0 && console_taken && h.firmware.n > 0)
		r = release_firmware_fb(c, plan, &h);
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
	holders_free(&h);
	return r;
}

/* Puts back what the card's hand-over changed; appends what could not be to problems. */
static void card_undo(struct handover_card *c, char *problems, size_t size)
{
	size_t o = strlen(problems);
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
			o += (size_t)snprintf(problems + o, o < size ? size - o : 0,
					      "; %s is not back on %s", d->name, former);
	}
	if (c->fb_dev[0] && (r = sysfs_platform_bind(c->fb_dev, c->fb_driver, true)) < 0)
		o += (size_t)snprintf(problems + o, o < size ? size - o : 0,
				      "; the firmware framebuffer %s is not back (%s)", c->fb_dev,
				      file_strerror(r));
	if (c->vtcon[0] && (r = sysfs_vtcon_bind(c->vtcon, true)) < 0 && r != -ENOENT)
		o += (size_t)snprintf(problems + o, o < size ? size - o : 0,
				      "; the virtual console %s is not back (%s)", c->vtcon,
				      file_strerror(r));
	for (size_t k = 0; k < c->stopped.n; k++)
		if (run_systemctl("start", c->stopped.v[k]) != 0)
			o += (size_t)snprintf(problems + o, o < size ? size - o : 0,
					      "; %s is not started again", c->stopped.v[k]);
	c->fb_dev[0] = c->vtcon[0] = '\0';
	strv_free(&c->stopped);
	memset(c->touched, 0, sizeof(c->touched));
}

int handover_begin(struct device_list *devs, struct plan *plan, const struct settings *set,
		   struct handover *ret)
{
	struct handover ho = {0};

	for (size_t lo = 0, hi; lo < devs->n; lo = hi + 1) {
		struct handover_card *c, *bigger;
		char problems[PLAN_REASON_MAX] = "";

		device_card(devs, &devs->dev[lo], &lo, &hi);
		if (hi - lo >= FUNCTIONS_MAX || !needs_handover(devs, plan, lo, hi))
			continue;
		bigger = realloc(ho.card, (ho.n + 1) * sizeof(*bigger));
		if (!bigger) {
			handover_free(&ho);
			return -ENOMEM;
		}
		ho.card = bigger;
		c = &ho.card[ho.n++];
		*c = (struct handover_card){.lo = lo, .hi = hi, .devs = devs};
		snprintf(c->slot, sizeof(c->slot), "%04x:%02x:%02x", devs->dev[lo].id.addr.domain,
			 devs->dev[lo].id.addr.bus, devs->dev[lo].id.addr.dev);
		if (begin_card(c, plan, set) == 0)
			continue;
		card_undo(c, problems, sizeof(problems));
		for (size_t i = lo; i <= hi; i++)
			if (plan->entry[i].failed) {
				size_t n = strlen(plan->entry[i].reason);

				snprintf(plan->entry[i].reason + n,
					 sizeof(plan->entry[i].reason) - n, "%s",
					 problems[0] ? problems : "; the card is left as it was");
			}
	}
	*ret = ho;
	return 0;
}

/* Whether the hand-over changed more than a plain claim would: release needs a record then. */
static bool worth_a_record(const struct handover_card *c)
{
	for (size_t i = c->lo; i <= c->hi; i++)
		if (c->touched[i - c->lo] && c->former[i - c->lo][0])
			return true;
	return c->vtcon[0] || c->fb_dev[0] || c->stopped.n;
}

/* Writes the card's record, atomically (a rename), so release finds all of it or none. */
static int write_record(const struct handover_card *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;
	int fd, r = 0;

	if (!worth_a_record(c))
		return 0;
	if (root_path(dir, sizeof(dir), "%s", HANDOVER_DIR) < 0)
		return -ENAMETOOLONG;
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, c->slot);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* never through a link left in its place; readable by root alone */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	fprintf(f, "# vfio-claim hand-over of %s: what `vfio-claim release` puts back\n", c->slot);
	for (size_t i = c->lo; i <= c->hi; i++)
		if (c->touched[i - c->lo])
			fprintf(f, "function %s %s\n", c->devs->dev[i].name,
				c->former[i - c->lo][0] ? c->former[i - c->lo] : "-");
	if (c->vtcon[0])
		fprintf(f, "vtcon %s\n", c->vtcon);
	if (c->fb_dev[0])
		fprintf(f, "fb %s %s\n", c->fb_dev, c->fb_driver);
	for (size_t k = 0; k < c->stopped.n; k++)
		fprintf(f, "unit %s\n", c->stopped.v[k]);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
	}
	return r;
}

void handover_end(struct handover *ho, struct plan *plan)
{
	for (size_t k = 0; k < ho->n; k++) {
		struct handover_card *c = &ho->card[k];
		char problems[PLAN_REASON_MAX] = "";
		bool all = true;
		int r;

		if (c->failed)
			continue;
		for (size_t i = c->lo; i <= c->hi; i++) {
			const struct plan_entry *e = &plan->entry[i];

			if (e->handover && (e->failed || e->action != ACTION_CLAIMED))
				all = false;
		}
		if (all) {
			r = write_record(c);
			if (r < 0)
				log_warning("%s: cannot record the hand-over in %s (%s); "
					    "release will only rebind the functions",
					    c->slot, HANDOVER_DIR, strerror(-r));
			continue;
		}
		/* Half a card is of no use to a guest, and the host loses it: put it all back. */
		card_undo(c, problems, sizeof(problems));
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
				 problems[0] ? problems : ", all put back");
		}
	}
}

void handover_free(struct handover *ho)
{
	for (size_t k = 0; k < ho->n; k++)
		strv_free(&ho->card[k].stopped);
	free(ho->card);
	*ho = (struct handover){0};
}

/* A word of the record: a driver, device or unit name, nothing a path could be made of. */
static bool word_ok(const char *w)
{
	return w && *w && !strchr(w, '/') && !str_eq(w, ".") && !str_eq(w, "..") &&
	       strlen(w) < DRIVER_NAME_MAX;
}

int handover_release(struct device_list *devs, const struct device *d)
{
	char path[PATH_MAX], slot[16], *text, *save = NULL;
	bool gpu_driver = false;
	int status = 0, r;

	snprintf(slot, sizeof(slot), "%04x:%02x:%02x", d->id.addr.domain, d->id.addr.bus,
		 d->id.addr.dev);
	if (root_path(path, sizeof(path), "%s/%s", HANDOVER_DIR, slot) < 0)
		return 0;
	r = file_read(path, 65536, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_error("%s: cannot read its hand-over record %s (%s)", slot, path,
			  file_strerror(r));
		return r;
	}
	/* First the functions, so a GPU driver can take its framebuffer back before the rest. */
	for (int pass = 0; pass < 3; pass++) {
		char *copy = strdup(text);

		if (!copy)
			break;
		for (char *line = strtok_r(copy, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *w[3] = {0}, *save2 = NULL;

			w[0] = strtok_r(line, " ", &save2);
			w[1] = strtok_r(NULL, " ", &save2);
			w[2] = strtok_r(NULL, " ", &save2);
			if (!w[0] || w[0][0] == '#' || !word_ok(w[1]))
				continue;
			if (pass == 0 && str_eq(w[0], "function") && word_ok(w[2])) {
				struct pci_addr addr;
				struct device *f;
				const char *why;

				if (addr_parse(w[1], &addr, &why) < 0 ||
				    !(f = device_find(devs, &addr)))
					continue;
				if (f->driver[0] && str_eq(f->driver, w[2])) {
					/* libvirt's managed reattach was here first */
					log_notice("%s [%04x:%04x] released: back on %s already",
						   f->name, f->id.vendor, f->id.device, f->driver);
					gpu_driver = gpu_driver || device_base_class(f) == 0x03;
					continue;
				}
				sysfs_set_override(f, NULL);
				if (str_eq(f->driver, VFIO_DRIVER))
					sysfs_unbind(f);
				if (!str_eq(w[2], "-") && sysfs_bind(f, w[2]) < 0)
					sysfs_probe(f);
				sysfs_read_driver(f, f->driver, sizeof(f->driver));
				if (!str_eq(w[2], "-") && !str_eq(f->driver, w[2])) {
					log_error("%s [%04x:%04x] not back on %s (now on %s)",
						  f->name, f->id.vendor, f->id.device, w[2],
						  f->driver[0] ? f->driver : "no driver");
					status = -EIO;
				} else if (f->driver[0]) {
					log_notice("%s [%04x:%04x] released: now on %s", f->name,
						   f->id.vendor, f->id.device, f->driver);
				} else {
					log_notice("%s [%04x:%04x] released: unbound, as "
						   "before the hand-over",
						   f->name, f->id.vendor, f->id.device);
				}
				gpu_driver = gpu_driver ||
					     (device_base_class(f) == 0x03 && f->driver[0]);
			} else if (pass == 1 && str_eq(w[0], "fb") && word_ok(w[2])) {
				if (!sysfs_platform_present(w[1]))
					log_notice("%s: the firmware framebuffer %s is gone "
						   "(the kernel removes it when vfio-pci or a "
						   "GPU driver takes the GPU)%s",
						   slot, w[1],
						   gpu_driver
							   ? "; the console comes with that driver"
							   : "; there is no console until a "
							     "driver binds the GPU");
				else if (gpu_driver)
					log_notice("%s: the firmware framebuffer %s is not "
						   "needed back: the GPU's driver drives the "
						   "console",
						   slot, w[1]);
				else if ((r = sysfs_platform_bind(w[1], w[2], true)) < 0) {
					log_error("%s: cannot bind the firmware framebuffer "
						  "%s to %s again (%s): no console until a "
						  "driver binds the GPU",
						  slot, w[1], w[2], file_strerror(r));
					status = r;
				} else
					log_notice("%s: the firmware framebuffer %s is back on %s",
						   slot, w[1], w[2]);
			} else if (pass == 2 && str_eq(w[0], "vtcon")) {
				r = sysfs_vtcon_bind(w[1], true);
				if (r == -ENOENT) {
					/* fbcon left with the last fb; a GPU driver brings both */
					log_notice("%s: the virtual console %s is gone with "
						   "the framebuffer it showed on; it comes "
						   "back when a driver binds the GPU",
						   slot, w[1]);
				} else if (r < 0) {
					log_error("%s: cannot attach the virtual console %s "
						  "again (%s)",
						  slot, w[1], file_strerror(r));
					status = r;
				} else
					log_notice("%s: the virtual console %s is attached again",
						   slot, w[1]);
			} else if (pass == 2 && str_eq(w[0], "unit")) {
				if (run_systemctl("start", w[1]) != 0) {
					log_error("%s: systemctl start %s failed", slot, w[1]);
					status = -EIO;
				} else
					log_notice("%s: started %s again", slot, w[1]);
			}
		}
		free(copy);
	}
	free(text);
	if (unlink(path) < 0 && status == 0)
		status = -errno;
	return status < 0 ? status : 1;
}
