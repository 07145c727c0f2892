#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# QEMU boot tests: every tests/e2e/scenarios/NN-name.sh boots the rig of lib.sh with the
# vfio-claim binary in a busybox initramfs, on every kernel of the kernel set, and checks the
# final driver of the four devices and the key log lines. Prints
# "PASS: e2e/name [KVER] (boot N s)" / "FAIL: e2e/name [KVER] ..." and exits 1 on failure.
# Usage: tests/e2e/run.sh [NAME...]          (names without the NN- prefix; default: all)
# Environment: VFIO_CLAIM (default build/static/vfio-claim), E2E_KERNELS (kernel specs, default
#   "bookworm trixie sid", see lib.sh: e2e_fetch_kernel), E2E_OFFLINE=1 (cached kernels only),
#   E2E_JOBS (parallel boots, default: number of CPUs, at most 2), E2E_ACCEL=kvm, E2E_KEEP=1
#   (keep the images), E2E_OUT (logs, default build/e2e; one folder per kernel),
#   VFIO_CLAIM_CACHE (kernel cache).
#
# A scenario file is bash, sourced on the host (with the kernel's E2E_KVER and E2E_KROOT). It sets
#   GUEST         shell run by the guest's /init before it prints the table (tests/e2e/guest/init
#                 lists the helpers: run LABEL CMD..., natives, hotplug_ready); when GUEST does
#                 not call `natives`, /init loads the native drivers afterwards
#   APPEND        extra kernel command line          BUILD=(...)  extra e2e_build_initramfs args
#   BOOT=(...)    extra e2e_boot args                NEEDS_BINARY=0  for the control runs
# and defines check(), which uses the expect_* assertions of lib/assert.sh on $LOG (and
# $IMAGE); the scenario fails if check() prints anything (each expect_* prints its reason on
# failure) or returns non-zero. Every scenario with the binary also gets
# expect_clean_module_loads: vfio-claim's libkmod decompressed the kernel's modules itself.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
VFIO_CLAIM=${VFIO_CLAIM:-build/static/vfio-claim}
E2E_OUT=${E2E_OUT:-build/e2e}
jobs=${E2E_JOBS:-$(nproc)}
[ "$jobs" -gt 2 ] && [ -z "${E2E_JOBS:-}" ] && jobs=2

# shellcheck source=tests/result.sh
. tests/result.sh
if ! build-aux/deps.sh e2e; then
	result_skip e2e "packages missing, see the apt-get line above (build-aux/deps.sh e2e)"
	exit
fi
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
mkdir -p "$E2E_OUT" && E2E_OUT=$(cd "$E2E_OUT" && pwd)

