// SPDX-License-Identifier: GPL-2.0-or-later
/* Reads and writes under <root>/sys. Every function returns 0 or -errno. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "root.h"
#include "sysfs.h"

static int device_path(char *buf, size_t size, const struct device *d, const char *attr)
{
	return root_path(buf, size, "/sys/bus/pci/devices/%s/%s", d->name, attr);
}

int sysfs_read_driver(const struct device *d, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	buf[0] = '\0';
	r = device_path(path, sizeof(path), d, "driver");
	if (r < 0)
		return r;
	r = link_read_name(path, buf, size);
	return r == -ENOENT ? 0 : r;
}

void sysfs_read_state(struct device *d)
{
	char path[PATH_MAX], value[DRIVER_NAME_MAX];
	unsigned long group;

	d->iommu_group = NO_GROUP;
	if (device_path(path, sizeof(path), d, "iommu_group") == 0 &&
	    link_read_name(path, value, sizeof(value)) == 0 &&
	    parse_uint(value, 0, INT_MAX, &group) == 0)
		d->iommu_group = (int)group;

	if (sysfs_read_driver(d, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';

	/* The kernel shows an unset override as "(null)". */
	d->override[0] = '\0';
	if (device_path(path, sizeof(path), d, "driver_override") == 0 &&
	    attr_read(path, value, sizeof(value)) == 0 && !str_eq(value, "(null)"))
		copy_str(d->override, sizeof(d->override), value);

	d->boot_vga = -1;
	if (device_path(path, sizeof(path), d, "boot_vga") == 0 &&
	    attr_read(path, value, sizeof(value)) == 0)
		d->boot_vga = str_eq(value, "1") ? 1 : 0;
}

bool sysfs_iommu_present(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *dir;

	if (root_path(path, sizeof(path), "/sys/kernel/iommu_groups") < 0)
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (e = readdir(dir)))
		found = e->d_name[0] != '.';
	closedir(dir);
	return found;
}

bool sysfs_device_present(const struct device *d)
{
	char path[PATH_MAX];
	struct stat st;

	return device_path(path, sizeof(path), d, "") == 0 && stat(path, &st) == 0;
}

int sysfs_set_override(const struct device *d, const char *driver)
{
	char path[PATH_MAX];
	int r;

	r = device_path(path, sizeof(path), d, "driver_override");
	if (r < 0)
		return r;
	/* A lone newline is how the kernel wants an override cleared. */
	return attr_write(path, driver ? driver : "\n");
}

int sysfs_unbind(const struct device *d)
{
	char path[PATH_MAX];
	int r;

	r = device_path(path, sizeof(path), d, "driver/unbind");
	if (r < 0)
		return r;
	return attr_write(path, d->name);
}

int sysfs_probe(const struct device *d)
{
	char path[PATH_MAX];
	int r;

	r = root_path(path, sizeof(path), "/sys/bus/pci/drivers_probe");
	if (r < 0)
		return r;
	return attr_write(path, d->name);
}
