#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# NixOS boot suite: NixOS's real stage 1 booted in the e2e rig's VM (tests/e2e/lib.sh), for the
# configurations of boot.nix. For each case:
#  1. boot.nix is evaluated with the real nixos/ tree (../shared/nixpkgs) and the recording stub
#     package set: config.system.build.initialRamdisk and everything it is made of, announced as
#     a build plan (stub-pkgs.nix), plus the boot entry's kernel command line;
#  2. realise.sh carries the plan out in a mount namespace whose /nix/store is a fake store:
#     stage-1.nix's own builder scripts (extra-utils, udev-rules, link-units, the keymap, ...) run
#     as written over Debian's busybox, kmod, udev, lvm2, e2fsprogs and our vfio-claim laid out
#     as nixpkgs packages; nixos/modules/system/boot/stage-1-init.sh from the tarball with every
#     @placeholder@ filled; makeModulesClosure and makeInitrd (store closure + symlinks + cpio)
#     redone here for the rig's Debian kernel;
#  3. an ext4 root labelled as fileSystems."/" says (mkfs.ext4 -L -d, no root needed) holds a
#     tiny stage 2 at <toplevel>/init (guest/stage-2-init), which prints the driver table and the
#     kernel log;
#  4. the VM boots with exactly init=<toplevel>/init and the evaluated boot.kernelParams; stage 1
#     runs to its end (udev, fsck, mount, switch_root), and the case checks the driver of every
#     device and the order of events in the kernel log.
#
# What differs from a real NixOS build: see tests/nix/README.md.
# Prints PASS:/FAIL:/SKIP: nix-boot/<case>. Usage: tests/nix/boot.sh [CASE...]
# Environment: VFIO_CLAIM (static binary, default build/static/vfio-claim), VFIO_CLAIM_DYNAMIC
#   (default build/vfio-claim), NIX_BOOT_JOBS (VMs at once, default 2), NIX_BOOT_KEEP=1 (keep the
#   work folder: plans, build logs, images, console logs), VFIO_CLAIM_CACHE (kernel cache).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
# shellcheck source=realise.sh
. "$here/realise.sh"

ALL_CASES="seed seed-control ids-in-module gpu-only no-kernel-modules fail-exit fail-crash
fail-missing dynamic user-softdep systemd-seed systemd-control systemd-user-softdep"
cases=${*:-$ALL_CASES}
JOBS=${NIX_BOOT_JOBS:-2}

skip_all() {
	local c
	for c in $cases; do echo "SKIP: nix-boot/$c ($1)"; done
	exit 0
}

[ "$(id -u)" -eq 0 ] || skip_all "needs root for the fake store's mount namespace"
fail_setup() {
	echo "FAIL: nix-boot/$1"
	exit 1
}
"$repo/build-aux/deps.sh" nix-boot || fail_setup "deps (build-aux/deps.sh nix-boot)"
for t in qemu-system-x86_64 patchelf jq mkfs.ext4 cpio zstd lvm loadkeys unshare busybox; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null ||
		skip_all "$t missing (build-aux/deps.sh nix-boot)"
done
static=${VFIO_CLAIM:-$repo/build/static/vfio-claim}
dynamic=${VFIO_CLAIM_DYNAMIC:-$repo/build/vfio-claim}
[ -x "$static" ] && [ -x "$dynamic" ] || skip_all "no $static or $dynamic (make; make STATIC=1)"

tarball=""
for d in "$(dirname "$repo")/shared/nixpkgs" /work/shared/nixpkgs; do
	[ -f "$d/nixos-lib-2024-08.tar.xz" ] && { tarball=$d/nixos-lib-2024-08.tar.xz; break; }
