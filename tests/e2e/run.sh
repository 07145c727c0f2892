#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot tests: every tests/e2e/scenarios/NN-name.sh boots the rig of lib.sh with the
# vfio-claim binary in a busybox initramfs and checks the final driver of the four devices and
# the key log lines. Prints "PASS: e2e/name (boot N s)" / "FAIL: e2e/name" and exits 1 on failure.
# Usage: tests/e2e/run.sh [NAME...]          (names without the NN- prefix; default: all)
# Environment: VFIO_CLAIM (default build/static/vfio-claim), E2E_JOBS (parallel boots,
#   default: number of CPUs, at most 2), E2E_ACCEL=kvm, E2E_KEEP=1 (keep the images),
#   E2E_OUT (logs, default build/e2e), VFIO_CLAIM_CACHE (kernel cache).
#
# A scenario file is bash, sourced on the host. It sets
#   GUEST         shell run by the guest's /init before it prints the table (tests/e2e/guest/init
#                 lists the helpers: run LABEL CMD..., natives, hotplug_ready); when GUEST does
#                 not call `natives`, /init loads the native drivers afterwards
#   APPEND        extra kernel command line          BUILD=(...)  extra e2e_build_initramfs args
#   BOOT=(...)    extra e2e_boot args                NEEDS_BINARY=0  for the control runs
# and defines check(), which uses the expect_* helpers below on $LOG (and $IMAGE); the scenario
# fails if check() prints anything (each expect_* prints its reason on failure) or returns non-zero.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
VFIO_CLAIM=${VFIO_CLAIM:-build/static/vfio-claim}
E2E_OUT=${E2E_OUT:-build/e2e}
jobs=${E2E_JOBS:-$(nproc)}
[ "$jobs" -gt 2 ] && [ -z "${E2E_JOBS:-}" ] && jobs=2

build-aux/deps.sh e2e || { echo "FAIL: e2e/deps (build-aux/deps.sh e2e)"; exit 1; }
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
mkdir -p "$E2E_OUT" && E2E_OUT=$(cd "$E2E_OUT" && pwd)
if ! e2e_fetch_kernel >"$E2E_OUT/kernel.env"; then
	echo "FAIL: e2e/kernel (could not fetch the Debian kernel)"
	exit 1
fi
echo "e2e: kernel $E2E_KVER ($E2E_KERNEL), accel $E2E_ACCEL, $jobs parallel boot(s)," \
	"binary $VFIO_CLAIM"

# ---- assertions (print an indented reason and return 1) ----
# expect_table D1 D2 D3 D4: drivers of 00:01.0 (boot VGA), 01:00.0, 01:00.1, 02:00.0 (NIC).
expect_table() {
	local a r=0 addrs=(0000:00:01.0 0000:01:00.0 0000:01:00.1 0000:02:00.0)
	if ! e2e_table "$LOG" | grep -q .; then
		echo "    no driver table in the console log (guest did not finish?)"
		return 1
	fi
	for a in "${addrs[@]}"; do
		e2e_expect_driver "$LOG" "$a" "$1" || r=1
		shift
	done
	return $r
}
expect_driver() { e2e_expect_driver "$LOG" "$1" "$2"; }
expect_not_driver() {
	local got
	got=$(e2e_driver "$LOG" "$1")
	[ -n "$got" ] && [ "$got" != "$2" ] && return 0
	echo "    expected $1 present and not on $2, got ${got:-(absent)}"
	return 1
}
expect_override() {
	local got
	got=$(e2e_override "$LOG" "$1")
	[ "$got" = "$2" ] && return 0
	echo "    expected driver_override of $1 to be $2, got ${got:-(absent)}"
	return 1
}
# expect_log TEXT [ALSO...]: some console/kmsg line contains TEXT and every ALSO.
expect_log() { e2e_expect_log "$LOG" "$@"; }
expect_no_log() { e2e_expect_no_log "$LOG" "$1"; }
expect_rc() {
	local got
	got=$(e2e_rc "$LOG" "$1")
	[ "$got" = "$2" ] && return 0
	echo "    expected '$1' to exit $2, got ${got:-(no exit code: did it run?)}"
	return 1
}
# expect_log_count TEXT N [ALSO...]: the first vfio-claim run of the boot logged exactly N lines
# containing TEXT (and every ALSO), counted in kmsg (dmesg dump, by PID) or in its own output
# (the guest's `run claim`), whichever holds more, so a line both on stderr and in kmsg counts once.
expect_log_count() {
	local text=$1 n=$2 k o pid f lines
	shift 2
	k=$(sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' "$LOG" | grep -F 'vfio-claim[')
	pid=$(printf '%s\n' "$k" | grep -o 'vfio-claim\[[0-9]*\]' | head -1)
	k=$(printf '%s\n' "$k" | grep -F -- "${pid:-vfio-claim[}" | grep -F -- "$text")
	o=$(grep '^E2E-OUT claim: ' "$LOG" | grep -F -- "$text")
	for f in "$@"; do
		k=$(printf '%s\n' "$k" | grep -F -- "$f")
		o=$(printf '%s\n' "$o" | grep -F -- "$f")
	done
	lines=$k
	[ "$(printf '%s' "$o" | grep -c .)" -gt "$(printf '%s' "$k" | grep -c .)" ] && lines=$o
	[ "$(printf '%s' "$lines" | grep -c .)" -eq "$n" ] && return 0
	echo "    expected $n line(s) from the first vfio-claim run containing '$text' $*, got:"
	printf '%s\n' "$lines" | head -5 | cut -c1-200 | sed 's/^/      /'
	return 1
}
# doctor's exit code matches its last line; with an argument, it must also be that code.
expect_doctor_rc() {
	local rc last
	rc=$(e2e_rc "$LOG" doctor)
	last=$(grep '^E2E-OUT doctor: doctor: ' "$LOG" | tail -1)
	case $last in
	*"no problems found"*)
		[ "$rc" = 0 ] || { echo "    doctor found no problems but exited ${rc:-?}"; return 1; } ;;
	*" problem(s) found"* | *" problems found"* | *" problem found"*)
		[ "$rc" = 1 ] || { echo "    doctor found problems but exited ${rc:-?}"; return 1; } ;;
	*) echo "    doctor printed no closing 'doctor: ...' line (exit ${rc:-?})"; return 1 ;;
	esac
	[ $# -eq 0 ] || [ "$rc" = "$1" ] || { echo "    expected doctor to exit $1, got $rc"; return 1; }
}
# The image holds no shared object, and every executable in it is statically linked.
expect_static_image() {
	local x r=0 f
	x=$(mktemp -d)
	(cd "$x" && cpio -id --quiet --no-absolute-filenames <"$IMAGE" 2>/dev/null)
	f=$(find "$x" -name '*.so' -o -name '*.so.*' -o -name 'ld-linux*')
	[ -z "$f" ] || { echo "    shared libraries in the image:" ${f//$x/}; r=1; }
	while IFS= read -r f; do
		case $(file -b "$f") in
		*ELF*relocatable*) ;;
		*ELF*executable*interpreter* | *ELF*executable*dynamically*)
			echo "    dynamic executable in the image: ${f#"$x"}"
			r=1
			;;
		esac
	done < <(find "$x" -type f)
	[ -e "$x/sbin/vfio-claim" ] || { echo "    no /sbin/vfio-claim in the image"; r=1; }
	rm -rf "$x"
	return $r
}

