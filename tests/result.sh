# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# The rule for a test that cannot run, shared by the suites (source it from bash): outside CI
# it says "SKIP: NAME (why)"; in CI (CI=true) nothing may skip, so the same line is a FAIL.
# CI machines install everything (.ci/run), so a missing prerequisite there is a bug.

# result_skip NAME WHY: prints the line; returns 1 in CI (a failure), 0 otherwise.
result_skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $1 (cannot run in CI: $2)"
		return 1
	fi
	echo "SKIP: $1 ($2)"
}
