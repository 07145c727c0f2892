# SPDX-License-Identifier: GPL-2.0-or-later
# 4. The same from the kernel command line only: vfio-claim.addrs= and vfio-claim.unbind=1,
# vfio-claim run without arguments (rd. prefix and - / _ spellings on purpose).
APPEND="rd.vfio-claim.addrs=01:00.0 vfio_claim.unbind=1"
GUEST='
natives
run claim vfio-claim
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
}
