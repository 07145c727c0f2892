#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU boot-test rig for vfio-claim: a Debian kernel, a small initramfs, and a q35 VM with a
# "passthrough GPU pair". Source it from bash (`. tests/e2e/lib.sh`); every function returns
# non-zero on failure and prints why on stderr. Nothing is installed into /boot; the kernel is
# cached under ${VFIO_CLAIM_CACHE:-$HOME/.cache/vfio-claim}/kernel/<KVER>/.
# Needs the packages of `build-aux/deps.sh e2e`.
#
# The VM (e2e_boot), identical for every image so tables compare across suites:
#   00:01.0  1234:1111  boot VGA (-vga std)                       native driver bochs-drm
#   00:02.0  root port rp1, bus 01:
#     01:00.0  1234:1111  secondary-vga, multifunction            native driver bochs-drm
#     01:00.1  8086:293e  ich9-intel-hda + hda-output codec        native driver snd_hda_intel
#   00:03.0  root port rp2, bus 02:
#     02:00.0  8086:10d3  e1000e (-netdev user,restrict=on)        native driver e1000e
# The boot VGA and the secondary display have the same IDs on purpose. Base kernel command line:
# "console=ttyS0 intel_iommu=on panic=-1 loglevel=4 no_timer_check" ($E2E_BASE_APPEND), then
# --append. (no_timer_check: on a loaded host TCG can fail the kernel's IO-APIC timer test and
# panic with "timer doesn't work through Interrupt-remapped IO-APIC".)
#
# Functions:
#   e2e_fetch_kernel
#       Downloads (apt-get download, once) the linux-image-*-amd64 that linux-image-amd64
#       depends on, unpacks it into the cache, runs depmod -b, extracts an uncompressed
#       vmlinux. Sets and prints (as KEY=value lines on stdout):
#         E2E_KVER     kernel release, e.g. 6.1.0-56-amd64
#         E2E_KROOT    unpacked package root; modules are in $E2E_KROOT/lib/modules/$E2E_KVER
#                      (use it as `dracut --kmoddir`, `mkinitramfs -d` style module source, ...)
#         E2E_KERNEL   the image e2e_boot boots (vmlinux, or vmlinuz if extraction failed)
#         E2E_VMLINUZ  the packaged bzImage
#       VFIO_CLAIM_KERNEL_PKG=linux-image-X overrides the package. Offline, the newest cached
#       kernel is used.
#   e2e_modules_closure MODULE...
#       Prints the .ko paths (relative to $E2E_KROOT/lib/modules/$E2E_KVER) of MODULE... and
#       everything they depend on (modules.dep plus softdeps), one per line.
#   e2e_build_initramfs OUT [--binary FILE] [--scenario FILE] [--omit MODULE]... [--add SRC:DEST]...
#       Builds the busybox initramfs (uncompressed cpio newc) used by tests/e2e: busybox-static,
#       FILE as /sbin/vfio-claim, the vfio + native driver modules with a depmod'ed index,
#       tests/e2e/guest/init as /init and FILE --scenario as /e2e/scenario (see that /init for
#       the helpers a scenario can call). No shared library goes in unless the binary is dynamic.
#   e2e_boot [--initrd FILE] [--append ARGS] [--log FILE] [--timeout SEC] [--slot-empty]
#            [--hotplug] [--name NAME]
#       Boots $E2E_KERNEL with the initramfs FILE (any initramfs: dracut, initramfs-tools,
#       mkinitcpio ...) on the VM above; the serial console goes to FILE --log (CR stripped).
#       --slot-empty leaves rp1 empty; --hotplug additionally hot-adds the GPU pair into rp1
#       through QMP when the console prints "E2E-HOTPLUG-READY" (function 1, then function 0
#       with multifunction=on). Returns 0 when the guest powered off ("reboot: Power down"),
#       1 when it stopped otherwise (kernel panic), 124 on timeout (--timeout, default
#       $E2E_TIMEOUT or 180 s), 2 when QEMU failed. Sets E2E_BOOT_SECONDS.
#       Knobs: E2E_ACCEL=kvm (default tcg: nested KVM on the CI hosts fails to run stock kernels:
#       "failed to set MSR 0x10a"), E2E_MEM (MiB, 512), E2E_QEMU_EXTRA (more QEMU arguments),
#       E2E_HOTPLUG_QMP (newline-separated QMP commands replacing the pair's device_adds),
#       E2E_IOMMU_DEV= (empty: no intel-iommu device), E2E_USE_VMLINUZ=1 (boot the bzImage;
#       the vmlinux through PVH saves about 5 s per boot under TCG).
#   e2e_table LOG              the driver table lines the guest printed (see guest/pci-table.sh)
#   e2e_driver LOG ADDR        the driver of ADDR ("-" when unbound, nothing when absent)
#   e2e_override LOG ADDR      its driver_override ("-" when unset)
#   e2e_expect_driver LOG ADDR DRIVER   prints a mismatch and returns 1 unless ADDR is on DRIVER
#   e2e_expect_log LOG TEXT [ALSO...]  returns 1 (and says so) unless a console/kmsg line
#                              contains TEXT and every ALSO
#   e2e_expect_no_log LOG TEXT returns 1 if a line contains TEXT
#   e2e_rc LOG LABEL           exit code printed by the guest's `run LABEL` ("E2E-RC LABEL N")
#
# The table: copy tests/e2e/guest/pci-table.sh into your image and run it (POSIX sh, builtins
# only) once the drivers have settled; it prints
#   VFIO-CLAIM-E2E-TABLE-BEGIN
#   0000:01:00.0 1234:1111 030000 vfio-pci vfio-pci     (address ids class driver override)
#   VFIO-CLAIM-E2E-TABLE-END
# on stdout, so `sh pci-table.sh >/dev/console` in a late hook (or a systemd unit with
# StandardOutput=tty) is enough. The guest's kernel log is searched by e2e_expect_log only if the
# image prints it (our /init prints `dmesg` between E2E-DMESG-BEGIN/END); with loglevel=4
# vfio-claim's kmsg lines (<6> and <5>) do not reach the console by themselves.

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
E2E_CACHE=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}
E2E_BASE_APPEND=${E2E_BASE_APPEND:-console=ttyS0,115200 intel_iommu=on panic=-1 loglevel=4 \
no_timer_check}
E2E_ACCEL=${E2E_ACCEL:-tcg}
E2E_MEM=${E2E_MEM:-512}
# Modules of the default initramfs: the vfio stack, then the native drivers of the VM's devices.
E2E_MODULES=${E2E_MODULES:-vfio vfio_iommu_type1 vfio_pci vfio_pci_core bochs snd_hda_intel \
snd_hda_codec_generic e1000e}

