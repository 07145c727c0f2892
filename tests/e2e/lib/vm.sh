# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Part of tests/e2e/lib.sh (see there for the interface): the q35 VM and its QMP hot-plug.

# QMP over a pair of fifos (QEMU's "pipe" chardev): no socket client needed.
_e2e_qmp() { # json -> prints the reply line
	local line
	echo "$1" >&"$E2E_QMP_IN"
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
	_e2e_qmp '{"execute":"qmp_capabilities"}' >/dev/null
	# A multi-function slot is announced when function 0 arrives: add function 1 first.
	local add='{"execute":"device_add","arguments":'
	local cmds=(
		"$add"'{"driver":"ich9-intel-hda","id":"gpuaudio","bus":"rp1","addr":"0.1"}}'
		"$add"'{"driver":"secondary-vga","id":"gpu","bus":"rp1","addr":"0.0","multifunction":true}}'
	)
	[ -n "${E2E_HOTPLUG_QMP:-}" ] && mapfile -t cmds <<<"$E2E_HOTPLUG_QMP"
	for r in "${cmds[@]}"; do
		r=$(_e2e_qmp "$r") || r="(no answer)"
		echo "E2E-HOST qmp: $r" >>"$dir/host"
	done
	exec {E2E_QMP_IN}>&- {E2E_QMP_OUT}>&-
}

e2e_boot() {
	local initrd='' append='' log='' timeout=${E2E_TIMEOUT:-180} empty=0 hotplug=0 name=vm
	local firmware=${E2E_FIRMWARE:-bios} kernel=$E2E_KERNEL dir qpid t0 hp_done=0 accel dev rp1 rc
	while [ $# -gt 0 ]; do
		case $1 in
		--initrd) initrd=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--slot-empty) empty=1; shift ;;
		--hotplug) empty=1; hotplug=1; shift ;;
		--name) name=$2; shift 2 ;;
		--firmware) firmware=$2; shift 2 ;;
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
		-vga "${E2E_VGA:-std}"
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
	if [ "$firmware" = uefi ]; then
		# OVMF (Debian's ovmf): the firmware leaves its framebuffer (efifb) in the boot
		# display's BAR, as on a real UEFI machine. It boots the bzImage's EFI stub.
		local code=${E2E_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
		local vars=${E2E_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
		if [ ! -r "$code" ] || [ ! -r "$vars" ]; then
			e2e_log "e2e_boot: no OVMF firmware at $code (build-aux/deps.sh e2e installs ovmf)"
			rm -rf "$dir"
			return 2
		fi
		cp "$vars" "$dir/vars.fd"
		dev+=(-drive "if=pflash,format=raw,readonly=on,file=$code"
		      -drive "if=pflash,format=raw,file=$dir/vars.fd")
		kernel=$E2E_VMLINUZ
	fi
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	timeout -k 5 "$timeout" qemu-system-x86_64 -name "$name" -machine q35,kernel-irqchip=split \
		${E2E_QEMU_EXTRA:-} $accel -m "$E2E_MEM" -smp "$E2E_SMP" -nographic -monitor none -serial stdio -no-reboot \
		-chardev pipe,id=qmp,path="$dir/qmp" -mon chardev=qmp,mode=control \
		"${dev[@]}" -kernel "$kernel" -initrd "$initrd" \
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
	# shellcheck disable=SC2034  # read by the callers
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
