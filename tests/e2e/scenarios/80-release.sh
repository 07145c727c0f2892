# SPDX-License-Identifier: GPL-2.0-or-later
# 8. release at runtime: claimed at boot, then given back to bochs-drm / snd_hda_intel.
GUEST='
run claim vfio-claim --addrs 01:00.0
natives
sh /e2e/pci-table.sh | sed "s/^/E2E-BEFORE /"
run release vfio-claim release 01:00.0 01:00.1
'
check() {
	expect_rc claim 0
	expect_log "E2E-BEFORE 0000:01:00.0 1234:1111 038000 vfio-pci"
	expect_rc release 0
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_override 0000:01:00.0 -
}
