// SPDX-License-Identifier: GPL-2.0-or-later
/* The device list (see device.h). */
#include <stdio.h>
#include <stdlib.h>

#include "device.h"

void device_list_free(struct device_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->dev[i].model);
	free(list->dev);
	strv_free(&list->skipped);
	free(list->unreadable);
	*list = (struct device_list){0};
}

void device_card(const struct device_list *list, const struct device *d, size_t *ret_lo,
		 size_t *ret_hi)
{
	/* The list is sorted by address: a card's functions are neighbours. */
	size_t i = (size_t)(d - list->dev), lo = i, hi = i;

	while (lo > 0 && device_same_slot(&list->dev[lo - 1], d))
		lo--;
	while (hi + 1 < list->n && device_same_slot(&list->dev[hi + 1], d))
		hi++;
	*ret_lo = lo;
	*ret_hi = hi;
}

const struct device *device_console_of_card(const struct device_list *list, const struct device *d)
{
	size_t lo, hi;

	device_card(list, d, &lo, &hi);
	for (size_t k = lo; k <= hi; k++)
		if (device_is_console(&list->dev[k]))
			return &list->dev[k];
	return NULL;
}

struct device *device_find(const struct device_list *list, const struct pci_addr *addr)
{
	for (size_t i = 0; i < list->n; i++)
		if (addr_eq(&list->dev[i].id.addr, addr))
			return &list->dev[i];
	return NULL;
}

void device_label(const struct device *d, char *buf, size_t size)
{
	if (d->model)
		snprintf(buf, size, "%s (%s)", d->name, d->model);
	else
		snprintf(buf, size, "%s", d->name);
}
