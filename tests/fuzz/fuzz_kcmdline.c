// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel command line parser on arbitrary bytes (NULs, quotes, 64 KiB+). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kcmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct settings s;
	/* An exact-size heap copy: ASan sees any read past the end of the text. */
	char *text = malloc(size ? size : 1);

	fuzz_root();
	memcpy(text, data, size);
	memset(&s, 0, sizeof(s));
	kcmdline_parse(&s, text, size);
	if (s.n_problems > MAX_PROBLEMS || s.sel.n_ids > MAX_SELECTORS ||
	    s.sel.n_addrs > MAX_SELECTORS || s.wait > MAX_WAIT_SECONDS)
		abort();
	for (unsigned i = 0; i < s.n_problems; i++)
		if (strnlen(s.problems[i], sizeof(s.problems[i])) == sizeof(s.problems[i]))
			abort();
	free(text);
	return 0;
}
