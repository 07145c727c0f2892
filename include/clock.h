/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monotonic clock in milliseconds, and sleeping by it: what every bounded wait (the lock,
 * late devices, the settle after a probe, the hand-over's stopped units) counts its deadline in.
 */
#pragma once

long clock_ms(void);

void sleep_ms(long ms);
