// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The firmware framebuffer finder (src/framebuffer.c) on a /proc/iomem made from the input,
 * with two devices whose BARs (resource files) it may fall into: any nesting, any names, any
 * numbers; a found framebuffer must name one of the two devices or none.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framebuffer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t bar[] = "0x00000000c0000000 0x00000000c0ffffff 0x0000000000040200\n";
	struct device dev[2] = {{.name = "0000:01:00.0", .id.addr = {.bus = 1}},
				{.name = "0000:02:00.0", .id.addr = {.bus = 2}}};
	struct device_list devs = {.dev = dev, .n = 2};
	struct firmware_fbs fbs;

	fuzz_root();
	fuzz_write("proc/iomem", data, size);
	fuzz_write("sys/bus/pci/devices/0000:02:00.0/resource", bar, sizeof(bar) - 1);
	if (framebuffer_find(&devs, &fbs) < 0)
		return 0;
	for (size_t i = 0; i < fbs.n; i++)
		if (fbs.fb[i].device < -1 || fbs.fb[i].device > 1 || !fbs.fb[i].name[0])
			abort();
	framebuffer_mark_console(&devs, &fbs);
	for (size_t i = 0; i < 2; i++)
		if (strnlen(dev[i].console, sizeof(dev[i].console)) == sizeof(dev[i].console))
			abort();
	framebuffer_free(&fbs);
	return 0;
}
