#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In-boot timing benchmark (see bench/guest-bench.sh for the steps): BOOTS boots of the e2e
# rig (tests/e2e/lib.sh), each running ROUNDS rounds of shell loop / vfio-claim / floor in
# turned orders; prints the medians over every round of every boot and the ratios.
# Usage: BOOTS=10 ROUNDS=3 JOBS=2 KERNEL=SPEC SMP=N BASELINE=FILE bench/boot.sh [BINARY]
#   BINARY defaults to build/static/vfio-claim; KERNEL is a kernel spec of tests/e2e/lib.sh
#   (bookworm, trixie, sid, a package; default: this system's release); SMP the VM's CPUs
#   (default 1, as the suites boot; with 2, the load vfio-claim starts in the background
#   really runs beside its scan, as on any real machine). ICOUNT=1 runs QEMU with
#   -icount shift=0,sleep=off: the guest's clock then advances 1 ns per guest instruction,
#   so the figures are the guest's own work, free of the host's load and of TCG's cost of
#   translating code the first time it runs (one CPU only: icount runs the CPUs in turn).
#   BASELINE=FILE times another vfio-claim binary in the same boots (b0, d0 after b, d).
# Per-boot logs and the raw figures (boot round step µs) are kept in build/bench/boot/KVER/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
bin=$(realpath "${1:-build/static/vfio-claim}")
boots=${BOOTS:-10} rounds=${ROUNDS:-3} jobs=${JOBS:-2}
export E2E_SMP=${SMP:-${E2E_SMP:-1}}
[ "${ICOUNT:-0}" = 1 ] && export E2E_QEMU_EXTRA="${E2E_QEMU_EXTRA:-} -icount shift=0,sleep=off"
build-aux/deps.sh e2e || exit 1
# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
e2e_fetch_kernel "${KERNEL:-}" >/dev/null ||
	{ echo "bench: cannot fetch the kernel '${KERNEL:-}'" >&2; exit 1; }
out=build/bench/boot/$E2E_KVER
[ "$E2E_SMP" = 1 ] || out=$out-smp$E2E_SMP
[ "${ICOUNT:-0}" = 1 ] && out=$out-icount
mkdir -p "$out"
rm -f "$out"/boot-*.raw "$out"/boot-*.bad
extra=()
[ -n "${BASELINE:-}" ] && extra=(--add "$(realpath "$BASELINE"):sbin/vfio-claim-base")
e2e_build_initramfs "$out/image.cpio" --binary "$bin" --scenario bench/guest-bench.sh "${extra[@]}" ||
	{ echo "bench: initramfs build failed" >&2; exit 1; }
echo "bench: $boots boot(s) x $rounds round(s), binary $bin ($(stat -c %s "$bin") bytes)," \
	"kernel $E2E_KVER, accel $E2E_ACCEL, $E2E_SMP CPU(s)$([ "${ICOUNT:-0}" = 1 ] && echo ", icount")"

one_boot() {
	local i=$1 log=$out/boot-$1.log
	e2e_boot --name "bench-$i" --initrd "$out/image.cpio" --log "$log" --timeout 300 \
		--append "bench.order=$i bench.rounds=$rounds" >/dev/null 2>&1
	# kmsg timestamps of the marks, as "round step µs"
	sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' "$log" |
		sed -n 's/^[^[]*\[ *\([0-9]*\)\.\([0-9]*\)\] BENCH \(.*\)$/\1\2 \3/p' |
		awk -v boot="$i" '
			BEGIN { r = 0 }
			$2 == "round-end" { r++; next }
			{ split($2, p, "-"); s = p[1]; e = substr($2, length(s) + 2) }
			e == "start" { t0[s] = $1 }
			e == "loop-end" { print boot, r, "a_loop", $1 - t0[s] }
			e == "end" { print boot, r, s, $1 - t0[s] }' >"$out/boot-$i.raw"
	grep '^BENCH-VERIFY' "$log" | grep -v ' ok$' | sed "s/^/boot $i: /" >"$out/boot-$i.bad"
}

running=0
for i in $(seq 0 $((boots - 1))); do
	if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
	one_boot "$i" &
	running=$((running + 1))
done
wait
cat "$out"/boot-*.raw >"$out/raw.txt"
cat "$out"/boot-*.bad >"$out/bad.txt"
[ -s "$out/bad.txt" ] && { echo "bench: some steps did not end with the pair on vfio-pci:"; cat "$out/bad.txt"; }
awk '
	{ v[$3, ++n[$3]] = $4 }
	function median(s,   i, j, t, k) {
		k = n[s]
		for (i = 1; i <= k; i++) a[i] = v[s, i]
		for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		split("a a_loop b c d e f g h b0 d0", steps, " ")
		name["a"] = "a  shell loop + modprobe vfio-pci (the guides)"
		name["a_loop"] = "   of which the loop (overrides)"
		name["b"] = "b  vfio-claim --addrs 01:00.0 (whole run)"
		name["c"] = "c  floor: modprobe vfio-pci alone"
		name["d"] = "d  vfio-claim, vfio-pci already loaded"
		name["e"] = "e  vfio-claim --dry-run (enumerate, plan, log)"
		name["f"] = "f  vfio-claim --version (process start only)"
		name["g"] = "g  /bin/true (busybox applet start)"
		name["h"] = "h  modprobe vfio-pci + vfio_iommu_type1 (kmod'"'"'s set)"
		name["b0"] = "b0 the same as b, BASELINE binary"
		name["d0"] = "d0 the same as d, BASELINE binary"
		for (i = 1; i <= 11; i++) { s = steps[i]; if (!n[s]) continue; m[s] = median(s)
			printf "%-50s median %8.0f us  (n=%d)\n", name[s], m[s], n[s] }
		printf "own work d / shell loop a:          %.3f  (target <= 0.2)\n", m["d"] / m["a"]
		printf "own work without process start (d - f) / a: %.3f\n", (m["d"] - m["f"]) / m["a"]
		printf "own work d / the loop alone a_loop: %.1f\n", m["d"] / m["a_loop"]
		printf "whole run b / floor c:              %.2f  (target <= 1.3)\n", m["b"] / m["c"]
		printf "whole run b / the same modules h:   %.2f\n", m["b"] / m["h"]
		printf "shell loop a / floor c:             %.2f\n", m["a"] / m["c"]
		printf "module load in vfio-claim (b - d) / floor c: %.2f\n", (m["b"] - m["d"]) / m["c"]
		if (n["b0"]) printf "BASELINE: b0 / c %.2f, d0 / a %.3f; b / b0 %.2f, d / d0 %.2f\n",
			m["b0"] / m["c"], m["d0"] / m["a"], m["b"] / m["b0"], m["d"] / m["d0"]
	}' "$out/raw.txt" | tee "$out/summary.txt"
