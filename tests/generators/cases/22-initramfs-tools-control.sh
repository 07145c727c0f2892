# SPDX-License-Identifier: GPL-2.0-or-later
# Control, initramfs-tools without the hook: the pair ends on the host drivers.
build() { build_itools "$IMAGE" 0 0; }
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $UNHOOKED; }
