# SPDX-License-Identifier: GPL-2.0-or-later
# vfio_pci is blacklisted in modprobe.d: vfio-claim does not load it, says why, and exits 1;
# the trampoline (--modprobe) fails the same way, so modprobe's `||` fallback decides. The pair
# keeps its overrides (fail closed: no host driver takes it) and vfio-pci is not in the kernel
# afterwards. (67 is the same through modprobe.blacklist= on the kernel command line.)
bl_conf=$(mktemp)
echo "blacklist vfio_pci" >"$bl_conf"
BUILD=(--add "$bl_conf:etc/modprobe.d/blacklist-vfio.conf")
GUEST='
run claim vfio-claim --addrs 01:00.0
run trampoline vfio-claim --modprobe
run loaded sh -c "test -e /sys/module/vfio_pci && echo vfio_pci-loaded || echo vfio_pci-absent"
natives
'
check() {
	rm -f "$bl_conf"
	expect_table bochs-drm - - e1000e
	expect_override 0000:01:00.0 vfio-pci
	expect_override 0000:01:00.1 vfio-pci
	expect_rc claim 1
	expect_rc trampoline 1
	expect_log "vfio_pci is blacklisted (modprobe.d or modprobe.blacklist=)"
	expect_log "E2E-OUT loaded: vfio_pci-absent"
}
