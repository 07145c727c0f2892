#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian package, end to end, on a fresh Debian 12 root:
#   debian/build       dpkg-buildpackage -us -uc -b in a copy of the tree: the static binary
#                      from build-aux/static-deps.sh's cache, no network; the package holds
#                      the binary, the initramfs-tools hook, the safety net, the pages, the
#                      completion and the update-initramfs trigger
#   debian/install     dpkg -i in the root (chroot): the trigger runs update-initramfs, and the
#                      new image carries vfio-claim, its init-top script and the safety net
#   debian/boot        that image, booted in the e2e rig's VM (tests/e2e/lib.sh) with the
#                      GPU pair selected on the kernel command line: 01:00.0 and 01:00.1 end on
#                      vfio-pci, the boot VGA 00:01.0 on bochs-drm, the NIC on e1000e
#   debian/purge       dpkg --purge: the trigger runs again, and the image has no vfio-claim
#                      left in it; the package's files and its conffile are gone
#   debian/boot-purged the image after the purge, booted: the pair is on its host drivers
# The root: debootstrap --variant=minbase of bookworm (initramfs-tools, busybox) from this
# system's Debian mirror (its apt sources), with the e2e rig's kernel (its modules bind-mounted,
# config and vmlinuz copied) and its first image made by update-initramfs -c. It is cached
# under $VFIO_CLAIM_CACHE/debian-root (default ~/.cache/vfio-claim), keyed by this recipe and
# the kernel; every run works on an overlay of it in a private mount namespace, so the cache
# stays as debootstrap left it and the host's own mounts never change. The root's
# initramfs.conf has MODULES=list: the VM has no disk, and a small image boots fast under TCG;
# a test-only hook (tests/debian/guest) adds the VM's host drivers and the report that prints
# the driver table and powers off.
# Needs root (chroot, mounts) and the packages of `build-aux/deps.sh debian e2e`.
# Usage: tests/debian/run.sh           DEB_KEEP=1 keeps the work folder
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/debian
CACHE=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}
SUITE_CODENAME=bookworm
PAIR=0000:01:00.0=1234:1111,0000:01:00.1=8086:293e
NOROOT=root=/dev/disk/by-label/vfio-claim-test-no-root
failed=0

say() { echo "debian: $*" >&2; }
pass() {
	local name=$1
	shift
	echo "PASS: debian/$name${*:+ ($*)}"
}
fail() {
	echo "FAIL: debian/$1"
	shift
	printf '    %s\n' "$@"
	failed=1
}
skip_all() {
	local c
	for c in build install boot purge boot-purged; do
		if [ "${CI:-}" = true ]; then fail "$c" "cannot run in CI: $1"; else
			echo "SKIP: debian/$c ($1)"; fi
	done
	exit $failed
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root: chroot and mounts"
"$top/build-aux/deps.sh" debian e2e >/dev/null 2>&1 ||
	skip_all "build-aux/deps.sh debian e2e failed"
# The static libraries the package build takes from the cache (built once, from Debian sources).
"$top/build-aux/static-deps.sh" >/dev/null 2>&1 || skip_all "build-aux/static-deps.sh failed"
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
e2e_fetch_kernel >/dev/null || skip_all "no kernel from the e2e rig (e2e_fetch_kernel)"
KVER=$E2E_KVER
KMODS=$E2E_KROOT/lib/modules/$KVER
KCONFIG=${E2E_KCONFIG:-$E2E_KROOT/boot/config-$KVER}

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-debian.XXXXXX") || exit 1
cleanup() { if [ "${DEB_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
t_start=$(date +%s)

# ---- build -----------------------------------------------------------------------------
mkdir -p "$work/src"
(cd "$top" && git ls-files -co --exclude-standard | grep -v '^build/' | tar -cf - -T -) |
	tar -xf - -C "$work/src"
t0=$(date +%s)
if (cd "$work/src" && VFIO_CLAIM_CACHE=$CACHE dpkg-buildpackage -us -uc -b) \
	>"$work/build.log" 2>&1; then
	deb=$(ls "$work"/vfio-claim_*.deb 2>/dev/null | head -1)
	missing=
	dpkg-deb -c "$deb" | awk '{ print $6 }' >"$work/contents"
	for f in ./usr/sbin/vfio-claim ./usr/share/initramfs-tools/hooks/vfio-claim \
		./usr/share/initramfs-tools/scripts/init-top/00-vfio-claim \
		./usr/lib/vfio-claim/vfio-claim-modprobe-conf ./lib/modprobe.d/00-vfio-claim.conf \
		./etc/vfio-claim.conf ./usr/share/man/man8/vfio-claim.8.gz \
		./usr/share/man/man5/vfio-claim.conf.5.gz \
		./usr/share/bash-completion/completions/vfio-claim; do
		grep -qxF "$f" "$work/contents" || missing="$missing $f"
	done
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./triggers >"$work/triggers" 2>/dev/null
	dpkg-deb -x "$deb" "$work/unpacked"
	if [ -n "$missing" ]; then
		fail build "the package lacks:$missing"
	elif ! grep -q '^activate-noawait update-initramfs' "$work/triggers"; then
		fail build "no update-initramfs trigger in the package"
	elif ! file "$work/unpacked/usr/sbin/vfio-claim" | grep -q 'statically linked'; then
		fail build "the packaged binary is not static:" \
			"$(file -b "$work/unpacked/usr/sbin/vfio-claim")"
	else
		pass build "$(($(date +%s) - t0)) s, $(stat -c %s "$deb") bytes"
	fi
else
	fail build "dpkg-buildpackage failed:" "$(tail -n 15 "$work/build.log")"
	skip_all "the package did not build"
fi

# ---- the Debian 12 root (cached) -------------------------------------------------------
# This system's Debian mirror, as its apt sources name it (deb822 or one-line entries).
debian_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && awk -v s="$SUITE_CODENAME" 'BEGIN { RS = ""; FS = "\n" }
			{ uri = ""; ok = 0; deb = 0
			  for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri = u[2] }
				if ($i ~ /^Types:.*[ \t]deb([ \t]|$)/) deb = 1
				if ($i ~ /^Suites:/ && (" " $i " ") ~ (" " s " ")) ok = 1 }
			  if (deb && ok && uri != "") print uri }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && awk -v s="$SUITE_CODENAME" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; else i = 1
			if ($(i + 2) == s) print $(i + 1) }' "$f"
	done
}

