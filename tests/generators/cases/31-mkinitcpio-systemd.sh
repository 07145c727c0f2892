# SPDX-License-Identifier: GPL-2.0-or-later
# mkinitcpio, systemd image, HOOKS=(base systemd sd-vfio-claim ...).
prereq() { mki_prereq; }
build() { VFIO_CLAIM=$BIN build_mkinitcpio "$IMAGE" systemd 1 0; }
APPEND="vfio-claim.ids=$IDS $NOROOT $SYSTEMD_QUIET"
check() { expect_table $HOOKED; }
