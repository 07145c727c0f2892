# SPDX-License-Identifier: GPL-2.0-or-later
# The initramfs-tools race with a user's /etc/modprobe.d/bochs.conf ("softdep bochs post:
# e1000e") copied into the image: it would sort before the safety net's file, and libkmod
# uses one softdep line per module, the first by file name. The safety net sorts first and
# carries the user's post: e1000e in its own line for bochs, so the claim still wins.
build() {
	mkdir -p "$CASE_WORK/etc/modprobe.d"
	echo "softdep bochs post: e1000e" >"$CASE_WORK/etc/modprobe.d/bochs.conf"
	VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS GEN_ETC=$CASE_WORK/etc \
		build_itools "$IMAGE" 1 1
}
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $HOOKED; }
