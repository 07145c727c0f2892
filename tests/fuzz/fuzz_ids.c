// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ID selectors: the list parser (settings_add_ids) and the token parser (id_sel_parse), with
 * the property that a token accepted is plain hex fields the matcher can use.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "selector.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s = {0};
	static const struct pci_ident dev = {
		.vendor = 0x1002,
		.device = 0x744c,
		.subvendor = 0x1043,
		.subdevice = 0x0001,
		.class = 0x030000,
	};
	const char *why = NULL;
	struct id_sel sel;
	char *text;

	fuzz_root();
	text = fuzz_strdup(data, size);
	settings_add_ids(&s, text, size & 1, "--ids");
	fuzz_check_settings(&s);
	for (size_t i = 0; i < s.sel.n_ids; i++)
		(void)id_sel_match(&s.sel.ids[i], &dev);

	if (id_sel_parse(text, &sel, &why) == 0) {
		/* Accepted: only hex digits and colons, at most 5 colons. */
		size_t colons = 0;

		for (const char *p = text; *p; p++) {
			if (*p == ':')
				colons++;
			else if (!isxdigit((unsigned char)*p))
				abort();
		}
		if (colons < 1 || colons > 5)
			abort();
		(void)id_sel_match(&sel, &dev);
	} else if (!why) {
		abort(); /* every refusal says why */
	}
	settings_free(&s);
	free(text);
	return 0;
}
