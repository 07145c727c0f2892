#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Generator suite: builds real initramfs images with dracut (shell and systemd initrd),
# initramfs-tools and mkinitcpio (busybox and systemd) carrying the hooks of initramfs-hooks/,
# boots each in the e2e rig's VM (tests/e2e/lib.sh: GPU pair 01:00.0/01:00.1, boot VGA
# 00:01.0, NIC 02:00.0) and checks the driver table. Prints PASS:/FAIL:/SKIP: gen/<case>.
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
# Cases (run.sh [CASE...] runs a subset; the names without the gen/ prefix):
#   dracut-shell dracut-systemd initramfs-tools mkinitcpio-busybox mkinitcpio-systemd
#       the hook in place: pair on vfio-pci, boot VGA on bochs-drm, NIC on e1000e
#   *-control
#       the same image without the hook: the pair ends on bochs-drm / snd_hda_intel
#   The races force bochs in as early as each generator allows; the safety net must win:
#   dracut-race
#       force_drivers=bochs: rd.driver.pre, loaded by a cmdline hook before the pre-udev
#       hook. Two vfio-claim runs must show: the trampoline's, then the hook's.
#   dracut-fallback
#       dracut-race with a vfio-claim that fails: module loading must go on (host drivers
#       bound, vfio_pci loaded by the install line's fallback).
#   initramfs-tools-race
#       bochs in the conf dir's modules file. That file is loaded after init-top, where
#       the hook runs, so the hook's init-top script is left out: only the safety net
#       (udev's coldplug, then the modules file) can claim.
#   mkinitcpio-systemd-race
#       MODULES=(bochs), loaded by systemd-modules-load; vfio-claim.service is masked
#       (rd.systemd.mask=), so only the safety net can claim.
#   initramfs-tools-user-softdep
#       initramfs-tools-race with a user's /etc/modprobe.d/bochs.conf ("softdep bochs post:
#       e1000e") copied into the image: it sorts before the safety net, and libkmod uses one
#       softdep line per module, the first by file name, so the safety net must sort first and
#       carry the user's post: e1000e in its own line for bochs.
#   initramfs-tools-conf
#       no selection on the command line: the hook copies /etc/vfio-claim.conf (a private one,
#       overlaid on /etc in the namespace) into the image, and that selects the pair.
#   Without a VM (seconds):
#   modprobe-conf   the snippet generator: driver sources, names, the multi-binary line, and
#                   the install line run by sh: a failing vfio-claim falls back to modprobe
#   kmod-order      Debian's kmod reads the snippet: loading bochs runs the install line
#                   first, and --ignore-install vfio_pci inserts the module (no loop)
#   install-layout  install.sh all modprobe into a DESTDIR: files, filled-in paths, uninstall
# Environment: VFIO_CLAIM (binary, default build/static/vfio-claim, else build/vfio-claim),
#   VFIO_CLAIM_CACHE (kernel and mkinitcpio install cache), GEN_JOBS (VMs at once, default 2),
#   GEN_KEEP=1 keeps the work folder (images and console logs).
# (No set -u: tests/e2e/lib.sh reads optional variables unset.)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gen_dir=$repo/tests/generators
# shellcheck source=../e2e/lib.sh
. "$repo/tests/e2e/lib.sh"

CACHE=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}
JOBS=${GEN_JOBS:-2}
ALL_CASES="modprobe-conf kmod-order install-layout
dracut-shell dracut-systemd dracut-race dracut-fallback dracut-control
initramfs-tools initramfs-tools-race initramfs-tools-user-softdep initramfs-tools-control
initramfs-tools-conf
mkinitcpio-busybox mkinitcpio-systemd mkinitcpio-systemd-race mkinitcpio-control"
# The selection every image boots with: the GPU and its audio function by ID. The boot VGA
# has the GPU's IDs too and must stay on bochs-drm (vfio-claim refuses the boot VGA).
IDS=1234:1111,8086:293e
NOROOT=root=/dev/disk/by-label/vfio-claim-test-no-root
# Host drivers of the VM's devices, for the safety net of the race images.
RACE_DRIVERS="bochs snd_hda_intel"

say() { echo "gen: $*" >&2; }

cases=${*:-$ALL_CASES}

