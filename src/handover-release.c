// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * release after a hand-over (see handover.h): finding the record that lists the device among
 * the records of its slot, and putting it back. First the functions, so that a GPU driver can
 * take its framebuffer back before the rest; then the firmware framebuffer, where the kernel
 * still has its device; then the console and the units.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "handover.h"
#include "holders.h"
#include "log.h"
#include "sysfs.h"

/* A slot's records: the legacy DDDD:BB:DD, then one per first function, DDDD:BB:DD.F. */
#define SLOT_RECORDS (1 + RECORD_FUNCTIONS_MAX)

static void record_name(const char *slot, int k, char *buf, size_t size)
{
	if (k == 0)
		copy_str(buf, size, slot);
	else
		snprintf(buf, size, "%s.%d", slot, k - 1);
}

bool handover_in_use(const struct device *d)
{
	char who[PLAN_REASON_MAX];
	struct holders h;
	bool held;

	if (holders_find_vfio(d, &h) < 0)
		return false;
	held = h.n_proc > 0;
	if (held) {
		holders_describe(&h, who, sizeof(who));
		log_error("%s [%04x:%04x] not released: in use by %s (stop the VM first)", d->name,
			  d->id.vendor, d->id.device, who);
	}
	holders_free(&h);
	return held;
}

/* The slot's records that cannot be used for any function: said, and removed. */
static void drop_unusable(const char *slot, char names[][32], char whys[][64], size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char path[PATH_MAX];
		int r;

		record_path(names[k], path, sizeof(path));
		log_error("%s: its hand-over record %s %s; releasing the plain way", slot, path,
			  whys[k]);
		r = record_remove(names[k]);
		if (r < 0)
			log_error("%s: cannot remove %s (%s); remove it by hand", slot, path,
				  file_strerror(r));
	}
}

/*
 * The record that lists d: 1 with it in ret and its file's name in name; 0 when none does,
 * with the slot's unusable records said and removed (then *ret_unusable).
 */
static int find_record(const struct device *d, const char *slot, struct handover_record *ret,
		       char *name, size_t size, bool *ret_unusable)
{
	char names[SLOT_RECORDS][32], whys[SLOT_RECORDS][64];
	size_t n_unusable = 0;

	for (int k = 0; k < SLOT_RECORDS; k++) {
		struct handover_record rec;
		int r;

		record_name(slot, k, names[n_unusable], sizeof(names[0]));
		r = record_read(names[n_unusable], slot, &rec);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			snprintf(whys[n_unusable++], sizeof(whys[0]), "cannot be read (%s)",
				 file_strerror(r));
			continue;
		}
		if (record_function(&rec, d->name)) {
			copy_str(name, size, names[n_unusable]);
			*ret = rec;
			return 1;
		}
		if (rec.n_fn == 0)
			snprintf(whys[n_unusable++], sizeof(whys[0]),
				 "has no function of the card");
		record_free(&rec);
	}
	drop_unusable(slot, names, whys, n_unusable);
	*ret_unusable = n_unusable > 0;
	return 0;
}

/* One function back on the driver it was on; one it had none is probed (its host driver may
 * be loaded by now: the hand-over at boot came before it). */
static int put_back_function(struct device *f, const struct record_function *fn, bool *gpu_driver)
{
	sysfs_read_driver(f, f->driver, sizeof(f->driver));
	if (fn->driver[0] && str_eq(f->driver, fn->driver)) {
		/* libvirt's managed reattach was here first */
		log_notice("%s [%04x:%04x] released: back on %s already", f->name, f->id.vendor,
			   f->id.device, f->driver);
		*gpu_driver = *gpu_driver || device_base_class(f) == 0x03;
		return 0;
	}
	sysfs_set_override(f, NULL);
	if (str_eq(f->driver, VFIO_DRIVER))
		sysfs_unbind(f);
	sysfs_read_driver(f, f->driver, sizeof(f->driver));
	if (fn->driver[0] && !f->driver[0] && sysfs_bind(f, fn->driver) < 0)
		sysfs_probe(f);
	else if (!fn->driver[0] && !f->driver[0])
		sysfs_probe(f);
	sysfs_read_driver(f, f->driver, sizeof(f->driver));
	*gpu_driver = *gpu_driver || (device_base_class(f) == 0x03 && f->driver[0]);
	if (fn->driver[0] && !str_eq(f->driver, fn->driver)) {
		log_error("%s [%04x:%04x] not back on %s (now on %s)", f->name, f->id.vendor,
			  f->id.device, fn->driver, f->driver[0] ? f->driver : "no driver");
		return -EIO;
	}
	if (f->driver[0])
		log_notice("%s [%04x:%04x] released: now on %s", f->name, f->id.vendor,
			   f->id.device, f->driver);
	else
		log_notice("%s [%04x:%04x] released: unbound, as before the hand-over (no driver "
			   "took it)",
			   f->name, f->id.vendor, f->id.device);
	return 0;
}

