// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lock file lives in /run, which only root can write to; still, it is opened as one
 * opens a file in a shared place: no following symlinks, nothing but a regular file, and
 * without blocking (a FIFO put there must not stop the boot).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fileio.h"
#include "lock.h"
#include "log.h"
#include "root.h"

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

int lock_take_claim(int wait_s, const char *after_wait, const char *doing, bool quiet)
{
	char path[PATH_MAX];
	int lock;

	if (root_path(path, sizeof(path), "/run/vfio-claim.lock") < 0)
		return -ENAMETOOLONG;
	lock = lock_take(path, wait_s * 1000);
	if (lock == -ETIMEDOUT)
		log_warning("another vfio-claim held %s for %d s; %s", path, wait_s, after_wait);
	else if (lock < 0 && !quiet)
		log_warning("cannot take the lock %s (%s); %s without it, so another vfio-claim "
			    "running at the same time may write too",
			    path, lock == -ELOOP ? "it is a symlink" : file_strerror(lock), doing);
	return lock;
}
