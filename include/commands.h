/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands besides claim: status, release and doctor. Each returns an exit code. */
#pragma once

#include "options.h"
#include "settings.h"

int status_run(const struct options *opt, const struct settings *set);
int release_run(const struct options *opt);
int doctor_run(const struct options *opt, const struct settings *set);