static int put_back_fb(const struct handover_record *rec, bool gpu_driver)
{
	int r;

	if (!sysfs_platform_present(rec->fb_dev)) {
		log_notice("%s: the firmware framebuffer %s is gone (the kernel removes it when "
			   "vfio-pci or a GPU driver takes the GPU)%s",
			   rec->slot, rec->fb_dev,
			   gpu_driver ? "; the console comes with that driver"
				      : "; there is no console until a driver binds the GPU");
		return 0;
	}
	if (gpu_driver) {
		log_notice("%s: the firmware framebuffer %s is not needed back: the GPU's driver "
			   "drives the console",
			   rec->slot, rec->fb_dev);
		return 0;
	}
	r = sysfs_platform_bind(rec->fb_dev, rec->fb_driver, true);
	if (r < 0) {
		log_error("%s: cannot bind the firmware framebuffer %s to %s again (%s): no "
			  "console until a driver binds the GPU",
			  rec->slot, rec->fb_dev, rec->fb_driver, file_strerror(r));
		return r;
	}
	log_notice("%s: the firmware framebuffer %s is back on %s", rec->slot, rec->fb_dev,
		   rec->fb_driver);
	return 0;
}

static int put_back_vtcon(const struct handover_record *rec)
{
	int r = sysfs_vtcon_bind(rec->vtcon, true);

	if (r == -ENOENT) {
		/* fbcon went with the last framebuffer; a driver brings both */
		log_notice("%s: the virtual console %s is gone with the framebuffer it showed on; "
			   "it comes back when a driver binds the GPU",
			   rec->slot, rec->vtcon);
		return 0;
	}
	if (r < 0) {
		log_error("%s: cannot attach the virtual console %s again (%s)", rec->slot,
			  rec->vtcon, file_strerror(r));
		return r;
	}
	log_notice("%s: the virtual console %s is attached again", rec->slot, rec->vtcon);
	return 0;
}

/* Puts the record back; what could not be goes to left (its functions are always there). */
static int put_back(struct device_list *devs, const struct handover_record *rec,
		    struct handover_record *left)
{
	bool gpu_driver = false;
	int status = 0, r;

	for (size_t i = 0; i < rec->n_fn; i++) {
		struct pci_addr addr;
		const char *why;
		struct device *f;

		if (addr_parse(rec->fn[i].name, &addr, &why) < 0 ||
		    !(f = device_find(devs, &addr))) {
			log_notice("%s: not present; nothing to put back", rec->fn[i].name);
			continue;
		}
		if ((r = put_back_function(f, &rec->fn[i], &gpu_driver)) < 0)
			status = r;
	}
	if (rec->fb_dev[0] && (r = put_back_fb(rec, gpu_driver)) < 0) {
		status = r;
		copy_str(left->fb_dev, sizeof(left->fb_dev), rec->fb_dev);
		copy_str(left->fb_driver, sizeof(left->fb_driver), rec->fb_driver);
	}
	if (rec->vtcon[0] && (r = put_back_vtcon(rec)) < 0) {
		status = r;
		copy_str(left->vtcon, sizeof(left->vtcon), rec->vtcon);
	}
	for (size_t k = 0; k < rec->units.n; k++) {
		if (handover_systemctl("start", rec->units.v[k]) == 0) {
			log_notice("%s: started %s again", rec->slot, rec->units.v[k]);
			continue;
		}
		log_error("%s: systemctl start %s failed", rec->slot, rec->units.v[k]);
		status = -EIO;
		if (strv_addf(&left->units, "%s", rec->units.v[k]) < 0)
			return -ENOMEM;
	}
	return status;
}

