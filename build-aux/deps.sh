#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages a make target needs, or prints the apt-get line when not root.
# Usage: build-aux/deps.sh GROUP...   (groups below, one line each)
set -eu

group_pkgs() {
	case "$1" in
	base) echo "gcc make pkg-config libc6-dev libpci-dev libkmod-dev libudev-dev" ;;
	static) echo "dpkg-dev gcc libc6-dev make binutils pkg-config autoconf automake libtool liblzma-dev libzstd-dev meson ninja-build gperf python3 python3-jinja2 libcap-dev libmount-dev" ;;
	e2e) echo "qemu-system-x86 busybox-static cpio kmod file xz-utils ovmf" ;;
	generators) echo "dracut-core initramfs-tools-core libarchive-tools zstd udev systemd busybox-static cpio kmod qemu-system-x86" ;;
	nix) echo "nix-bin xz-utils jq" ;;
	# Debian's programs that stand in for nixpkgs' builds in tests/nix/boot.sh
	nix-boot) echo "nix-bin xz-utils jq patchelf file cpio zstd qemu-system-x86 e2fsprogs" \
		"kmod udev systemd busybox-static lvm2 dmsetup bcache-tools kbd console-data procps" \
		"util-linux binutils perl" ;;
	man) echo "mandoc man-db groff-base bash-completion" ;;
	debian) echo "dpkg-dev debhelper debootstrap fakeroot libpci-dev libkmod-dev libudev-dev liblzma-dev libzstd-dev initramfs-tools-core qemu-system-x86 cpio zstd" ;;
	fuzz) echo "clang libclang-rt-14-dev llvm valgrind time util-linux" ;;
	*) echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
	esac
}

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; make sure the packages for: $* are installed" >&2
	exit 0
fi
pkgs=""
for g in "$@"; do pkgs="$pkgs $(group_pkgs "$g")"; done
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages; run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/vfio-claim-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +600 2>/dev/null)" ]; then
	apt-get update -qq && mkdir -p "${stamp%/*}" && touch "$stamp"
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
