# SPDX-License-Identifier: GPL-2.0-or-later
# UEFI (OVMF): the console is a display controller of class 0380, which has no boot_vga, and
# its twin (the guest's, also 1234:1111 and 0380) sits behind a root port. Selected by ID, the
# one whose BAR holds the firmware framebuffer (efifb, in /proc/iomem) is the console and is
# refused; the other is claimed with its audio function. (Before issue 9 both were taken.)
BOOT=(--firmware uefi)
E2E_VGA=none
E2E_QEMU_EXTRA="-device secondary-vga,bus=pcie.0,addr=0x1"
GUEST='
grep -A1 " : 0000:00:01.0" /proc/iomem | sed "s/^/E2E-IOMEM /"
run claim vfio-claim --ids 1234:1111
natives
'
check() {
	expect_log "E2E-IOMEM" "efifb"
	expect_rc claim 0
	expect_log "0000:00:01.0 [1234:1111] refused: holds the firmware framebuffer (efifb)"
	expect_table bochs-drm vfio-pci vfio-pci e1000e
}
