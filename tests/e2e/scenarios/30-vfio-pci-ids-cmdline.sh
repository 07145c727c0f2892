# SPDX-License-Identifier: GPL-2.0-or-later
# 3. A user's existing config: only vfio-pci.ids=1234:1111 on the kernel command line, and
# vfio-claim run without arguments where the initramfs hook runs it. Same result as claiming by
# ID: the boot VGA stays the host's even though vfio-pci (loaded by vfio-claim through libkmod,
# which applies command-line module options) matches its IDs. Compare control-vfio-pci-first.
APPEND="vfio-pci.ids=1234:1111"
GUEST='
run claim vfio-claim
natives
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_log "0000:00:01.0 [1234:1111] refused:" "boot VGA"
	# vfio-pci itself never touched the boot VGA (compare control-vfio-pci-first)
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_log "0000:01:00.1 [8086:293e] claimed: bound to vfio-pci"
}
