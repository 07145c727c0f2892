# SPDX-License-Identifier: GPL-2.0-or-later
# 2. Claim by ID 1234:1111: the boot VGA has the same IDs and is refused with one clear line;
# the secondary display is claimed and its audio function follows. doctor names the boot VGA.
GUEST='
run claim vfio-claim --ids 1234:1111
natives
run doctor vfio-claim doctor --ids 1234:1111
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_log_count "0000:00:01.0 [1234:1111] refused:" 1 "boot VGA (the host console)"
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_log "0000:01:00.1 [8086:293e] claimed: bound to vfio-pci (companion of 0000:01:00.0)"
	expect_log "is the boot VGA"
	expect_doctor_rc
}
