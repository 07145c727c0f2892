// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Selector parsing is strict where the kernel is lenient: vfio-pci's sscanf("%x:%x...") takes
 * "10de:zz" as 10de:0 and claims the wrong device, so every field here must be plain hex.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"

/* Parses up to max_digits hex digits ending at one of the stop characters (or the end). */
static const char *parse_hex(const char *p, unsigned max_digits, const char *stops, uint32_t *ret)
{
	uint32_t v = 0;
	unsigned n = 0;

	for (; *p && !strchr(stops, *p); p++, n++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return NULL;
		if (n == max_digits)
			return NULL;
		v = v << 4 | (uint32_t)d;
	}
	if (n == 0)
		return NULL;
	*ret = v;
	return p;
}

int id_sel_parse(const char *token, struct id_sel *ret, const char **ret_why)
{
	uint32_t field[6] = {0, 0, PCI_ANY, PCI_ANY, 0, 0};
	const char *p = token;
	unsigned n = 0;

	for (;;) {
		p = parse_hex(p, 8, ":", &field[n]);
		if (!p) {
			*ret_why = "each field must be 1-8 hex digits";
			return -EINVAL;
		}
		n++;
		/* After the sixth field a ':' is left in place, so "...:mask:" is refused. */
		if (*p != ':' || n == 6)
			break;
		p++;
	}
	if (*p) {
		*ret_why = "too many fields (vendor:device[:subvendor[:subdevice[:class[:mask]]]])";
		return -EINVAL;
	}
	if (n < 2) {
		*ret_why = "expected vendor:device";
		return -EINVAL;
	}
	*ret = (struct id_sel){
		.vendor = field[0],
		.device = field[1],
		.subvendor = field[2],
		.subdevice = field[3],
		.class = field[4],
		.class_mask = field[5],
	};
	return 0;
}

int addr_parse(const char *token, struct pci_addr *ret, const char **ret_why)
{
	uint32_t part[4];
	const char *p = token;
	unsigned colons = 0;

	for (const char *q = token; *q; q++)
		colons += *q == ':';
	if (colons < 1 || colons > 2) {
		*ret_why = "expected [domain:]bus:device.function";
		return -EINVAL;
	}
	part[0] = 0;
	if (colons == 2) {
		p = parse_hex(p, 8, ":", &part[0]);
		if (!p) {
			*ret_why = "domain must be 1-8 hex digits";
			return -EINVAL;
		}
		p++;
	}
	p = parse_hex(p, 2, ":", &part[1]);
	if (!p || *p != ':') {
		*ret_why = "bus must be 1-2 hex digits";
		return -EINVAL;
	}
	p = parse_hex(p + 1, 2, ".", &part[2]);
	if (!p || *p != '.' || part[2] > 0x1f) {
		*ret_why = "device must be hex 00-1f";
		return -EINVAL;
	}
	p = parse_hex(p + 1, 1, "", &part[3]);
	if (!p || *p || part[3] > 7) {
		*ret_why = "function must be 0-7";
		return -EINVAL;
	}
	*ret = (struct pci_addr){
		.domain = part[0],
		.bus = (uint8_t)part[1],
		.dev = (uint8_t)part[2],
		.fn = (uint8_t)part[3],
	};
	return 0;
}

int addr_sel_parse(const char *token, struct addr_sel *ret, const char **ret_why)
{
	char addr[32];
	const char *eq = strchr(token, '=');
	struct addr_sel sel = {0};
	size_t n = eq ? (size_t)(eq - token) : strlen(token);
	int r;

	if (n >= sizeof(addr)) {
		*ret_why = "address too long";
		return -EINVAL;
	}
	memcpy(addr, token, n);
	addr[n] = '\0';
	r = addr_parse(addr, &sel.addr, ret_why);
	if (r < 0)
		return r;
	if (eq) {
		struct id_sel id;

		r = id_sel_parse(eq + 1, &id, ret_why);
		if (r < 0 || id.subvendor != PCI_ANY || id.subdevice != PCI_ANY ||
		    id.vendor > 0xffff || id.device > 0xffff) {
			*ret_why =
				"expected ID after '=' must be vendor:device (4 hex digits each)";
			return -EINVAL;
		}
		sel.has_id = true;
		sel.vendor = (uint16_t)id.vendor;
		sel.device = (uint16_t)id.device;
	}
	*ret = sel;
	return 0;
}

/*
 * Makes room for element n of an array of n elements, doubling its capacity (4, 8, 16, ...)
 * when n reaches it; NULL when memory runs out (the array is still valid then).
 */
static void *grow(void *array, size_t n, size_t size)
{
	if (n == 0)
		return realloc(array, 4 * size);
	if (n < 4 || (n & (n - 1)) != 0)
		return array;
	return n > SIZE_MAX / 2 / size ? NULL : realloc(array, 2 * n * size);
}

int selectors_add_id(struct selectors *s, const struct id_sel *id)
{
	struct id_sel *ids = grow(s->ids, s->n_ids, sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	s->ids = ids;
	s->ids[s->n_ids++] = *id;
	return 0;
}

int selectors_add_addr(struct selectors *s, const struct addr_sel *addr)
{
	struct addr_sel *addrs = grow(s->addrs, s->n_addrs, sizeof(*addrs));

	if (!addrs)
		return -ENOMEM;
	s->addrs = addrs;
	s->addrs[s->n_addrs++] = *addr;
	return 0;
}

int selectors_add_all(struct selectors *to, const struct selectors *from)
{
	for (size_t i = 0; i < from->n_ids; i++)
		if (selectors_add_id(to, &from->ids[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < from->n_addrs; i++)
		if (selectors_add_addr(to, &from->addrs[i]) < 0)
			return -ENOMEM;
	return 0;
}

void selectors_free(struct selectors *s)
{
	free(s->ids);
	free(s->addrs);
	*s = (struct selectors){0};
}

static bool field_match(uint32_t want, uint32_t have)
{
	return want == PCI_ANY || want == have;
}

bool id_sel_match(const struct id_sel *sel, const struct pci_ident *dev)
{
	/* The kernel's pci_match_one_device() rules, so the user's vfio-pci.ids mean the same. */
	return field_match(sel->vendor, dev->vendor) && field_match(sel->device, dev->device) &&
	       field_match(sel->subvendor, dev->subvendor) &&
	       field_match(sel->subdevice, dev->subdevice) &&
	       !((sel->class ^ dev->class) & sel->class_mask);
}

bool selectors_need_subsystem(const struct selectors *s)
{
	for (size_t i = 0; i < s->n_ids; i++)
		if (s->ids[i].subvendor != PCI_ANY || s->ids[i].subdevice != PCI_ANY)
			return true;
	return false;
}

bool selectors_need_prog_if(const struct selectors *s)
{
	for (size_t i = 0; i < s->n_ids; i++)
		if (s->ids[i].class_mask & 0xff)
			return true;
	return false;
}

bool addr_eq(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

int addr_compare(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus - b->bus;
	if (a->dev != b->dev)
		return a->dev - b->dev;
	return a->fn - b->fn;
}

void addr_format(const struct pci_addr *addr, char *buf, size_t size)
{
	snprintf(buf, size, "%04x:%02x:%02x.%u", addr->domain, addr->bus, addr->dev, addr->fn);
}
