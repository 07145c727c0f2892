#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale benchmark: generated fixture trees of 64, 512 and 4096 PCI devices (bench/gen-host.sh,
# tests/fixture/mkfixture.sh). For each size:
#   plan time      BUILD/plan-bench: median of 51 plan_build() runs on the enumerated tree, for
#                  the typical selection (every GPU by ID, one by address) and the worst one
#                  (ffffffff:ffffffff selects every device)
#   whole run      BUILD/vfio-claim-test --dry-run (enumerate, plan, log): wall time and peak
#                  RSS from /usr/bin/time -v
#   instructions   callgrind: the whole run, and plan_build() alone (--toggle-collect)
# Usage: bench/scale.sh [BUILD] [SIZES...]    Results also in BUILD/bench/scale.txt
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(realpath "${1:-build}")
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(64 512 4096)
out=$build/bench
mkdir -p "$out"
# Trees in memory when possible: the figures are about vfio-claim, not the disk.
tmp=/tmp
[ -w /dev/shm ] && tmp=/dev/shm
work=$(mktemp -d -p "${BENCH_TMP:-$tmp}")
trap 'rm -rf "$work"' EXIT
typ_ids=1002:744c typ_addrs=0000:01:00.0

printf '%-6s %-9s %-12s %-12s %-12s %-10s %-10s %-14s %-14s\n' devices selected \
	plan_typ_us plan_all_us scan_us run_ms rss_kib run_Ir plan_Ir | tee "$out/scale.txt"
for n in "${sizes[@]}"; do
	root=$work/$n
	"$here/gen-host.sh" "$n" >"$work/$n.desc"
	"$top/tests/fixture/mkfixture.sh" "$work/$n.desc" "$root"
	# shellcheck disable=SC2046
	set -- $("$build/plan-bench" "$root" 51 "$typ_ids" "$typ_addrs")
	ndev=$2 sel=$4 scan=$6 typ=$8
	set -- $("$build/plan-bench" "$root" 21 ffffffff:ffffffff -)
	all=$8
	/usr/bin/time -v -o "$work/time" "$build/vfio-claim-test" --root "$root" --no-cmdline \
		--dry-run --ids "$typ_ids" --addrs "$typ_addrs" >/dev/null 2>&1
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.0f", s * 1000 }' "$work/time")
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time")
	ir() { # instructions callgrind collected, with extra options
		valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$build/vfio-claim-test" \
			--root "$root" --no-cmdline --dry-run --ids "$typ_ids" --addrs "$typ_addrs" 2>&1 \
			>/dev/null | awk '/Collected :/ { print $NF }'
	}
	run_ir=$(ir)
	plan_ir=$(ir --toggle-collect=plan_build)
	printf '%-6s %-9s %-12s %-12s %-12s %-10s %-10s %-14s %-14s\n' "$ndev" "$sel" "$typ" "$all" \
		"$scan" "$wall" "$rss" "$run_ir" "$plan_ir" | tee -a "$out/scale.txt"
done
echo "(plan_*_us: median µs of plan_build(); scan_us: one pci_scan(); run_ms/rss_kib:" \
	"/usr/bin/time -v of vfio-claim-test --dry-run; *_Ir: callgrind instructions)" | tee -a "$out/scale.txt"
