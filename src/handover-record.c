// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading and writing hand-over records (see handover-record.h). Parsing is pure: text in,
 * a struct and the refused lines out; the file side reads at most RECORD_MAX bytes of a
 * regular file, and writes NAME.tmp with O_NOFOLLOW, mode 0600, renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "framebuffer.h"
#include "handover-record.h"
#include "root.h"
#include "selector.h"
#include "settings.h"

#define LINE_LEN_MAX 512
#define WORDS_MAX 4
#define SHOWN_MAX 72

/* A driver's name as the kernel gives them: letters, digits, "_-.", nothing a path needs. */
static bool driver_ok(const char *w)
{
	size_t n = strlen(w);

	return n > 0 && n < DRIVER_NAME_MAX && !str_eq(w, ".") && !str_eq(w, "..") &&
	       strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

static bool vtcon_ok(const char *w)
{
	size_t n = strlen(w);

	return n > 5 && n < 9 && strncmp(w, "vtcon", 5) == 0 &&
	       strspn(w + 5, "0123456789") == n - 5;
}

static int problem(struct handover_record *rec, unsigned line, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static int problem(struct handover_record *rec, unsigned line, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return strv_addf(&rec->problems, "line %u: %s", line, text);
}

/* A word as a message shows it (escaped, cut). */
static const char *shown(const char *w, char *buf)
{
	text_escape(buf, SHOWN_MAX, w, strlen(w));
	return buf;
}

static int take_function(struct handover_record *rec, unsigned line, char **w, size_t n)
{
	struct pci_addr addr;
	struct record_function *f;
	const char *why;
	char name[24], slot[16], buf[SHOWN_MAX];

	if (n != 3 || addr_parse(w[1], &addr, &why) < 0 || !(str_eq(w[2], "-") || driver_ok(w[2])))
		return problem(rec, line,
			       "'function' wants an address and a driver name; ignoring "
			       "the line");
	addr_format(&addr, name, sizeof(name));
	snprintf(slot, sizeof(slot), "%04x:%02x:%02x", addr.domain, addr.bus, addr.dev);
	if (!str_eq(slot, rec->slot))
		return problem(rec, line,
			       "names %s, not a function of this card; ignoring the "
			       "line",
			       shown(name, buf));
	if (record_function(rec, name) || rec->n_fn >= RECORD_FUNCTIONS_MAX)
		return problem(rec, line, "names %s a second time; ignoring the line", name);
	f = &rec->fn[rec->n_fn++];
	copy_str(f->name, sizeof(f->name), name);
	copy_str(f->driver, sizeof(f->driver), str_eq(w[2], "-") ? "" : w[2]);
	return 0;
}

static int take_line(struct handover_record *rec, unsigned line, char **w, size_t n)
{
	char buf[SHOWN_MAX];

	if (str_eq(w[0], "function"))
		return take_function(rec, line, w, n);
	if (str_eq(w[0], "unit")) {
		if (n != 2 || !unit_name_ok(w[1]))
			return problem(rec, line,
				       "names the unit '%s', not NAME.service or "
				       "NAME.scope; ignoring the line",
				       n > 1 ? shown(w[1], buf) : "");
		for (size_t i = 0; i < rec->units.n; i++)
			if (str_eq(rec->units.v[i], w[1]))
				return 0;
		return strv_addf(&rec->units, "%s", w[1]);
	}
	if (str_eq(w[0], "vtcon") && n == 2 && vtcon_ok(w[1]) && !rec->vtcon[0]) {
		copy_str(rec->vtcon, sizeof(rec->vtcon), w[1]);
		return 0;
	}
	if (str_eq(w[0], "fb") && n == 3 && framebuffer_is_platform_device(w[1]) &&
	    driver_ok(w[2]) && !rec->fb_dev[0]) {
		copy_str(rec->fb_dev, sizeof(rec->fb_dev), w[1]);
		copy_str(rec->fb_driver, sizeof(rec->fb_driver), w[2]);
		return 0;
	}
	if (str_eq(w[0], "domain") && n == 2 && domain_name_ok(w[1]) && !str_eq(w[1], "*") &&
	    !rec->domain[0]) {
		copy_str(rec->domain, sizeof(rec->domain), w[1]);
		return 0;
	}
	return problem(rec, line, "'%s' is no line a hand-over writes; ignoring it",
		       shown(w[0], buf));
}

int record_parse(const char *text, size_t len, const char *slot, struct handover_record *ret)
{
	struct handover_record rec = {0};
	unsigned line = 0;
	int r = 0;

	copy_str(rec.slot, sizeof(rec.slot), slot);
	for (size_t o = 0; o < len && r == 0; line++) {
		const char *nl = memchr(text + o, '\n', len - o);
		size_t n = nl ? (size_t)(nl - (text + o)) : len - o;
		char copy[LINE_LEN_MAX + 1], *w[WORDS_MAX + 1], *save = NULL;
		size_t k = 0;

		if (n > LINE_LEN_MAX || memchr(text + o, '\0', n)) {
			r = problem(&rec, line + 1, "not a line of words; ignoring it");
			o += n + 1;
			continue;
		}
		memcpy(copy, text + o, n);
		copy[n] = '\0';
		o += n + 1;
		for (char *t = strtok_r(copy, " \t\r", &save); t && k <= WORDS_MAX;
		     t = strtok_r(NULL, " \t\r", &save))
			w[k++] = t;
		if (k == 0 || w[0][0] == '#')
			continue;
		r = take_line(&rec, line + 1, w, k);
	}
	if (r < 0) {
		record_free(&rec);
		return -ENOMEM;
	}
	*ret = rec;
	return 0;
}

void record_path(const char *name, char *buf, size_t size)
{
	if (root_path(buf, size, "%s/%s", HANDOVER_DIR, name) < 0)
		copy_str(buf, size, name);
}

int record_read(const char *name, const char *slot, struct handover_record *ret)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	if (root_path(path, sizeof(path), "%s/%s", HANDOVER_DIR, name) < 0)
		return -ENAMETOOLONG;
	r = file_read(path, RECORD_MAX, &text, &len);
	if (r < 0)
		return r;
	r = record_parse(text, len, slot, ret);
	free(text);
	return r;
}

/* <root>/run/vfio-claim/handover, made if needed (its parents 0755, itself 0700). */
static int record_dir(char *dir, size_t size)
{
	if (root_path(dir, size, "%s", HANDOVER_DIR) < 0)
		return -ENAMETOOLONG;
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void record_print(FILE *f, const struct handover_record *rec)
{
	fprintf(f, "# vfio-claim hand-over of %s: what `vfio-claim release` puts back\n",
		rec->slot);
	if (rec->domain[0])
		fprintf(f, "domain %s\n", rec->domain);
	for (size_t i = 0; i < rec->n_fn; i++)
		fprintf(f, "function %s %s\n", rec->fn[i].name,
			rec->fn[i].driver[0] ? rec->fn[i].driver : "-");
	if (rec->vtcon[0])
		fprintf(f, "vtcon %s\n", rec->vtcon);
	if (rec->fb_dev[0])
		fprintf(f, "fb %s %s\n", rec->fb_dev, rec->fb_driver);
	for (size_t k = 0; k < rec->units.n; k++)
		fprintf(f, "unit %s\n", rec->units.v[k]);
}

int record_write(const struct handover_record *rec, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;
	int fd, r;

	r = record_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* never through a link left in its place; readable by root alone */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	record_print(f, rec);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
	}
	return r;
}

int record_remove(const char *name)
{
	char path[PATH_MAX];

	if (root_path(path, sizeof(path), "%s/%s", HANDOVER_DIR, name) < 0)
		return -ENAMETOOLONG;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

const struct record_function *record_function(const struct handover_record *rec, const char *fn)
{
	for (size_t i = 0; i < rec->n_fn; i++)
		if (str_eq(rec->fn[i].name, fn))
			return &rec->fn[i];
	return NULL;
}

void record_free(struct handover_record *rec)
{
	strv_free(&rec->units);
	strv_free(&rec->problems);
	*rec = (struct handover_record){0};
}
