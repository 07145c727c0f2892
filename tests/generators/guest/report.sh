#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only (tests/generators): once udev has settled, print the driver table (the e2e rig's
# guest/pci-table.sh) and vfio-claim's kernel log lines on the console, then power the VM off
# through sysrq, which works the same from a busybox shell, a dracut hook or a systemd unit.
# Installed as /usr/lib/vfio-claim-test/report.sh next to pci-table.sh.
exec >/dev/console 2>&1
dir=/usr/lib/vfio-claim-test
command -v udevadm >/dev/null 2>&1 && udevadm settle --timeout=60
echo "VFIO-CLAIM-GEN-REPORT $1 $(cut -d' ' -f1 /proc/uptime)"
sh "$dir/pci-table.sh"
mods=
for m in vfio_pci bochs snd_hda_intel e1000e; do
	[ -d "/sys/module/$m" ] && mods="$mods $m"
done
echo "VFIO-CLAIM-GEN-MODULES$mods"
# The safety net's and the hook's log lines (loglevel=4 keeps them off the console), and the
# kernel's complaint about a compressed module nobody decompressed.
dmesg | grep -E 'vfio|bochs-drm|snd_hda_intel|Invalid ELF header magic' |
	sed 's/^/VFIO-CLAIM-GEN-KMSG /'
sync
echo o >/proc/sysrq-trigger
sleep 30
