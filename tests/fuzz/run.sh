#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs libFuzzer targets (built by `make fuzz-build` into DIR/fuzz-TARGET) for a bounded time
# each, several side by side, and prints one line per target:
#   PASS: fuzz/TARGET (N execs in S s, C corpus entries)
#   FAIL: fuzz/TARGET (crash|leak|timeout ..., input saved as FILE)
# Usage: tests/fuzz/run.sh [--dir DIR] [--seconds S] [--jobs J] [--keep-corpus] TARGET...
# The seed corpus is tests/fuzz/corpus/TARGET (read only); new inputs go to DIR/corpus/TARGET,
# which --keep-corpus keeps between runs (make fuzz); without it (the smoke) DIR/smoke/TARGET
# starts empty each time.
# A dictionary tests/fuzz/TARGET.dict is used when present. Totals are appended to
# DIR/totals.log (date, target, seconds, executions, result) for BENCHMARKS.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=build/fuzz seconds=30 jobs=1 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--dir) dir=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--keep-corpus) keep=1; shift ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--dir DIR] [--seconds S] [--jobs J] TARGET..." >&2; exit 2; }
mkdir -p "$dir/logs" "$dir/crashes"

run_one() {
	local t=$1 bin=$dir/fuzz-$1 log=$dir/logs/$1.log corpus=$dir/corpus/$1 dict=() execs rc art
	local seeds=$here/corpus/$1
	[ -x "$bin" ] || { echo "FAIL: fuzz/$t (no binary $bin; run make fuzz-build)"; return 1; }
	# The smoke starts from the seeds alone, in its own folder (a make fuzz may be running).
	if [ $keep = 0 ]; then
		corpus=$dir/smoke/$1 log=$dir/logs/smoke-$1.log
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus"
	[ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
	# -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a runaway allocation.
	# The kill-after timeout only guards against libFuzzer itself not stopping.
	timeout -k 10 $((seconds + 120)) "$bin" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$dir/crashes/$t-" \
		"${dict[@]}" "$corpus" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	art=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | cut -d' ' -f5)
	echo "$(date -u +%FT%TZ) $t ${seconds}s ${execs:-0} $([ $rc = 0 ] && echo ok || echo "rc=$rc $art")" \
		>>"$dir/totals.log"
	if [ $rc = 0 ]; then
		echo "PASS: fuzz/$t (${execs:-?} execs in ${seconds} s, 0 crashes, $(ls "$corpus" | wc -l) corpus entries)"
		return 0
	fi
	local what
	what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z -]+|runtime error: .*|deadly signal|timeout' "$log")
	echo "FAIL: fuzz/$t (1 crash: ${what:-exit $rc}; ${execs:-?} execs; input: ${art:-none}; log: $log)"
	grep -A12 -m1 -E '^==[0-9]+==ERROR|runtime error' "$log" | sed 's/^/    | /'
	return 1
}

failed=0
running=0
for t in "$@"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
exit $failed
