# SPDX-License-Identifier: GPL-2.0-or-later
# 4. The same shared group claimed whole with --group: the NIC joins the display on vfio-pci,
# the PCI bridge is left alone (bridges are never claimed). See group-not-viable.
E2E_MODULES="$E2E_MODULES e1000"
E2E_QEMU_EXTRA="-device pcie-root-port,id=rp3,bus=pcie.0,addr=0x4,chassis=3,slot=3
 -device pcie-pci-bridge,id=pb,bus=rp3 -device secondary-vga,bus=pb,addr=1
 -netdev user,id=n1,restrict=on -device e1000,bus=pb,addr=2,netdev=n1,romfile="
GUEST='
run claim vfio-claim --group --addrs 04:01.0
natives
modprobe e1000
run doctor vfio-claim doctor --group --addrs 04:01.0
'
check() {
	expect_table bochs-drm bochs-drm snd_hda_intel e1000e
	expect_driver 0000:04:01.0 vfio-pci
	expect_driver 0000:04:02.0 vfio-pci
	expect_driver 0000:03:00.0 -
	expect_rc claim 0
	expect_log "0000:04:02.0 [8086:100e] claimed:"
	expect_log "E2E-OUT doctor: doctor: no problems found"
	expect_doctor_rc 0
}
