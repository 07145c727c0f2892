# SPDX-License-Identifier: GPL-2.0-or-later
# Control, mkinitcpio busybox image without the hook: the pair ends on the host drivers.
prereq() { mki_prereq; }
build() { build_mkinitcpio "$IMAGE" busybox 0 0; }
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $UNHOOKED; }
