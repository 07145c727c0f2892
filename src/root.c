// SPDX-License-Identifier: GPL-2.0-or-later
/* The one root prefix (see root.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "root.h"
#include "text.h"

/* Kept without a trailing slash, so "<root>/sys" joins cleanly; "" is the real system. */
static char root[PATH_MAX];

void root_set(const char *dir)
{
	size_t n;

	copy_str(root, sizeof(root), dir ? dir : "");
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
}

bool root_is_set(void)
{
	return root[0] != '\0';
}

int root_path(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(root);
	va_list ap;
	int k;

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, root, n);
	va_start(ap, fmt);
	k = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= size - n)
		return -ENAMETOOLONG;
	return 0;
}