bin=${VFIO_CLAIM:-}
if [ -z "$bin" ]; then
	bin=$repo/build/static/vfio-claim
	[ -x "$bin" ] || bin=$repo/build/vfio-claim
fi
case $bin in /*) ;; *) bin=$repo/$bin ;; esac
if [ ! -x "$bin" ]; then
	for c in $cases; do echo "SKIP: gen/$c (no vfio-claim binary at $bin; run make)"; done
	exit 0
fi

for t in unshare qemu-system-x86_64 cpio dracut mkinitramfs bsdtar busybox zstd; do
	if ! PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null; then
		echo "FAIL: gen/setup ($t missing: build-aux/deps.sh generators)"
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	for c in $cases; do echo "SKIP: gen/$c (needs root for unshare -m)"; done
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-gen.XXXXXX") || exit 1
cleanup() {
	local j
	for j in $(jobs -p); do kill "$j" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${GEN_KEEP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_fetch_kernel >/dev/null || { echo "FAIL: gen/setup (no kernel: e2e_fetch_kernel)"; exit 1; }
KVER=$E2E_KVER
KMOD=$E2E_KROOT/lib/modules/$KVER

# A copy of the binary: a concurrent `make` must not change it under a running build.
install -m 0755 "$bin" "$work/vfio-claim"
# A vfio-claim that always fails, for the fallback case.
printf '#!/bin/sh\necho "vfio-claim (broken on purpose)" >&2\nexit 1\n' >"$work/vfio-claim-broken"
chmod 0755 "$work/vfio-claim-broken"

# Our hooks, installed the way a user would, into a private prefix; LIBDIR/SBINDIR are
# written into them, so the generators find the helper there.
ovl=$work/overlay-usr-lib # becomes part of /usr/lib inside the namespaces
mkdir -p "$ovl/dracut/modules.d" "$ovl/modules"
if ! PREFIX=$work/prefix DRACUTMODDIR=$ovl/dracut/modules.d INITCPIODIR=$work/initcpio \
	INITRAMFSTOOLSDIR=$work/initramfs-tools-hooks SYSTEMDUNITDIR=$work/unit \
	"$repo/initramfs-hooks/install.sh" all >"$work/install.log" 2>&1; then
	cat "$work/install.log" >&2
	echo "FAIL: gen/install (initramfs-hooks/install.sh all)"
	exit 1
fi
cp -r "$gen_dir/dracut/99vfio-claim-test" "$ovl/dracut/modules.d/"
ln -s "$KMOD" "$ovl/modules/$KVER"
guest=$work/guest
mkdir -p "$guest"
cp "$gen_dir/guest/report.sh" "$gen_dir/guest/vfio-claim-test-report.service" \
	"$repo/tests/e2e/guest/pci-table.sh" "$guest/"
export VFIO_CLAIM_TEST_GUEST=$guest

# in_ns CMD...: CMD in a private mount namespace, with $ovl over /usr/lib and the kernel's
# config in a tmpfs over /boot. The overlay has no upper layer: nothing can be written there.
in_ns() {
	unshare -m /bin/sh -c '
		set -e
		mount --make-rprivate /
		mount -t overlay vfio-claim-gen -o "lowerdir=$GEN_OVL:/usr/lib" /usr/lib
		mount -t tmpfs vfio-claim-gen /boot
		[ -z "${GEN_ETC:-}" ] || mount -t overlay vfio-claim-gen -o "lowerdir=$GEN_ETC:/etc" /etc
		cp "$GEN_KCONFIG" /boot/
		exec "$@"' in_ns "$@"
}
export GEN_OVL=$ovl GEN_KCONFIG=$E2E_KROOT/boot/config-$KVER

# ---- dracut ----------------------------------------------------------------------------
build_dracut() { # out flavour(shell|systemd) hook(1|0) [extra dracut args...]
	local out=$1 flavour=$2 hook=$3 mods
	shift 3
	mods="bash base udev-rules kernel-modules rootfs-block vfio-claim-test"
	[ "$hook" = 1 ] && mods="$mods vfio-claim"
	if [ "$flavour" = systemd ]; then
		mods="$mods systemd systemd-initrd dracut-systemd"
	else
		set -- --omit "systemd systemd-initrd dracut-systemd" "$@"
	fi
	mkdir -p "$work/dracut.conf.d"
	: >"$work/dracut.conf"
	# --hostonly-mode strict keeps the kernel-modules module from copying every storage and
	# file system driver (dracut falls back to non-hostonly for what it cannot probe here).
	in_ns dracut --force --quiet --no-compress --conf "$work/dracut.conf" \
		--confdir "$work/dracut.conf.d" --hostonly --hostonly-mode strict \
		--no-hostonly-cmdline --kver "$KVER" --kmoddir "$KMOD" -m "$mods" \
		--add-drivers "bochs snd_hda_intel snd_hda_codec_generic e1000e" "$@" "$out"
}

# ---- initramfs-tools -------------------------------------------------------------------
build_itools() { # out hook(1|0) race(1|0)
	local out=$1 hook=$2 race=$3 conf
	conf=$work/itools-conf-$hook$race
	rm -rf "$conf"
	mkdir -p "$conf/hooks" "$conf/scripts/init-premount" "$conf/conf.d"
	# Our own conf dir (mkinitramfs -d): MODULES=list so that only the modules the hooks
	# name (and the modules file) go in, never the host's hardware.
	cat >"$conf/initramfs.conf" <<-EOF
		MODULES=list
		BUSYBOX=y
		COMPRESS=zstd
		COMPRESSLEVEL=1
		DEVICE=
		NFSROOT=auto
		RUNSIZE=10%
		FSTYPE=auto
	EOF
	if [ "$race" = 1 ]; then
		echo bochs >"$conf/modules"
	else
		: >"$conf/modules"
	fi
	if [ "$hook" = 1 ]; then
		cp -r "$work/initramfs-tools-hooks/." "$conf/"
		# The race: the safety net alone (see the case list at the top).
		[ "$race" = 1 ] && rm "$conf/scripts/init-top/00-vfio-claim"
	fi
	cp "$gen_dir/initramfs-tools/hooks/vfio-claim-test" "$conf/hooks/"
	cp "$gen_dir/initramfs-tools/scripts/init-premount/zz-vfio-claim-test" \
		"$conf/scripts/init-premount/"
	in_ns mkinitramfs -d "$conf" -o "$out" "$KVER"
}

# ---- mkinitcpio ------------------------------------------------------------------------
# mkinitcpio 41 from ../shared/mkinitcpio (Debian has no package), installed by hand into a
# cache folder (its meson build wants meson >= 1.4), placeholders filled in as meson would.
MKI_TAR=${MKINITCPIO_TARBALL:-$(dirname "$repo")/shared/mkinitcpio/mkinitcpio-41.tar.xz}
mki_install() {
	local sum dir tmp f
	[ -f "$MKI_TAR" ] || return 1
	sum=$(sha256sum "$MKI_TAR" | cut -c1-16)
	dir=$CACHE/mkinitcpio/$sum
	MKI=$dir
	[ -e "$dir/.complete" ] && return 0
	mkdir -p "$CACHE/mkinitcpio" || return 1
	tmp=$(mktemp -d "$CACHE/mkinitcpio/.inst.XXXXXX") || return 1
	(
		set -e
		mkdir "$tmp/src"
		tar -xJf "$MKI_TAR" -C "$tmp/src"
		mkdir -p "$tmp/bin" "$tmp/initcpio/install" "$tmp/initcpio/hooks" \
			"$tmp/initcpio/udev" "$tmp/etc"
		subst() {
			sed -e 's|@VERSION@|41|g' -e 's|@SYSCONFDIR@|/etc|g' \
				-e 's|@INITCPIO_LIBDIR@|/usr/lib/initcpio|g' \
				-e 's|@INITCPIO_SYSCONFDIR@|/etc/initcpio|g' \
				-e 's|@BINDIR@|/usr/bin:/usr/sbin|g' \
				-e 's|@UDEVD_PATH@|/usr/lib/systemd/systemd-udevd|g' \
				-e 's|@TMPFILES_PATH@|/usr/bin/systemd-tmpfiles|g' \
				-e 's|@VCONSOLE_CONF@|/etc/vconsole.conf|g' \
				-e 's|@MKINITCPIO_HOOKS@|base udev|g' "$1" >"$2"
		}
		s=$tmp/src
		for f in mkinitcpio lsinitcpio; do subst "$s/$f" "$tmp/bin/$f"; done
		chmod 755 "$tmp/bin/"*
		for f in functions init init_functions shutdown; do
			subst "$s/$f" "$tmp/initcpio/$f"
		done
		for f in "$s"/install/*; do
			[ "${f##*/}" = meson.build ] || subst "$f" "$tmp/initcpio/install/${f##*/}"
		done
		for f in "$s"/hooks/*; do
			[ "${f##*/}" = meson.build ] || subst "$f" "$tmp/initcpio/hooks/${f##*/}"
		done
		for f in "$s"/udev/*.rules; do subst "$f" "$tmp/initcpio/udev/${f##*/}"; done
		subst "$s/mkinitcpio.conf" "$tmp/etc/mkinitcpio.conf"
		# install/base takes busybox from /usr/lib/initcpio/busybox.
		cp /bin/busybox "$tmp/initcpio/busybox"
		rm -rf "$s"
	) || { rm -rf "$tmp"; return 1; }
	rm -rf "$dir"
	mv "$tmp" "$dir" && touch "$dir/.complete"
}

