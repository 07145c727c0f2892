// SPDX-License-Identifier: GPL-2.0-or-later
/* The config file parser on arbitrary bytes (NUL bytes, CR, no final newline, huge lines). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s = {0};
	char *text = malloc(size ? size : 1);

	fuzz_root();
	memcpy(text, data, size);
	settings_parse_config(&s, text, size, "/etc/vfio-claim.conf");
	fuzz_check_settings(&s);
	settings_free(&s);
	free(text);
	return 0;
}
