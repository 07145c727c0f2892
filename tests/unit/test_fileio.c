// SPDX-License-Identifier: GPL-2.0-or-later
/* The file helpers on files that are not what sysfs gives: nothing may block the boot. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "unit.h"

/*
 * Each call on a FIFO must return at once: -ENOTREG, or for a write to a FIFO nobody reads,
 * -ENXIO from the non-blocking open itself.
 */
static void check_fifo_refused(const char *path)
{
	int r;

	char buf[16], *text = NULL;
	size_t len = 1;

	alarm(10); /* a regression hangs here: the alarm kills the run, and the suite fails */
	CHECK(attr_read(path, buf, sizeof(buf)) == -ENOTREG);
	r = attr_write(path, "vfio-pci");
	CHECK(r == -ENOTREG || r == -ENXIO);
	CHECK(file_read(path, 4096, &text, &len) == -ENOTREG);
	alarm(0);
	CHECK(strcmp(file_strerror(-ENOTREG), "not a regular file") == 0);
}

void test_fileio(void)
{
	char dir[] = "/tmp/vfio-claim-unit.XXXXXX", path[64], buf[4];
	int writer;

	/* Found by tests/fault: a FIFO in place of an attribute blocked open() forever. */
	unit_case_begin("fileio/fifo without writer or reader does not block");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/driver_override", dir);
	CHECK(mkfifo(path, 0600) == 0);
	check_fifo_refused(path);
	unit_case_end();

	/* Found by review: with a live writer, a blocking read waited for its data forever. */
	unit_case_begin("fileio/fifo with a live writer does not block");
	writer = open(path, O_RDWR | O_NONBLOCK);
	CHECK(writer >= 0);
	check_fifo_refused(path);
	close(writer);
	unlink(path);
	unit_case_end();

	unit_case_begin("fileio/a value longer than the buffer is refused, not cut");
	snprintf(path, sizeof(path), "%s/boot_vga", dir);
	writer = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(writer >= 0 && write(writer, "1234\n", 5) == 5);
	close(writer);
	CHECK(attr_read(path, buf, sizeof(buf)) == -EOVERFLOW);
	CHECK(attr_read(path, buf, 2) == -EOVERFLOW);
	unlink(path);
	rmdir(dir);
	unit_case_end();
}