/* Whether a function the record names is in use through VFIO (each one is said). */
static bool record_in_use(const struct device_list *devs, const struct handover_record *rec)
{
	bool held = false;

	for (size_t i = 0; i < rec->n_fn; i++) {
		struct pci_addr addr;
		const char *why;
		struct device *f;
		char now[DRIVER_NAME_MAX];

		if (addr_parse(rec->fn[i].name, &addr, &why) == 0 &&
		    (f = device_find(devs, &addr)) && sysfs_read_driver(f, now, sizeof(now)) == 0 &&
		    str_eq(now, VFIO_DRIVER) && handover_in_use(f))
			held = true;
	}
	return held;
}

static void mark_covered(const struct device_list *devs, const struct handover_record *rec,
			 bool *covered)
{
	for (size_t i = 0; i < rec->n_fn; i++) {
		struct pci_addr addr;
		const char *why;
		struct device *f;

		if (addr_parse(rec->fn[i].name, &addr, &why) == 0 && (f = device_find(devs, &addr)))
			covered[f - devs->dev] = true;
	}
}

/* After put_back(): the record goes, or keeps what is not back (and its functions). */
static int settle_record(const struct handover_record *rec, struct handover_record *left,
			 const char *name, int status)
{
	char path[PATH_MAX];
	int r;

	record_path(name, path, sizeof(path));
	if (status == 0) {
		r = record_remove(name);
		if (r < 0)
			log_error("%s: cannot remove its hand-over record %s (%s)", rec->slot, path,
				  file_strerror(r));
		return r;
	}
	copy_str(left->slot, sizeof(left->slot), rec->slot);
	copy_str(left->domain, sizeof(left->domain), rec->domain);
	memcpy(left->fn, rec->fn, sizeof(rec->fn));
	left->n_fn = rec->n_fn;
	r = record_write(left, name);
	if (r < 0)
		log_error("%s: cannot keep what is not back in %s (%s)", rec->slot, path,
			  strerror(-r));
	else
		log_notice("%s: its hand-over record %s keeps what is not back, for another "
			   "release",
			   rec->slot, path);
	return status;
}

int handover_release(struct device_list *devs, const struct device *d, const char *domain,
		     bool *covered)
{
	struct handover_record rec, left = {0};
	char slot[16], name[32], path[PATH_MAX];
	bool unusable = false;
	int status, r;

	snprintf(slot, sizeof(slot), "%04x:%02x:%02x", d->id.addr.domain, d->id.addr.bus,
		 d->id.addr.dev);
	if (find_record(d, slot, &rec, name, sizeof(name), &unusable) == 0)
		return unusable ? HANDOVER_UNUSABLE : HANDOVER_NONE;
	mark_covered(devs, &rec, covered);
	record_path(name, path, sizeof(path));
	if (domain && rec.domain[0] && !str_eq(domain, rec.domain)) {
		log_notice("%s: handed over for the domain %s, not %s: leaving it to %s's release",
			   d->name, rec.domain, domain, rec.domain);
		record_free(&rec);
		return HANDOVER_DONE;
	}
	for (size_t i = 0; i < rec.problems.n; i++)
		log_error("%s: its hand-over record %s, %s", slot, path, rec.problems.v[i]);
	if (record_in_use(devs, &rec)) {
		log_notice("%s: its hand-over record %s stays, for the release after the VM", slot,
			   path);
		record_free(&rec);
		return -EBUSY;
	}
	status = put_back(devs, &rec, &left);
	r = settle_record(&rec, &left, name, status);
	if (r == 0 && rec.problems.n)
		r = -EINVAL;
	record_free(&rec);
	record_free(&left);
	return r < 0 ? r : HANDOVER_DONE;
}
