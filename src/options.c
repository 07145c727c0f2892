// SPDX-License-Identifier: GPL-2.0-or-later
/* Argument parsing; selectors given here go through the same parser as every other source. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "util.h"

static const char usage[] =
	"Usage: vfio-claim [claim] [OPTIONS]          claim the selected devices for vfio-pci\n"
	"       vfio-claim status [--json] [OPTIONS]  every PCI device and what a claim would do\n"
	"       vfio-claim release [OPTIONS] ADDR...  give devices back to their host drivers\n"
	"       vfio-claim doctor [OPTIONS]           explain why a device is (not) on vfio-pci\n"
	"\n"
	"Selecting devices (arguments, " CONFIG_DEFAULT ", kernel command line):\n"
	"  --ids LIST        vendor:device[:subvendor[:subdevice[:class[:class_mask]]]],...\n"
	"                    in hex, as vfio-pci.ids= takes them\n"
	"  --addrs LIST      [domain:]bus:device.function[=vendor:device],... as lspci prints\n"
	"  --config FILE     read FILE instead of " CONFIG_DEFAULT "\n"
	"  --no-cmdline      ignore the kernel command line\n"
	"Safety and scope:\n"
	"  --allow-boot-vga  allow claiming the boot VGA (single-GPU passthrough)\n"
	"  --group           claim every device of the selected devices' IOMMU groups\n"
	"  --unbind          take devices that a host driver holds already\n"
	"  --wait SECONDS    wait up to SECONDS (0-600) for selected addresses to appear\n"
	"  --strict          refusals and non-viable groups count as failures; a bad\n"
	"                    selector stops the run before anything is written\n"
	"Running:\n"
	"  --dry-run         print the plan, write nothing\n"
	"  --json            status as one JSON object\n"
	"  --modprobe        run as modprobe.d's 'install vfio_pci' command: claim, then always\n"
	"                    load vfio-pci (install commands ignored, so no loop)\n"
	"  --root DIR        take every /sys, /proc and /etc path under DIR\n"
	"  --kmsg            log to /dev/kmsg (the default in the initrd)\n"
	"  --quiet, --verbose, --help, --version\n"
	"\n"
	"Kernel command line: vfio-claim.ids= vfio-claim.addrs= vfio-claim.unbind=1\n"
	"  vfio-claim.allow-boot-vga=1 vfio-claim.group=1 vfio-claim.wait=SECONDS\n"
	"  vfio-claim.strict=1 vfio-claim=off (also with rd. in front); vfio-pci.ids= is honoured.\n"
	"\n"
	"Exit status: 0 every selected device is on vfio-pci (or nothing was selected);\n"
	"  1 some selected device is not (the reason is logged); 2 bad usage or configuration.\n";

enum {
	OPT_IDS = 0x100,
	OPT_ADDRS,
	OPT_CONFIG,
	OPT_NO_CMDLINE,
	OPT_ROOT,
	OPT_DRY_RUN,
	OPT_JSON,
	OPT_ALLOW_BOOT_VGA,
	OPT_GROUP,
	OPT_UNBIND,
	OPT_WAIT,
	OPT_MODPROBE,
	OPT_STRICT,
	OPT_KMSG,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option long_options[] = {
	{"ids", required_argument, NULL, OPT_IDS},
	{"addrs", required_argument, NULL, OPT_ADDRS},
	{"addresses", required_argument, NULL, OPT_ADDRS},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"no-cmdline", no_argument, NULL, OPT_NO_CMDLINE},
	{"root", required_argument, NULL, OPT_ROOT},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"json", no_argument, NULL, OPT_JSON},
	{"allow-boot-vga", no_argument, NULL, OPT_ALLOW_BOOT_VGA},
	{"group", no_argument, NULL, OPT_GROUP},
	{"unbind", no_argument, NULL, OPT_UNBIND},
	{"wait", required_argument, NULL, OPT_WAIT},
	{"modprobe", no_argument, NULL, OPT_MODPROBE},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"kmsg", no_argument, NULL, OPT_KMSG},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{0},
};

static int take_command(const char *word, enum command *ret)
{
	static const struct {
		const char *name;
		enum command cmd;
	} commands[] = {
		{"claim", CMD_CLAIM},
		{"status", CMD_STATUS},
		{"release", CMD_RELEASE},
		{"doctor", CMD_DOCTOR},
	};

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (str_eq(word, commands[i].name)) {
			*ret = commands[i].cmd;
			return 0;
		}
	return -EINVAL;
}

/* A switch given as an argument overrides the config file and the kernel command line. */
static void set_switch(struct options *o, const char *key, const char *value)
{
	settings_apply(&o->args, key, value, "arguments");
}

int options_parse(int argc, char **argv, struct options *ret)
{
	struct options o = {.cmd = CMD_CLAIM, .config = CONFIG_DEFAULT};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hqv", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_IDS:
			settings_add_ids(&o.args, optarg, false, "--ids");
			break;
		case OPT_ADDRS:
			settings_add_addrs(&o.args, optarg, "--addrs");
			break;
		case OPT_CONFIG:
			o.config = optarg;
			o.config_explicit = true;
			break;
		case OPT_NO_CMDLINE:
			o.no_cmdline = true;
			break;
		case OPT_ROOT:
			o.root = optarg;
			break;
		case OPT_DRY_RUN:
			o.dry_run = true;
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_ALLOW_BOOT_VGA:
			set_switch(&o, "allow-boot-vga", NULL);
			break;
		case OPT_GROUP:
			set_switch(&o, "group", NULL);
			break;
		case OPT_UNBIND:
			set_switch(&o, "unbind", NULL);
			break;
		case OPT_WAIT:
			set_switch(&o, "wait", optarg);
			break;
		case OPT_MODPROBE:
			o.modprobe = true;
			break;
		case OPT_STRICT:
			set_switch(&o, "strict", NULL);
			break;
		case OPT_KMSG:
			o.kmsg = true;
			break;
		case 'q':
		case OPT_QUIET:
			o.quiet = true;
			break;
		case 'v':
		case OPT_VERBOSE:
			o.verbose = true;
			break;
		case 'h':
		case OPT_HELP:
			fputs(usage, stdout);
			return 1;
		case OPT_VERSION:
			puts("vfio-claim " VFIO_CLAIM_VERSION);
			return 1;
		default:
			fprintf(stderr, "vfio-claim: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], usage);
			return -EINVAL;
		}
	}
	o.operands = argv + optind;
	o.n_operands = argc - optind;
	/* getopt moved the operands to the end: the first may be the command. */
	if (o.n_operands > 0 && take_command(o.operands[0], &o.cmd) == 0) {
		o.operands++;
		o.n_operands--;
	}
	/* modprobe appends the module's options to install commands; they are not ours. */
	if (o.n_operands > 0 && o.cmd != CMD_RELEASE && !o.modprobe) {
		fprintf(stderr, "vfio-claim: unexpected argument '%s'\n%s", o.operands[0], usage);
		return -EINVAL;
	}
	if (o.cmd == CMD_RELEASE && o.n_operands == 0) {
		fprintf(stderr, "vfio-claim: release needs at least one address\n");
		return -EINVAL;
	}
	*ret = o;
	return 0;
}
