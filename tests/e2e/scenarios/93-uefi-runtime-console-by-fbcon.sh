# SPDX-License-Identifier: GPL-2.0-or-later
# The console of scenario 91 (UEFI, a 0380 display controller at 00:01.0, no boot_vga, its
# twin 01:00.0 behind a root port) after boot: bochs-drm has taken over from efifb, so
# /proc/iomem no longer shows the firmware framebuffer, and fbcon runs on bochs-drm's fb0 of
# 00:01.0. A run-time claim by ID with --unbind and without --allow-boot-vga refuses the
# console and takes the twin. (Found by review: the console was handed over, fbcon detached.)
BOOT=(--firmware uefi)
E2E_VGA=none
E2E_QEMU_EXTRA="-device secondary-vga,bus=pcie.0,addr=0x1"
GUEST='
natives
grep -A1 " : 0000:00:01.0" /proc/iomem | sed "s/^/E2E-IOMEM /"
for v in /sys/class/vtconsole/vtcon*; do echo "E2E-VTCON ${v##*/} $(cat $v/name) $(cat $v/bind)"; done
ls /sys/bus/pci/devices/0000:00:01.0/graphics 2>/dev/null | sed "s/^/E2E-FB /"
run claim vfio-claim --unbind --ids 1234:1111
'
check() {
	expect_log "0000:00:01.0 [1234:1111] refused:" "host console"
	expect_driver 0000:00:01.0 bochs-drm
	expect_driver 0000:01:00.0 vfio-pci
}