build_mkinitcpio() { # out flavour(busybox|systemd) hook(1|0) race(1|0)
	local out=$1 flavour=$2 hook=$3 race=$4 conf hooks modules=
	conf=$work/mkinitcpio-$flavour$hook$race.conf
	if [ "$flavour" = systemd ]; then
		hooks="base systemd"
		[ "$hook" = 1 ] && hooks="$hooks sd-vfio-claim"
	else
		hooks="base"
		[ "$hook" = 1 ] && hooks="$hooks vfio-claim"
		hooks="$hooks udev"
	fi
	hooks="$hooks vfio-claim-test"
	[ "$race" = 1 ] && modules=bochs
	printf 'MODULES=(%s)\nBINARIES=()\nFILES=()\nHOOKS=(%s)\nCOMPRESSION=cat\n' \
		"$modules" "$hooks" >"$conf"
	# mkinitcpio exits 1 on Debian for a few Arch-only files (see its README); the image is
	# judged by booting it, so only a missing image is a build failure.
	rm -f "$out"
	# /usr/lib/initcpio inside the namespace (mkinitcpio has it compiled in).
	ln -sfn "$MKI/initcpio" "$ovl/initcpio"
	in_ns "$MKI/bin/mkinitcpio" -c "$conf" -k "$KVER" \
		-r "$E2E_KROOT" -D /usr/lib/initcpio -D "$work/initcpio" \
		-D "$gen_dir/mkinitcpio" -g "$out" || true
	[ -s "$out" ]
}

