#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Generator suite: builds real initramfs images with dracut (shell and systemd initrd),
# initramfs-tools and mkinitcpio (busybox and systemd) carrying the hooks of initramfs-hooks/,
# boots each in the e2e rig's VM (tests/e2e/lib.sh: GPU pair 01:00.0/01:00.1, boot VGA
# 00:01.0, NIC 02:00.0) on every kernel of the kernel set and checks the driver table.
# Prints "PASS:/FAIL:/SKIP: gen/<case> [KVER]" ("[no kernel]" for the checks without a VM).
#
# Nothing of the host changes: every generator runs in a private mount namespace (unshare -m)
# where an overlay adds the hooks to /usr/lib (dracut modules.d, mkinitcpio's library) and
# the extracted kernel's modules, and a tmpfs over /boot holds the kernel's config
# (initramfs-tools). /boot, /lib/modules and the host's own initramfs are never written.
#
# In every image a test-only hook of tests/generators/ (a dracut module, an initramfs-tools
# init-premount script, a mkinitcpio hook, or vfio-claim-test-report.service in systemd
# initrds) runs once coldplug has settled, prints the driver table and powers the VM off,
# so the images never need a root file system (they get a root= that does not exist).
#
# The cases are data: one file each in tests/generators/cases/NN-name.sh (run.sh [NAME...]
# runs a subset). A case file is bash, sourced in a subshell, and sets
#   NEEDS=vm|none  vm (the default): built and booted once per kernel, needs root (unshare -m),
#                  QEMU and the generators; none: runs once, without root, a kernel or a VM
#   prereq()       optional: prints why the case cannot run here (SKIP outside CI, FAIL in CI)
#   build()        (vm) builds $IMAGE with the builders of tests/generators/lib.sh
#   APPEND         (vm) the kernel command line
#   check()        prints what is wrong, nothing when all is well: the expect_* assertions of
#                  tests/e2e/lib/assert.sh on $LOG for vm cases (expect_clean_module_loads is
#                  added to every vm case)
# with these at hand: $BIN (the binary under test), $BROKEN (a vfio-claim that always fails),
# $CASE_WORK (the case's scratch folder), $repo, $IDS, $NOROOT, $DRACUT_APPEND,
# $SYSTEMD_QUIET, $RACE_DRIVERS, $HOOKED and $UNHOOKED (expected drivers of 00:01.0 01:00.0
# 01:00.1 02:00.0), conf_gen (the modprobe snippet generator), mki_prereq.
#
# Environment: VFIO_CLAIM (binary, default build/static/vfio-claim, else build/vfio-claim),
#   E2E_KERNELS / E2E_OFFLINE (the kernels, see tests/e2e/lib.sh), VFIO_CLAIM_CACHE (kernel and
#   mkinitcpio install cache), MKINITCPIO_TARBALL (mkinitcpio 41 source, default
#   ../shared/mkinitcpio/mkinitcpio-41.tar.xz beside the checkout), GEN_JOBS (cases built and
#   booted at once, default 2), GEN_TIMEOUT (seconds a boot, 240), GEN_KEEP=1 keeps the work
#   folder (images and console logs).
# (No set -u: tests/e2e/lib.sh reads optional variables unset.)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gen_dir=$repo/tests/generators
# shellcheck source=tests/result.sh
. "$repo/tests/result.sh"
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"

CACHE=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}
JOBS=${GEN_JOBS:-2}
# shellcheck disable=SC2034  # the settings in braces are read by the case files
{
	# The selection every image boots with: the GPU and its audio function by ID. The boot VGA
	# has the GPU's IDs too and must stay on bochs-drm (vfio-claim refuses the boot VGA).
	IDS=1234:1111,8086:293e
	NOROOT=root=/dev/disk/by-label/vfio-claim-test-no-root
	DRACUT_APPEND="rd.vfio-claim.ids=$IDS $NOROOT rd.shell=0 rd.emergency=poweroff"
	SYSTEMD_QUIET="systemd.show_status=0 rd.systemd.show_status=0"
	# Host drivers of the VM's devices, for the safety net of the race images.
	RACE_DRIVERS="bochs snd_hda_intel"
	HOOKED="bochs-drm vfio-pci vfio-pci e1000e"
	UNHOOKED="bochs-drm bochs-drm snd_hda_intel e1000e"
}

MKI_TAR=${MKINITCPIO_TARBALL:-$(dirname "$repo")/shared/mkinitcpio/mkinitcpio-41.tar.xz}

say() { echo "gen: $*" >&2; }
conf_gen() { sh "$repo/initramfs-hooks/modprobe/vfio-claim-modprobe-conf" "$@"; }

