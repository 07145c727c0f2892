// SPDX-License-Identifier: GPL-2.0-or-later
/* The file helpers on files that are not what sysfs gives: nothing may block the boot. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

void test_util(void)
{
	char dir[] = "/tmp/vfio-claim-unit.XXXXXX", path[64], buf[16], *text = NULL;
	size_t len = 1;

	/* Found by tests/fault: a FIFO in place of an attribute blocked open() forever. */
	unit_case_begin("util/fifo without writer or reader does not block");
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/driver_override", dir);
	CHECK(mkfifo(path, 0600) == 0);
	alarm(10); /* a regression hangs here: the alarm kills the run, and the suite fails */
	CHECK(read_attr(path, buf, sizeof(buf)) == 0 && buf[0] == '\0');
	CHECK(write_attr(path, "vfio-pci") == -ENXIO);
	CHECK(read_file(path, 4096, &text, &len) == 0 && len == 0);
	alarm(0);
	free(text);
	unlink(path);
	rmdir(dir);
	unit_case_end();
}
