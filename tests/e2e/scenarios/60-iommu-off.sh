# SPDX-License-Identifier: GPL-2.0-or-later
# 6. No IOMMU (intel_iommu=off comes after the rig's intel_iommu=on; the last one wins):
# one clear line, exit 1, nothing is written so the boot goes on with every device on its host
# driver; doctor says "IOMMU is off".
APPEND="intel_iommu=off"
GUEST='
run claim vfio-claim --addrs 01:00.0
natives
run doctor vfio-claim doctor --addrs 01:00.0
'
check() {
	# refused before anything is written, so the host drivers get the pair
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_override 0000:01:00.0 -
	expect_rc claim 1
	expect_log_count "0000:01:00.0 [1234:1111] refused:" 1 "IOMMU"
	expect_log "IOMMU is off"
	expect_doctor_rc 1
}
