# SPDX-License-Identifier: GPL-2.0-or-later
# Every enumeration fails (vfio-claim runs where /sys/bus/pci is an empty tmpfs), with
# vfio-pci.ids= on the command line: a scan failure means "claim nothing", not "do not load",
# so the trampoline loads vfio-pci itself, without ids=, and the boot VGA stays on bochs-drm.
# (Before issue 9 it exited 1 without loading, and the fallback took the boot VGA.)
build() {
	VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS VFIO_CLAIM_TEST_MANGLE=hide-pci \
		build_itools "$IMAGE" 1 0
}
APPEND="vfio-pci.ids=$IDS $NOROOT"
check() {
	expect_table $UNHOOKED
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_log VFIO-CLAIM-GEN-MODULES " vfio_pci"
	expect_log "vfio-claim" "cannot enumerate PCI devices"
}