# ---- cases -----------------------------------------------------------------------------
# Each case: build_<case> (prints nothing on success), the kernel command line, and the
# expected drivers of 00:01.0 01:00.0 01:00.1 02:00.0.
HOOKED="bochs-drm vfio-pci vfio-pci e1000e"
UNHOOKED="bochs-drm bochs-drm snd_hda_intel e1000e"

case_build() { # case out
	local c=$1 out=$2
	case $c in
	dracut-shell) VFIO_CLAIM=$work/vfio-claim build_dracut "$out" shell 1 ;;
	dracut-systemd) VFIO_CLAIM=$work/vfio-claim build_dracut "$out" systemd 1 ;;
	dracut-race)
		VFIO_CLAIM=$work/vfio-claim VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
			build_dracut "$out" shell 1 --force-drivers bochs
		;;
	dracut-fallback)
		VFIO_CLAIM=$work/vfio-claim-broken VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
			build_dracut "$out" shell 1 --force-drivers bochs
		;;
	dracut-control) build_dracut "$out" shell 0 ;;
	initramfs-tools) VFIO_CLAIM=$work/vfio-claim build_itools "$out" 1 0 ;;
	initramfs-tools-race)
		VFIO_CLAIM=$work/vfio-claim VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
			build_itools "$out" 1 1
		;;
	initramfs-tools-user-softdep)
		mkdir -p "$work/etc-softdep/modprobe.d"
		echo "softdep bochs post: e1000e" >"$work/etc-softdep/modprobe.d/bochs.conf"
		VFIO_CLAIM=$work/vfio-claim VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
			GEN_ETC=$work/etc-softdep build_itools "$out" 1 1
		;;
	initramfs-tools-control) build_itools "$out" 0 0 ;;
	initramfs-tools-conf)
		mkdir -p "$work/etc-conf"
		printf '# vfio-claim test\naddrs = 01:00.0,01:00.1\n' >"$work/etc-conf/vfio-claim.conf"
		VFIO_CLAIM=$work/vfio-claim GEN_ETC=$work/etc-conf build_itools "$out" 1 0
		;;
	mkinitcpio-*)
		mki_install || { say "cannot install mkinitcpio from $MKI_TAR"; return 1; }
		case $c in
		mkinitcpio-busybox) VFIO_CLAIM=$work/vfio-claim build_mkinitcpio "$out" busybox 1 0 ;;
		mkinitcpio-systemd) VFIO_CLAIM=$work/vfio-claim build_mkinitcpio "$out" systemd 1 0 ;;
		mkinitcpio-systemd-race)
			VFIO_CLAIM=$work/vfio-claim VFIO_CLAIM_HOST_DRIVERS=$RACE_DRIVERS \
				build_mkinitcpio "$out" systemd 1 1
			;;
		mkinitcpio-control) build_mkinitcpio "$out" busybox 0 0 ;;
		esac
		;;
	*) say "unknown case $c"; return 2 ;;
	esac
}