e2e_log() { echo "e2e: $*" >&2; }

# Newest complete kernel in the cache (for offline use).
_e2e_cached_kver() {
	local d best=
	for d in "$E2E_CACHE"/kernel/*/.complete; do
		[ -e "$d" ] || continue
		d=${d%/.complete}
		best=${d##*/}
	done
	[ -n "$best" ] && echo "$best"
}

# Writes an uncompressed vmlinux out of a bzImage: find the payload's compression magic and
# decompress from there. Debian kernels are xz; gzip and zstd are tried as well.
_e2e_extract_vmlinux() {
	local in=$1 out=$2 magic tool off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$in" 2>/dev/null | cut -d: -f1); do
			tail -c +$((off + 1)) "$in" | "$tool" -dc 2>/dev/null >"$out.tmp"
			if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = "177ELF" ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

e2e_fetch_kernel() {
	local pkg kver dir tmp rc=0
	mkdir -p "$E2E_CACHE/kernel" || return 1
	pkg=${VFIO_CLAIM_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')}
	if [ -z "$pkg" ]; then
		kver=$(_e2e_cached_kver) || {
			e2e_log "cannot tell which kernel linux-image-amd64 depends on (apt lists missing?)"
			return 1
		}
		e2e_log "apt-cache does not know linux-image-amd64; using cached $kver"
	else
		kver=${pkg#linux-image-}
	fi
	dir=$E2E_CACHE/kernel/$kver
	if [ ! -e "$dir/.complete" ]; then
		# One download at a time, even with parallel suites sharing the cache.
		exec {lockfd}>"$E2E_CACHE/kernel/.lock"
		flock "$lockfd"
		if [ ! -e "$dir/.complete" ]; then
			tmp=$(mktemp -d "$E2E_CACHE/kernel/.fetch.XXXXXX") && chmod 755 "$tmp"
			e2e_log "downloading linux-image-$kver (about 70 MB, once) and unpacking it" \
				"into $dir; nothing is installed"
			(
				cd "$tmp" || exit 1
				if [ "$(id -u)" -eq 0 ]; then
					# the _apt sandbox user cannot write into root's cache
					apt-get download -q -o APT::Sandbox::User=root "linux-image-$kver"
				else
					apt-get download -q "linux-image-$kver"
				fi >/dev/null &&
					dpkg-deb -x ./*.deb root &&
					rm -f ./*.deb &&
					depmod -b root "$kver" &&
					_e2e_extract_vmlinux "root/boot/vmlinuz-$kver" vmlinux
				true
			) || rc=1
			if [ $rc -eq 0 ] && [ -e "$tmp/root/lib/modules/$kver/modules.dep" ]; then
				rm -rf "$dir"
				mv "$tmp" "$dir" && touch "$dir/.complete"
			else
				rm -rf "$tmp"
				kver=$(_e2e_cached_kver) || {
					flock -u "$lockfd"
					exec {lockfd}>&-
					e2e_log "could not download linux-image-$kver"
					return 1
				}
				e2e_log "download failed; using cached $kver"
				dir=$E2E_CACHE/kernel/$kver
			fi
		fi
		flock -u "$lockfd"
		exec {lockfd}>&-
	fi
	E2E_KVER=$kver
	E2E_KROOT=$dir/root
	E2E_VMLINUZ=$dir/root/boot/vmlinuz-$kver
	E2E_KERNEL=$E2E_VMLINUZ
	[ -s "$dir/vmlinux" ] && [ "${E2E_USE_VMLINUZ:-0}" != 1 ] && E2E_KERNEL=$dir/vmlinux
	export E2E_KVER E2E_KROOT E2E_KERNEL E2E_VMLINUZ
	printf 'E2E_KVER=%s\nE2E_KROOT=%s\nE2E_KERNEL=%s\nE2E_VMLINUZ=%s\n' \
		"$E2E_KVER" "$E2E_KROOT" "$E2E_KERNEL" "$E2E_VMLINUZ"
}

e2e_modules_closure() {
	local moddir=$E2E_KROOT/lib/modules/$E2E_KVER m
	for m in "$@"; do
		modprobe -d "$E2E_KROOT" -S "$E2E_KVER" --show-depends "$m" ||
			{ e2e_log "module $m not found in $moddir"; return 1; }
	done | awk '$1 == "insmod" { print $2 }' | sed "s|^.*/lib/modules/$E2E_KVER/||" | sort -u
}

# Appends a cpio newc archive holding /dev/console (char 5:1): without it the kernel has no
# console to give /init (devtmpfs is not mounted yet), and cpio cannot create device nodes
# without root. The kernel accepts concatenated archives.
_e2e_cpio_entry() { # name mode rdevmajor rdevminor
	local name=$1 namesize=$((${#1} + 1)) hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$((0x7000 + RANDOM))" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}
_e2e_cpio_console() {
	_e2e_cpio_entry dev $((0040755)) 0 0
	_e2e_cpio_entry dev/console $((0020600)) 5 1
	_e2e_cpio_entry TRAILER!!! 0 0 0
}

e2e_build_initramfs() {
	local out=$1 bin='' scenario='' omit=() adds=() st ko a m kdir
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--binary) bin=$2; shift 2 ;;
		--scenario) scenario=$2; shift 2 ;;
		--omit) omit+=("$2"); shift 2 ;;
		--add) adds+=("$2"); shift 2 ;;
		*) e2e_log "e2e_build_initramfs: unknown option $1"; return 2 ;;
		esac
	done
	[ -n "${E2E_KVER:-}" ] || e2e_fetch_kernel >/dev/null || return 1
	st=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-initramfs.XXXXXX") || return 1
	kdir=lib/modules/$E2E_KVER
	mkdir -p "$st"/{bin,sbin,etc,proc,sys,dev,run,tmp,e2e,"$kdir"}
	cp /bin/busybox "$st/bin/busybox"
	for a in $("$st/bin/busybox" --list); do
		case $a in busybox) continue ;; esac
		ln -s busybox "$st/bin/$a"
	done
	# `modprobe`, `insmod`, `poweroff` are reached through /bin on PATH; /sbin/modprobe
	# is what the kernel's request_module() runs.
	ln -s ../bin/busybox "$st/sbin/modprobe"
	install -m 0755 "$E2E_DIR/guest/init" "$st/init"
	install -m 0755 "$E2E_DIR/guest/pci-table.sh" "$st/e2e/pci-table.sh"
	[ -n "$scenario" ] && install -m 0644 "$scenario" "$st/e2e/scenario"
	if [ -n "$bin" ]; then
		install -m 0755 "$bin" "$st/sbin/vfio-claim" || { rm -rf "$st"; return 1; }
		if ! file -L "$bin" | grep -q 'statically linked'; then
			# Development aid only: scenario 5 fails on such an image.
			e2e_log "warning: $bin is dynamic; copying its shared libraries into the image"
			ldd "$bin" | grep -o '/[^ ]*' | while read -r a; do
				mkdir -p "$st$(dirname "$a")"
				cp -L "$a" "$st$a"
			done
			[ -e "$st/lib64" ] || ln -s lib "$st/lib64"
		fi
	fi
	for ko in $(e2e_modules_closure $E2E_MODULES); do
		m=${ko##*/}
		m=${m%.ko}
		m=${m//-/_}
		for a in "${omit[@]}"; do
			[ "$m" = "${a//-/_}" ] && continue 2
		done
		mkdir -p "$st/$kdir/$(dirname "$ko")"
		cp "$E2E_KROOT/$kdir/$ko" "$st/$kdir/$ko"
	done
	cp "$E2E_KROOT/$kdir"/modules.{order,builtin,builtin.modinfo} "$st/$kdir/" 2>/dev/null
	depmod -b "$st" "$E2E_KVER" || { rm -rf "$st"; return 1; }
	for a in "${adds[@]}"; do
		mkdir -p "$st/$(dirname "${a#*:}")"
		cp -a "${a%%:*}" "$st/${a#*:}"
	done
	{
		(cd "$st" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) &&
			_e2e_cpio_console
	} >"$out.tmp" && mv "$out.tmp" "$out"
	a=$?
	rm -rf "$st"
	return $a
}

# QMP over a pair of fifos (QEMU's "pipe" chardev): no socket client needed.
_e2e_qmp() { # dir json -> prints the reply line
	local dir=$1 line
	echo "$2" >&"$E2E_QMP_IN"
	while IFS= read -r -t 20 -u "$E2E_QMP_OUT" line; do
		[ -n "${E2E_QMP_DEBUG:-}" ] && echo "qmp< $line" >&2
		case $line in
		*'"return"'* | *'"error"'*) echo "$line"; return 0 ;;
		esac
	done
	return 1
}

_e2e_hotplug_pair() {
	local dir=$1 r
	exec {E2E_QMP_IN}<>"$dir/qmp.in" {E2E_QMP_OUT}<>"$dir/qmp.out"
	_e2e_qmp "$dir" '{"execute":"qmp_capabilities"}' >/dev/null
	# A multi-function slot is announced when function 0 arrives: add function 1 first.
	local add='{"execute":"device_add","arguments":'
	local cmds=(
		"$add"'{"driver":"ich9-intel-hda","id":"gpuaudio","bus":"rp1","addr":"0.1"}}'
		"$add"'{"driver":"secondary-vga","id":"gpu","bus":"rp1","addr":"0.0","multifunction":true}}'
	)
	[ -n "${E2E_HOTPLUG_QMP:-}" ] && mapfile -t cmds <<<"$E2E_HOTPLUG_QMP"
	for r in "${cmds[@]}"; do
		r=$(_e2e_qmp "$dir" "$r") || r="(no answer)"
		echo "E2E-HOST qmp: $r" >>"$dir/host"
	done
	exec {E2E_QMP_IN}>&- {E2E_QMP_OUT}>&-
}

e2e_boot() {
	local initrd='' append='' log='' timeout=${E2E_TIMEOUT:-180} empty=0 hotplug=0 name=vm
	local dir qpid t0 hp_done=0 accel dev rp1 rc
	while [ $# -gt 0 ]; do
		case $1 in
		--initrd) initrd=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--slot-empty) empty=1; shift ;;
		--hotplug) empty=1; hotplug=1; shift ;;
		--name) name=$2; shift 2 ;;
		*) e2e_log "e2e_boot: unknown option $1"; return 2 ;;
		esac
	done
	if [ -z "$initrd" ] || [ -z "$log" ]; then
		e2e_log "e2e_boot: --initrd and --log are required"
		return 2
	fi
	[ -n "${E2E_KERNEL:-}" ] || e2e_fetch_kernel >/dev/null || return 1
	: >"$log" || return 1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-vm.XXXXXX") || return 1
	mkfifo "$dir/qmp.in" "$dir/qmp.out"
	# An empty slot gets a window the firmware reserves, as on real hot-plug hardware;
	# without it the display's 16 MiB BAR cannot be placed after the hot-add.
	rp1=
	[ $empty = 1 ] && rp1=,pref32-reserve=32M
	accel="-accel tcg"
	[ "$E2E_ACCEL" = kvm ] && accel="-accel kvm -cpu host"
	# QEMU arguments carry commas; E2E_IOMMU_DEV is split into words on purpose.
	# shellcheck disable=SC2054,SC2206
	dev=(
		${E2E_IOMMU_DEV--device intel-iommu,intremap=on}
		-vga std
		-device pcie-root-port,id=rp1,bus=pcie.0,addr=0x2,chassis=1,slot=1$rp1
		-device pcie-root-port,id=rp2,bus=pcie.0,addr=0x3,chassis=2,slot=2
		-audiodev none,id=noaud
		-netdev user,id=n0,restrict=on
		-device e1000e,bus=rp2,netdev=n0,romfile=
	)
	# shellcheck disable=SC2054
	[ $empty = 1 ] || dev+=(
		-device secondary-vga,id=gpu,bus=rp1,addr=0x0.0,multifunction=on
		-device ich9-intel-hda,id=gpuaudio,bus=rp1,addr=0x0.1
		-device hda-output,bus=gpuaudio.0,audiodev=noaud
	)
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	timeout -k 5 "$timeout" qemu-system-x86_64 -name "$name" -machine q35,kernel-irqchip=split \
		${E2E_QEMU_EXTRA:-} $accel -m "$E2E_MEM" -smp 1 -nographic -monitor none -serial stdio -no-reboot \
		-chardev pipe,id=qmp,path="$dir/qmp" -mon chardev=qmp,mode=control \
		"${dev[@]}" -kernel "$E2E_KERNEL" -initrd "$initrd" \
		-append "$E2E_BASE_APPEND $append" </dev/null >"$log" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $hotplug = 1 ] && [ $hp_done = 0 ] && grep -q '^E2E-HOTPLUG-READY' "$log"; then
			_e2e_hotplug_pair "$dir"
			hp_done=1
		fi
		sleep 0.2
	done
	# No pipe between QEMU and the log: a buffering filter would hide the guest's markers
	# from the loop above until QEMU exits. Whether the guest finished is read from the log.
	wait "$qpid"
	rc=$?
	sed -i 's/\r$//' "$log"
	t0=$((($(date +%s%N) - t0) / 100000000))
	E2E_BOOT_SECONDS=$((t0 / 10)).$((t0 % 10))
	# Host-side notes go after the console output (the console file is still open meanwhile).
	[ -e "$dir/host" ] && cat "$dir/host" >>"$log"
	rm -rf "$dir"
	case $rc in
	0) ;;
	124 | 137) return 124 ;;
	*) e2e_log "$name: qemu-system-x86_64 exited $rc (see $log)"; return 2 ;;
	esac
	# -no-reboot turns a kernel panic (panic=-1) into a clean QEMU exit too.
	grep -q 'reboot: Power down' "$log" && return 0
	e2e_log "$name: the guest stopped without powering off (kernel panic? see $log)"
	return 1
}

