# SPDX-License-Identifier: GPL-2.0-or-later
# The safety net's fallback never takes the console: initramfs-tools with the user's
# vfio-pci.ids= (the boot VGA has the GPU's ID too), --strict and a typo in vfio-claim.wait=.
# Both runs claim nothing (the configuration has an error), and the trampoline still loads
# vfio-pci itself, without ids=, so vfio-pci takes nothing: every device stays with its host
# driver, the boot VGA on bochs-drm. (Before issue 9 the trampoline exited 2 without loading
# vfio-pci, the install line's fallback loaded it with the command line's ids=, and vfio-pci
# took the boot VGA: "vfio-pci 0000:00:01.0: vgaarb: deactivate vga console".)
build() { VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS build_itools "$IMAGE" 1 0; }
APPEND="vfio-pci.ids=$IDS vfio-claim.strict=1 vfio-claim.wait=5s $NOROOT"
check() {
	expect_table $UNHOOKED
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_log VFIO-CLAIM-GEN-MODULES " vfio_pci"
	expect_log "vfio-claim" "wait='5s' is not a number"
}
