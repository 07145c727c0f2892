// SPDX-License-Identifier: GPL-2.0-or-later
/* The config file: line by line, a bad line is reported by number and skipped. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "root.h"
#include "settings.h"

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static void parse_line(struct settings *s, char *line, size_t len, const char *where)
{
	const char *key, *rest;
	char *value, *eq, shown[64];

	if (strlen(line) != len) {
		settings_problem(s, "%s: contains a NUL byte; ignoring the line", where);
		return;
	}
	line[strcspn(line, "#")] = '\0';
	line = trim(line);
	if (!*line)
		return;
	eq = strchr(line, '=');
	if (!eq) {
		settings_problem(s, "%s: expected 'key = value'; ignoring the line", where);
		return;
	}
	*eq = '\0';
	value = trim(eq + 1);
	key = trim(line);
	/* The command line's spelling too, so users can paste "rd.vfio-claim.ids=..." (the rd.
	 * rule of settings.h). */
	rest = key_skip(key, "rd.");
	if (rest && key_skip(rest, "vfio-claim."))
		key = rest;
	rest = key_skip(key, "vfio-claim.");
	if (rest)
		key = rest;
	if (settings_apply(s, key, value, where, FROM_CONFIG) == -ENOENT) {
		text_escape(shown, sizeof(shown), key, strlen(key));
		settings_problem(s, "%s: unknown key '%s'; ignoring the line", where, shown);
	}
}

void settings_parse_config(struct settings *s, const char *text, size_t len, const char *name)
{
	unsigned line_no = 0;
	size_t i = 0;

	/* A UTF-8 byte order mark, as some editors write one, is not part of the first key. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		size_t n = 0;
		char where[PATH_MAX + 16], *line;

		while (i + n < len && text[i + n] != '\n')
			n++;
		line_no++;
		snprintf(where, sizeof(where), "%s:%u", name, line_no);
		line = malloc(n + 1);
		if (!line) {
			settings_problem(s, "%s: out of memory; ignoring the rest", where);
			return;
		}
		memcpy(line, text + i, n);
		line[n] = '\0';
		parse_line(s, line, n, where);
		free(line);
		i += n + 1;
	}
}

int settings_read_config(struct settings *s, const char *file, bool explicit_file)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	/* An absolute path is under the root prefix; a relative one is the user's own. */
	if (file[0] == '/')
		r = root_path(path, sizeof(path), "%s", file);
	else
		r = snprintf(path, sizeof(path), "%s", file) < (int)sizeof(path) ? 0
										 : -ENAMETOOLONG;
	if (r < 0) {
		settings_problem(s, "%s: path too long", file);
		return r;
	}
	r = file_read(path, CONFIG_MAX, &text, &len);
	if (r == -ENOENT && !explicit_file)
		return r;
	if (r == -EFBIG) {
		settings_problem(s, "%s: larger than %d bytes; ignoring it", file, CONFIG_MAX);
		return r;
	}
	if (r < 0) {
		settings_problem(s, "%s: cannot read it: %s; ignoring it", file, file_strerror(r));
		return r;
	}
	settings_parse_config(s, text, len, file);
	free(text);
	return 0;
}
