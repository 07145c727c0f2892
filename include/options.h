/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The program's own arguments. */
#pragma once

#include <stdbool.h>

#include "settings.h"

#define VFIO_CLAIM_VERSION "0.1.0"

enum exit_code { EXIT_OK = 0, EXIT_NOT_CLAIMED = 1, EXIT_USAGE = 2 };

enum command { CMD_CLAIM, CMD_STATUS, CMD_RELEASE, CMD_DOCTOR };

struct options {
	enum command cmd;
	struct settings args; /* selectors and switches given as arguments */
	const char *config;
	bool config_explicit;
	const char *root;
	bool no_cmdline, dry_run, json, modprobe, kmsg, quiet, verbose;
	char **operands; /* release: the addresses */
	int n_operands;
};

/* 0 to go on, 1 when --help/--version was printed, -EINVAL after printing a usage error. */
int options_parse(int argc, char **argv, struct options *ret);
