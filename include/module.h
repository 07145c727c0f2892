/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading vfio-pci through libkmod, as modprobe would (dependencies, softdeps, options,
 * blacklist) but without running install commands (so the modprobe.d trampoline that calls
 * vfio-claim cannot loop) and without the module's own ids= parameter (see module.c). The
 * load can run on a thread of its own while the caller enumerates and plans.
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
 * Starts loading vfio-pci in the background; module_load_end() waits for it. Returns 0, or
 * -errno when no thread could be started (module_load_end() then loads in the foreground).
 * Call it only when vfio-pci is not in the kernel yet (sysfs_module_state()): it always
 * reaches for libkmod.
 */
int module_load_begin(void);

/*
 * Waits for the load module_load_begin() started, or loads vfio-pci now if none was. Returns
 * 0 when vfio-pci is available (loaded now, already live or built in), -ENOENT when the
 * module is not installed, -EPERM when blacklisted, or another -errno from the kernel.
 */
int module_load_end(struct module_report *ret);

void module_report_free(struct module_report *report);

/* 1 when vfio-pci is loaded or built in, 0 when installed but not loaded, -ENOENT if absent. */
int module_vfio_pci_state(void);
