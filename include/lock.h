/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock that keeps two claim passes (two udev workers running the trampoline) apart. */
#pragma once

/*
 * Takes an exclusive lock on path, created if needed, waiting at most timeout_ms. Returns the
 * descriptor that holds it (close() releases it), or -errno: -ETIMEDOUT when another holder
 * kept it, -ELOOP for a symlink, -EISDIR or -ENOTREG for anything but a regular file.
 */
int lock_take(const char *path, int timeout_ms);