done
[ -n "$tarball" ] || skip_all "no nixos-lib-2024-08.tar.xz in ../shared/nixpkgs"

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-nix-boot.XXXXXX") || exit 1
cleanup() {
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${NIX_BOOT_KEEP:-0}" = 1 ]; then echo "nix-boot: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
t_start=$(date +%s)

e2e_fetch_kernel >/dev/null || fail_setup "setup (no kernel: e2e_fetch_kernel)"
mkdir -p "$work/nixpkgs" "$work/store" "$work/logs" "$work/state"
tar -xJf "$tarball" -C "$work/nixpkgs" || fail_setup "setup (cannot unpack $tarball)"
# Debian's busybox package (dynamically linked, applets found through PATH, as nixpkgs'
# busybox): it conflicts with busybox-static, which the other suites need, so it is unpacked
# into the cache instead of being installed.
bb_dir=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}/nix-boot/busybox
if [ ! -x "$bb_dir/root/bin/busybox" ]; then
	mkdir -p "$bb_dir" && rm -rf "$bb_dir/root" "$bb_dir"/*.deb
	(cd "$bb_dir" && apt-get download -q -o APT::Sandbox::User=root busybox >/dev/null &&
		dpkg-deb -x busybox_*.deb root && rm -f busybox_*.deb) ||
		fail_setup "setup (apt-get download busybox failed)"
fi
# Copies: a concurrent `make` must not change the binaries under a running build.
install -m 0755 "$static" "$work/vfio-claim-static"
install -m 0755 "$dynamic" "$work/vfio-claim-dynamic"

# --- 1. evaluate every case (two at a time: ~250 MB and a second or two each)
export NIX_STATE_DIR="$work/state" NIX_LOG_DIR="$work/state/log" NIX_PATH="" HOME="$work"
export NIX_CONFIG="store = dummy://
build-users-group =
substituters ="
for c in $cases; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	nix-instantiate --eval --strict --json "$here/boot.nix" --arg nixpkgs "$work/nixpkgs" \
		--argstr case "$c" >"$work/$c.json" 2>"$work/$c.eval" &
done
wait
for c in $cases; do
	if ! jq -e .initrd "$work/$c.json" >/dev/null 2>&1; then
		grep -v '^trace: ' "$work/$c.eval" | tail -8 | sed 's/^/    /' >"$work/$c.res"
		sed -i "1i FAIL: nix-boot/$c\n    evaluation failed:" "$work/$c.res"
	fi
done
sed -n 's/^trace: vfio-claim-drv //p' "$work"/*.eval | jq -c . | awk '!seen[$0]++' \
	>"$work/plan.jsonl"
say() { echo "nix-boot: $*" >&2; }
say "evaluated $(echo $cases | wc -w) case(s) in $(($(date +%s) - t_start)) s;" \
	"$(wc -l <"$work/plan.jsonl") derivations in the plan"

# --- 2. build an initrd in the fake store (one case at a time, while earlier cases boot)
build_initrd() { # case
	R_LOGDIR=$work/logs R_BUSYBOX=$bb_dir/root/bin/busybox VFIO_CLAIM_STATIC=$work/vfio-claim-static \
		VFIO_CLAIM_DYNAMIC=$work/vfio-claim-dynamic \
		realise_in_ns "$work/store" "$work" "$work/plan.jsonl" "$E2E_KROOT" "$E2E_KVER" \
		"$(jq -r .initrd "$work/$1.json")" 2>>"$work/realise.log"
}

# --- 3. the root file system and the image the VM boots, per case
# The tiny stage 2's busybox: a store path of its own on the root file system.
s2_busybox=/nix/store/$(printf stage-2-busybox | sha256sum | cut -c1-32 | tr e g)-busybox
make_root() { # case -> $work/$case.root.img
	local c=$1 top dir label fstype
	top=$(jq -r .toplevel "$work/$c.json")
	label=$(jq -r .rootLabel "$work/$c.json")
	fstype=$(jq -r .rootFsType "$work/$c.json")
	dir=$work/$c.rootfs
	mkdir -p "$dir$top" "$dir$s2_busybox/bin"
	cp /bin/busybox "$dir$s2_busybox/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$dir$s2_busybox/bin/$a"
	done
	sed "s|@busybox@|$s2_busybox|g" "$here/guest/stage-2-init" >"$dir$top/init"
	chmod 755 "$dir$top/init"
	cp "$repo/tests/e2e/guest/pci-table.sh" "$dir$top/"
	mkdir -p "$dir/etc"
	touch "$dir/etc/NIXOS"
	# The systemd initrd resolves init= with the system's coreutils (chroot /sysroot realpath),
	# which a NixOS root has in its store.
	for p in coreutils glibc; do
		p=$(jq -r --arg n "$p" 'select(.name == $n) | .out' "$work/plan.jsonl" | head -1)
		[ -d "$work/store/${p##*/}" ] && cp -a "$work/store/${p##*/}" "$dir/nix/store/"
	done
	"mkfs.$fstype" -q -L "$label" -d "$dir" "$work/$c.root.img" 32M
}
make_image() { # case -> $work/$case.img: the initrd as NixOS builds it, plus /dev/console
	local c=$1 initrd
	initrd=$work/store/$(basename "$(jq -r .initrd "$work/$c.json")")
	[ -s "$initrd" ] || return 1
	# NixOS kernels carry /dev/console in their built-in initramfs; Debian's do not, so the
	# rig's console entry goes in front (as boot.initrd.prepend would put it).
	{ _e2e_cpio_console; cat "$initrd"; } >"$work/$c.img"
}

