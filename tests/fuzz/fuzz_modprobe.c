// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The modprobe.d reader (src/modprobe-conf.c) on a file made from the input, as two files of
 * /etc/modprobe.d (so the sort and the folder rules run too): lines, continuations, NULs,
 * comments, huge words; then the vfio_pci ids= it extracts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "modprobe-conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *f[2];
	size_t len[2];
	struct modprobe_conf conf;
	char *ids;

	fuzz_root();
	fuzz_split(data, size, f, len, 2);
	fuzz_write("etc/modprobe.d/a.conf", f[0], len[0]);
	fuzz_write("lib/modprobe.d/b.conf", f[1], len[1]);
	if (modprobe_conf_read(&conf) < 0)
		return 0;
	for (size_t i = 0; i < conf.n; i++) {
		const struct modprobe_line *l = &conf.lines[i];

		/* every line names a command and a module, without '-' in the module name */
		if (!l->command[0] || !l->module[0] || strchr(l->module, '-') || !l->file ||
		    !l->line)
			abort();
	}
	ids = modprobe_conf_vfio_ids(&conf);
	if (ids && strlen(ids) > size + 1)
		abort();
	free(ids);
	modprobe_conf_free(&conf);
	return 0;
}
