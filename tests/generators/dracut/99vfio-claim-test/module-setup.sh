#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Test-only dracut module (tests/generators): prints the driver table once udev has settled
# and powers off. Shell initrd: an initqueue/settled hook (runs while init waits for the
# root that the test does not give it). systemd initrd: vfio-claim-test-report.service.
# $VFIO_CLAIM_TEST_GUEST is the folder holding report.sh, pci-table.sh and the unit.

check() { return 255; }
depends() { return 0; }

install() {
	local g=${VFIO_CLAIM_TEST_GUEST:?}
	inst_multiple sh cat cut grep sed sleep sync dmesg udevadm
	inst_simple "$g/report.sh" /usr/lib/vfio-claim-test/report.sh
	inst_simple "$g/pci-table.sh" /usr/lib/vfio-claim-test/pci-table.sh
	if dracut_module_included "systemd"; then
		inst_simple "$g/vfio-claim-test-report.service" \
			"$systemdsystemunitdir/vfio-claim-test-report.service"
		mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
		ln -sf ../vfio-claim-test-report.service \
			"$initdir$systemdsystemunitdir/sysinit.target.wants/vfio-claim-test-report.service"
	else
		inst_hook initqueue/settled 99 "$moddir/vfio-claim-test-settled.sh"
	fi
}
