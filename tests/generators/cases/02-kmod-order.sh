# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's kmod reads the snippet: loading bochs runs the install line first (the softdep
# pulls vfio_pci in ahead of it), and --ignore-install vfio_pci inserts the module (no loop).
# The module tree is a fake one (two empty ELF objects named bochs.ko and vfio-pci.ko,
# depmod'ed): what is tested is kmod's reading of the snippet, not a kernel.
NEEDS=none
prereq() { command -v cc >/dev/null || echo "no C compiler (cc) for the fake modules"; }
check() {
	local d=$CASE_WORK/conf root=$CASE_WORK/root kver=0.0.0-vfio-claim-test out m
	local moddir=$root/lib/modules/$kver/kernel
	mkdir -p "$d" "$moddir"
	echo 'const char __attribute__((section(".modinfo"), used)) l[] = "license=GPL";' \
		>"$CASE_WORK/m.c"
	cc -c -o "$moddir/bochs.ko" "$CASE_WORK/m.c" || { echo "cc failed"; return; }
	cp "$moddir/bochs.ko" "$moddir/vfio-pci.ko"
	depmod -b "$root" "$kver" 2>/dev/null || { echo "depmod on the fake tree failed"; return; }
	conf_gen --drivers "bochs snd_hda_intel" >"$d/vfio-claim.conf"
	out=$(modprobe -C "$d" -d "$root" -S "$kver" --show-depends bochs 2>&1)
	awk '/^install .*vfio-claim --modprobe/ { i = NR } /\/bochs\.ko/ { b = NR }
		END { exit !(i && b && i < b) }' <<<"$out" ||
		{ echo "kmod: no install line before bochs.ko:"; sed 's/^/      /' <<<"$out"; }
	out=$(modprobe -C "$d" -d "$root" -S "$kver" --show-depends --ignore-install vfio_pci 2>&1)
	if ! grep -q '/vfio-pci\.ko' <<<"$out" || grep -q '^install' <<<"$out"; then
		echo "kmod --ignore-install vfio_pci:"
		sed 's/^/      /' <<<"$out"
	fi
}
