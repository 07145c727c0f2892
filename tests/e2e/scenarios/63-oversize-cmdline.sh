# SPDX-License-Identifier: GPL-2.0-or-later
# 6. Oversize values: a 1500-character token, an ID field of 9 hex digits, a wait beyond 600 s.
# One line each, exit 2, the good ID is still claimed, the boot goes on.
LONG=$(printf '%01500d' 0 | tr 0 A)
APPEND="vfio-claim.addrs=$LONG vfio-claim.ids=123456789:1111,1234:1111 vfio-claim.wait=100000"
GUEST='
run claim vfio-claim
natives
run doctor vfio-claim doctor
'
check() {
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 2
	expect_log_count "AAAAAAAA" 1 "vfio-claim"
	expect_log_count "123456789:1111" 1 "vfio-claim"
	expect_log_count "100000" 1 "vfio-claim"
	expect_doctor_rc
}
