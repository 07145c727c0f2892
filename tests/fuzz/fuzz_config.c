// SPDX-License-Identifier: GPL-2.0-or-later
/* The config file parser on arbitrary bytes (NUL bytes, CR, no final newline, huge lines). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct settings s;
	char *text = malloc(size ? size : 1);

	fuzz_root();
	memcpy(text, data, size);
	memset(&s, 0, sizeof(s));
	config_parse(&s, text, size, "/etc/vfio-claim.conf");
	fuzz_check_settings(&s);
	free(text);
	return 0;
}
