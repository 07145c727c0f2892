# SPDX-License-Identifier: GPL-2.0-or-later
# 4 (doctor). A display behind a conventional PCI bridge shares its IOMMU group with a NIC that
# stays on its host driver (e1000): the claim goes through, but the group is not viable for a
# guest, and doctor says which device holds it. Extra devices: root port 00:04.0, bridge
# 03:00.0, display 04:01.0 (1234:1111), NIC 04:02.0 (8086:100e), all in one group.
E2E_MODULES="$E2E_MODULES e1000"
E2E_QEMU_EXTRA="-device pcie-root-port,id=rp3,bus=pcie.0,addr=0x4,chassis=3,slot=3
 -device pcie-pci-bridge,id=pb,bus=rp3 -device secondary-vga,bus=pb,addr=1
 -netdev user,id=n1,restrict=on -device e1000,bus=pb,addr=2,netdev=n1,romfile="
GUEST='
run claim vfio-claim --addrs 04:01.0
natives
modprobe e1000
run doctor vfio-claim doctor --addrs 04:01.0
'
check() {
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_driver 0000:04:01.0 vfio-pci
	expect_driver 0000:04:02.0 e1000
	expect_rc claim 0
	expect_log "IOMMU group" "is not viable"
	expect_log "0000:04:02.0"  "e1000"
	expect_doctor_rc 1
}
