#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prints a tests/fixture/mkfixture.sh description of a large host with N PCI devices, for the
# scale benchmark. One IOMMU group per slot; the slots cycle through: a GPU with its HDMI
# audio (1002:744c + 1002:ab30, unbound), a NIC on e1000e, an NVMe drive on nvme, a USB
# controller on xhci_hcd, and a PCIe bridge on pcieport. Usage: gen-host.sh N
set -eu
n=$1
i=0 slot=0
while [ "$i" -lt "$n" ]; do
	bus=$((slot / 32 + 1)) dev=$((slot % 32)) grp=$((slot + 100))
	a=$(printf '0000:%02x:%02x' "$bus" "$dev")
	case $((slot % 5)) in
	0)
		echo "dev $a.0 1002:744c 030000 group=$grp boot_vga=0"
		i=$((i + 1))
		[ "$i" -lt "$n" ] && echo "dev $a.1 1002:ab30 040300 group=$grp" && i=$((i + 1))
		;;
	1) echo "dev $a.0 8086:10d3 020000 group=$grp driver=e1000e"; i=$((i + 1)) ;;
	2) echo "dev $a.0 144d:a80a 010802 group=$grp driver=nvme"; i=$((i + 1)) ;;
	3) echo "dev $a.0 1b21:2142 0c0330 group=$grp driver=xhci_hcd"; i=$((i + 1)) ;;
	4) echo "dev $a.0 1022:1483 060400 group=$grp driver=pcieport"; i=$((i + 1)) ;;
	esac
	slot=$((slot + 1))
done
