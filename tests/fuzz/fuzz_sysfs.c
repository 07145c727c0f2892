// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sysfs attribute readers on a device directory made from the input: the driver and
 * iommu_group link targets and the driver_override and boot_vga contents. Input fields are
 * separated by the byte 0x1e: DRIVER-TARGET, GROUP-TARGET, OVERRIDE, BOOT_VGA, ATTR.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pci.h"
#include "fileio.h"
#include "root.h"
#include "sysfs.h"

#define DEV "sys/bus/pci/devices/0000:00:02.0"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size || strchr(s, '/'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *f[5];
	size_t len[5];
	/* a display controller: boot_vga is read for those only */
	struct device d = {.name = "0000:00:02.0", .id.class = 0x030000};
	char *driver, *group, path[PATH_MAX], buf[65];

	fuzz_root();
	fuzz_split(data, size, f, len, 5);
	driver = fuzz_strdup(f[0], len[0]);
	group = fuzz_strdup(f[1], len[1]);
	fuzz_symlink(DEV "/driver", driver);
	fuzz_symlink(DEV "/iommu_group", group);
	fuzz_write(DEV "/driver_override", f[2], len[2]);
	fuzz_write(DEV "/boot_vga", f[3], len[3]);
	fuzz_write(DEV "/attr", f[4], len[4]);

	sysfs_read_state(&d);
	check_name(d.driver, sizeof(d.driver));
	if (strnlen(d.override, sizeof(d.override)) == sizeof(d.override))
		abort();
	if (d.boot_vga < BOOT_VGA_ABSENT || d.boot_vga > BOOT_VGA_ODD || d.iommu_group < NO_GROUP)
		abort();
	/* the console guard fails closed: anything but absent or a plain 0 is the console */
	if (device_is_console(&d) != (d.boot_vga == BOOT_VGA_YES || d.boot_vga == BOOT_VGA_ODD))
		abort();

	/* The short-buffer cases: a 1-byte and a small buffer must still be terminated. */
	if (sysfs_read_driver(&d, buf, 1) == 0 && buf[0])
		abort();
	root_path(path, sizeof(path), "/%s/attr", DEV);
	if (attr_read(path, buf, sizeof(buf)) == 0 &&
	    (strnlen(buf, sizeof(buf)) == sizeof(buf) || strchr(buf, '\n')))
		abort();
	if (attr_read(path, buf, 2) == 0 && strnlen(buf, 2) == 2)
		abort();
	root_path(path, sizeof(path), "/%s/driver", DEV);
	if (link_read_name(path, buf, 9) == 0)
		check_name(buf, 9);
	free(driver);
	free(group);
	return 0;
}
