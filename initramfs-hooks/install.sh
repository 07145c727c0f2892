#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs the initramfs generator hooks of vfio-claim.
# Usage: initramfs-hooks/install.sh [--uninstall] GENERATOR...
#   GENERATOR: dracut | initramfs-tools | mkinitcpio | systemd | modprobe | libvirt | all
#     (all = dracut initramfs-tools mkinitcpio systemd; modprobe writes the host's
#      /etc/modprobe.d/vfio-claim.conf and libvirt the qemu hook of the run-time hand-over;
#      neither is part of "all")
# Environment (make variables passed through by the Makefile):
#   DESTDIR        staging root (default empty)
#   PREFIX         default /usr/local
#   BINDIR         default $PREFIX/bin (as in the Makefile): where the hooks look for the
#                  vfio-claim binary when building an image
#   LIBDIR         default $PREFIX/lib/vfio-claim: gets the shared helper
#                  (vfio-claim-modprobe-conf) and the unit template
#   DRACUTMODDIR   default /usr/lib/dracut/modules.d (dracut reads no other place)
#   INITRAMFSTOOLSDIR  default /usr/share/initramfs-tools with PREFIX=/usr, else /etc/initramfs-tools
#   INITCPIODIR    default /usr/lib/initcpio with PREFIX=/usr, else /etc/initcpio
#   SYSTEMDUNITDIR default /usr/lib/systemd/system with PREFIX=/usr, else /etc/systemd/system
#   MODPROBEDIR    default /etc/modprobe.d
#   LIBVIRTHOOKDIR default /etc/libvirt/hooks/qemu.d
# The hooks get BINDIR and LIBDIR written in (without DESTDIR); at image build time the
# environment variables VFIO_CLAIM (binary) and VFIO_CLAIM_LIBDIR override them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
LIBDIR=${LIBDIR:-$PREFIX/lib/vfio-claim}
if [ "$PREFIX" = /usr ]; then
	INITRAMFSTOOLSDIR=${INITRAMFSTOOLSDIR:-/usr/share/initramfs-tools}
	INITCPIODIR=${INITCPIODIR:-/usr/lib/initcpio}
	SYSTEMDUNITDIR=${SYSTEMDUNITDIR:-/usr/lib/systemd/system}
else
	INITRAMFSTOOLSDIR=${INITRAMFSTOOLSDIR:-/etc/initramfs-tools}
	INITCPIODIR=${INITCPIODIR:-/etc/initcpio}
	SYSTEMDUNITDIR=${SYSTEMDUNITDIR:-/etc/systemd/system}
fi
DRACUTMODDIR=${DRACUTMODDIR:-/usr/lib/dracut/modules.d}
MODPROBEDIR=${MODPROBEDIR:-/etc/modprobe.d}
# libvirt 6.5+ runs every executable of qemu.d with the arguments of its one qemu hook.
LIBVIRTHOOKDIR=${LIBVIRTHOOKDIR:-/etc/libvirt/hooks/qemu.d}

uninstall=0
if [ "${1:-}" = --uninstall ]; then
	uninstall=1
	shift
fi
[ $# -gt 0 ] || { sed -n '3,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# put SRC DEST MODE: copy with the install paths filled in (or remove DEST when uninstalling)
put() {
	if [ $uninstall = 1 ]; then
		rm -f "$DESTDIR$2"
		rmdir "$(dirname "$DESTDIR$2")" 2>/dev/null || :
		return 0
	fi
	mkdir -p "$(dirname "$DESTDIR$2")"
	sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@LIBDIR@|$LIBDIR|g" "$here/$1" >"$DESTDIR$2.tmp"
	chmod "$3" "$DESTDIR$2.tmp"
	mv -f "$DESTDIR$2.tmp" "$DESTDIR$2"
	echo "install.sh: $DESTDIR$2"
}

common_done=0
common() {
	[ $common_done = 0 ] || return 0
	common_done=1
	put modprobe/vfio-claim-modprobe-conf "$LIBDIR/vfio-claim-modprobe-conf" 755
	put systemd/vfio-claim.service "$LIBDIR/vfio-claim.service" 644
}

gens=
for g in "$@"; do
	case "$g" in
	all) gens="$gens dracut initramfs-tools mkinitcpio systemd" ;;
	dracut | initramfs-tools | mkinitcpio | systemd | modprobe | libvirt) gens="$gens $g" ;;
	*) echo "install.sh: unknown generator '$g'" >&2; exit 2 ;;
	esac
