/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program's own arguments: the command, how to run it, and the selectors and switches
 * given there (a struct settings, the first of the three sources).
 */
#pragma once

#include <stdbool.h>

#include "settings.h"

#define VFIO_CLAIM_VERSION "0.1.0"

enum command { CMD_CLAIM, CMD_STATUS, CMD_RELEASE, CMD_DOCTOR, CMD_GROUPS, CMD_SUGGEST };

struct args {
	enum command cmd;
	struct settings settings; /* selectors and switches given as arguments */
	const char *config;
	bool config_explicit;
	const char *root;
	const char *domain; /* --domain: the libvirt domain a hand-over or release is for */
	bool no_cmdline, dry_run, json, modprobe, kmsg, quiet, verbose;
	char **operands; /* release, suggest: the addresses */
	int n_operands;
};

/* 0 to go on, 1 when --help/--version was printed, -EINVAL after printing a usage error. */
int args_parse(int argc, char **argv, struct args *ret);
