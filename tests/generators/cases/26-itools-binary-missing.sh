# SPDX-License-Identifier: GPL-2.0-or-later
# The safety net with the binary missing from the image (its install line runs the fallback):
# vfio-pci.ids= on the command line, and vfio-pci loaded by "modprobe -b --ignore-install
# vfio_pci ... ids=", whose last, empty ids= wins: vfio-pci takes nothing, the boot VGA stays
# on bochs-drm. (Before issue 9 the fallback passed the command line's ids= on.)
build() {
	VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS VFIO_CLAIM_TEST_MANGLE=drop-binary \
		build_itools "$IMAGE" 1 0
}
APPEND="vfio-pci.ids=$IDS $NOROOT"
check() {
	expect_table $UNHOOKED
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_log VFIO-CLAIM-GEN-MODULES " vfio_pci"
}
