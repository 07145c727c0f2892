# SPDX-License-Identifier: GPL-2.0-or-later
# The race, dracut: force_drivers=bochs puts bochs on rd.driver.pre, loaded by a cmdline hook
# before the pre-udev hook runs. The safety net must win: two vfio-claim runs show, the
# modprobe trampoline's (when bochs loads), then the hook's.
build() { build_dracut_race "$IMAGE" "$BIN"; }
APPEND=$DRACUT_APPEND
check() {
	expect_table $HOOKED
	expect_claim_runs 2
}
