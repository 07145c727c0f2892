#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only (tests/debian): once udev has settled, the driver table (the e2e rig's
# pci-table.sh) and the vfio lines of the kernel log on the console, then power off.
exec >/dev/console 2>&1
command -v udevadm >/dev/null 2>&1 && udevadm settle --timeout=60
# a line of its own: initramfs-tools leaves "Begin: Running /scripts/init-premount ... " open
echo
sh /usr/lib/driver-table/pci-table.sh
dmesg | grep -E 'vfio|bochs-drm|snd_hda_intel' | sed 's/^/DEBIAN-TEST-KMSG /'
sync
echo o >/proc/sysrq-trigger
sleep 30
