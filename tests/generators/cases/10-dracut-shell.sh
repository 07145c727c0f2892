# SPDX-License-Identifier: GPL-2.0-or-later
# dracut, shell initrd, with the hook: the pair on vfio-pci, the boot VGA on bochs-drm, the
# NIC on e1000e.
build() { VFIO_CLAIM=$BIN build_dracut "$IMAGE" shell 1; }
APPEND=$DRACUT_APPEND
check() { expect_table $HOOKED; }
