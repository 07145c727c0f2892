# SPDX-License-Identifier: GPL-2.0-or-later
# initramfs-tools with the hook (scripts/init-top/00-vfio-claim, before udev).
build() { VFIO_CLAIM=$BIN build_itools "$IMAGE" 1 0; }
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $HOOKED; }
