// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel command line, split as the kernel and systemd split it: words on white space
 * outside double quotes, the quotes removed. Ours are vfio-claim.KEY=, the bare vfio-claim=
 * (the rescue switch) and the user's older vfio-pci.ids= (vfio_pci.ids=).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "root.h"
#include "settings.h"

static const char where[] = "kernel command line";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
}

static void apply_word(struct settings *s, char *word)
{
	char *value = strchr(word, '='), shown[64];
	const char *key = word, *rest;

	if (value)
		*value++ = '\0';
	rest = key_skip(key, "rd.");
	if (rest)
		key = rest;

	rest = key_skip(key, "vfio-pci.ids");
	if (rest && !*rest) {
		if (value && *value)
			settings_add_ids(s, value, true, where);
		return;
	}
	rest = key_skip(key, "vfio-claim");
	if (!rest)
		return;
	if (!*rest) {
		bool on = true;

		/* the rescue switch: vfio-claim=off (or on); a bare vfio-claim is "on" */
		if (value && parse_bool(value, &on) < 0) {
			text_escape(shown, sizeof(shown), value, strlen(value));
			settings_problem(s,
					 "%s: vfio-claim='%s' is neither off nor on; ignoring it",
					 where, shown);
			return;
		}
		settings_apply(s, "off", on ? "0" : "1", where, FROM_CMDLINE);
		return;
	}
	text_escape(shown, sizeof(shown), key, strlen(key));
	if (*rest == '-' || *rest == '_') {
		/* "vfio-claim-ids=": ours by its name, but no key of ours */
		settings_problem(s,
				 "%s: unknown key '%.40s' (vfio-claim's keys are "
				 "vfio-claim.KEY=, e.g. vfio-claim.ids=); ignoring it",
				 where, shown);
		return;
	}
	if (*rest != '.')
		return;
	if (settings_apply(s, rest + 1, value, where, FROM_CMDLINE) == -ENOENT)
		settings_problem(s, "%s: unknown key '%.40s'; ignoring it", where, shown);
}

void settings_parse_kcmdline(struct settings *s, const char *text, size_t len)
{
	char *copy;
	size_t i = 0;

	if (len > KCMDLINE_MAX) {
		settings_problem(s, "kernel command line is %zu bytes, more than %d; ignoring it",
				 len, KCMDLINE_MAX);
		return;
	}
	copy = malloc(len + 1);
	if (!copy) {
		settings_problem(s, "kernel command line: out of memory; ignoring it");
		return;
	}
	while (i < len) {
		bool quoted = false;
		size_t o = 0;

		while (i < len && is_space(text[i]))
			i++;
		for (; i < len && (quoted || !is_space(text[i])); i++) {
			if (text[i] == '"')
				quoted = !quoted;
			else
				copy[o++] = text[i];
		}
		copy[o] = '\0';
		if (o > 0)
			apply_word(s, copy);
	}
	free(copy);
}

int settings_read_kcmdline(struct settings *s)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	r = root_path(path, sizeof(path), "/proc/cmdline");
	if (r < 0)
		return r;
	r = file_read(path, KCMDLINE_MAX, &text, &len);
	if (r == -EFBIG) {
		settings_problem(s, "%s is larger than %d bytes; ignoring it", path, KCMDLINE_MAX);
		return r;
	}
	if (r < 0)
		return r;
	settings_parse_kcmdline(s, text, len);
	free(text);
	return 0;
}
