# SPDX-License-Identifier: GPL-2.0-or-later
# 6. Garbage in vfio-claim.*= values: each bad token gets one line, the good ones are still
# claimed, exit 2 (bad configuration), the boot goes on.
APPEND="vfio-claim.ids=zzzz:1111,1234:1111 vfio-claim.addrs=01:00.1,junk:00.0"
APPEND="$APPEND vfio-claim.unbind=maybe"
GUEST='
run claim vfio-claim
natives
run doctor vfio-claim doctor
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 2
	expect_log_count "zzzz" 1 "vfio-claim"
	expect_log_count "junk" 1 "vfio-claim"
	expect_log_count "maybe" 1 "vfio-claim"
	expect_doctor_rc
}
