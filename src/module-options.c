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

/* The value the kernel hands the module for the ids word p (n bytes): its quotes removed. */
static size_t ids_value(const char *p, size_t n, const char **ret)
{
	const char *end = p + n, *value;
	bool quoted = p[0] == '"';

	p += quoted;
	/* the name ends at the first '=': "ids"=... names ids", no parameter of vfio-pci's */
	if (end - p < 4 || p[3] != '=')
		return 0; /* a bare ids: no value, the kernel refuses it */
	value = p + 4;
	if (value < end && value[0] == '"')
		value++, quoted = true;
	/* the kernel's next_arg drops the closing quote of a quoted word or value only */
	if (quoted && end > value && end[-1] == '"')
		end--;
	*ret = value;
	return (size_t)(end - value);
}

char *module_options_ids(const char *options)
{
	size_t len = options ? strlen(options) : 0, o = 0;
	char *ids = malloc(len + 1);

	if (!ids)
		return NULL;
	for (const char *p = options ? options : ""; *p;) {
		const char *value;
		size_t n, m;

		while (is_space(*p))
			p++;
		n = word_length(p);
		if (n == 0)
			break;
		if (is_ids(p, n) && (m = ids_value(p, n, &value)) > 0) {
			if (o)
				ids[o++] = ',';
			memcpy(ids + o, value, m);
			o += m;
		}
		p += n;
	}
	ids[o] = '\0';
	return ids;
}
