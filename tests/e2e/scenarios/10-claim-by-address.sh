# SPDX-License-Identifier: GPL-2.0-or-later
# 1. Claim by address (the display function only; its audio function comes along), native
# drivers loaded right after, as udev would: the pair stays on vfio-pci. vfio itself is loaded
# during vfio-claim's run (its banner is in that window of the kernel log), by its libkmod.
GUEST='
run claim vfio-claim --addrs 01:00.0
natives
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_override 0000:01:00.0 vfio-pci
	expect_rc claim 0
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_log "0000:01:00.1 [8086:293e] claimed: bound to vfio-pci"
	expect_window_log claim "VFIO - User Level meta-driver"
}