# --- 4. boot and check
# expect_order TEXT...: the first kernel-log line containing each TEXT comes in this order.
expect_order() {
	local prev=0 prev_text='' n t
	for t in "$@"; do
		n=$(sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' "$LOG" | grep -nF -- "$t" | head -1 |
			cut -d: -f1)
		if [ -z "$n" ]; then
			echo "    no kernel-log line contains: $t"
			return 1
		fi
		if [ "$n" -le "$prev" ]; then
			echo "    kernel log: '$t' (line $n) comes before '$prev_text' (line $prev)"
			return 1
		fi
		prev=$n prev_text=$t
	done
}
expect_table() {
	local a r=0
	for a in 0000:00:01.0 0000:01:00.0 0000:01:00.1 0000:02:00.0; do
		e2e_expect_driver "$LOG" "$a" "$1" || r=1
		shift
	done
	return $r
}
expect_log() { e2e_expect_log "$LOG" "$@"; }
expect_no_log() { e2e_expect_no_log "$LOG" "$1"; }
# Stage 1 ran to its end: fsck, mount, switch_root into the tiny stage 2.
expect_stage1_done() {
	expect_log "checking /dev/disk/by-label/nixos..." &&
		expect_log "mounting /dev/disk/by-label/nixos on /..." &&
		expect_log "NIX-STAGE-2 "
}

CLAIMED="0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
AUDIO_CLAIMED="0000:01:00.1 [8086:293e] claimed: bound to vfio-pci"
REFUSED="0000:00:01.0 [1234:1111] refused:"
DROPPED="loaded vfio-pci without its 'ids="
BOCHS_VGA="bochs-drm 0000:00:01.0"

check_case() {
	case $1 in
	seed | dynamic)
		# The claim happens in stage 1's first `modprobe vfio_pci` (the install line): before
		# the loop gets to the next module, long before preDeviceCommands.
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$DROPPED" "$CLAIMED" "loading module vfio..." "$BOCHS_VGA"
		expect_log "$REFUSED" "boot VGA"
		expect_log "$AUDIO_CLAIMED"
		;;
	seed-control)
		# the known failure: vfio-pci.ids= hands vfio-pci the boot VGA (the host console)
		expect_table vfio-pci vfio-pci vfio-pci e1000e
		expect_no_log "vfio-claim["
		;;
	ids-in-module)
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$CLAIMED" "loading module vfio..." "$BOCHS_VGA"
		expect_no_log "$DROPPED"
		;;
	gpu-only)
		# only bochs is listed: its softdep runs the trampoline before it binds anything
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$DROPPED" "$CLAIMED" "$BOCHS_VGA" "loading module dm_mod..."
		;;
	no-kernel-modules)
		# preDeviceCommands alone: claimed before udev starts and loads bochs
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$CLAIMED" "running udev..." "$BOCHS_VGA"
		expect_no_log "loading module bochs"
		;;
	fail-exit | fail-crash | fail-missing)
		# The fallback loads vfio-pci with no IDs although vfio-pci.ids= is on the command
		# line: the boot VGA keeps the console, the host drivers take the rest.
		expect_table bochs-drm bochs-drm snd_hda_intel e1000e
		expect_log "VFIO - User Level meta-driver"
		expect_no_log "vfio-pci 0000:00:01.0"
		expect_order "loading module vfio..." "$BOCHS_VGA"
		# ... and the fallback ran inside stage 1's `modprobe vfio_pci`
		case $1 in
		fail-missing) expect_order "vfio-claim: not found" "loading module vfio..." ;;
		*) expect_order "vfio-claim stand-in: failing on purpose" "loading module vfio..." ;;
		esac
		;;
	user-softdep)
		# boot.extraModprobeConfig's "softdep bochs post: e1000e" and the safety net's
		# "pre: vfio_pci" are one line: vfio-claim before bochs, e1000e right after it.
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$DROPPED" "$CLAIMED" "$BOCHS_VGA" "e1000e: Intel(R) PRO/1000" \
			"loading module dm_mod..."
		;;
	systemd-seed)
		# vfio-claim.service before systemd-modules-load and udev's coldplug
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$CLAIMED" "$BOCHS_VGA"
		expect_log "$REFUSED" "boot VGA"
		;;
	systemd-control)
		# modules-load (vfio_pci with the IDs) races udev (bochs): either way a wrong driver
		local vga gpu
		vga=$(e2e_driver "$LOG" 0000:00:01.0) gpu=$(e2e_driver "$LOG" 0000:01:00.0)
		[ "$vga" = vfio-pci ] || [ "$gpu" = bochs-drm ] ||
			echo "    expected the boot VGA on vfio-pci or the GPU on bochs-drm, got $vga, $gpu"
		expect_no_log "vfio-claim["
		;;
	systemd-user-softdep)
		# the unit masked: the merged softdep line alone runs vfio-claim before bochs
		expect_table bochs-drm vfio-pci vfio-pci e1000e
		expect_order "$DROPPED" "$CLAIMED" "$BOCHS_VGA"
		;;
	*) echo "    no checks for case $1"; return 1 ;;
	esac
	case $1 in
	systemd-*) expect_log "NIX-STAGE-2 " ;;
	*) expect_stage1_done ;;
	esac
}

