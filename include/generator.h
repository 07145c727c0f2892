/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initramfs generators this system has (NixOS, mkinitcpio, dracut, initramfs-tools),
 * found by their files under the root prefix, and whether vfio-claim's hook is installed for
 * each: what `suggest` needs to print the right install command.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum generator_kind { GEN_NIXOS, GEN_MKINITCPIO, GEN_DRACUT, GEN_INITRAMFS_TOOLS, GEN_KINDS };

struct generator {
	enum generator_kind kind;
	const char *name;     /* "initramfs-tools" */
	const char *evidence; /* the file that gave it away: "/usr/sbin/update-initramfs" */
	const char *hook;     /* vfio-claim's hook as installed, or NULL when it is not */
	bool from_package;    /* vfio-claim came from the Debian package (dpkg knows it) */
};

/* Fills found[] with the generators present, in the order above; returns how many. */
size_t generator_detect(struct generator found[GEN_KINDS]);
