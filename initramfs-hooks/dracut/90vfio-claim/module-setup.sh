#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# dracut module: claims PCI devices for vfio-pci in the initrd, before udev loads host drivers.
#  - shell initrd: a pre-udev hook (after the cmdline hooks, before udevd starts);
#  - systemd initrd: vfio-claim.service, before systemd-modules-load and systemd-udev-trigger;
#  - both: the modprobe safety net (/etc/modprobe.d/00-vfio-claim.conf), so a host driver loaded
#    earlier still (rd.driver.pre=, force_drivers) pulls vfio-claim in through its softdep.
# Settings: /etc/vfio-claim.conf (copied when present), rd.vfio-claim.* / vfio-claim.* keys on
# the kernel command line (read by vfio-claim itself), host drivers for the safety net from
# $VFIO_CLAIM_HOST_DRIVERS or /etc/vfio-claim.drivers (see vfio-claim-modprobe-conf).
# shellcheck disable=SC2154 # initdir, moddir, srcmods, systemdsystemunitdir: set by dracut
# Host paths: $VFIO_CLAIM (binary), $VFIO_CLAIM_LIBDIR (helper and unit); install.sh fills in
# the installed defaults.

vfio_claim_libdir() {
	local d=${VFIO_CLAIM_LIBDIR:-@LIBDIR@}
	[[ -f $d/vfio-claim-modprobe-conf && -f $d/vfio-claim.service ]] || return 1
	echo "$d"
}

vfio_claim_binary() {
	local b
	for b in "${VFIO_CLAIM:-}" "@BINDIR@/vfio-claim" "$(command -v vfio-claim 2>/dev/null)"; do
		[[ $b == /* && -x $b ]] && { echo "$b"; return 0; }
	done
	return 1
}

# called by dracut
check() {
	if ! vfio_claim_binary >/dev/null; then
		dinfo "dracut module 'vfio-claim' will not be installed: no vfio-claim binary" \
			"(install it or set VFIO_CLAIM=/path/to/vfio-claim)"
		return 1
	fi
	if ! vfio_claim_libdir >/dev/null; then
		dinfo "dracut module 'vfio-claim' will not be installed: no vfio-claim-modprobe-conf" \
			"(run initramfs-hooks/install.sh or set VFIO_CLAIM_LIBDIR)"
		return 1
	fi
	# Only when asked for (add_dracutmodules+=" vfio-claim ", or -a vfio-claim): installing
	# vfio-claim alone changes no image.
	return 255
}

# called by dracut
depends() {
	return 0
}

# called by dracut
installkernel() {
	# Without -c a missing module is not an error: vfio_virqfd is a separate module before
	# Linux 6.2 only, vfio_pci_core since 5.15.
	hostonly='' instmods vfio vfio_iommu_type1 vfio_virqfd vfio_pci_core vfio_pci
}

# called by dracut
install() {
	local bin libdir
	bin=$(vfio_claim_binary) || return 1
	libdir=$(vfio_claim_libdir) || return 1

	inst_binary "$bin" /usr/sbin/vfio-claim
	[[ -f /etc/vfio-claim.conf ]] && inst_simple /etc/vfio-claim.conf
	# kmod's modprobe: the fallback of the install line, and what rd.driver.pre uses.
	inst_multiple modprobe

	# Written, not inst_simple'd: it must replace a copy of the host's
	# /etc/modprobe.d/00-vfio-claim.conf that kernel-modules may have put there first. The
	# softdeps of the image's other modprobe.d files (kernel-modules copies the host's) and of
	# the kernel's modules.softdep are merged into ours: libkmod reads one line per module.
	mkdir -p "$initdir/etc/modprobe.d"
	if ! sh "$libdir/vfio-claim-modprobe-conf" --binary /usr/sbin/vfio-claim \
		--modprobe "$(find_binary modprobe)" --conf-root "$initdir" --conf-root / \
		--softdeps "$srcmods/modules.softdep" >"$initdir/etc/modprobe.d/00-vfio-claim.conf"; then
		derror "vfio-claim: cannot generate the modprobe.d snippet"
		return 1
	fi

	if dracut_module_included "systemd"; then
		inst_simple "$libdir/vfio-claim.service" "$systemdsystemunitdir/vfio-claim.service"
		mkdir -p "$initdir$systemdsystemunitdir/sysinit.target.wants"
		ln -sf ../vfio-claim.service \
			"$initdir$systemdsystemunitdir/sysinit.target.wants/vfio-claim.service"
	else
		inst_hook pre-udev 05 "$moddir/vfio-claim-pre-udev.sh"
	fi
}
