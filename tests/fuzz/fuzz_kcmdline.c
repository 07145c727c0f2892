// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel command line parser on arbitrary bytes (NULs, quotes, 64 KiB+). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s = {0};
	/* An exact-size heap copy: ASan sees any read past the end of the text. */
	char *text = malloc(size ? size : 1);

	fuzz_root();
	memcpy(text, data, size);
	settings_parse_kcmdline(&s, text, size);
	fuzz_check_settings(&s);
	settings_free(&s);
	free(text);
	return 0;
}
