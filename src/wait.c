// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The monitor listens to the "kernel" netlink group, not "udev": in the initrd there may be
 * no udevd to re-broadcast events, and we want to act before any rule loads a driver.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "clock.h"
#include "text.h"
#include "wait.h"

struct waiter {
	struct udev *udev;
	struct udev_monitor *mon;
};

int wait_open(struct waiter **ret)
{
	struct waiter *w = calloc(1, sizeof(*w));
	int r = -ENOMEM;

	if (!w)
		return r;
	w->udev = udev_new();
	if (!w->udev)
		goto fail;
	w->mon = udev_monitor_new_from_netlink(w->udev, "kernel");
	if (!w->mon) {
		r = -EPROTONOSUPPORT;
		goto fail;
	}
	r = udev_monitor_filter_add_match_subsystem_devtype(w->mon, "pci", NULL);
	if (r >= 0)
		r = udev_monitor_enable_receiving(w->mon);
	if (r < 0)
		goto fail;
	*ret = w;
	return 0;
fail:
	wait_close(w);
	return r < 0 ? r : -EIO;
}

int wait_next(struct waiter *w, int timeout_ms, char *name, size_t size)
{
	long deadline = clock_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = udev_monitor_get_fd(w->mon), .events = POLLIN};
		long left = deadline - clock_ms();
		struct udev_device *dev;
		const char *action, *sysname;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		dev = udev_monitor_receive_device(w->mon);
		if (!dev)
			continue;
		action = udev_device_get_action(dev);
		sysname = udev_device_get_sysname(dev);
		if (action && sysname && str_eq(action, "add")) {
			copy_str(name, size, sysname);
			udev_device_unref(dev);
			return 1;
		}
		udev_device_unref(dev);
	}
}

void wait_close(struct waiter *w)
{
	if (!w)
		return;
	udev_monitor_unref(w->mon);
	udev_unref(w->udev);
	free(w);
}