case_append() {
	local a="vfio-claim.ids=$IDS $NOROOT"
	case $1 in
	dracut-*) a="rd.vfio-claim.ids=$IDS $NOROOT rd.shell=0 rd.emergency=poweroff" ;;
	*-conf) a=$NOROOT ;;
	esac
	case $1 in
	*systemd*) a="$a systemd.show_status=0 rd.systemd.show_status=0" ;;
	esac
	# The race: the safety net alone (see the case list at the top).
	[ "$1" = mkinitcpio-systemd-race ] && a="$a rd.systemd.mask=vfio-claim.service"
	echo "$a"
}

case_expect() {
	case $1 in
	*-control | dracut-fallback) echo "$UNHOOKED" ;;
	*) echo "$HOOKED" ;;
	esac
}

# Boots one built image and writes the verdict (PASS/FAIL line plus details) to $work/$c.res.
case_boot() {
	local c=$1 img=$work/$1.img log=$work/$1.log res=$work/$1.res rc ok=1 n
	local -a addrs=(0000:00:01.0 0000:01:00.0 0000:01:00.1 0000:02:00.0)
	local -a drv
	e2e_boot --initrd "$img" --log "$log" --timeout "${GEN_TIMEOUT:-240}" --name "gen-$c" \
		--append "$(case_append "$c")"
	rc=$?
	{
		if [ $rc -ne 0 ] && [ -z "$(e2e_table "$log")" ]; then
			echo "FAIL: gen/$c"
			echo "    no driver table (boot rc $rc, ${E2E_BOOT_SECONDS}s); console tail:"
			tail -n 15 "$log" | sed 's/^/    | /'
			exit 0
		fi
		read -ra drv <<<"$(case_expect "$c")"
		for i in 0 1 2 3; do
			e2e_expect_driver "$log" "${addrs[$i]}" "${drv[$i]}" || ok=0
		done
		if [ "$c" = dracut-race ]; then
			# bochs came first, so the trampoline ran before the pre-udev hook: two runs.
			n=$(grep '^VFIO-CLAIM-GEN-KMSG' "$log" | grep -o 'vfio-claim\[[0-9]*\]' |
				sort -u | wc -l)
			[ "$n" -ge 2 ] ||
				{ echo "    expected the trampoline and the hook to run, saw $n run(s)"; ok=0; }
		fi
		if [ "$c" = mkinitcpio-systemd-race ] && grep -q 'Starting vfio-claim\.service' "$log"; then
			echo "    vfio-claim.service ran although masked: not a safety-net-only run"
			ok=0
		fi
		if [ "$c" = dracut-fallback ]; then
			# The safety net failed (broken binary): the host drivers still loaded, and the
			# install line's fallback still loaded vfio_pci.
			grep -q '^VFIO-CLAIM-GEN-MODULES.* vfio_pci' "$log" ||
				{ echo "    vfio_pci was not loaded by the fallback"; ok=0; }
		fi
		if [ $ok = 1 ]; then
			echo "PASS: gen/$c"
		else
			echo "FAIL: gen/$c"
			e2e_table "$log" | sed 's/^/    | /'
			grep '^VFIO-CLAIM-GEN-' "$log" | sed 's/^/    | /'
		fi
		echo "    (boot ${E2E_BOOT_SECONDS}s)"
	} >"$res"
}

