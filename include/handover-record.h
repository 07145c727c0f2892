/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hand-over record: what one hand-over changed, so that `release` puts back exactly that.
 * One file per hand-over, <root>/run/vfio-claim/handover/DDDD:BB:DD.F, named after the first
 * function it took: the functions of one slot can go to different guests (SR-IOV virtual
 * functions above all), and each hand-over keeps its own record. (A record of an older
 * vfio-claim is named after the slot alone, DDDD:BB:DD, and is read all the same.) Lines of
 * words:
 *   domain win11                        the libvirt domain it was for (--domain)
 *   function 0000:03:00.0 amdgpu        a function it took, the driver it was on ("-": none)
 *   vtcon vtcon1                        the virtual console detached from its framebuffer
 *   fb efi-framebuffer.0 efi-framebuffer   the firmware framebuffer released, and its driver
 *   unit lactd.service                  a unit stopped
 * Only root can write to /run, and still every line read back is checked to be one that a
 * hand-over of that slot writes: a function of the slot, a virtual console, a firmware
 * framebuffer's platform device, a unit name as runtime-stop-units takes them, a domain name
 * as runtime-domains does. Any other line is refused, with the reason.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "device.h"
#include "text.h"

#define HANDOVER_DIR "/run/vfio-claim/handover"
#define RECORD_FUNCTIONS_MAX 8 /* a PCI slot has eight functions */
#define RECORD_MAX (64 * 1024) /* longer is no record of ours */

struct record_function {
	char name[16];		      /* "0000:03:00.0" */
	char driver[DRIVER_NAME_MAX]; /* the driver it was on, "" when none */
};

struct handover_record {
	char slot[16];	  /* "0000:03:00" */
	char domain[256]; /* "" when the hand-over was for no domain */
	struct record_function fn[RECORD_FUNCTIONS_MAX];
	size_t n_fn;
	char vtcon[64];				     /* "" when none was detached */
	char fb_dev[64], fb_driver[DRIVER_NAME_MAX]; /* "" when none was released */
	struct strv units;			     /* the units stopped */
	struct strv problems; /* the lines refused: "line 2: names 0000:02:00.0, not ..." */
};

/*
 * Parses a record's text (len bytes, NULs allowed) as a record of slot. Refused lines go to
 * ret->problems and are otherwise ignored. -ENOMEM only.
 */
int record_parse(const char *text, size_t len, const char *slot, struct handover_record *ret);

/* Reads and parses <root>/run/vfio-claim/handover/NAME as a record of slot: 0, -ENOENT when
 * there is none, or the -errno of file_read() (-EFBIG past RECORD_MAX, -ENOTREG, ...). */
int record_read(const char *name, const char *slot, struct handover_record *ret);

/* Writes the record as <root>/run/vfio-claim/handover/NAME, atomically (a rename). */
int record_write(const struct handover_record *rec, const char *name);

/* Removes <root>/run/vfio-claim/handover/NAME; a record that is gone is no error. */
int record_remove(const char *name);

/* The record's file, <root>/run/vfio-claim/handover/NAME, for messages. */
void record_path(const char *name, char *buf, size_t size);

/* The function named fn in the record, or NULL. */
const struct record_function *record_function(const struct handover_record *rec, const char *fn);

void record_free(struct handover_record *rec);
