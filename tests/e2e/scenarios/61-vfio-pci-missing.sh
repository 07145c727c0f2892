# SPDX-License-Identifier: GPL-2.0-or-later
# 6. The vfio-pci module is not in the initramfs: one clear line, exit 1, the boot goes on and
# the native drivers bind everything else. The pair keeps driver_override=vfio-pci on purpose
# (fail closed: no host driver grabs a device meant for a guest); doctor says "vfio-pci module
# is missing" and that release gives the devices back.
BUILD=(--omit vfio_pci)
GUEST='
run claim vfio-claim --addrs 01:00.0
natives
run doctor vfio-claim doctor --addrs 01:00.0
'
check() {
	expect_table bochs-drm - - e1000e
	expect_override 0000:01:00.0 vfio-pci
	expect_override 0000:01:00.1 vfio-pci
	expect_rc claim 1
	expect_log_count "cannot load vfio-pci" 1
	expect_log "vfio-pci module is missing"
	expect_doctor_rc 1
}
