// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading modprobe.d (see modprobe-conf.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "modprobe-conf.h"
#include "module-options.h"
#include "root.h"
#include "settings.h"

static const char *const conf_dirs[] = {
	"/etc/modprobe.d", "/run/modprobe.d",	  "/usr/local/lib/modprobe.d",
	"/lib/modprobe.d", "/usr/lib/modprobe.d",
};

struct conf_file {
	const char *dir;
	char name[NAME_MAX + 1];
};

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && ((n > 5 && str_eq(name + n - 5, ".conf")) ||
				  (n > 6 && str_eq(name + n - 6, ".alias")));
}

/* Every config file once (the first folder holding a name wins), sorted by name. */
static int list_files(struct conf_file **ret, size_t *ret_n)
{
	struct conf_file *files = NULL;
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(conf_dirs); i++) {
		char path[PATH_MAX];
		struct dirent *e;
		DIR *d;

		if (root_path(path, sizeof(path), "%s", conf_dirs[i]) < 0 || !(d = opendir(path)))
			continue;
		while ((e = readdir(d))) {
			struct conf_file *bigger;
			bool seen = false;

			if (!is_conf_name(e->d_name))
				continue;
			for (size_t k = 0; k < n && !seen; k++)
				seen = str_eq(files[k].name, e->d_name);
			if (seen)
				continue;
			bigger = realloc(files, (n + 1) * sizeof(*files));
			if (!bigger) {
				closedir(d);
				free(files);
				return -ENOMEM;
			}
			files = bigger;
			files[n].dir = conf_dirs[i];
			copy_str(files[n++].name, sizeof(files[0].name), e->d_name);
		}
		closedir(d);
	}
	if (n > 1)
		qsort(files, n, sizeof(*files), compare_files);
	*ret = files;
	*ret_n = n;
	return 0;
}

static int add_line(struct modprobe_conf *conf, const char *file, unsigned line_no, char *text)
{
	char *save = NULL, *command, *module, *rest;
	struct modprobe_line *bigger, *l;
	size_t o = 0;

	command = strtok_r(text, " \t", &save);
	/* kmod takes only a line that starts with '#' as a comment */
	if (!command || command[0] == '#')
		return 0;
	module = strtok_r(NULL, " \t", &save);
	if (!module)
		return 0;
	rest = strtok_r(NULL, "", &save);
	if (!rest)
		rest = module + strlen(module); /* an empty string of the line's own */
	/* fold runs of blanks in the rest, so callers compare words */
	for (char *p = rest; *p; p++) {
		bool blank = *p == ' ' || *p == '\t';

		if (blank && (o == 0 || rest[o - 1] == ' '))
			continue;
		rest[o++] = blank ? ' ' : *p;
	}
	while (o > 0 && rest[o - 1] == ' ')
		o--;
	rest[o] = '\0';
	for (char *p = module; *p; p++)
		if (*p == '-')
			*p = '_';
	bigger = realloc(conf->lines, (conf->n + 1) * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	conf->lines = bigger;
	l = &conf->lines[conf->n];
	*l = (struct modprobe_line){.file = strdup(file),
				    .line = line_no,
				    .command = strdup(command),
				    .module = strdup(module),
				    .rest = strdup(rest)};
	if (!l->file || !l->command || !l->module || !l->rest) {
		free(l->file), free(l->command), free(l->module), free(l->rest);
		return -ENOMEM;
	}
	conf->n++;
	return 0;
}

static int parse_file(struct modprobe_conf *conf, const char *file, char *text, size_t len)
{
	unsigned line_no = 0, start_no = 1;
	char *joined = text, *out = text;

	/* Lines are joined in place at a trailing backslash (as kmod does). */
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? text[i] : '\n';

		if (c == '\\' && i + 1 < len && text[i + 1] == '\n') {
			i++;
			line_no++;
			continue;
		}
		if (c != '\n') {
			*out++ = c == '\0' ? ' ' : c;
			continue;
		}
		line_no++;
		*out = '\0';
		if (add_line(conf, file, start_no, joined) < 0)
			return -ENOMEM;
		joined = out = text + i + 1;
		start_no = line_no + 1;
	}
	return 0;
}

int modprobe_conf_read(struct modprobe_conf *ret)
{
	struct modprobe_conf conf = {0};
	struct conf_file *files;
	size_t n;
	int r;

	r = list_files(&files, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		char file[PATH_MAX + NAME_MAX + 2], path[PATH_MAX], *text;
		size_t len;

		snprintf(file, sizeof(file), "%s/%s", files[i].dir, files[i].name);
		if (root_path(path, sizeof(path), "%s", file) < 0)
			continue;
		r = file_read(path, CONFIG_MAX, &text, &len);
		if (r < 0) {
			r = strv_addf(&conf.problems, "%s: cannot read it: %s", file,
				      file_strerror(r));
			continue;
		}
		r = parse_file(&conf, file, text, len);
		free(text);
	}
	free(files);
	if (r < 0) {
		modprobe_conf_free(&conf);
		return r;
	}
	*ret = conf;
	return 0;
}

void modprobe_conf_free(struct modprobe_conf *conf)
{
	for (size_t i = 0; i < conf->n; i++) {
		free(conf->lines[i].file);
		free(conf->lines[i].command);
		free(conf->lines[i].module);
		free(conf->lines[i].rest);
	}
	free(conf->lines);
	strv_free(&conf->problems);
	*conf = (struct modprobe_conf){0};
}

char *modprobe_conf_vfio_ids(const struct modprobe_conf *conf)
{
	size_t size = 1, o = 0;
	char *ids;

	for (size_t i = 0; i < conf->n; i++)
		size += strlen(conf->lines[i].rest) + 1;
	ids = malloc(size);
	if (!ids)
		return NULL;
	ids[0] = '\0';
	for (size_t i = 0; i < conf->n; i++) {
		const struct modprobe_line *l = &conf->lines[i];
		char *values;

		if (!str_eq(l->command, "options") || !str_eq(l->module, "vfio_pci"))
			continue;
		/* the words and quotes as the kernel reads them, as module.c drops them */
		values = module_options_ids(l->rest);
		if (!values)
			break;
		if (values[0])
			o += (size_t)snprintf(ids + o, size - o, "%s%s", o ? "," : "", values);
		free(values);
	}
	return ids;
}
