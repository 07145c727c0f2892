/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Waiting for PCI devices that appear late (slow link training, Thunderbolt, hot-plug):
 * a libudev monitor on the kernel's own uevents, which works in an initrd without udevd.
 * Tests link tests/seams/fake_wait.c instead of wait.c.
 */
#pragma once

#include <stddef.h>

struct waiter;

/* Starts listening; do it before scanning so no event falls between scan and listen. */
int wait_open(struct waiter **ret);

/*
 * Waits at most timeout_ms for a PCI device to be added. Returns 1 with its name
 * ("0000:03:00.0") in name, 0 on timeout, or -errno.
 */
int wait_next(struct waiter *w, int timeout_ms, char *name, size_t size);

void wait_close(struct waiter *w);
