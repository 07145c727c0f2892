# SPDX-License-Identifier: GPL-2.0-or-later
# dracut, systemd initrd, with the hook (vfio-claim.service before systemd-udev-trigger).
build() { VFIO_CLAIM=$BIN build_dracut "$IMAGE" systemd 1; }
APPEND="$DRACUT_APPEND $SYSTEMD_QUIET"
check() { expect_table $HOOKED; }