e2e_table() {
	sed -n '/^VFIO-CLAIM-E2E-TABLE-BEGIN/,/^VFIO-CLAIM-E2E-TABLE-END/p' "$1" |
		grep -E '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] '
}

e2e_driver() { e2e_table "$1" | awk -v a="$2" '$1 == a { print $4 }'; }
e2e_override() { e2e_table "$1" | awk -v a="$2" '$1 == a { print $5 }'; }

e2e_expect_driver() {
	local got
	got=$(e2e_driver "$1" "$2")
	[ "$got" = "$3" ] && return 0
	echo "    expected $2 on $3, got ${got:-(absent)}"
	return 1
}

e2e_expect_log() {
	local log=$1 lines f
	shift
	lines=$(grep -F -- "$1" "$log")
	for f in "${@:2}"; do lines=$(printf '%s\n' "$lines" | grep -F -- "$f"); done
	[ -n "$lines" ] && return 0
	echo "    expected a log line containing: $*"
	return 1
}

e2e_expect_no_log() {
	grep -qF -- "$2" "$1" || return 0
	echo "    unexpected log line: $(grep -F -- "$2" "$1" | head -1)"
	return 1
}

e2e_rc() { awk -v l="$2" '$1 == "E2E-RC" && $2 == l { print $3 }' "$1" | tail -1; }

# Run as a script: `tests/e2e/lib.sh fetch-kernel` prints the KEY=value lines above (for make,
# sh or another language); `tests/e2e/lib.sh table LOG` prints the driver table of a console log.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	fetch-kernel) e2e_fetch_kernel ;;
	table) e2e_table "$2" ;;
	*) echo "usage: $0 fetch-kernel | table LOG" >&2; exit 2 ;;
	esac
fi
