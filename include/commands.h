/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands besides claim (which is main.c's boot sequence): status, release, doctor,
 * groups and suggest, one file each (cmd-*.c). Each fills in a struct outcome; main turns it
 * into the exit code.
 */
#pragma once

#include <stdbool.h>

#include "args.h"
#include "settings.h"

/* What a command found; exit_code() in main.c is the one place that turns it into a number. */
struct outcome {
	bool cannot_run;   /* a step every result depends on failed (no scan, no module) */
	unsigned failures; /* selected devices not on vfio-pci, problems found by doctor */
	bool usage;	   /* bad arguments (release's addresses) */
};

void status_run(const struct args *a, const struct settings *set, struct outcome *out);
void release_run(const struct args *a, struct outcome *out);
void doctor_run(const struct args *a, const struct settings *set, struct outcome *out);
void groups_run(const struct args *a, const struct settings *set, struct outcome *out);
void suggest_run(const struct args *a, const struct settings *set, struct outcome *out);
