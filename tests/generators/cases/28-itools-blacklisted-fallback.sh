# SPDX-License-Identifier: GPL-2.0-or-later
# The same blacklist, modules file and vfio-pci.ids=, with a vfio-claim that always fails: the
# install line's fallback runs, and it must not undo the blacklist either (modprobe -b), nor
# apply the command line's ids=. vfio-pci stays out and every device keeps its host driver.
# (A guard, not a reproduction: kmod 30's modprobe keeps a module blacklisted on the command
# line out even when named explicitly, so the old fallback held here too; -b in the fallback
# makes the fallback say so itself rather than lean on that.)
build() {
	ITOOLS_MODULES=vfio_pci VFIO_CLAIM=$BROKEN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
		build_itools "$IMAGE" 1 0
}
APPEND="vfio-pci.ids=$IDS modprobe.blacklist=vfio_pci $NOROOT"
check() {
	expect_table $UNHOOKED
	expect_no_log "vfio-pci 0000:"
	expect_no_log "VFIO-CLAIM-GEN-MODULES vfio_pci"
}
