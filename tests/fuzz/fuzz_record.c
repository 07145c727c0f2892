// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hand-over record's parser (src/handover-record.c) on any text: whatever it takes must be
 * what a hand-over of the slot writes, a function of that slot and names without a '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "handover-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handover_record rec;

	if (record_parse((const char *)data, size, "0000:03:00", &rec) < 0)
		return 0;
	if (rec.n_fn > RECORD_FUNCTIONS_MAX)
		abort();
	for (size_t i = 0; i < rec.n_fn; i++)
		if (strncmp(rec.fn[i].name, "0000:03:00.", 11) != 0 ||
		    strlen(rec.fn[i].name) != 12 || strchr(rec.fn[i].driver, '/'))
			abort();
	for (size_t i = 0; i < rec.units.n; i++)
		if (strchr(rec.units.v[i], '/'))
			abort();
	if (strchr(rec.vtcon, '/') || strchr(rec.fb_dev, '/') || strchr(rec.fb_driver, '/') ||
	    strchr(rec.domain, '/'))
		abort();
	record_free(&rec);
	return 0;
}
