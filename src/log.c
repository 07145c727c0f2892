// SPDX-License-Identifier: GPL-2.0-or-later
/* One line per message; kmsg lines carry "<prio>vfio-claim[pid]: " as systemd's do. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level max_level = LOG_INFO;
static int kmsg_fd = -1;

void log_setup(enum log_level max, bool to_kmsg)
{
	max_level = max;
	if (kmsg_fd >= 0) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	if (to_kmsg)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

bool log_should_use_kmsg(void)
{
	return getppid() == 1 && !isatty(STDERR_FILENO);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char text[900], line[1024];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (kmsg_fd >= 0) {
		n = snprintf(line, sizeof(line), "<%d>vfio-claim[%d]: %s\n", level, (int)getpid(),
			     text);
		/* One write per record: /dev/kmsg turns each write into one log entry. */
		if (write(kmsg_fd, line, (size_t)n) == n)
			return;
	}
	fprintf(stderr, "vfio-claim: %s\n", text);
}
