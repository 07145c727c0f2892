#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak: the QEMU race scenario (tests/e2e/scenarios/10-claim-by-address.sh: claim by address,
# the native drivers loaded right after, as udev would) booted BOOTS times in a row. A boot
# passes when the scenario's own check() holds (the pair 01:00.0, 01:00.1 on vfio-pci, the
# boot VGA 00:01.0 on bochs-drm, the NIC on e1000e, vfio-claim's exit code 0, its log lines).
# Usage: BOOTS=50 JOBS=2 KERNEL=SPEC bench/soak.sh [BINARY]   (KERNEL: see tests/e2e/lib.sh)
# Logs of failed boots: build/bench/soak/.
# Prints "PASS: soak/boot-N (S s)" / "FAIL: soak/boot-N (...)" and a closing count.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
bin=$(realpath "${1:-build/static/vfio-claim}")
boots=${BOOTS:-50} jobs=${JOBS:-2}
out=build/bench/soak
mkdir -p "$out"
rm -f "$out"/*.result
build-aux/deps.sh e2e || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
e2e_fetch_kernel "${KERNEL:-}" >/dev/null ||
	{ echo "FAIL: soak/kernel (cannot fetch the kernel '${KERNEL:-}')"; exit 1; }
GUEST=
# shellcheck disable=SC1091
. tests/e2e/scenarios/10-claim-by-address.sh
printf '%s\n' "$GUEST" >"$out/guest"
e2e_build_initramfs "$out/image.cpio" --binary "$bin" --scenario "$out/guest" 2>"$out/build.log" ||
	{ echo "FAIL: soak/image (see $out/build.log)"; exit 1; }
echo "soak: $boots boots of claim-by-address, $jobs at a time, binary $bin, kernel $E2E_KVER"

one_boot() {
	local i=$1 why
	LOG=$out/boot-$1.log
	e2e_boot --name "soak-$i" --initrd "$out/image.cpio" --log "$LOG" >/dev/null 2>&1 ||
		echo "    boot did not finish" >"$out/$i.boot"
	# the same assertions as the e2e suite
	why=$(cat "$out/$i.boot" 2>/dev/null; check 2>&1; expect_clean_module_loads)
	rm -f "$out/$i.boot"
	if [ -z "$why" ]; then
		echo "PASS: soak/boot-$i ($E2E_BOOT_SECONDS s)" >"$out/$i.result"
		rm -f "$LOG"
	else
		{ echo "FAIL: soak/boot-$i (log $LOG)"; echo "$why"; } >"$out/$i.result"
	fi
	cat "$out/$i.result"
}

start=$(date +%s)
running=0
for i in $(seq 1 "$boots"); do
	if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	one_boot "$i" &
	running=$((running + 1))
done
wait
pass=$(cat "$out"/*.result | grep -c '^PASS')
echo "soak: $pass of $boots boots ended with the pair on vfio-pci and the boot VGA on" \
	"bochs-drm ($(($(date +%s) - start)) s)"
[ "$pass" -eq "$boots" ]
