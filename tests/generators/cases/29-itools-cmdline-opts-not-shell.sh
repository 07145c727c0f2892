# SPDX-License-Identifier: GPL-2.0-or-later
# vfio_pci's options never run as shell code: libkmod pastes $CMDLINE_OPTS into an install
# line as text for /bin/sh, so when the safety net's fallback had it, a vfio_pci.* word of the
# command line (or an "options vfio_pci" line) holding $(...) ran whenever the fallback did
# (here: the binary missing from the image), once per host driver behind the net. The word
# stays an unknown option of vfio_pci, nothing runs, and every device keeps its host driver.
# (Found by review; before the fix the payload wrote its line to the kernel log.)
build() {
	VFIO_CLAIM=$BIN VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS VFIO_CLAIM_TEST_MANGLE=drop-binary \
		build_itools "$IMAGE" 1 0
}
# single quotes: the $( ) is the payload, for the image's shell
APPEND='vfio_pci.x=$(echo${IFS}E2E-INJECTED${IFS}vfio-by-the-command-line>/dev/kmsg) '"vfio-pci.ids=$IDS $NOROOT"
check() {
	expect_no_log "E2E-INJECTED vfio-by-the-command-line"
	expect_table $UNHOOKED
}
