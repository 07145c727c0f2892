/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading vfio-pci through libkmod, as modprobe would (dependencies, softdeps, options,
 * blacklist) but without running install commands (so the modprobe.d trampoline that calls
 * vfio-claim cannot loop) and without the module's own ids= parameter (see module.c).
 * Tests link tests/seams/fake_module.c instead of module.c.
 */
#pragma once

#include <stdbool.h>

struct module_report {
	bool already;  /* built in or loaded before we came */
	char *dropped; /* the ids= parameters we kept from vfio-pci ("ids=..."), or NULL */
	char *detail;  /* what went wrong, when the return is < 0, or NULL */
};

/*
 * Returns 0 when vfio-pci is available (loaded now, already live or built in), -ENOENT when
 * the module is not installed, -EPERM when blacklisted, or another -errno from the kernel.
 */
int module_load_vfio_pci(struct module_report *ret);

void module_report_free(struct module_report *report);

/* 1 when vfio-pci is loaded or built in, 0 when installed but not loaded, -ENOENT if absent. */
int module_vfio_pci_state(void);
