#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages a make target needs: installs them, checks for them, or checks for the
# libraries the build links with.
# Usage: build-aux/deps.sh GROUP...           installs what is missing (as root; otherwise it
#                                             prints the apt-get line): make deps, demo, check
#        build-aux/deps.sh --check GROUP...   installs nothing: prints the apt-get line and
#                                             fails when something is missing (make STATIC=1)
#        build-aux/deps.sh --libs MODULE...   installs nothing: fails, with pkg-config's error
#                                             and the apt-get line, when $PKG_CONFIG (default
#                                             pkg-config) cannot find a module (plain make)
# Groups below, one line each.
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
	# dpkg-buildpackage checks build-essential and debian/control's Build-Depends itself
	debian) echo "build-essential dpkg-dev debhelper pkg-config libpci-dev libkmod-dev" \
		"libudev-dev liblzma-dev libzstd-dev debootstrap fakeroot initramfs-tools-core" \
		"qemu-system-x86 cpio zstd" ;;
	fuzz) echo "clang libclang-rt-14-dev llvm valgrind time util-linux" ;;
	# make format-check: the version .clang-format is checked with (Debian 12's)
	format) echo "clang-format-14" ;;
	*) echo "deps.sh: unknown group '$1'" >&2; exit 2 ;;
	esac
}

# The Debian package that holds a pkg-config module of the build (LIBS_PC in the Makefile).
module_pkg() {
	case "$1" in
	libpci) echo libpci-dev ;;
	libkmod) echo libkmod-dev ;;
	libudev) echo libudev-dev ;;
	*) echo "deps.sh: no package known for pkg-config module '$1'" >&2; exit 2 ;;
	esac
}

is_debian() { command -v dpkg-query >/dev/null 2>&1; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# --libs: pkg-config's own errors stay on the screen; the closing lines say what to install.
check_libs() {
	pc=${PKG_CONFIG:-pkg-config}
	missing_mods=""
	for m in "$@"; do
		# PKG_CONFIG may carry options ("pkg-config --static"): split on purpose.
		# shellcheck disable=SC2086
		$pc --exists --print-errors "$m" || missing_mods="$missing_mods $m"
	done
	[ -z "$missing_mods" ] && return 0
	echo "make: '$pc' cannot find:$missing_mods" >&2
	if ! is_debian; then
		echo "make: install the development files of:$missing_mods (their .pc files must" \
			"be on PKG_CONFIG_PATH), then run make again." >&2
		return 1
	fi
	pkgs="" found_anyway=""
	command -v "${pc%% *}" >/dev/null 2>&1 || installed pkg-config || pkgs=" pkg-config"
	for m in $missing_mods; do
		p=$(module_pkg "$m")
		if installed "$p"; then found_anyway="$found_anyway $p"; else pkgs="$pkgs $p"; fi
	done
	if [ -n "$pkgs" ]; then
		echo "make: nothing is installed behind your back; install them with" >&2
		echo "    sudo apt-get install -y$pkgs" >&2
		echo "  or with \`sudo make deps\` (every package \`make\` needs), then run make again." >&2
	fi
	if [ -n "$found_anyway" ]; then
		echo "make: installed, yet not found:$found_anyway; check PKG_CONFIG (now '$pc')" \
			"and its search path (PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR)." >&2
	fi
	return 1
}

check_only=false
case "${1:-}" in
--libs) shift; check_libs "$@"; exit ;;
--check) shift; check_only=true ;;
esac

if ! is_debian; then
	echo "deps.sh: not a Debian system; make sure the packages for: $* are installed" >&2
	exit 0
fi
pkgs=""
for g in "$@"; do pkgs="$pkgs $(group_pkgs "$g")"; done
missing=""
for p in $pkgs; do
	case " $missing " in *" $p "*) continue ;; esac
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if $check_only; then
	echo "missing packages (nothing is installed behind your back); run:" >&2
	echo "    sudo apt-get install -y$missing" >&2
	echo "  or: sudo build-aux/deps.sh $*" >&2
	exit 1
fi
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
