// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Address selectors: the list parser (settings_add_addrs) and the token parsers, with the
 * properties that matter for paths: an accepted address formats as "DDDD:BB:DD.F" (the only
 * form that ever reaches a sysfs path) and parses back to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "selector.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const struct pci_addr *a)
{
	char name[32];
	struct pci_addr back;
	const char *why;

	addr_format(a, name, sizeof(name));
	if (strpbrk(name, "/.") != strchr(name, '.') || strchr(name, '/'))
		abort();
	if (a->dev > 0x1f || a->fn > 7)
		abort();
	if (addr_parse(name, &back, &why) < 0 || !addr_eq(a, &back))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct settings s = {0};
	const char *why = NULL;
	struct addr_sel sel;
	struct pci_addr addr;
	char *text;

	fuzz_root();
	text = fuzz_strdup(data, size);
	settings_add_addrs(&s, text, "--addrs");
	fuzz_check_settings(&s);
	for (size_t i = 0; i < s.sel.n_addrs; i++)
		check_roundtrip(&s.sel.addrs[i].addr);

	if (addr_sel_parse(text, &sel, &why) == 0)
		check_roundtrip(&sel.addr);
	else if (!why)
		abort();
	if (addr_parse(text, &addr, &why) == 0) {
		if (strstr(text, "..") || strchr(text, '/') || strchr(text, '='))
			abort();
		check_roundtrip(&addr);
	}
	settings_free(&s);
	free(text);
	return 0;
}
