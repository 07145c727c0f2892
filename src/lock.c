// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lock file lives in /run, which only root can write to; still, it is opened as one
 * opens a file in a shared place: no following symlinks, nothing but a regular file, and
 * without blocking (a FIFO put there must not stop the boot).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fileio.h"
#include "lock.h"

int lock_take(const char *path, int timeout_ms)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOTREG;
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 50) {
		if (errno != EWOULDBLOCK || waited >= timeout_ms) {
			r = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			close(fd);
			return r;
		}
		sleep_ms(50);
	}
	return fd;
}