# ---- which cases ----------------------------------------------------------------------
files=() names=()
for f in "$gen_dir"/cases/[0-9]*.sh; do
	n=${f##*/}
	n=${n#[0-9]*-}
	n=${n%.sh}
	if [ $# -gt 0 ] && [[ " $* " != *" $n "* ]]; then continue; fi
	files+=("$f")
	names+=("$n")
done
[ ${#files[@]} -gt 0 ] || { echo "FAIL: gen/select (no case matches: $*)"; exit 1; }
# shellcheck disable=SC1090  # a case file
case_needs() { (NEEDS=vm; . "$1" && echo "$NEEDS"); }

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-gen.XXXXXX") || exit 1
cleanup() {
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${GEN_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- what the VM cases need: one reason for all of them when something is missing ------
bin=${VFIO_CLAIM:-}
if [ -z "$bin" ]; then
	bin=$repo/build/static/vfio-claim
	[ -x "$bin" ] || bin=$repo/build/vfio-claim
fi
case $bin in /*) ;; *) bin=$repo/$bin ;; esac
vm_missing=
if [ "$(id -u)" -ne 0 ]; then
	vm_missing="needs root for unshare -m"
elif ! "$repo/build-aux/deps.sh" generators; then
	vm_missing="packages missing (build-aux/deps.sh generators)"
elif [ ! -x "$bin" ]; then
	vm_missing="no vfio-claim binary at $bin; run make STATIC=1"
elif ! unshare -m true 2>"$work/unshare.err"; then
	# e.g. a chroot whose / is no mount point: "cannot change root filesystem propagation"
	vm_missing="unshare -m fails here: $(head -1 "$work/unshare.err")"
else
	for t in unshare qemu-system-x86_64 cpio dracut mkinitramfs bsdtar busybox zstd; do
		if ! PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null; then
			vm_missing="$t missing (build-aux/deps.sh generators)"
			break
		fi
	done
fi

# ---- the kernels (only when a VM case will boot) ----------------------------------------
kenvs=()
kfailed=0
want_vm=0
for f in "${files[@]}"; do [ "$(case_needs "$f")" = vm ] && want_vm=1; done
if [ $want_vm = 1 ] && [ -z "$vm_missing" ]; then
	for spec in $(e2e_kernels); do
		env=$work/kernel-${spec//\//_}.env
		if e2e_fetch_kernel "$spec" >"$env" 2>"$env.err"; then
			kenvs+=("$env")
		else
			echo "FAIL: gen/kernel [$spec] (cannot fetch it:" \
				"$(grep . "$env.err" | tail -1))"
			kfailed=1
		fi
	done
fi

# ---- shared by every VM case: the binary, our hooks installed, the test hooks ---------
if [ ${#kenvs[@]} -gt 0 ]; then
	# A copy of the binary: a concurrent `make` must not change it under a running build.
	BIN=$work/vfio-claim
	install -m 0755 "$bin" "$BIN"
	BROKEN=$work/vfio-claim-broken
	printf '#!/bin/sh\necho "vfio-claim (broken on purpose)" >&2\nexit 1\n' >"$BROKEN"
	chmod 0755 "$BROKEN"
	# Our hooks, installed the way a user would, into a private prefix; LIBDIR/SBINDIR are
	# written into them, so the generators find the helper there.
	ovl=$work/overlay-usr-lib # becomes part of /usr/lib inside the namespaces
	mkdir -p "$ovl/dracut/modules.d" "$ovl/modules"
	if ! PREFIX=$work/prefix DRACUTMODDIR=$ovl/dracut/modules.d INITCPIODIR=$work/initcpio \
		INITRAMFSTOOLSDIR=$work/initramfs-tools-hooks SYSTEMDUNITDIR=$work/unit \
		"$repo/initramfs-hooks/install.sh" all >"$work/install.log" 2>&1; then
		sed 's/^/    | /' "$work/install.log"
		echo "FAIL: gen/install (initramfs-hooks/install.sh all)"
		exit 1
	fi
	cp -r "$gen_dir/dracut/99vfio-claim-test" "$ovl/dracut/modules.d/"
	guest=$work/guest
	mkdir -p "$guest"
	cp "$gen_dir/guest/report.sh" "$gen_dir/guest/vfio-claim-test-report.service" \
		"$repo/tests/e2e/guest/pci-table.sh" "$guest/"
	export VFIO_CLAIM_TEST_GUEST=$guest GEN_OVL=$ovl
	# shellcheck source=tests/generators/lib.sh
	. "$gen_dir/lib.sh"
	# mkinitcpio is installed once, before builds run side by side; its library becomes
	# /usr/lib/initcpio inside the namespaces (mkinitcpio has that path compiled in).
	if [ -f "$MKI_TAR" ] && mki_install; then
		ln -sfn "$MKI/initcpio" "$ovl/initcpio"
	fi
fi
mki_prereq() {
	if [ ! -f "$MKI_TAR" ]; then
		echo "no mkinitcpio source at $MKI_TAR (MKINITCPIO_TARBALL=)"
		return
	fi
	[ -n "${MKI:-}" ] || echo "cannot install mkinitcpio from $MKI_TAR"
}

# ---- one case (on one kernel, for vm cases): writes its result to RES -------------------
run_case() { # FILE NAME ENV|- RES
	local file=$1 name=$2 env=$3 res=$4 tag="[no kernel]" why rc
	(
		if [ "$env" != - ]; then
			e2e_use_kernel "$env" || exit 1
			KVER=$E2E_KVER
			KMOD=$E2E_KROOT/lib/modules/$KVER
			tag=$(e2e_kernel_tag)
		fi
		CASE_WORK=$work/${KVER:-no-kernel}/$name
		mkdir -p "$CASE_WORK"
		IMAGE=$CASE_WORK/image LOG=$CASE_WORK/console.log
		NEEDS=vm APPEND=
		prereq() { :; }
		# shellcheck disable=SC1090
		. "$file"
		why=$(prereq)
		if [ -n "$why" ]; then
			result_skip "gen/$name $tag" "$why"
			exit
		fi
		if [ "$NEEDS" = none ]; then
			why=$(check 2>&1)
			if [ -z "$why" ]; then
				echo "PASS: gen/$name $tag"
			else
				echo "FAIL: gen/$name $tag"
				sed 's/^/    /' <<<"$why"
			fi
			exit
		fi
		t0=$(date +%s)
		if ! build >"$CASE_WORK/build.log" 2>&1 || [ ! -s "$IMAGE" ]; then
			echo "FAIL: gen/$name $tag"
			echo "    image build failed; log tail:"
			tail -n 20 "$CASE_WORK/build.log" | sed 's/^/    | /'
			exit
		fi
		say "$name $tag: image $(($(stat -c %s "$IMAGE") / 1048576)) MB in" \
			"$(($(date +%s) - t0)) s"
		e2e_boot --initrd "$IMAGE" --log "$LOG" --timeout "${GEN_TIMEOUT:-240}" \
			--name "gen-$name" --append "$APPEND"
		rc=$?
		if [ $rc -ne 0 ] && [ -z "$(e2e_table "$LOG")" ]; then
			echo "FAIL: gen/$name $tag"
			echo "    no driver table (boot rc $rc, ${E2E_BOOT_SECONDS} s);" \
				"console tail:"
			tail -n 15 "$LOG" | sed 's/^/    | /'
			exit
		fi
		why=$(check 2>&1; expect_clean_module_loads)
		if [ -z "$why" ]; then
			echo "PASS: gen/$name $tag (boot ${E2E_BOOT_SECONDS} s)"
		else
			echo "FAIL: gen/$name $tag (boot ${E2E_BOOT_SECONDS} s, log $LOG)"
			printf '%s\n' "$why"
			e2e_table "$LOG" | sed 's/^/    | /'
			grep '^VFIO-CLAIM-GEN-' "$LOG" | sed 's/^/    | /'
		fi
	) >"$res.tmp" 2>&1
	mv "$res.tmp" "$res"
}

# ---- the runs: cases without a VM once, then every VM case on every kernel -------------
t_start=$(date +%s)
res=()
for i in "${!files[@]}"; do
	[ "$(case_needs "${files[$i]}")" = none ] || continue
	r=$work/${names[$i]}.res
	run_case "${files[$i]}" "${names[$i]}" - "$r"
	res+=("$r")
done
vm_files=() vm_names=()
for i in "${!files[@]}"; do
	[ "$(case_needs "${files[$i]}")" = vm ] || continue
	vm_files+=("${files[$i]}") vm_names+=("${names[$i]}")
done
if [ -n "$vm_missing" ]; then
	for n in "${vm_names[@]}"; do
		r=$work/$n.res
		result_skip "gen/$n" "$vm_missing" >"$r"
		res+=("$r")
	done
fi
shown=0
show_ready() {
	while [ $shown -lt ${#res[@]} ] && [ -e "${res[$shown]}" ]; do
		cat "${res[$shown]}"
		shown=$((shown + 1))
	done
}
show_ready
for env in "${kenvs[@]}"; do
	kver=$(sed -n 's/^E2E_KVER=//p' "$env")
	say "kernel $kver, binary $bin, work $work"
	# the kernel's modules, as /usr/lib/modules/KVER inside the namespaces
	ln -sfn "$(sed -n 's/^E2E_KROOT=//p' "$env")/lib/modules/$kver" "$ovl/modules/$kver"
	for i in "${!vm_files[@]}"; do
		r=$work/$kver.${vm_names[$i]}.res
		res+=("$r")
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
			wait -n
			show_ready
		done
		run_case "${vm_files[$i]}" "${vm_names[$i]}" "$env" "$r" &
	done
done
wait
show_ready

failed=$kfailed
for r in "${res[@]}"; do grep -q '^FAIL: ' "$r" && failed=1; done
say "${#res[@]} results, done in $(($(date +%s) - t_start)) s"
exit $failed