boot_case() { # case -> $work/$case.res
	local c=$1 rc out cmdline
	LOG=$work/$c.log
	cmdline=$(jq -r .cmdline "$work/$c.json")
	# root=fstab (the systemd initrd's) needs systemd 254; Debian's 252 mounts the initrd's
	# /etc/fstab (NixOS's initrd-fstab) without it and would try to mount a device "fstab".
	[ "$(jq -r .flavour "$work/$c.json")" = systemd ] && cmdline=${cmdline/ root=fstab/}
	E2E_BASE_APPEND=$cmdline \
		E2E_QEMU_EXTRA="-drive file=$work/$c.root.img,format=raw,if=none,id=root
			-device ide-hd,drive=root,bus=ide.0" \
		e2e_boot --initrd "$work/$c.img" --log "$LOG" --name "nix-$c" \
		--timeout "${NIX_BOOT_TIMEOUT:-240}"
	rc=$?
	out=$(check_case "$c" 2>&1)
	{
		if [ -z "$out" ] && [ $rc -eq 0 ]; then
			echo "PASS: nix-boot/$c (boot ${E2E_BOOT_SECONDS}s)"
		else
			echo "FAIL: nix-boot/$c (boot rc $rc, ${E2E_BOOT_SECONDS}s)"
			printf '%s\n' "$out"
			e2e_table "$LOG" | sed 's/^/    | /'
			[ -n "$(e2e_table "$LOG")" ] || tail -n 15 "$LOG" | sed 's/^/    | /'
		fi
	} >"$work/$c.res"
}

t0=$(date +%s)
for c in $cases; do
	[ -e "$work/$c.res" ] && continue
	if ! build_initrd "$c" || ! make_image "$c" || ! make_root "$c" >"$work/$c.root.log" 2>&1; then
		{
			echo "FAIL: nix-boot/$c"
			echo "    the initrd or the root file system could not be built:"
			grep -F -- "$(jq -r .initrd "$work/$c.json" 2>/dev/null)" "$work/realise.log" |
				head -3 | sed 's/^/    /'
			tail -n 20 "$work/realise.log" "$work/$c.root.log" | sed 's/^/    | /'
		} >"$work/$c.res"
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	boot_case "$c" &
done
wait
say "built $(ls "$work/store" | wc -l) store paths and booted in $(($(date +%s) - t0)) s"

failed=0
for c in $cases; do
	cat "$work/$c.res" 2>/dev/null || echo "FAIL: nix-boot/$c (no result)"
	grep -q '^PASS: ' "$work/$c.res" 2>/dev/null || failed=1
done
say "done in $(($(date +%s) - t_start)) s"
exit $failed
