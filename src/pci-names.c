// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names through pci_lookup_name(), so they read exactly as lspci's. Which pci.ids: libpci's
 * compiled-in path first (Debian's shared libpci: /usr/share/misc/pci.ids.gz, which it also
 * takes uncompressed; NixOS's: a store path), then the places distributions put it, for the
 * static libpci whose one compiled-in path may not be where this system keeps the file. Each
 * path goes through the root prefix, so a fixture tree brings its own pci.ids, or none.
 * The file is checked to be a regular file first: libpci opens it with a plain fopen(), and a
 * FIFO in its place must not hold the command.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pci/pci.h>

#include "log.h"
#include "pci-names.h"
#include "pci.h"
#include "root.h"

/* A pci.ids is about 1.4 MB; anything past this is not one. */
#define IDS_MAX (64 * 1024 * 1024)

static const char *const ids_places[] = {
	"/usr/share/misc/pci.ids",   /* Debian, Ubuntu; the static libpci's IDSDIR */
	"/usr/share/hwdata/pci.ids", /* Fedora, RHEL, Arch, openSUSE */
	"/usr/share/pci.ids",
};

static bool usable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= IDS_MAX;
}

/* The first pci.ids there is, under the root, into buf; false when there is none. */
static bool find_ids(const char *builtin, char *buf, size_t size)
{
	char plain[PATH_MAX];
	size_t n;

	if (builtin && builtin[0] == '/') {
		if (root_path(buf, size, "%s", builtin) == 0 && usable(buf))
			return true;
		/* libpci with zlib falls back to the uncompressed name itself; so do we */
		n = strlen(builtin);
		if (n > 3 && str_eq(builtin + n - 3, ".gz") && n - 3 < sizeof(plain)) {
			memcpy(plain, builtin, n - 3);
			plain[n - 3] = '\0';
			if (root_path(buf, size, "%s", plain) == 0 && usable(buf))
				return true;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(ids_places); i++)
		if (root_path(buf, size, "%s", ids_places[i]) == 0 && usable(buf))
			return true;
	return false;
}

static void name_device(struct pci_access *pacc, struct device *d, int flags)
{
	char vendor[256], both[512];

	/* An unknown vendor: no name at all (the IDs say as much). A known vendor with an
	 * unknown device reads "Vendor Device 744c", as in lspci. */
	if (!pci_lookup_name(pacc, vendor, sizeof(vendor),
			     flags | PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, d->id.vendor))
		return;
	if (!pci_lookup_name(pacc, both, sizeof(both),
			     flags | PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, d->id.vendor,
			     d->id.device))
		return;
	/* pci.ids is the system's, but a tree's may hold anything: no control bytes shown */
	for (char *p = both; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	free(d->model);
	d->model = strdup(both);
}

static int name_all(struct pci_access *pacc, struct device_list *devs, int flags)
{
	int named = 0;

	for (size_t i = 0; i < devs->n; i++) {
		name_device(pacc, &devs->dev[i], flags);
		named += devs->dev[i].model != NULL;
	}
	return named;
}

int pci_names_fill(struct device_list *devs)
{
	static char path[PATH_MAX];
	struct pci_access *pacc;
	int named = 0;
	bool have_ids;

	pacc = pci_access_new();
	if (!pacc)
		return 0;
	/* No ~/.pciids-cache and no DNS: only the local database answers. */
	pacc->id_lookup_mode = 0;
	have_ids = find_ids(pacc->id_file_name, path, sizeof(path));
	/* Under --root, only the tree answers: udev's hwdb is the real system's. */
	if (!have_ids && root_is_set()) {
		pci_cleanup(pacc);
		return 0;
	}
	/* Without a pci.ids, an empty path (no file can have it) lets hwdb answer alone. */
	pci_set_name_list_path(pacc, have_ids ? path : (char *)"", 0);
	if (setjmp(pci_escape)) {
		/* A damaged pci.ids: no names rather than half of them. */
		pci_error_text[strcspn(pci_error_text, "\n")] = '\0';
		log_debug("cannot read device names from %s (%s); showing IDs only", path,
			  pci_error_text);
		for (size_t i = 0; i < devs->n; i++) {
			free(devs->dev[i].model);
			devs->dev[i].model = NULL;
		}
		pci_cleanup(pacc);
		return 0;
	}
	named = name_all(pacc, devs, root_is_set() ? PCI_LOOKUP_NO_HWDB : 0);
	pci_cleanup(pacc);
	return named;
}
