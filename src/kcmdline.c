// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel command line rules follow the kernel and systemd: words split on white space outside
 * double quotes, quotes removed, '-' and '_' equal in keys, and the "rd." prefix honoured
 * because this runs in the initrd.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "util.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0';
}

/* Compares a key prefix with '-' and '_' equal; returns the rest of key or NULL. */
static const char *skip_prefix(const char *key, const char *prefix)
{
	for (; *prefix; key++, prefix++) {
		char a = *key == '_' ? '-' : *key;
		char b = *prefix == '_' ? '-' : *prefix;

		if (a != b)
			return NULL;
	}
	return key;
}

static void apply_word(struct settings *s, char *word)
{
	static const char where[] = "kernel command line";
	char *value = strchr(word, '=');
	const char *key = word, *rest;

	if (value)
		*value++ = '\0';
	if (strncmp(key, "rd.", 3) == 0)
		key += 3;

	rest = skip_prefix(key, "vfio-pci.ids");
	if (rest && !*rest) {
		if (value && *value)
			settings_add_ids(s, value, true, where);
		return;
	}
	rest = skip_prefix(key, "vfio-claim");
	if (!rest)
		return;
	if (!*rest) {
		bool on;

		/* "vfio-claim=off" is the rescue switch; an unreadable value is taken as off too. */
		if (!value || parse_bool(value, &on) < 0 || !on) {
			s->off = true;
			s->set |= SET_OFF;
		}
		return;
	}
	if (*rest != '.')
		return;
	if (settings_apply(s, rest + 1, value, where) == -ENOENT)
		settings_problem(s, "%s: unknown key '%.40s'; ignoring it", where, key);
}

void kcmdline_parse(struct settings *s, const char *text, size_t len)
{
	char *copy;
	size_t i = 0;

	if (len > KCMDLINE_MAX) {
		settings_problem(s, "kernel command line is %zu bytes, more than %d; ignoring it", len,
				 KCMDLINE_MAX);
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

int kcmdline_read(struct settings *s)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	r = root_path(path, sizeof(path), "/proc/cmdline");
	if (r < 0)
		return r;
	r = read_file(path, KCMDLINE_MAX, &text, &len);
	if (r == -EFBIG) {
		settings_problem(s, "%s is larger than %d bytes; ignoring it", path, KCMDLINE_MAX);
		return r;
	}
	if (r < 0)
		return r;
	kcmdline_parse(s, text, len);
	free(text);
	return 0;
}
