// SPDX-License-Identifier: GPL-2.0-or-later
/* Module parameter strings (see module-options.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "module-options.h"

/* The kernel's isspace(): its ctype table counts 0xa0 (Latin-1's no-break space) as one. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' ||
	       (unsigned char)c == 0xa0;
}

/* The length of the word at p: to white space outside quotes (the kernel's next_arg). */
static size_t word_length(const char *p)
{
	bool quoted = false;
	size_t n = 0;

	for (; p[n] && (quoted || !is_space(p[n])); n++)
		if (p[n] == '"')
			quoted = !quoted;
	return n;
}

/* Whether the word sets ids: its name, a leading quote skipped, ends at '=', '"' or the end. */
static bool is_ids(const char *p, size_t n)
{
	if (n > 0 && p[0] == '"')
		p++, n--;
	return n >= 3 && strncmp(p, "ids", 3) == 0 && (n == 3 || p[3] == '=' || p[3] == '"');
}

static size_t append_word(char *to, size_t at, const char *word, size_t n)
{
	if (at)
		to[at++] = ' ';
	memcpy(to + at, word, n);
	return at + n;
}

int module_options_split(const char *options, char **ret_keep, char **ret_ids)
{
	size_t len = options ? strlen(options) : 0, nk = 0, ni = 0;
	char *keep = malloc(len + 1), *ids = malloc(len + 1);

	if (!keep || !ids) {
		free(keep);
		free(ids);
		return -ENOMEM;
	}
	for (const char *p = options ? options : ""; *p;) {
		size_t n;

		while (is_space(*p))
			p++;
		n = word_length(p);
		if (n == 0)
			break;
		if (is_ids(p, n))
			ni = append_word(ids, ni, p, n);
		else
			nk = append_word(keep, nk, p, n);
		p += n;
	}
	keep[nk] = ids[ni] = '\0';
	*ret_keep = keep;
	*ret_ids = ids;
	return 0;
}
