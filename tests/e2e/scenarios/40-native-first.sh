# SPDX-License-Identifier: GPL-2.0-or-later
# 4. Native drivers loaded before vfio-claim: reported, not taken (exit 1); doctor names the
# driver that came first.
GUEST='
natives
run claim vfio-claim --addrs 01:00.0
run doctor vfio-claim doctor --addrs 01:00.0
'
check() {
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_rc claim 1
	expect_log "0000:01:00.0 [1234:1111] skipped: bound to bochs-drm already"
	expect_log "0000:01:00.0 is bound to bochs-drm before vfio-claim ran"
	expect_doctor_rc 1
}
