# SPDX-License-Identifier: GPL-2.0-or-later
# vfio_pci blacklisted on the kernel command line (modprobe.blacklist=, which libkmod reads):
# as in 66, vfio-claim does not load it, says why and exits 1; the pair keeps its overrides.
APPEND="modprobe.blacklist=vfio_pci"
GUEST='
run claim vfio-claim --addrs 01:00.0
run loaded sh -c "test -e /sys/module/vfio_pci && echo vfio_pci-loaded || echo vfio_pci-absent"
natives
'
check() {
	expect_table bochs-drm - - e1000e
	expect_override 0000:01:00.0 vfio-pci
	expect_override 0000:01:00.1 vfio-pci
	expect_rc claim 1
	expect_log "vfio_pci is blacklisted (modprobe.d or modprobe.blacklist=)"
	expect_log "E2E-OUT loaded: vfio_pci-absent"
}
