# SPDX-License-Identifier: GPL-2.0-or-later
# vfio_pci blacklisted (modprobe.blacklist=), yet named in the modules file (the common
# recipe), with vfio-pci.ids= and vfio-claim.ids= on the command line: the modules file's plain
# "modprobe vfio_pci" runs the install line, and the blacklist is a deliberate "do not load"
# that the trampoline honours. vfio-pci stays out; the selected pair keeps its overrides without
# a driver (fail closed) and the boot VGA stays on bochs-drm. (A guard, not a reproduction:
# this held before issue 9 too.)
build() {
	ITOOLS_MODULES=vfio_pci VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
		build_itools "$IMAGE" 1 0
}
APPEND="vfio-pci.ids=$IDS vfio-claim.ids=$IDS modprobe.blacklist=vfio_pci $NOROOT"
check() {
	expect_table bochs-drm - - e1000e
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_no_log "VFIO-CLAIM-GEN-MODULES vfio_pci"
	expect_log "vfio-claim" "vfio_pci is blacklisted"
}
