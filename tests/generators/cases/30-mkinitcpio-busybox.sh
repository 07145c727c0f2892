# SPDX-License-Identifier: GPL-2.0-or-later
# mkinitcpio, busybox image, HOOKS=(base vfio-claim udev ...).
prereq() { mki_prereq; }
build() { VFIO_CLAIM=$BIN build_mkinitcpio "$IMAGE" busybox 1 0; }
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $HOOKED; }
