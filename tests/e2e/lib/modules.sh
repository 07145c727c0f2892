# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Part of tests/e2e/lib.sh (see there for the interface): kernel modules of the fetched kernel.

# The module name of a module file: bochs.ko, vfio-pci.ko.xz (trixie, sid), x.ko.zst (Arch,
# NixOS) and x.ko.gz all give their name with '-' as '_', the way the kernel spells it.
e2e_module_name() {
	local m=${1##*/}
	m=${m%.ko*}
	echo "${m//-/_}"
}

e2e_modules_closure() {
	local moddir=$E2E_KROOT/lib/modules/$E2E_KVER m
	for m in "$@"; do
		modprobe -d "$E2E_KROOT" -S "$E2E_KVER" --show-depends "$m" ||
			{ e2e_log "module $m not found in $moddir"; return 1; }
	done | awk '$1 == "insmod" { print $2 }' | sed "s|^.*/lib/modules/$E2E_KVER/||" | sort -u
}
