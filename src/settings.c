// SPDX-License-Identifier: GPL-2.0-or-later
/* The vocabulary shared by the three sources: the switch table, applying keys, merging. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

#define ANYWHERE (FROM_ARGS | FROM_CONFIG | FROM_CMDLINE)

const struct switch_def switch_defs[SW_COUNT] = {
	[SW_OFF] = {"off", 1, FROM_CONFIG | FROM_CMDLINE, NULL,
		    "touch no device (vfio-claim=off on the kernel command line)"},
	[SW_UNBIND] = {"unbind", 1, ANYWHERE, NULL,
		       "take devices that a host driver holds already"},
	[SW_ALLOW_BOOT_VGA] = {"allow-boot-vga", 1, ANYWHERE, NULL,
			       "allow claiming the console GPU (single-GPU passthrough)"},
	[SW_GROUP] = {"group", 1, ANYWHERE, NULL,
		      "claim every device of the selected devices' IOMMU groups"},
	[SW_WAIT] = {"wait", 600, ANYWHERE, "SECONDS",
		     "wait up to SECONDS (0-600) for selected addresses to appear"},
	[SW_STRICT] = {"strict", 1, ANYWHERE, NULL,
		       "refusals and non-viable groups fail; a config error writes nothing"},
};

void settings_problem(struct settings *s, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (s->problems.n >= PROBLEMS_SHOWN) {
		s->more_problems++;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (!text || strv_addf(&s->problems, "%s", text) < 0)
		s->more_problems++; /* out of memory: at least the count stays true */
	free(text);
}

const char *key_skip(const char *key, const char *name)
{
	for (; *name; key++, name++) {
		char a = *key == '_' ? '-' : *key;
		char b = *name == '_' ? '-' : *name;

		if (a != b)
			return NULL;
	}
	return key;
}

static bool key_is(const char *key, const char *name)
{
	const char *rest = key_skip(key, name);

	return rest && !*rest;
}

typedef int (*token_fn)(struct settings *s, const char *token, const char **ret_why, bool flag);

