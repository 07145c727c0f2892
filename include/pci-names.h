/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vendor and device names as lspci prints them ("Advanced Micro Devices, Inc. [AMD/ATI] Navi 31
 * [Radeon RX 7900 XT/XTX/7900 GRE/7900M]"), through libpci's own lookup in pci.ids (and udev's
 * hwdb where libpci has it, on the real system only). For the commands people read (status,
 * doctor, groups, suggest); the claim in the initrd never loads pci.ids, and there it is
 * usually absent anyway: then no device gets a name, and nothing is said about it.
 */
#pragma once

#include "device.h"

/*
 * Sets each device's model (device.h) when the names are known. Under --root, pci.ids is
 * looked for under the root only (ROOT/usr/share/misc/pci.ids, ROOT/usr/share/hwdata/pci.ids,
 * ROOT/usr/share/pci.ids, after libpci's own default path) and hwdb is not asked. Returns the
 * number of devices named; a missing or unreadable pci.ids is not an error (0).
 */
int pci_names_fill(struct device_list *devs);