# ---- cases without a VM ----------------------------------------------------------------
# Each prints nothing when fine, or what went wrong (the lines of a FAIL).
conf_gen() { sh "$repo/initramfs-hooks/modprobe/vfio-claim-modprobe-conf" "$@"; }

check_modprobe_conf() {
	local out line root=$work/mc-root
	out=$(env -u VFIO_CLAIM_HOST_DRIVERS sh "$repo/initramfs-hooks/modprobe/vfio-claim-modprobe-conf" \
		--root /nonexistent)
	[ "$(grep -c '^softdep .* pre: vfio_pci$' <<<"$out")" = 6 ] ||
		echo "default list: want 6 softdeps, got: $(grep '^softdep' <<<"$out" | tr '\n' ' ')"
	grep -qx 'softdep snd_hda_intel pre: vfio_pci' <<<"$out" || echo "default list lacks snd_hda_intel"
	out=$(VFIO_CLAIM_HOST_DRIVERS="bochs,snd-hda-intel bochs bad/name vfio_pci" conf_gen 2>&1)
	[ "$(grep '^softdep' <<<"$out" | tr '\n' ' ')" = \
		"softdep bochs pre: vfio_pci softdep snd_hda_intel pre: vfio_pci " ] ||
		echo "env list (dedupe, - to _, bad names, vfio_pci itself): got $(grep '^softdep' <<<"$out")"
	grep -q "skipping bad driver name 'bad/name'" <<<"$out" || echo "no warning for a bad name"
	mkdir -p "$root/etc"
	printf '# mine\nnouveau # the GTX\n' >"$root/etc/vfio-claim.drivers"
	out=$(env -u VFIO_CLAIM_HOST_DRIVERS sh "$repo/initramfs-hooks/modprobe/vfio-claim-modprobe-conf" \
		--root "$root")
	[ "$(grep '^softdep' <<<"$out")" = "softdep nouveau pre: vfio_pci" ] ||
		echo "drivers file: got $(grep '^softdep' <<<"$out")"
	out=$(conf_gen --drivers none)
	grep -q '^softdep' <<<"$out" && echo "--drivers none still lists softdeps"
	conf_gen --binary 'a b' >/dev/null 2>&1 && echo "a path with a space was accepted"
	# The install line as kmod runs it: /bin/sh -c, with $CMDLINE_OPTS replaced.
	printf '#!/bin/sh\necho "fake $*"\nexit %s\n' 0 >"$work/fake-ok"
	printf '#!/bin/sh\necho "fake $*"\nexit %s\n' 1 >"$work/fake-fail"
	printf '#!/bin/sh\necho "modprobe $*"\n' >"$work/fake-modprobe"
	chmod +x "$work/fake-ok" "$work/fake-fail" "$work/fake-modprobe"
	run_line() { # conf-gen args... -> what the install line prints
		line=$(conf_gen --drivers none --modprobe "$work/fake-modprobe" "$@" |
			sed -n 's/^install vfio_pci //p')
		sh -c "${line//\$CMDLINE_OPTS/ids=1:2}" 2>/dev/null
	}
	[ "$(run_line --binary "$work/fake-ok")" = "fake --modprobe" ] ||
		echo "working binary: got '$(run_line --binary "$work/fake-ok")'"
	[ "$(run_line --binary "$work/fake-fail" | tr '\n' '|')" = \
		"fake --modprobe|modprobe -b --ignore-install vfio_pci ids=1:2 ids=|" ] ||
		echo "failing binary: got '$(run_line --binary "$work/fake-fail" | tr '\n' '|')'"
	[ "$(run_line --binary /nonexistent/vfio-claim)" = \
		"modprobe -b --ignore-install vfio_pci ids=1:2 ids=" ] ||
		echo "missing binary: got '$(run_line --binary /nonexistent/vfio-claim)'"
	[ "$(run_line --binary /nonexistent/a --binary "$work/fake-ok")" = "fake --modprobe" ] ||
		echo "second of two binaries: got '$(run_line --binary /nonexistent/a --binary "$work/fake-ok")'"
}