static int add_id(struct settings *s, const char *token, const char **ret_why, bool from_vfio_pci)
{
	struct id_sel sel;
	int r = id_sel_parse(token, &sel, ret_why);

	if (r < 0)
		return r;
	sel.from_vfio_pci = from_vfio_pci;
	if (selectors_add_id(&s->sel, &sel) < 0) {
		*ret_why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

static int add_addr(struct settings *s, const char *token, const char **ret_why, bool unused)
{
	struct addr_sel sel;
	int r = addr_sel_parse(token, &sel, ret_why);

	(void)unused;
	if (r < 0)
		return r;
	if (selectors_add_addr(&s->sel, &sel) < 0) {
		*ret_why = "out of memory";
		return -ENOMEM;
	}
	return 0;
}

static int add_list(struct settings *s, const char *list, const char *what, const char *where,
		    token_fn add, bool flag)
{
	char shown[64];
	int bad = 0;

	if (strlen(list) > VALUE_MAX) {
		settings_problem(s, "%s: %s value is longer than %d bytes, ignoring it", where,
				 what, VALUE_MAX);
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
			text_escape(shown, sizeof(shown), p, n);
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

bool unit_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 255 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			 "WXYZ0123456789:_.\\@-") != n)
		return false;
	return (n > 8 && str_eq(name + n - 8, ".service")) ||
	       (n > 6 && str_eq(name + n - 6, ".scope"));
}

bool domain_name_ok(const char *name)
{
	size_t n = strlen(name);

	return str_eq(name, "*") || (n > 0 && n <= 255 &&
				     strspn(name, "abcdefghijklmnopqrstuvwxyz"
						  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == n);
}

static int add_names(struct settings *s, struct strv *to, const char *list, const char *what,
		     bool (*ok)(const char *), const char *where)
{
	char *copy = strdup(list), *save = NULL, shown[64];
	int bad = 0;

	if (!copy) {
		settings_problem(s, "%s: out of memory", where);
		return 1;
	}
	for (char *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		if (ok(w) && strv_addf(to, "%s", w) == 0)
			continue;
		text_escape(shown, sizeof(shown), w, strlen(w));
		settings_problem(s, "%s: bad %s '%s'; skipping it", where, what, shown);
		bad++;
	}
	free(copy);
	return bad;
}

int settings_add_units(struct settings *s, const char *list, const char *where)
{
	return add_names(s, &s->stop_units, list, "unit name (want NAME.service or NAME.scope)",
			 unit_name_ok, where);
}

int settings_add_domains(struct settings *s, const char *list, const char *where)
{
	return add_names(s, &s->domains, list, "domain name", domain_name_ok, where);
}

static void set_where(struct settings *s, enum switch_id id, const char *where)
{
	free(s->where[id]);
	s->where[id] = strdup(where);
}

static int apply_switch(struct settings *s, enum switch_id id, const char *key, const char *value,
			const char *where)
{
	const struct switch_def *def = &switch_defs[id];
	unsigned long v = 1;
	char shown[64];
	bool b;

	if (def->max == 1 && value && parse_bool(value, &b) == 0)
		v = b;
	else if (def->max == 1 && value) {
		text_escape(shown, sizeof(shown), value, strlen(value));
		settings_problem(s, "%s: %s='%s' is not a boolean (use 1 or 0); ignoring it", where,
				 key, shown);
		return -EINVAL;
	} else if (def->max > 1 && parse_uint(value, 0, def->max, &v) < 0) {
		text_escape(shown, sizeof(shown), value, strlen(value));
		settings_problem(s, "%s: %s='%s' is not a number of seconds 0-%u; ignoring it",
				 where, key, shown, def->max);
		return -EINVAL;
	}
	s->value[id] = (unsigned)v;
	set_where(s, id, where);
	return 0;
}

/* The switch a key names, if the source may set it; SW_COUNT otherwise. */
static enum switch_id switch_named(const char *key, enum source src)
{
	for (enum switch_id id = 0; id < SW_COUNT; id++)
		if (key_is(key, switch_defs[id].key) && (switch_defs[id].sources & src))
			return id;
	return SW_COUNT;
}

int settings_apply(struct settings *s, const char *key, const char *value, const char *where,
		   enum source src)
{
	bool ids = key_is(key, "ids"), addrs = key_is(key, "addrs") || key_is(key, "addresses");
	bool runtime = src != FROM_CMDLINE;
	bool domains = runtime && key_is(key, "runtime-domains");
	bool units = runtime && key_is(key, "runtime-stop-units");
	enum switch_id id = switch_named(key, src);
	char shown[64];

	if (!ids && !addrs && !domains && !units && id == SW_COUNT)
		return -ENOENT;
	if ((ids || addrs || domains || units || switch_defs[id].max > 1) && (!value || !*value)) {
		text_escape(shown, sizeof(shown), key, strlen(key));
		settings_problem(s, "%s: %s needs a value; ignoring it", where, shown);
		return -EINVAL;
	}
	if (ids)
		return settings_add_ids(s, value, false, where) ? -EINVAL : 0;
	if (addrs)
		return settings_add_addrs(s, value, where) ? -EINVAL : 0;
	if (domains)
		return settings_add_domains(s, value, where) ? -EINVAL : 0;
	if (units)
		return settings_add_units(s, value, where) ? -EINVAL : 0;
	return apply_switch(s, id, key, value, where);
}

void settings_merge(struct settings *to, const struct settings *from)
{
	if (selectors_add_all(&to->sel, &from->sel) < 0)
		settings_problem(to, "out of memory merging the selectors; some are missing");
	for (size_t i = 0; i < from->domains.n; i++)
		if (strv_addf(&to->domains, "%s", from->domains.v[i]) < 0)
			settings_problem(to, "out of memory merging runtime-domains");
	for (size_t i = 0; i < from->stop_units.n; i++)
		if (strv_addf(&to->stop_units, "%s", from->stop_units.v[i]) < 0)
			settings_problem(to, "out of memory merging runtime-stop-units");
	for (enum switch_id id = 0; id < SW_COUNT; id++) {
		if (!from->where[id])
			continue;
		to->value[id] = from->value[id];
		set_where(to, id, from->where[id]);
	}
	for (size_t i = 0; i < from->problems.n; i++)
		settings_problem(to, "%s", from->problems.v[i]);
	to->more_problems += from->more_problems;
}

void settings_keep_runtime(struct settings *s)
{
	selectors_free(&s->sel);
	for (enum switch_id id = 0; id < SW_COUNT; id++) {
		free(s->where[id]);
		s->where[id] = NULL;
		s->value[id] = 0;
	}
}

bool settings_any_selector(const struct settings *s)
{
	return s->sel.n_ids > 0 || s->sel.n_addrs > 0;
}

void settings_free(struct settings *s)
{
	selectors_free(&s->sel);
	strv_free(&s->domains);
	strv_free(&s->stop_units);
	for (enum switch_id id = 0; id < SW_COUNT; id++)
		free(s->where[id]);
	strv_free(&s->problems);
	*s = (struct settings){0};
}
