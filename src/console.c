// SPDX-License-Identifier: GPL-2.0-or-later
/* Which device is the host's console (see console.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "console.h"
#include "fileio.h"
#include "framebuffer.h"
#include "log.h"
#include "root.h"
#include "sysfs.h"

/* fbcon draws on fb0 unless told otherwise (fbcon=map:): the device that has fb0 has it. */
static void mark_fbcon(struct device_list *devs)
{
	char vtcon[32];

	if (sysfs_fbcon_vtcon(vtcon, sizeof(vtcon)) < 0)
		return;
	for (size_t i = 0; i < devs->n; i++) {
		struct device *d = &devs->dev[i];

		if (!device_is_console(d) && sysfs_has_fb(d, "fb0"))
			snprintf(d->console, sizeof(d->console),
				 "carries the virtual console (%s on fb0): the host console",
				 vtcon);
	}
}

/* Without the memory map, a display without boot_vga may be the console: fail closed. */
static void mark_unknown(struct device_list *devs, int error)
{
	char path[PATH_MAX] = "/proc/iomem";

	root_path(path, sizeof(path), "/proc/iomem");
	log_error("cannot read %s (%s): the firmware framebuffer's device (the console of a "
		  "display without boot_vga) cannot be found",
		  path, error == -EFBIG ? "larger than 1048576 bytes" : file_strerror(error));
	for (size_t i = 0; i < devs->n; i++) {
		struct device *d = &devs->dev[i];

		if (device_base_class(d) == 0x03 && d->boot_vga == BOOT_VGA_ABSENT)
			d->console_unknown = true;
	}
}

void console_mark(struct device_list *devs)
{
	struct firmware_fbs fbs;
	int r;

	r = framebuffer_find(devs, &fbs);
	if (r < 0) {
		mark_unknown(devs, r);
	} else {
		framebuffer_mark_console(devs, &fbs);
		framebuffer_free(&fbs);
	}
	mark_fbcon(devs);
}
