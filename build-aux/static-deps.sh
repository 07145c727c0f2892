#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# static-deps.sh - build static libkmod, libpci and libudev for `make STATIC=1`.
#
# Usage: build-aux/static-deps.sh [PREFIX]
#        PREFIX defaults to ${VFIO_CLAIM_CACHE:-$HOME/.cache/vfio-claim}/static-deps
#
# Result:
#   PREFIX/lib/{libkmod.a,libpci.a,libudev.a}
#   PREFIX/include/{libkmod.h,libudev.h,pci/*.h}     -> compile with -IPREFIX/include
#   PREFIX/ldflags   one line: every flag to put after the objects when linking with -static
#   PREFIX/versions  which Debian source versions and features went in
#   PREFIX/.stamp    the second run with the same script is a no-op
#
# How the static build works, and why:
#
# * Debian ships no .a for libkmod, libpci or libudev, so we build them from Debian's own
#   source packages (same patches as the shared libraries on the system). The sources
#   come from `apt-get source` with a PRIVATE apt configuration: deb-src entries derived
#   from the system's deb entries, and private lists/cache directories. /etc/apt and
#   /var/lib/apt are never touched.
# * libkmod: kmod's configure refuses --enable-static, so it is built as a shared library
#   and its PIC objects (libkmod/ and the shared/ helper library) are archived by hand.
#   Compression: xz and zstd on (NixOS and Arch ship .ko.xz / .ko.zst; the static
#   liblzma.a comes from liblzma-dev); zlib off, as in Debian's own libkmod (so .ko.gz
#   modules cannot be read); openssl off (only signature printing needs it, and it would
#   drag in libcrypto).
# * libzstd: built from Debian's libzstd source with decompression only (libkmod never
#   compresses) and without the legacy formats (modules are zstd 1.x frames), at -O2 like
#   Debian's own build: libzstd-dev's libzstd.a carries the compressor too, about 110 KB
#   of the static binary that nothing calls but gc-sections cannot tell apart. Its
#   decompressor is the same code as Debian's, so .ko.zst modules load as fast.
# * Size: libkmod, libpci and libudev are built with -Os (the binary must fit in 1.5 MiB,
#   and none of them runs a hot loop); liblzma (xz, the modules of Debian's kernels) and
#   libzstd keep -O2, decompression speed being the cost of every module load.
# * libpci: pciutils builds lib/libpci.a itself with SHARED=no. zlib, DNS, hwdb (libudev)
#   and libkmod are off so libpci needs nothing but libc. pci.ids is looked up in
#   /usr/share/misc like Debian's libpci.
# * libudev: systemd's meson builds libudev.a with -Dstatic-libudev=pic; every optional
#   dependency is skipped and only that target (after version.h) is built.
# * Symbol hygiene: libudev.a carries systemd's internal helpers (mkdir_p, memdup, ...)
#   and libkmod's objects carry kmod's (mkdir_p, memdup, hash_new, array_append, ...):
#   linked together they clash, and either could clash with vfio-claim's own functions.
#   Each library is therefore linked into one relocatable object (`ld -r`) whose only
#   global symbols are the ones its shared library exports (the names listed in the
#   library's own version script, libudev.sym / libkmod.sym); everything else becomes
#   local. That partial link also garbage-collects, with the exported names as roots, so
#   the parts of systemd's helper code libudev never reaches are dropped (the libudev
#   object shrinks from 2.3 MB to 0.6 MB). libpci's internal symbols all carry pci_/pm_
#   prefixes and are left as built.
# * glibc warns at link time that getpwnam/getgrnam & co. need its NSS modules at run
#   time: libudev's API reaches user/group lookups. With -Wl,--gc-sections the code
#   vfio-claim does not call is dropped again; the warnings stay, they are harmless.
# * A tiny program is linked with -static and PREFIX/ldflags at the end, so a broken
#   ldflags line fails here and not in the Makefile.
#
# Needs the packages of `build-aux/deps.sh static` (installed by this script when root).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-${VFIO_CLAIM_CACHE:-$HOME/.cache/vfio-claim}/static-deps}
jobs=$(nproc 2>/dev/null || echo 2)
# Debian source packages we build from.
src_pkgs="kmod pciutils systemd libzstd"
# What goes after -LPREFIX/lib in PREFIX/ldflags. Our three libraries are independent of
# each other (libpci is built without libudev/libkmod, libudev needs only libc); libkmod
# needs libzstd (ours, below) and liblzma (liblzma-dev's .a) after it.
libs="-ludev -lkmod -lpci -lzstd -llzma"

# The libraries get their own flags: a caller's CFLAGS (sanitizers, -flto) or the
# variables and jobserver of a parent make must not leak into the cached build.
unset CFLAGS CPPFLAGS LDFLAGS LIBS MAKEFLAGS MFLAGS MAKELEVEL

