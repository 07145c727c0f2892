// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log reader (doctor's evidence): a saved /dev/kmsg made from the input, parsed by
 * dmesg_read and searched by dmesg_find as doctor does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "dmesg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const one[] = {"vfio-claim", NULL};
	static const char *const two[] = {"0000:03:00.0", "bound", NULL};
	static const char *const none[] = {NULL};
	struct dmesg log;
	char buf[200], tiny[1];
	const char *hit;

	fuzz_root();
	fuzz_write("dev/kmsg", data, size);
	if (dmesg_read(&log) < 0)
		return 0;
	if (!log.text)
		abort();
	for (const char *const *k[] = {one, two, none}, *const **p = k; p < k + 3; p++) {
		hit = dmesg_find(&log, *p, buf, sizeof(buf));
		if (hit && (hit != buf || strnlen(buf, sizeof(buf)) == sizeof(buf)))
			abort();
	}
	hit = dmesg_find(&log, one, tiny, sizeof(tiny));
	if (hit && tiny[0])
		abort();
	dmesg_free(&log);
	return 0;
}