# ---- the kernels: every one is fetched first; one that cannot be is a FAIL naming it ----
kenvs=()
kfailed=0
for spec in $(e2e_kernels); do
	env=$E2E_OUT/kernel-${spec//\//_}.env
	if e2e_fetch_kernel "$spec" >"$env" 2>"$env.err"; then
		kenvs+=("$env")
		echo "e2e: kernel $E2E_KVER (for '$spec'): $E2E_KERNEL"
	else
		echo "FAIL: e2e/kernel [$spec] (cannot fetch it: $(grep . "$env.err" | tail -1))"
		sed 's/^/    /' "$env.err"
		kfailed=1
	fi
done
echo "e2e: accel $E2E_ACCEL, $jobs parallel boot(s), binary $VFIO_CLAIM" \
	"$([ "${E2E_OFFLINE:-0}" = 1 ] && echo "(offline: cached kernels only)")"

# ---- one scenario on one kernel: build, boot, check; writes OUT/KVER/NAME.result ----
run_scenario() {
	local env=$1 file=$2 name=$3 out tag
	(
		e2e_use_kernel "$env" || exit 1
		out=$E2E_OUT/$E2E_KVER
		tag=$(e2e_kernel_tag)
		GUEST='' APPEND='' BUILD=() BOOT=() NEEDS_BINARY=1
		check() { echo "    scenario has no check()"; return 1; }
		# shellcheck disable=SC1090
		. "$file"
		LOG=$out/$name.log
		IMAGE=$out/$name.cpio
		bin=()
		if [ "$NEEDS_BINARY" = 1 ]; then
			if [ ! -x "$VFIO_CLAIM" ]; then
				echo "FAIL: e2e/$name $tag (no binary at $VFIO_CLAIM;" \
					"run make STATIC=1)"
				exit 1
			fi
			bin=(--binary "$VFIO_CLAIM")
		fi
		printf '%s\n' "$GUEST" >"$out/$name.guest"
		if ! e2e_build_initramfs "$IMAGE" "${bin[@]}" --scenario "$out/$name.guest" \
			"${BUILD[@]}" 2>"$out/$name.build"; then
			echo "FAIL: e2e/$name $tag (initramfs build failed, see $out/$name.build)"
			exit 1
		fi
		e2e_boot --name "$name" --initrd "$IMAGE" --log "$LOG" --append "$APPEND" \
			"${BOOT[@]}"
		brc=$?
		# Every expect_* prints a reason when it fails and nothing when it holds.
		why=$(
			check 2>&1
			r=$?
			[ "$NEEDS_BINARY" = 0 ] || expect_clean_module_loads || r=1
			exit $r
		)
		crc=$?
		[ -n "$why" ] && crc=1
		[ "${E2E_KEEP:-0}" = 1 ] || rm -f "$IMAGE"
		if [ $brc -eq 124 ]; then
			echo "FAIL: e2e/$name $tag (boot did not finish in time," \
				"$E2E_BOOT_SECONDS s; log $LOG)"
			printf '%s\n' "$why"
		elif [ $brc -ne 0 ]; then
			echo "FAIL: e2e/$name $tag (guest did not power off: kernel panic or" \
				"QEMU error, $E2E_BOOT_SECONDS s; log $LOG)"
			grep -m1 -E 'Kernel panic|qemu-system' "$LOG" | sed 's/^/    /'
			printf '%s\n' "$why"
		elif [ $crc -ne 0 ]; then
			echo "FAIL: e2e/$name $tag (boot $E2E_BOOT_SECONDS s; log $LOG)"
			printf '%s\n' "$why"
		else
			echo "PASS: e2e/$name $tag (boot $E2E_BOOT_SECONDS s)"
		fi
	) >"$4.tmp" 2>&1
	mv "$4.tmp" "$4"
}

# ---- the runs: every selected scenario on every fetched kernel ----
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
done
[ ${#files[@]} -gt 0 ] || { echo "FAIL: e2e/select (no scenario matches: $*)"; exit 1; }

run_env=() run_file=() run_name=() run_res=()
for env in "${kenvs[@]}"; do
	kver=$(sed -n 's/^E2E_KVER=//p' "$env")
	mkdir -p "$E2E_OUT/$kver"
	for i in "${!files[@]}"; do
		run_env+=("$env") run_file+=("${files[$i]}") run_name+=("${names[$i]}")
		run_res+=("$E2E_OUT/$kver/${names[$i]}.result")
		rm -f "$E2E_OUT/$kver/${names[$i]}.result"
	done
done

# Up to $jobs boots at once; results print in order (kernel, then scenario) once known.
start=$(date +%s)
shown=0
show_ready() {
	while [ $shown -lt ${#run_res[@]} ] && [ -e "${run_res[$shown]}" ]; do
		cat "${run_res[$shown]}"
		shown=$((shown + 1))
	done
}
running=0
for i in "${!run_res[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
		show_ready
	fi
	run_scenario "${run_env[$i]}" "${run_file[$i]}" "${run_name[$i]}" "${run_res[$i]}" &
	running=$((running + 1))
done
wait
show_ready
failed=0
for r in "${run_res[@]}"; do grep -q '^FAIL: ' "$r" && failed=$((failed + 1)); done
echo "e2e: ${#run_res[@]} boots (${#names[@]} scenarios x ${#kenvs[@]} kernels)," \
	"$failed failed, $(($(date +%s) - start)) s in all (logs in $E2E_OUT/KVER/)"
[ "$failed" -eq 0 ] && [ "$kfailed" -eq 0 ]
