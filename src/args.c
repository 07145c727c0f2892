// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Argument parsing. The switches come from the one table (switch_defs[]), and selectors and
 * switches given here go through the same code as those of every other source.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"

static const char usage_head[] =
	"Usage: vfio-claim [claim] [OPTIONS]          claim the selected devices for vfio-pci\n"
	"       vfio-claim status [--json] [OPTIONS]  every PCI device and what a claim would do\n"
	"       vfio-claim release [OPTIONS] ADDR...  give devices back to their host drivers\n"
	"       vfio-claim doctor [OPTIONS] [ADDR...] explain why a device is (not) on vfio-pci,\n"
	"                                             and who holds ADDR's card\n"
	"       vfio-claim groups [--json] [OPTIONS]  every IOMMU group: its cards, whether it\n"
	"                                             can go to a guest, the console's group\n"
	"       vfio-claim suggest [OPTIONS] ADDR...  the configuration lines that claim the\n"
	"                                             card at ADDR, for every way in\n"
	"\n"
	"Selecting devices (arguments, " CONFIG_DEFAULT ", kernel command line):\n"
	"  --ids LIST        vendor:device[:subvendor[:subdevice[:class[:class_mask]]]],...\n"
	"                    in hex, as vfio-pci.ids= takes them\n"
	"  --addrs LIST      [domain:]bus:device.function[=vendor:device],... as lspci prints\n"
	"  --config FILE     read FILE instead of " CONFIG_DEFAULT "\n"
	"  --no-cmdline      ignore the kernel command line\n"
	"Run-time hand-over (claim --unbind, release):\n"
	"  --stop-units LIST systemd units (NAME.service, NAME.scope) that may be stopped when\n"
	"                    their processes hold the device, and are started again on release\n"
	"  --domain NAME     act only if NAME is in runtime-domains, on the arguments' devices\n"
	"                    alone (the libvirt hook's use)\n"
	"Safety and scope:\n";

static const char usage_tail[] =
	"Running:\n"
	"  --dry-run         print the plan, write nothing\n"
	"  --json            status, groups and claim --dry-run as one JSON object\n"
	"  --modprobe        run as modprobe.d's 'install vfio_pci' command: claim (never\n"
	"                    waiting), then always load vfio-pci, without its ids= option and\n"
	"                    with install commands ignored (no loop); exit 1 only if it cannot\n"
	"                    load vfio-pci\n"
	"  --root DIR        take every system path (/sys, /proc, /etc, /run, /dev, /lib/modules)\n"
	"                    under DIR (tests, dumped trees)\n"
	"  --kmsg            log to /dev/kmsg (the default in the initrd)\n"
	"  --quiet, --verbose, --help, --version\n"
	"\n"
	"Kernel command line: vfio-claim.ids= vfio-claim.addrs= vfio-claim.unbind=1\n"
	"  vfio-claim.allow-boot-vga=1 vfio-claim.group=1 vfio-claim.wait=SECONDS\n"
	"  vfio-claim.strict=1 vfio-claim=off (also with rd. in front); vfio-pci.ids= is honoured.\n"
	"Config file: the same keys without vfio-claim., and runtime-domains= runtime-stop-units=\n"
	"  for the run-time hand-over.\n"
	"\n"
	"Exit status: 0 every selected device is on vfio-pci (or nothing was selected);\n"
	"  1 some selected device is not (the reason is logged); 2 bad usage or configuration.\n";

static void usage(FILE *out)
{
	fputs(usage_head, out);
	for (enum switch_id id = 0; id < SW_COUNT; id++) {
		const struct switch_def *d = &switch_defs[id];
		char opt[32];

		if (!(d->sources & FROM_ARGS))
			continue;
		snprintf(opt, sizeof(opt), "--%s%s%s", d->key, d->arg ? " " : "",
			 d->arg ? d->arg : "");
		fprintf(out, "  %-16s  %s\n", opt, d->help);
	}
	fputs(usage_tail, out);
}

enum {
	OPT_IDS = 0x100,
	OPT_ADDRS,
	OPT_CONFIG,
	OPT_NO_CMDLINE,
	OPT_ROOT,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_MODPROBE,
	OPT_KMSG,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
	OPT_STOP_UNITS,
	OPT_DOMAIN,
	OPT_SWITCH, /* OPT_SWITCH + enum switch_id: the switches of the table */
};

