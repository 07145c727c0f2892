# SPDX-License-Identifier: GPL-2.0-or-later
# Control, no vfio-claim: the usual recipe, vfio-pci.ids on the kernel command line and vfio-pci
# loaded before the display driver (softdep / early module). vfio-pci takes every 1234:1111,
# the boot VGA (the host's console) included, and leaves the audio function to the host.
# busybox modprobe applies command-line options only under the module's own name (vfio_pci.);
# kmod treats vfio-pci. and vfio_pci. alike.
NEEDS_BINARY=0
APPEND="vfio_pci.ids=1234:1111"
GUEST='modprobe vfio-pci; natives'
check() {
	expect_table vfio-pci vfio-pci snd_hda_intel e1000e
	expect_log "vfio-pci 0000:00:01.0: vgaarb: deactivate vga console"
}
