# SPDX-License-Identifier: GPL-2.0-or-later
# A no-break space pasted into modprobe.d between two of vfio-pci's options (UTF-8 c2 a0):
# the kernel's parameter parser splits at a0 (its isspace()), so the ids= after it is a
# parameter of its own. vfio-claim drops it as the kernel reads it and claims those IDs
# instead: vfio-pci never grabs the boot VGA twin, and disable_vga (before the a0) still
# arrives. The NIC is claimed by address besides, so vfio-pci is loaded whatever the IDs read.
opts=$(mktemp)
printf 'options vfio-pci disable_vga=1\302\240ids=1234:1111\n' >"$opts"
BUILD=(--add "$opts:etc/modprobe.d/nbsp.conf")
GUEST='
run claim vfio-claim --addrs 02:00.0
natives
run params cat /sys/module/vfio_pci/parameters/disable_vga
'
check() {
	rm -f "$opts"
	expect_table bochs-drm vfio-pci vfio-pci vfio-pci
	expect_rc claim 0
	expect_no_log "vfio-pci 0000:00:01.0"
	expect_log "loaded vfio-pci without its 'ids=1234:1111'"
	expect_log "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	grep -q '^E2E-OUT params: Y$' "$LOG" || echo "    expected disable_vga Y"
}
