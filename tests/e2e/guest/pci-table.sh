#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prints the PCI driver table the e2e rig parses (tests/e2e/lib.sh: e2e_table, e2e_driver).
# Standalone on purpose: copy it into any initramfs (busybox, dracut, initramfs-tools,
# mkinitcpio) and run it with any POSIX sh; it needs nothing but shell builtins and /sys.
#
# Output, one device per line between the two marker lines:
#   VFIO-CLAIM-E2E-TABLE-BEGIN
#   <address> <vendor>:<device> <class> <driver or -> <driver_override or ->
#   VFIO-CLAIM-E2E-TABLE-END
# e.g. "0000:01:00.0 1234:1111 030000 vfio-pci vfio-pci".
# Usage: pci-table.sh [SYSFS_ROOT]   (default /sys); writes to stdout.

sys=${1:-/sys}
out="VFIO-CLAIM-E2E-TABLE-BEGIN"
for d in "$sys"/bus/pci/devices/*; do
	[ -e "$d/vendor" ] || continue
	read -r ven <"$d/vendor"
	read -r dev <"$d/device"
	read -r cls <"$d/class"
	drv=-
	if [ -e "$d/driver" ]; then
		drv=$(cd -P "$d/driver" && pwd)
		drv=${drv##*/}
	fi
	ovr=-
	if [ -r "$d/driver_override" ]; then
		read -r ovr <"$d/driver_override" || ovr=-
		[ "$ovr" = "(null)" ] || [ -z "$ovr" ] && ovr=-
	fi
	out="$out
${d##*/} ${ven#0x}:${dev#0x} ${cls#0x} $drv $ovr"
done
# One write, so kernel messages on the same console cannot land inside the table.
printf '%s\nVFIO-CLAIM-E2E-TABLE-END\n' "$out"