# ---- one scenario: build, boot, check; writes $E2E_OUT/NAME.result ----
run_scenario() {
	local file=$1 name=$2
	local res=$E2E_OUT/$name.result
	(
		GUEST= APPEND= BUILD=() BOOT=() NEEDS_BINARY=1
		check() { echo "    scenario has no check()"; return 1; }
		# shellcheck disable=SC1090
		. "$file"
		LOG=$E2E_OUT/$name.log
		IMAGE=$E2E_OUT/$name.cpio
		bin=()
		if [ "$NEEDS_BINARY" = 1 ]; then
			if [ ! -x "$VFIO_CLAIM" ]; then
				echo "FAIL: e2e/$name (no binary at $VFIO_CLAIM; run make STATIC=1)"
				exit 1
			fi
			bin=(--binary "$VFIO_CLAIM")
		fi
		printf '%s\n' "$GUEST" >"$E2E_OUT/$name.guest"
		if ! e2e_build_initramfs "$IMAGE" "${bin[@]}" --scenario "$E2E_OUT/$name.guest" \
			"${BUILD[@]}" 2>"$E2E_OUT/$name.build"; then
			echo "FAIL: e2e/$name (initramfs build failed, see $E2E_OUT/$name.build)"
			exit 1
		fi
		e2e_boot --name "$name" --initrd "$IMAGE" --log "$LOG" --append "$APPEND" "${BOOT[@]}"
		brc=$?
		# Every expect_* prints a reason when it fails and nothing when it holds.
		why=$(check 2>&1)
		crc=$?
		[ -n "$why" ] && crc=1
		[ "${E2E_KEEP:-0}" = 1 ] || rm -f "$IMAGE"
		if [ $brc -eq 124 ]; then
			echo "FAIL: e2e/$name (boot did not finish in time, $E2E_BOOT_SECONDS s; log $LOG)"
			printf '%s\n' "$why"
		elif [ $brc -ne 0 ]; then
			echo "FAIL: e2e/$name (guest did not power off: kernel panic or QEMU error," \
				"$E2E_BOOT_SECONDS s; log $LOG)"
			grep -m1 -E 'Kernel panic|qemu-system' "$LOG" | sed 's/^/    /'
			printf '%s\n' "$why"
		elif [ $crc -ne 0 ]; then
			echo "FAIL: e2e/$name (boot $E2E_BOOT_SECONDS s; log $LOG)"
			printf '%s\n' "$why"
		else
			echo "PASS: e2e/$name (boot $E2E_BOOT_SECONDS s)"
		fi
	) >"$res.tmp" 2>&1
	mv "$res.tmp" "$res"
}

files=()
names=()
for f in tests/e2e/scenarios/[0-9]*.sh; do
	n=${f##*/}
	n=${n#[0-9]*-}
	n=${n%.sh}
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$n" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	files+=("$f")
	names+=("$n")
	rm -f "$E2E_OUT/$n.result"
done
[ ${#files[@]} -gt 0 ] || { echo "FAIL: e2e/select (no scenario matches: $*)"; exit 1; }

# Up to $jobs boots at once; results print in scenario order as soon as they are known.
start=$(date +%s)
shown=0
show_ready() {
	while [ $shown -lt ${#names[@]} ] && [ -e "$E2E_OUT/${names[$shown]}.result" ]; do
		cat "$E2E_OUT/${names[$shown]}.result"
		shown=$((shown + 1))
	done
}
running=0
for i in "${!files[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
		show_ready
	fi
	run_scenario "${files[$i]}" "${names[$i]}" &
	running=$((running + 1))
done
wait
show_ready
failed=0
for n in "${names[@]}"; do grep -q '^FAIL: ' "$E2E_OUT/$n.result" && failed=$((failed + 1)); done
echo "e2e: ${#names[@]} scenarios, $failed failed, $(($(date +%s) - start)) s in all" \
	"(logs in $E2E_OUT)"
[ "$failed" -eq 0 ]