say() { printf 'static-deps: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

case $prefix in
/*) ;;
*) prefix=$PWD/$prefix ;;
esac
# ldflags is used as $(cat PREFIX/ldflags): word splitting would break such a path.
case $prefix in
*[[:space:]]*) die "PREFIX must not contain white space: '$prefix'" ;;
esac

# The stamp records a hash of this script: edit the recipe and the next run rebuilds.
recipe=$(sha256sum "$0" | cut -d' ' -f1)
is_fresh() {
	[ "$(cat "$prefix/.stamp" 2>/dev/null)" = "$recipe" ] &&
		[ -f "$prefix/lib/libkmod.a" ] && [ -f "$prefix/lib/libpci.a" ] &&
		[ -f "$prefix/lib/libudev.a" ] && [ -f "$prefix/ldflags" ]
}
# Quiet when up to date: make runs this before every static build.
is_fresh && exit 0

# Two builds racing for the same prefix (parallel make, CI matrix) would trample each
# other: the second waits, then finds the stamp and returns.
mkdir -p "$(dirname "$prefix")"
exec 9>"$prefix.lock"
flock 9
is_fresh && exit 0

"$here/deps.sh" static

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-static.XXXXXX")
# Keep the work dir when something fails: its logs are the only useful diagnostic.
on_exit() {
	if [ "$1" -ne 0 ]; then
		say "failed; logs and sources kept in $work"
	else
		rm -rf "$work"
	fi
}
trap 'on_exit $?' EXIT
# Every temporary file of apt, gcc and libtool goes into the work dir too: cleaned up with
# it, and apt's sandbox user or a non-root caller may not be able to write to /tmp.
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"
mkdir -p "$work/log" "$work/src" "$work/stage/lib" "$work/stage/include/pci"

# run NAME CMD...: run CMD with its output in $work/log/NAME.log, show the tail on failure.
run() {
	local name=$1
	shift
	if ! "$@" >"$work/log/$name.log" 2>&1; then
		tail -n 40 "$work/log/$name.log" >&2
		die "$name failed (full log: $work/log/$name.log)"
	fi
}

# ---------------------------------------------------------------------------------------
# Sources: apt-get source with a private apt configuration.

fetch_sources() {
	local codename f
	local -a opts
	# deb-src twins of the system's own deb entries (build-aux/apt-private.sh): only this
	# release's suites, since third-party repositories rarely publish sources.
	# shellcheck disable=SC1091
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	mapfile -t opts < <("$here/apt-private.sh" "$work/apt" deb-src "$codename")
	[ ${#opts[@]} -gt 0 ] || die "no private apt configuration (build-aux/apt-private.sh)"

	say "fetching Debian sources: $src_pkgs"
	run apt-update apt-get "${opts[@]}" update
	for p in $src_pkgs; do
		(cd "$work/src" && fetch_source "$p" "${opts[@]}")
	done
	for f in "$work"/src/*.dsc; do
		sed -n 's/^Source: //p; s/^Version: //p' "$f" | paste -sd' '
	done >"$work/stage/versions"
}

# fetch_source PKG APT-OPTION...: apt-get source PKG, the newest version the mirror has. A
# security update's source may be listed before the mirror carries it (a 404): then each
# older version the lists name is tried, newest first.
fetch_source() {
	local pkg=$1 v
	shift
	apt-get "$@" source "$pkg" >"$work/log/apt-source-$pkg.log" 2>&1 && return 0
	for v in $(apt-cache "$@" showsrc "$pkg" | sed -n 's/^Version: //p' | sort -rV | tail -n +2); do
		say "$pkg: the newest source is not there; trying $v"
		apt-get "$@" source "$pkg=$v" >>"$work/log/apt-source-$pkg.log" 2>&1 && return 0
	done
	tail -n 20 "$work/log/apt-source-$pkg.log" >&2
	die "apt-get source $pkg failed (full log: $work/log/apt-source-$pkg.log)"
}

# The one source tree of Debian source package $1.
srcdir() {
	local d
	for d in "$work/src/$1"-*/; do
		[ -d "$d" ] && { echo "${d%/}"; return; }
	done
	die "no unpacked source for $1"
}

# Names a shared library exports: the symbols listed in its linker version script.
exported_symbols() {
	grep -Eo '^[[:space:]]+[A-Za-z_][A-Za-z0-9_]*;' "$1" | tr -d ' \t;'
}

# localize OUT.a SYMFILE INPUT...: one relocatable object whose globals are only the
# names in SYMFILE, archived as OUT.a. Inputs may be objects or archives: archive members
# are pulled in, and sections kept, only as far as the exported symbols need them (-u
# roots for both). The libraries are built with -ffunction-sections -fdata-sections.
localize() {
	local out=$1 syms=$2 tmp
	shift 2
	tmp="$work/$(basename "$out" .a)"
	# shellcheck disable=SC2046
	run "localize-${tmp##*/}" ld -r --gc-sections -o "$tmp-all.o" $(sed 's/^/-u /' "$syms") "$@"
	run "objcopy-${tmp##*/}" objcopy --keep-global-symbols="$syms" "$tmp-all.o" "$tmp.o"
	rm -f "$out"
	ar rcs "$out" "$tmp.o"
}

