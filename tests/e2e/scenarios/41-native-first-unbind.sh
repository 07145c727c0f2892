# SPDX-License-Identifier: GPL-2.0-or-later
# 4. Native drivers loaded before vfio-claim, and --unbind: the pair is taken from them.
GUEST='
natives
run claim vfio-claim --unbind --addrs 01:00.0
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_log "0000:01:00.1 [8086:293e] claimed: bound to vfio-pci"
}