check_kmod_order() {
	local d=$work/kmod-conf out
	mkdir -p "$d"
	conf_gen --drivers "bochs snd_hda_intel" >"$d/vfio-claim.conf"
	out=$(modprobe -C "$d" -d "$E2E_KROOT" -S "$KVER" --show-depends bochs 2>&1)
	awk '/^install .*vfio-claim --modprobe/ { i = NR } /\/bochs\.ko/ { b = NR }
		END { exit !(i && b && i < b) }' <<<"$out" ||
		{ echo "kmod: no install line before bochs.ko:"; sed 's/^/      /' <<<"$out"; }
	out=$(modprobe -C "$d" -d "$E2E_KROOT" -S "$KVER" --show-depends --ignore-install vfio_pci 2>&1)
	grep -q '/vfio-pci\.ko' <<<"$out" && ! grep -q '^install' <<<"$out" ||
		{ echo "kmod --ignore-install vfio_pci:"; sed 's/^/      /' <<<"$out"; }
}

check_install_layout() {
	local d=$work/destdir f
	PREFIX=/usr DESTDIR=$d "$repo/initramfs-hooks/install.sh" all modprobe >/dev/null ||
		{ echo "install.sh all modprobe failed"; return; }
	for f in usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh \
		usr/lib/dracut/modules.d/90vfio-claim/vfio-claim-pre-udev.sh \
		usr/share/initramfs-tools/hooks/vfio-claim \
		usr/share/initramfs-tools/scripts/init-top/00-vfio-claim \
		usr/lib/initcpio/install/vfio-claim usr/lib/initcpio/install/sd-vfio-claim \
		usr/lib/initcpio/hooks/vfio-claim usr/lib/systemd/system/vfio-claim.service \
		usr/lib/vfio-claim/vfio-claim-modprobe-conf usr/lib/vfio-claim/vfio-claim.service \
		etc/modprobe.d/00-vfio-claim.conf; do
		[ -s "$d/$f" ] || echo "missing $f"
	done
	grep -rl '@[A-Z]*@' "$d" | sed 's/^/placeholder left in /'
	grep -q 'VFIO_CLAIM_LIBDIR:-/usr/lib/vfio-claim}' \
		"$d/usr/lib/dracut/modules.d/90vfio-claim/module-setup.sh" || echo "LIBDIR not filled in"
	[ -x "$d/usr/share/initramfs-tools/scripts/init-top/00-vfio-claim" ] ||
		echo "init-top script not executable"
	PREFIX=/usr DESTDIR=$d "$repo/initramfs-hooks/install.sh" --uninstall all modprobe >/dev/null
	f=$(find "$d" -type f)
	[ -z "$f" ] || echo "left after --uninstall: $f"
}

for c in modprobe-conf kmod-order install-layout; do
	[[ " $(echo $cases) " == *" $c "* ]] || continue
	out=$("check_${c//-/_}" 2>&1)
	if [ -z "$out" ]; then
		echo "PASS: gen/$c" >"$work/$c.res"
	else
		{ echo "FAIL: gen/$c"; sed 's/^/    /' <<<"$out"; } >"$work/$c.res"
	fi
done

t_start=$(date +%s)
say "kernel $KVER, binary $bin, work $work"
for c in $cases; do
	case $c in modprobe-conf | kmod-order | install-layout) continue ;; esac
	t0=$(date +%s)
	if [[ $c == mkinitcpio-* && ! -f $MKI_TAR ]]; then
		echo "SKIP: gen/$c (no mkinitcpio source at $MKI_TAR)" >"$work/$c.res"
		continue
	fi
	if ! case_build "$c" "$work/$c.img" >"$work/$c.build.log" 2>&1 || [ ! -s "$work/$c.img" ]; then
		{
			echo "FAIL: gen/$c"
			echo "    image build failed; log tail:"
			tail -n 20 "$work/$c.build.log" | sed 's/^/    | /'
		} >"$work/$c.res"
		continue
	fi
	say "$c: image $(($(stat -c %s "$work/$c.img") / 1048576)) MB in $(($(date +%s) - t0))s"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	case_boot "$c" &
done
wait

failed=0
for c in $cases; do
	if [ -f "$work/$c.res" ]; then
		cat "$work/$c.res"
		grep -q '^FAIL: ' "$work/$c.res" && failed=1
	else
		echo "FAIL: gen/$c (no result)"
		failed=1
	fi
done
say "done in $(($(date +%s) - t_start))s"
exit $failed
