# SPDX-License-Identifier: GPL-2.0-or-later
# vfio-claim runs no shell: modprobe.d "install" lines for vfio-pci's dependencies (here: each
# of them runs a command that would leave a mark in the kernel log and fail) are not run when
# vfio-claim loads vfio-pci through libkmod; the modules are inserted directly instead. The
# dependencies are this kernel's own (vfio_virqfd before 6.2, iommufd on newer kernels).
trap_conf=$(mktemp)
for ko in $(e2e_modules_closure vfio_pci); do
	m=$(e2e_module_name "$ko")
	[ "$m" = vfio_pci ] && continue
	echo "install $m /bin/sh -c 'echo E2E-INSTALL-RAN-$m >/dev/kmsg; exit 1'"
done >"$trap_conf"
BUILD=(--add "$trap_conf:etc/modprobe.d/trap.conf")
GUEST='
run claim vfio-claim --addrs 01:00.0
natives
'
check() {
	grep -q '^install vfio ' "$trap_conf" ||
		echo "    no install line for vfio: $(cat "$trap_conf")"
	rm -f "$trap_conf"
	expect_table bochs-drm vfio-pci vfio-pci e1000e
	expect_rc claim 0
	expect_no_log "E2E-INSTALL-RAN"
}
