// SPDX-License-Identifier: GPL-2.0-or-later
/* One vocabulary of keys for the config file and the kernel command line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "settings.h"
#include "util.h"

void settings_problem(struct settings *s, const char *fmt, ...)
{
	va_list ap;

	if (s->n_problems >= MAX_PROBLEMS) {
		s->more_problems++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s->problems[s->n_problems++], sizeof(s->problems[0]), fmt, ap);
	va_end(ap);
}

/* Keys compare with '-' and '_' equal, as the kernel does for parameters. */
static bool key_is(const char *key, const char *name)
{
	for (; *key && *name; key++, name++) {
		char a = *key == '_' ? '-' : *key;
		char b = *name == '_' ? '-' : *name;

		if (a != b)
			return false;
	}
	return *key == *name;
}

/* Shows a token in a message without flooding the log with a 1 MiB value or raw bytes. */
static void printable(char *buf, size_t size, const char *text, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

typedef int (*token_fn)(struct settings *s, const char *token, const char **ret_why, bool flag);

static int add_id(struct settings *s, const char *token, const char **ret_why, bool from_vfio_pci)
{
	struct id_sel sel;
	int r = id_sel_parse(token, &sel, ret_why);

	if (r < 0)
		return r;
	if (s->sel.n_ids >= MAX_SELECTORS) {
		*ret_why = "too many ID selectors";
		return -E2BIG;
	}
	sel.from_vfio_pci = from_vfio_pci;
	s->sel.ids[s->sel.n_ids++] = sel;
	return 0;
}

static int add_addr(struct settings *s, const char *token, const char **ret_why, bool unused)
{
	struct addr_sel sel;
	int r = addr_sel_parse(token, &sel, ret_why);

	(void)unused;
	if (r < 0)
		return r;
	if (s->sel.n_addrs >= MAX_SELECTORS) {
		*ret_why = "too many address selectors";
		return -E2BIG;
	}
	s->sel.addrs[s->sel.n_addrs++] = sel;
	return 0;
}

static int add_list(struct settings *s, const char *list, const char *what, const char *where,
		    token_fn add, bool flag)
{
	char shown[64];
	int bad = 0;

	if (strlen(list) > MAX_VALUE_LEN) {
		settings_problem(s, "%s: %s value is longer than %d bytes, ignoring it", where,
				 what, MAX_VALUE_LEN);
		return 1;
	}
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		char token[64];
		const char *why = NULL;

		if (n == 0) {
			p++;
			continue;
		}
		if (n >= sizeof(token)) {
			why = "token too long";
		} else {
			memcpy(token, p, n);
			token[n] = '\0';
			if (add(s, token, &why, flag) == 0)
				why = NULL;
		}
		if (why) {
			printable(shown, sizeof(shown), p, n);
			settings_problem(s, "%s: bad %s '%s': %s; skipping it", where, what, shown,
					 why);
			bad++;
		}
		p += n;
	}
	return bad;
}

int settings_add_ids(struct settings *s, const char *list, bool from_vfio_pci, const char *where)
{
	return add_list(s, list, "ID", where, add_id, from_vfio_pci);
}

int settings_add_addrs(struct settings *s, const char *list, const char *where)
{
	return add_list(s, list, "address", where, add_addr, false);
}

static int apply_bool(struct settings *s, bool *field, enum setting bit, const char *key,
		      const char *value, const char *where)
{
	char shown[64];

	if (value && parse_bool(value, field) < 0) {
		printable(shown, sizeof(shown), value, strlen(value));
		settings_problem(s, "%s: %s='%s' is not a boolean (use 1 or 0); ignoring it", where,
				 key, shown);
		return -EINVAL;
	}
	if (!value)
		*field = true;
	s->set |= bit;
	return 0;
}

int settings_apply(struct settings *s, const char *key, const char *value, const char *where)
{
	if (key_is(key, "ids") || key_is(key, "addrs") || key_is(key, "addresses") ||
	    key_is(key, "wait")) {
		if (!value || !*value) {
			settings_problem(s, "%s: %s needs a value; ignoring it", where, key);
			return -EINVAL;
		}
	}
	if (key_is(key, "ids"))
		return settings_add_ids(s, value, false, where) ? -EINVAL : 0;
	if (key_is(key, "addrs") || key_is(key, "addresses"))
		return settings_add_addrs(s, value, where) ? -EINVAL : 0;
	if (key_is(key, "unbind"))
		return apply_bool(s, &s->unbind, SET_UNBIND, key, value, where);
	if (key_is(key, "allow-boot-vga"))
		return apply_bool(s, &s->allow_boot_vga, SET_ALLOW_BOOT_VGA, key, value, where);
	if (key_is(key, "group"))
		return apply_bool(s, &s->group, SET_GROUP, key, value, where);
	if (key_is(key, "strict"))
		return apply_bool(s, &s->strict, SET_STRICT, key, value, where);
	if (key_is(key, "off"))
		return apply_bool(s, &s->off, SET_OFF, key, value, where);
	if (key_is(key, "wait")) {
		unsigned long v;
		char shown[64];

		if (parse_uint(value, 0, MAX_WAIT_SECONDS, &v) < 0) {
			printable(shown, sizeof(shown), value, strlen(value));
			settings_problem(s, "%s: wait='%s' is not a number of seconds 0-%d; ignoring it",
					 where, shown, MAX_WAIT_SECONDS);
			return -EINVAL;
		}
		s->wait = (unsigned)v;
		s->set |= SET_WAIT;
		return 0;
	}
	return -ENOENT;
}

void settings_merge(struct settings *to, const struct settings *from)
{
	for (size_t i = 0; i < from->sel.n_ids && to->sel.n_ids < MAX_SELECTORS; i++)
		to->sel.ids[to->sel.n_ids++] = from->sel.ids[i];
	for (size_t i = 0; i < from->sel.n_addrs && to->sel.n_addrs < MAX_SELECTORS; i++)
		to->sel.addrs[to->sel.n_addrs++] = from->sel.addrs[i];
	if (from->set & SET_OFF)
		to->off = from->off;
	if (from->set & SET_UNBIND)
		to->unbind = from->unbind;
	if (from->set & SET_ALLOW_BOOT_VGA)
		to->allow_boot_vga = from->allow_boot_vga;
	if (from->set & SET_GROUP)
		to->group = from->group;
	if (from->set & SET_STRICT)
		to->strict = from->strict;
	if (from->set & SET_WAIT)
		to->wait = from->wait;
	to->set |= from->set;
	for (unsigned i = 0; i < from->n_problems; i++)
		settings_problem(to, "%s", from->problems[i]);
	to->more_problems += from->more_problems;
}

bool settings_any_selector(const struct settings *s)
{
	return s->sel.n_ids > 0 || s->sel.n_addrs > 0;
}
