/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lock that keeps two claim passes (two udev workers running the trampoline) apart, and
 * a release from a claim pass: <root>/run/vfio-claim.lock.
 */
#pragma once

#include <stdbool.h>

/*
 * Takes an exclusive lock on path, created if needed, waiting at most timeout_ms. Returns the
 * descriptor that holds it (close() releases it), or -errno: -ETIMEDOUT when another holder
 * kept it, -ELOOP for a symlink, -EISDIR or -ENOTREG for anything but a regular file.
 */
int lock_take(const char *path, int timeout_ms);

/*
 * Takes the claim's lock under the root prefix, waiting at most wait_s, and says why when it
 * cannot: "another vfio-claim held PATH for N s; AFTER_WAIT", or (unless quiet) "cannot take
 * the lock PATH (why); DOING without it, ...". Returns the descriptor or -errno; the caller
 * goes on without the lock either way.
 */
int lock_take_claim(int wait_s, const char *after_wait, const char *doing, bool quiet);
