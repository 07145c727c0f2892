# SPDX-License-Identifier: GPL-2.0-or-later
# The race, initramfs-tools: bochs in the conf dir's modules file. That file is loaded after
# init-top, where the hook runs, so the hook's init-top script is left out: only the safety
# net (udev's coldplug, then the modules file) can claim.
build() { VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS build_itools "$IMAGE" 1 1; }
APPEND="vfio-claim.ids=$IDS $NOROOT"
check() { expect_table $HOOKED; }
