# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-pci's parameters from modprobe.d longer than any fixed buffer (they used to be cut at
# 512 bytes, losing what came last): an ids= list of 61 IDs, then disable_vga=1 fifty times
# and disable_idle_d3=1 at the very end. vfio-claim loads vfio-pci with every parameter but
# ids= (the last one arrives: disable_idle_d3 is Y), names the whole ids= it dropped, and
# claims the IDs through driver_override (the boot VGA twin refused).
opts=$(mktemp)
{
	printf 'options vfio-pci ids='
	for i in $(seq 1 60); do printf 'ffff:%04x,' "$i"; done
	printf '1234:1111'
	for i in $(seq 1 50); do printf ' disable_vga=1'; done
	printf ' disable_idle_d3=1\n'
} >"$opts"
BUILD=(--add "$opts:etc/modprobe.d/long.conf")
GUEST='
run claim vfio-claim
natives
run params cat /sys/module/vfio_pci/parameters/disable_vga /sys/module/vfio_pci/parameters/disable_idle_d3
'
check() {
	rm -f "$opts"
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	[ "$(grep -c '^E2E-OUT params: Y$' "$LOG")" = 2 ] ||
		echo "    expected disable_vga and disable_idle_d3 both Y, got:" \
			"$(grep '^E2E-OUT params' "$LOG" | tr '\n' ' ')"
	expect_log "loaded vfio-pci without its 'ids=ffff:0001,ffff:0002," "ffff:003c,1234:1111'"
	expect_no_log "vfio-pci 0000:00:01.0"
}
