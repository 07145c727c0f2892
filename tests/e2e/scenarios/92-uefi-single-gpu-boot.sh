# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI (OVMF), single-GPU passthrough at boot (issue 16): efifb holds the boot display's BAR
# (00:01.0) and fbcon shows on it. A claim of the other GPU leaves efifb alone; the claim of
# 00:01.0 with --allow-boot-vga detaches the console, releases the framebuffer (no framebuffer
# range is left in the BAR) and puts the display on vfio-pci. The kernel itself removes the
# firmware framebuffer's device when vfio-pci binds the boot display (6.x), so release cannot
# bring efifb back and says so; the console comes back with the GPU's driver (bochs-drm).
BOOT=(--firmware uefi)
GUEST='
fb() { # efifb regions in /proc/iomem, and whether fbcon is bound (- when there is none)
	b=-
	for v in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer" $v/name && b=$(cat $v/bind); done
	echo "$1 $(grep -c efifb /proc/iomem) $b"
}
fb E2E-FB-BOOT
run other vfio-claim --addrs 01:00.0
fb E2E-FB-OTHER
run single vfio-claim --allow-boot-vga --addrs 00:01.0
fb E2E-FB-SINGLE
sh /e2e/pci-table.sh | sed "s/^/E2E-SINGLE /"
run release vfio-claim release 00:01.0
fb E2E-FB-RELEASED
natives
fb E2E-FB-NATIVE
'
check() {
	expect_log "E2E-FB-BOOT 1 1"
	expect_rc other 0
	expect_log "E2E-FB-OTHER 1 1"
	expect_rc single 0
	expect_log "vfio-claim[" "released the firmware framebuffer efi-framebuffer.0"
	expect_log "E2E-FB-SINGLE 0 -"
	expect_log "E2E-SINGLE 0000:00:01.0 1234:1111 030000 vfio-pci"
	expect_rc release 0
	expect_log "vfio-claim[" "the firmware framebuffer efi-framebuffer.0 is gone"
	expect_log "E2E-FB-RELEASED 0 -"
	expect_log "E2E-FB-NATIVE 0 1"
	expect_table bochs-drm vfio-pci vfio-pci e1000e
}