done

for g in $gens; do
	case "$g" in
	dracut)
		common
		put dracut/90vfio-claim/module-setup.sh "$DRACUTMODDIR/90vfio-claim/module-setup.sh" 755
		put dracut/90vfio-claim/vfio-claim-pre-udev.sh \
			"$DRACUTMODDIR/90vfio-claim/vfio-claim-pre-udev.sh" 755
		;;
	initramfs-tools)
		common
		put initramfs-tools/hooks/vfio-claim "$INITRAMFSTOOLSDIR/hooks/vfio-claim" 755
		put initramfs-tools/scripts/init-top/00-vfio-claim \
			"$INITRAMFSTOOLSDIR/scripts/init-top/00-vfio-claim" 755
		;;
	mkinitcpio)
		common
		put mkinitcpio/install/vfio-claim "$INITCPIODIR/install/vfio-claim" 644
		put mkinitcpio/install/sd-vfio-claim "$INITCPIODIR/install/sd-vfio-claim" 644
		put mkinitcpio/hooks/vfio-claim "$INITCPIODIR/hooks/vfio-claim" 644
		;;
	systemd)
		# The booted system's copy: the unit with the installed binary path.
		if [ $uninstall = 1 ]; then
			rm -f "$DESTDIR$SYSTEMDUNITDIR/vfio-claim.service" \
				"$DESTDIR$SYSTEMDUNITDIR/sysinit.target.wants/vfio-claim.service"
			continue
		fi
		mkdir -p "$DESTDIR$SYSTEMDUNITDIR"
		sed "s|/usr/sbin/vfio-claim|$BINDIR/vfio-claim|" "$here/systemd/vfio-claim.service" \
			>"$DESTDIR$SYSTEMDUNITDIR/vfio-claim.service"
		chmod 644 "$DESTDIR$SYSTEMDUNITDIR/vfio-claim.service"
		echo "install.sh: $DESTDIR$SYSTEMDUNITDIR/vfio-claim.service" \
			"(enable: systemctl enable vfio-claim.service)"
		;;
	libvirt)
		put libvirt/vfio-claim "$LIBVIRTHOOKDIR/vfio-claim" 755
		;;
	modprobe)
		if [ $uninstall = 1 ]; then
			rm -f "$DESTDIR$MODPROBEDIR/vfio-claim.conf"
			continue
		fi
		mkdir -p "$DESTDIR$MODPROBEDIR"
		modprobe_path=/sbin/modprobe
		[ -x /sbin/modprobe ] || modprobe_path=$(command -v modprobe || echo /sbin/modprobe)
		# Also /usr/sbin/vfio-claim, where the hooks put the binary in images: generators
		# copy the host's modprobe.d into images (dracut hostonly, mkinitcpio modconf).
		extra=
		[ "$BINDIR" = /usr/sbin ] || extra="--binary /usr/sbin/vfio-claim"
		# shellcheck disable=SC2086
		sh "$here/modprobe/vfio-claim-modprobe-conf" --binary "$BINDIR/vfio-claim" $extra \
			--modprobe "$modprobe_path" --root "${DESTDIR:-/}" \
			>"$DESTDIR$MODPROBEDIR/vfio-claim.conf"
		echo "install.sh: $DESTDIR$MODPROBEDIR/vfio-claim.conf"
		;;
	esac
done
