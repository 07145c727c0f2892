// SPDX-License-Identifier: GPL-2.0-or-later
/* Reads and writes under <root>/sys. Every function returns 0 or -errno. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
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

/*
 * boot_vga is the kernel's word on which GPU drives the console, and the one guard the user
 * cannot lose: anything but a plain 0 (a 1, "01", "2", a directory, an unreadable file, a
 * value too long) marks the device as the console, with what was read.
 */
static void read_boot_vga(struct device *d)
{
	char path[PATH_MAX], value[16], shown[40];
	int r;

	d->boot_vga = BOOT_VGA_ABSENT;
	if (device_path(path, sizeof(path), d, "boot_vga") < 0)
		return;
	r = attr_read(path, value, sizeof(value));
	if (r == -ENOENT && device_class16(d) != 0x0300) /* VGA compatible controller */
		return;
	if (r == 0 && str_eq(value, "0")) {
		d->boot_vga = BOOT_VGA_NO;
	} else if (r == 0 && str_eq(value, "1")) {
		d->boot_vga = BOOT_VGA_YES;
		copy_str(d->console, sizeof(d->console), "is the boot VGA (the host console)");
	} else {
		d->boot_vga = BOOT_VGA_ODD;
		if (r == -ENOENT) {
			/* the kernel gives every VGA-class device one (pci_dev_attrs_are_visible) */
			copy_str(
				d->console, sizeof(d->console),
				"is a VGA controller without a boot_vga attribute: taken for the host "
				"console");
		} else if (r == 0) {
			text_escape(shown, sizeof(shown), value, strlen(value));
			snprintf(d->console, sizeof(d->console),
				 "its boot_vga reads '%s', neither 0 nor 1: taken for the "
				 "host console",
				 shown);
		} else {
			snprintf(d->console, sizeof(d->console),
				 "its boot_vga cannot be read (%s): taken for the host console",
				 r == -EOVERFLOW ? "too long" : file_strerror(r));
		}
	}
}

void sysfs_read_override(struct device *d)
{
	char path[PATH_MAX], value[DRIVER_NAME_MAX];
	int r;

	/* The kernel shows an unset override as "(null)"; kernels before 3.16 have none. */
	d->override[0] = '\0';
	d->has_override = true;
	if (device_path(path, sizeof(path), d, "driver_override") < 0)
		return;
	r = attr_read(path, value, sizeof(value));
	if (r == 0 && !str_eq(value, "(null)"))
		copy_str(d->override, sizeof(d->override), value);
	d->has_override = r != -ENOENT;
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

	sysfs_read_override(d);
	d->console[0] = '\0';
	/* The kernel shows boot_vga for VGA-class devices only (pci_is_vga(): 0300, and 0001
	 * from before PCI 2.0); asking every other device for it is a failed open each. Every
	 * display controller (03xx) is still asked, so an odd one fails closed as before. */
	d->boot_vga = BOOT_VGA_ABSENT;
	if (device_base_class(d) == 0x03 || device_class16(d) == 0x0001)
		read_boot_vga(d);
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

enum module_state sysfs_module_state(const char *module)
{
	static const struct {
		const char *text;
		enum module_state state;
	} states[] = {{"live", MODULE_LIVE}, {"coming", MODULE_COMING}, {"going", MODULE_GOING}};
	char path[PATH_MAX], value[32];
	struct stat st;

	if (root_path(path, sizeof(path), "/sys/module/%s/initstate", module) == 0 &&
	    attr_read(path, value, sizeof(value)) == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(states); i++)
			if (str_eq(value, states[i].text))
				return states[i].state;
		return MODULE_ODD;
	}
	if (root_path(path, sizeof(path), "/sys/module/%s", module) == 0 && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return MODULE_BUILTIN;
	return MODULE_ABSENT;
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

int sysfs_bind(const struct device *d, const char *driver)
{
	char path[PATH_MAX];
	int r;

	r = root_path(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", driver);
	if (r < 0)
		return r;
	return attr_write(path, d->name);
}

int sysfs_fbcon_vtcon(char *vtcon, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], name[128], bind[8];
	struct dirent *e;
	DIR *d;
	int r = -ENOENT;

	if (root_path(dir, sizeof(dir), "/sys/class/vtconsole") < 0 || !(d = opendir(dir)))
		return -ENOENT;
	while (r < 0 && (e = readdir(d))) {
		if (strncmp(e->d_name, "vtcon", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/name", dir, e->d_name);
		if (attr_read(path, name, sizeof(name)) < 0 || !strstr(name, "frame buffer"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/bind", dir, e->d_name);
		if (attr_read(path, bind, sizeof(bind)) == 0 && str_eq(bind, "1")) {
			copy_str(vtcon, size, e->d_name);
			r = 0;
		}
	}
	closedir(d);
	return r;
}

bool sysfs_has_fb(const struct device *d, const char *fb)
{
	char path[PATH_MAX], sub[64];
	struct stat st;

	snprintf(sub, sizeof(sub), "graphics/%s", fb);
	return device_path(path, sizeof(path), d, sub) == 0 && stat(path, &st) == 0;
}

int sysfs_vtcon_bind(const char *vtcon, bool bind)
{
	char path[PATH_MAX];
	int r;

	r = root_path(path, sizeof(path), "/sys/class/vtconsole/%s/bind", vtcon);
	if (r < 0)
		return r;
	return attr_write(path, bind ? "1" : "0");
}

int sysfs_firmware_fb_device(char *dev, size_t dev_size, char *driver, size_t driver_size)
{
	static const char *const prefixes[] = {"efi-framebuffer.", "simple-framebuffer.",
					       "vesa-framebuffer."};
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;
	int r = -ENOENT;

	if (root_path(dir, sizeof(dir), "/sys/bus/platform/devices") < 0 || !(d = opendir(dir)))
		return -ENOENT;
	while (r < 0 && (e = readdir(d)))
		for (size_t i = 0; i < ARRAY_SIZE(prefixes) && r < 0; i++) {
			if (strncmp(e->d_name, prefixes[i], strlen(prefixes[i])) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s/driver", dir, e->d_name);
			if (link_read_name(path, driver, driver_size) == 0) {
				copy_str(dev, dev_size, e->d_name);
				r = 0;
			}
		}
	closedir(d);
	return r;
}

bool sysfs_platform_present(const char *dev)
{
	char path[PATH_MAX];
	struct stat st;

	return root_path(path, sizeof(path), "/sys/bus/platform/devices/%s", dev) == 0 &&
	       stat(path, &st) == 0;
}

int sysfs_platform_bind(const char *dev, const char *driver, bool bind)
{
	char path[PATH_MAX];
	int r;

	r = root_path(path, sizeof(path), "/sys/bus/platform/drivers/%s/%s", driver,
		      bind ? "bind" : "unbind");
	if (r < 0)
		return r;
	return attr_write(path, dev);
}
