#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each suite command given as an argument, keeps its output in one log, and closes with
# "N passed, N failed". A suite prints "PASS: name" / "FAIL: name" / "SKIP: name (why)" lines
# and exits non-zero when something failed; a suite that dies without a FAIL line counts as one.
# Before the closing line it lists what could not run and why (the SKIP lines). In CI
# (CI=true) nothing may skip: .ci/run installs everything, so each SKIP counts as a failure.
set -u
log=${TALLY_LOG:-build/check.log}
mkdir -p "$(dirname "$log")"
: >"$log"
t0=$(date +%s)
for suite in "$@"; do
	echo "=== $suite" | tee -a "$log"
	start=$(date +%s)
	bash -c "$suite" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	echo "=== $suite: exit $rc, $(($(date +%s) - start)) s" | tee -a "$log"
	if [ "$rc" -ne 0 ] && ! grep -q "^FAIL: " <(sed -n "/^=== $(printf '%s' "$suite" | sed 's/[][\.*^$/]/\\&/g')\$/,\$p" "$log"); then
		echo "FAIL: suite '$suite' exited $rc" | tee -a "$log"
	fi
done
passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
skipped=$(grep -c '^SKIP: ' "$log")
if [ "$skipped" -gt 0 ]; then
	echo "--- could not run (SKIP: name (why)):"
	grep '^SKIP: ' "$log"
	if [ "${CI:-}" = true ]; then
		echo "--- CI=true: every skip counts as a failure"
		failed=$((failed + skipped))
	fi
fi
if [ "$(grep -c '^FAIL: ' "$log")" -gt 0 ]; then
	echo "--- failures:"
	grep '^FAIL: ' "$log"
fi
echo "--- $# suites in $(($(date +%s) - t0)) s (log: $log)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
