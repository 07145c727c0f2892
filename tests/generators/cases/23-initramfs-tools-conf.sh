# SPDX-License-Identifier: GPL-2.0-or-later
# No selection on the command line: the hook copies /etc/vfio-claim.conf (a private one,
# overlaid on /etc in the namespace) into the image, and that file selects the pair.
build() {
	mkdir -p "$CASE_WORK/etc"
	printf '# vfio-claim test\naddrs = 01:00.0,01:00.1\n' >"$CASE_WORK/etc/vfio-claim.conf"
	VFIO_CLAIM=$BIN GEN_ETC=$CASE_WORK/etc build_itools "$IMAGE" 1 0
}
APPEND=$NOROOT
check() { expect_table $HOOKED; }