# ---------------------------------------------------------------------------------------
build_kmod() {
	local src b="$work/kmod-build"
	src=$(srcdir kmod)
	say "building libkmod (xz, zstd; no zlib, no openssl)"
	# Debian's kmod source is a git snapshot without a generated configure script.
	# gtk-doc is optional (GTK_DOC_CHECK is m4_ifdef'd); an empty gtk-doc.make suffices.
	touch "$src/libkmod/docs/gtk-doc.make"
	(cd "$src" && run kmod-autoreconf autoreconf --force --install --symlink)
	mkdir -p "$b"
	(cd "$b" && run kmod-configure "$src/configure" --prefix=/usr --sysconfdir=/etc \
		--with-xz --with-zstd --without-zlib --without-openssl \
		--disable-tools --disable-manpages --disable-test-modules \
		--disable-python --disable-gtk-doc CFLAGS="-Os")
	run kmod-make make -C "$b" -j"$jobs" libkmod/libkmod.la
	exported_symbols "$src/libkmod/libkmod.sym" >"$work/kmod.syms"
	localize "$work/stage/lib/libkmod.a" "$work/kmod.syms" \
		"$b"/libkmod/.libs/*.o "$b"/shared/.libs/*.o
	cp "$src/libkmod/libkmod.h" "$work/stage/include/"
	echo "libkmod: xz zstd (no zlib, no openssl)" >>"$work/stage/versions"
}

build_pci() {
	local src
	src=$(srcdir pciutils)
	say "building libpci"
	run pci-make make -C "$src" -j"$jobs" lib/libpci.a \
		SHARED=no ZLIB=no DNS=no HWDB=no LIBKMOD=no \
		PREFIX=/usr IDSDIR=/usr/share/misc OPT="-Os -ffunction-sections -fdata-sections"
	cp "$src/lib/libpci.a" "$work/stage/lib/"
	# The headers `make install-lib` would install; config.h is generated for this build.
	cp "$src"/lib/{config,header,pci,types}.h "$work/stage/include/pci/"
	echo "libpci: sysfs proc intel-conf mmio-conf dump (no zlib, dns, hwdb, libkmod)" \
		>>"$work/stage/versions"
}

build_zstd() {
	local src
	src=$(srcdir libzstd)
	say "building libzstd (decompression only)"
	run zstd-make make -C "$src/lib" -j"$jobs" libzstd.a ZSTD_LIB_COMPRESSION=0 \
		ZSTD_LEGACY_SUPPORT=0 CFLAGS="-O2 -ffunction-sections -fdata-sections"
	cp "$src/lib/libzstd.a" "$work/stage/lib/"
	echo "libzstd: decompression only, no legacy formats" >>"$work/stage/versions"
}

build_udev() {
	local src b="$work/udev-build"
	src=$(srcdir systemd)
	say "building libudev (the longest step)"
	# skip-deps drops every optional dependency; libcap and libmount remain mandatory
	# for meson to configure at all, though libudev itself needs neither.
	run udev-meson meson setup "$b" "$src" -Dskip-deps=true -Dstatic-libudev=pic \
		-Dmode=release -Dbuildtype=release -Doptimization=s -Ddebug=false -Db_lto=false \
		-Dtests=false -Dman=false -Dhtml=false -Dgnu-efi=false -Dtranslations=false
	# libudev.a's sources include version.h but the target does not depend on it.
	run udev-version ninja -C "$b" -j"$jobs" version.h
	run udev-ninja ninja -C "$b" -j"$jobs" libudev.a
	exported_symbols "$src/src/libudev/libudev.sym" >"$work/udev.syms"
	localize "$work/stage/lib/libudev.a" "$work/udev.syms" "$b/libudev.a"
	cp "$src/src/libudev/libudev.h" "$work/stage/include/"
	echo "libudev: udev_* only (systemd's optional dependencies skipped)" \
		>>"$work/stage/versions"
}

# Link a program that touches all three libraries, -static, with exactly PREFIX/ldflags.
smoke_test() {
	local t="$work/smoke"
	mkdir -p "$t"
	cat >"$t/smoke.c" <<'EOF'
#include <stddef.h>
#include <libkmod.h>
#include <libudev.h>
#include <pci/pci.h>

int main(void)
{
	struct kmod_ctx *k = kmod_new(NULL, NULL);
	struct udev *u = udev_new();
	struct pci_access *p = pci_alloc();

	pci_cleanup(p);
	udev_unref(u);
	kmod_unref(k);
	return 0;
}
EOF
	say "checking a -static link"
	# The libraries are still in the stage, not yet in PREFIX/lib.
	# shellcheck disable=SC2086
	run smoke-link gcc -static -Wl,--gc-sections -I"$work/stage/include" \
		-o "$t/smoke" "$t/smoke.c" -L"$work/stage/lib" $libs
}

# ---------------------------------------------------------------------------------------
start=$(date +%s)
fetch_sources
build_kmod
build_pci
build_zstd
build_udev

echo "-L$prefix/lib $libs" >"$work/stage/ldflags"
smoke_test

rm -rf "$prefix"
mv "$work/stage" "$prefix"
# Written last: an interrupted install leaves no stamp, so the next run starts over.
echo "$recipe" >"$prefix/.stamp"
say "done in $(($(date +%s) - start))s: $prefix"