static const struct option fixed_options[] = {
	{"ids", required_argument, NULL, OPT_IDS},
	{"addrs", required_argument, NULL, OPT_ADDRS},
	{"addresses", required_argument, NULL, OPT_ADDRS},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"no-cmdline", no_argument, NULL, OPT_NO_CMDLINE},
	{"root", required_argument, NULL, OPT_ROOT},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"json", no_argument, NULL, OPT_JSON},
	{"modprobe", no_argument, NULL, OPT_MODPROBE},
	{"kmsg", no_argument, NULL, OPT_KMSG},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{"stop-units", required_argument, NULL, OPT_STOP_UNITS},
	{"domain", required_argument, NULL, OPT_DOMAIN},
};

static bool command_takes_addresses(enum command cmd)
{
	return cmd == CMD_RELEASE || cmd == CMD_SUGGEST;
}

static int take_command(const char *word, enum command *ret)
{
	static const struct {
		const char *name;
		enum command cmd;
	} commands[] = {
		{"claim", CMD_CLAIM},	{"status", CMD_STATUS}, {"release", CMD_RELEASE},
		{"doctor", CMD_DOCTOR}, {"groups", CMD_GROUPS}, {"suggest", CMD_SUGGEST},
	};

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (str_eq(word, commands[i].name)) {
			*ret = commands[i].cmd;
			return 0;
		}
	return -EINVAL;
}

int args_parse(int argc, char **argv, struct args *ret)
{
	struct option options[ARRAY_SIZE(fixed_options) + SW_COUNT + 1] = {{0}};
	struct args a = {.cmd = CMD_CLAIM, .config = CONFIG_DEFAULT};
	size_t n = ARRAY_SIZE(fixed_options);
	int c;

	memcpy(options, fixed_options, sizeof(fixed_options));
	for (enum switch_id id = 0; id < SW_COUNT; id++)
		if (switch_defs[id].sources & FROM_ARGS)
			options[n++] = (struct option){switch_defs[id].key,
						       switch_defs[id].arg ? required_argument
									   : no_argument,
						       NULL, OPT_SWITCH + (int)id};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hqv", options, NULL)) != -1) {
		switch (c) {
		case OPT_IDS:
			settings_add_ids(&a.settings, optarg, false, "--ids");
			break;
		case OPT_ADDRS:
			settings_add_addrs(&a.settings, optarg, "--addrs");
			break;
		case OPT_STOP_UNITS:
			settings_add_units(&a.settings, optarg, "--stop-units");
			break;
		case OPT_DOMAIN:
			a.domain = optarg;
			break;
		case OPT_CONFIG:
			a.config = optarg;
			a.config_explicit = true;
			break;
		case OPT_NO_CMDLINE:
			a.no_cmdline = true;
			break;
		case OPT_ROOT:
			a.root = optarg;
			break;
		case OPT_DRY_RUN:
			a.dry_run = true;
			break;
		case OPT_JSON:
			a.json = true;
			break;
		case OPT_MODPROBE:
			a.modprobe = true;
			break;
		case OPT_KMSG:
			a.kmsg = true;
			break;
		case 'q':
		case OPT_QUIET:
			a.quiet = true;
			break;
		case 'v':
		case OPT_VERBOSE:
			a.verbose = true;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			settings_free(&a.settings);
			return 1;
		case OPT_VERSION:
			puts("vfio-claim " VFIO_CLAIM_VERSION);
			settings_free(&a.settings);
			return 1;
		default:
			if (c >= OPT_SWITCH && c < OPT_SWITCH + SW_COUNT) {
				/* a switch given as an argument overrides the other two sources */
				settings_apply(&a.settings, switch_defs[c - OPT_SWITCH].key, optarg,
					       "arguments", FROM_ARGS);
				break;
			}
			fprintf(stderr, "vfio-claim: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			settings_free(&a.settings);
			return -EINVAL;
		}
	}
	a.operands = argv + optind;
	a.n_operands = argc - optind;
	/* getopt moved the operands to the end: the first may be the command. */
	if (a.n_operands > 0 && take_command(a.operands[0], &a.cmd) == 0) {
		a.operands++;
		a.n_operands--;
	}
	/* modprobe appends the module's options to install commands; they are not ours. */
	if (a.n_operands > 0 && !command_takes_addresses(a.cmd) && a.cmd != CMD_DOCTOR &&
	    !a.modprobe) {
		fprintf(stderr, "vfio-claim: unexpected argument '%s'\n", a.operands[0]);
		usage(stderr);
		settings_free(&a.settings);
		return -EINVAL;
	}
	if (command_takes_addresses(a.cmd) && a.n_operands == 0) {
		fprintf(stderr, "vfio-claim: %s needs at least one address\n",
			a.cmd == CMD_RELEASE ? "release" : "suggest");
		settings_free(&a.settings);
		return -EINVAL;
	}
	*ret = a;
	return 0;
}
