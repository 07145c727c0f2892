// SPDX-License-Identifier: GPL-2.0-or-later
/* The device list (see device.h). */
#include <stdlib.h>

#include "device.h"

void device_list_free(struct device_list *list)
{
	free(list->dev);
	*list = (struct device_list){0};
}

struct device *device_find(const struct device_list *list, const struct pci_addr *addr)
{
	for (size_t i = 0; i < list->n; i++)
		if (addr_eq(&list->dev[i].id.addr, addr))
			return &list->dev[i];
	return NULL;
}