recipe=$(cat "$0" "$here"/guest/hooks/* | sha256sum | cut -c1-12)
base=$CACHE/debian-root/$SUITE_CODENAME-$KVER-$recipe
mkdir -p "$CACHE/debian-root"
exec 9>"$CACHE/debian-root/.lock"
flock 9
if [ ! -e "$base/.complete" ]; then
	t0=$(date +%s)
	mirror=$(debian_mirror | head -1)
	if [ -z "$mirror" ]; then
		fail install "no Debian mirror for $SUITE_CODENAME in /etc/apt"
		exit 1
	fi
	say "debootstrap $SUITE_CODENAME from the system's mirror into $base (once; minutes)"
	rm -rf "$base" "$base.tmp"
	if ! debootstrap --variant=minbase --include=initramfs-tools,busybox,zstd \
		"$SUITE_CODENAME" "$base.tmp" "$mirror" >"$work/debootstrap.log" 2>&1; then
		fail install "debootstrap failed:" "$(tail -n 10 "$work/debootstrap.log")"
		exit 1
	fi
	# The e2e rig's kernel stands in for a linux-image package; its modules are bind-mounted
	# at each use. The first image is made now, as the kernel package's postinst would.
	cp "$KCONFIG" "$base.tmp/boot/config-$KVER"
	cp "$E2E_VMLINUZ" "$base.tmp/boot/vmlinuz-$KVER"
	sed -i 's/^MODULES=.*/MODULES=list/' "$base.tmp/etc/initramfs-tools/initramfs.conf"
	mkdir -p "$base.tmp/lib/modules/$KVER"
	if ! unshare -m /bin/sh -ec '
		mount --make-rprivate /
		mount --bind -o ro "$2" "$1/lib/modules/$3"
		mount -t proc proc "$1/proc"
		mount --bind /dev "$1/dev"
		chroot "$1" update-initramfs -c -k "$3"' sh "$base.tmp" "$KMODS" "$KVER" \
		>"$work/first-image.log" 2>&1; then
		fail install "update-initramfs -c in the new root failed:" \
			"$(tail -n 10 "$work/first-image.log")"
		exit 1
	fi
	mv "$base.tmp" "$base" && touch "$base/.complete"
	say "root ready in $(($(date +%s) - t0)) s"
fi
flock -u 9

# ---- install and purge, in an overlay of the root --------------------------------------
cp "$deb" "$work/vfio-claim.deb"
guest=$here/guest
t0=$(date +%s)
unshare -m /bin/bash -c '
	set -u
	base=$1 work=$2 kmods=$3 kver=$4 guest=$5 pci_table=$6
	r=$work/root
	mkdir -p "$work/upper" "$work/ovl" "$r"
	mount --make-rprivate /
	mount -t overlay debian-test -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$r"
	mount --bind -o ro "$kmods" "$r/lib/modules/$kver"
	mount -t proc proc "$r/proc"
	mount --bind /dev "$r/dev"
	# the test-only report (its files name no vfio-claim)
	cp "$guest/hooks/zz-driver-table" "$r/etc/initramfs-tools/hooks/"
	cp "$guest/scripts/init-premount/zz-driver-table" \
		"$r/etc/initramfs-tools/scripts/init-premount/"
	mkdir -p "$r/usr/lib/driver-table"
	cp "$guest/report.sh" "$pci_table" "$r/usr/lib/driver-table/"
	cp "$work/vfio-claim.deb" "$r/tmp/"
	img=$r/boot/initrd.img-$kver
	chroot "$r" dpkg -i /tmp/vfio-claim.deb >"$work/install.log" 2>&1
	echo $? >"$work/install.rc"
	chroot "$r" lsinitramfs "/boot/initrd.img-$kver" >"$work/installed.list" 2>&1
	cp "$img" "$work/installed.img"
	for f in usr/sbin/vfio-claim etc/vfio-claim.conf lib/modprobe.d/00-vfio-claim.conf; do
		[ -e "$r/$f" ] && echo "/$f"
	done >"$work/installed.files"
	chroot "$r" dpkg --purge vfio-claim >"$work/purge.log" 2>&1
	echo $? >"$work/purge.rc"
	chroot "$r" lsinitramfs "/boot/initrd.img-$kver" >"$work/purged.list" 2>&1
	cp "$img" "$work/purged.img"
	for f in usr/sbin/vfio-claim etc/vfio-claim.conf lib/modprobe.d/00-vfio-claim.conf \
		usr/share/initramfs-tools/hooks/vfio-claim; do
		[ -e "$r/$f" ] && echo "/$f"
	done >"$work/purged.files"
	true' sh "$base" "$work" "$KMODS" "$KVER" "$guest" "$top/tests/e2e/guest/pci-table.sh"
t_chroot=$(($(date +%s) - t0))

generated() { grep -q "update-initramfs: Generating /boot/initrd.img-$KVER" "$1"; }
if [ "$(cat "$work/install.rc" 2>/dev/null)" != 0 ]; then
	fail install "dpkg -i failed:" "$(tail -n 10 "$work/install.log")"
elif ! generated "$work/install.log"; then
	fail install "dpkg -i did not run update-initramfs through the trigger:" \
		"$(tail -n 10 "$work/install.log")"
elif ! grep -qx usr/sbin/vfio-claim "$work/installed.list" ||
	! grep -qx scripts/init-top/00-vfio-claim "$work/installed.list" ||
	! grep -qx etc/modprobe.d/00-vfio-claim.conf "$work/installed.list"; then
	fail install "the new image lacks vfio-claim, its init-top script or the safety net:" \
		"$(grep -i vfio "$work/installed.list" | head -10)"
elif [ "$(wc -l <"$work/installed.files")" -ne 3 ]; then
	fail install "installed files missing in the root: $(cat "$work/installed.files")"
else
	pass install "the trigger ran update-initramfs;" \
		"$(grep -c . "$work/installed.list") files in the image"
fi

if [ "$(cat "$work/purge.rc" 2>/dev/null)" != 0 ]; then
	fail purge "dpkg --purge failed:" "$(tail -n 10 "$work/purge.log")"
elif ! generated "$work/purge.log"; then
	fail purge "dpkg --purge did not run update-initramfs:" "$(tail -n 10 "$work/purge.log")"
elif grep -q vfio-claim "$work/purged.list"; then
	fail purge "the image after the purge still has:" \
		"$(grep vfio-claim "$work/purged.list" | head -5)"
elif [ -s "$work/purged.files" ]; then
	fail purge "left in the root after the purge: $(cat "$work/purged.files")"
else
	pass purge "the next image has no vfio-claim; chroot steps ${t_chroot} s"
fi

# ---- boots (one VM at a time) ----------------------------------------------------------
boot_case() { # NAME IMAGE EXPECTED-DRIVERS(00:01.0 01:00.0 01:00.1 02:00.0)
	local name=$1 img=$2 log=$work/$1.log ok=1 i rc
	local -a addrs=(0000:00:01.0 0000:01:00.0 0000:01:00.1 0000:02:00.0) want
	read -ra want <<<"$3"
	if [ ! -s "$img" ]; then
		fail "$name" "no image (see install/purge)"
		return
	fi
	e2e_boot --initrd "$img" --log "$log" --timeout "${DEB_TIMEOUT:-300}" --name "deb-$name" \
		--append "vfio-claim.addrs=$PAIR $NOROOT"
	rc=$?
	if [ -z "$(e2e_table "$log")" ]; then
		fail "$name" "no driver table (boot rc $rc); console tail:" \
			"$(tail -n 12 "$log")"
		return
	fi
	for i in 0 1 2 3; do
		e2e_expect_driver "$log" "${addrs[$i]}" "${want[$i]}" >>"$work/$name.why" || ok=0
	done
	if [ $ok = 1 ]; then
		pass "$name" "boot ${E2E_BOOT_SECONDS} s"
	else
		fail "$name" "$(cat "$work/$name.why")" "$(e2e_table "$log")"
	fi
}
boot_case boot "$work/installed.img" "bochs-drm vfio-pci vfio-pci e1000e"
grep -q 'vfio-claim\[' "$work/boot.log" ||
	fail boot "no vfio-claim line in the guest's kernel log"
boot_case boot-purged "$work/purged.img" "bochs-drm bochs-drm snd_hda_intel e1000e"
say "suite took $(($(date +%s) - t_start)) s"
exit $failed
