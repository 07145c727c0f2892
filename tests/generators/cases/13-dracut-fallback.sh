# SPDX-License-Identifier: GPL-2.0-or-later
# dracut-race with a vfio-claim that always fails: module loading must go on. The host drivers
# bind, and the install line's fallback (modprobe --ignore-install) still loads vfio_pci.
build() { build_dracut_race "$IMAGE" "$BROKEN"; }
APPEND=$DRACUT_APPEND
check() {
	expect_table $UNHOOKED
	expect_log VFIO-CLAIM-GEN-MODULES " vfio_pci"
}
