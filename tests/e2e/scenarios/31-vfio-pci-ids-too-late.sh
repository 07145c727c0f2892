# SPDX-License-Identifier: GPL-2.0-or-later
# 3 (doctor). vfio-pci.ids is set but the display driver loaded first and vfio-claim never ran:
# the pair is on the host drivers, and doctor says why in plain words.
APPEND="vfio-pci.ids=1234:1111"
GUEST='
natives
run doctor vfio-claim doctor
'
check() {
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_log "vfio-pci.ids is set but 0000:01:00.0 is on bochs-drm"
	expect_doctor_rc 1
}
