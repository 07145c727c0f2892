// SPDX-License-Identifier: GPL-2.0-or-later
/* One line per message; kmsg lines carry "<prio>vfio-claim[pid]: " as systemd's do. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "root.h"

static int max_level = LOG_INFO;
static int kmsg_fd = -1;

void log_setup(int max, bool to_kmsg)
{
	char path[PATH_MAX];

	max_level = max;
	if (kmsg_fd >= 0) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	/* O_NONBLOCK: a FIFO in its place must not hold us (kmsg itself never blocks);
	 * O_APPEND: a saved kmsg under --root gets every writer's lines, as kmsg would. */
	if (to_kmsg && root_path(path, sizeof(path), "/dev/kmsg") == 0)
		kmsg_fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

bool log_should_use_kmsg(void)
{
	return getppid() == 1 && !isatty(STDERR_FILENO);
}

void log_msg(int level, const char *fmt, ...)
{
	char text[900], line[1024];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* a kmsg record holds about 1 KiB: a longer message is cut, and says so */
	if (n >= (int)sizeof(text))
		memcpy(text + sizeof(text) - 4, "...", 4);
	if (kmsg_fd >= 0) {
		n = snprintf(line, sizeof(line), "<%d>vfio-claim[%d]: %s\n", level, (int)getpid(),
			     text);
		/* One write per record: /dev/kmsg turns each write into one log entry. */
		if (write(kmsg_fd, line, (size_t)n) == n)
			return;
	}
	fprintf(stderr, "vfio-claim: %s\n", text);
}
