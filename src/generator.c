// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Each generator is known by the program that builds the images and the folders its hooks
 * live in; the first file of each list that exists decides. NixOS comes first: its images
 * are built by nixos-rebuild from the configuration, whatever else is installed.
 */
#include <limits.h>
#include <sys/stat.h>

#include "generator.h"
#include "macro.h"
#include "root.h"

struct generator_def {
	const char *name;
	const char *const evidence[4]; /* NULL-terminated */
	const char *const hooks[3];    /* where vfio-claim's hook is once installed */
};

static const struct generator_def defs[GEN_KINDS] = {
	[GEN_NIXOS] = {"NixOS", {"/etc/NIXOS", "/run/current-system/nixos-version", NULL}, {NULL}},
	[GEN_MKINITCPIO] = {"mkinitcpio",
			    {"/usr/bin/mkinitcpio", "/etc/mkinitcpio.conf", NULL},
			    {"/usr/lib/initcpio/install/vfio-claim",
			     "/etc/initcpio/install/vfio-claim", NULL}},
	[GEN_DRACUT] = {"dracut",
			{"/usr/bin/dracut", "/usr/sbin/dracut",
			 "/usr/lib/dracut/dracut-functions.sh", NULL},
			{"/usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh", NULL}},
	[GEN_INITRAMFS_TOOLS] = {"initramfs-tools",
				 {"/usr/sbin/update-initramfs", "/usr/sbin/mkinitramfs",
				  "/usr/share/initramfs-tools/hook-functions", NULL},
				 {"/usr/share/initramfs-tools/hooks/vfio-claim",
				  "/etc/initramfs-tools/hooks/vfio-claim", NULL}},
};

static bool exists(const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	return root_path(path, sizeof(path), "%s", file) == 0 && stat(path, &st) == 0;
}

static const char *first_existing(const char *const *files)
{
	for (size_t i = 0; files[i]; i++)
		if (exists(files[i]))
			return files[i];
	return NULL;
}

size_t generator_detect(struct generator found[GEN_KINDS])
{
	bool packaged = exists("/var/lib/dpkg/info/vfio-claim.list");
	size_t n = 0;

	for (enum generator_kind k = 0; k < GEN_KINDS; k++) {
		const char *evidence = first_existing(defs[k].evidence);

		if (!evidence)
			continue;
		found[n++] = (struct generator){
			.kind = k,
			.name = defs[k].name,
			.evidence = evidence,
			.hook = first_existing(defs[k].hooks),
			.from_package = packaged,
		};
	}
	return n;
}
