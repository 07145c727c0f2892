/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running another program (systemctl) the safe way: posix_spawnp() with an argument vector,
 * never a shell, its output to our stderr, its exit status waited for.
 */
#pragma once

/* Runs argv[0] (looked up in PATH) with argv; its exit status, or -errno if it did not run. */
int program_run(const char *const *argv);
