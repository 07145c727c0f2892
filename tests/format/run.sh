#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make format-check: clang-format (CLANG_FORMAT, default clang-format-14: the version
# .clang-format is tuned for, in `build-aux/deps.sh format`) would change none of the files.
# One result line: "PASS: format (N files)", or "FAIL: format" with the files, the first of
# clang-format's complaints and the command that fixes them; SKIP (a FAIL in CI) without it.
# Usage: tests/format/run.sh FILE...   (the Makefile passes FORMAT_SRCS)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# shellcheck source=tests/result.sh
. tests/result.sh
cf=${CLANG_FORMAT:-clang-format-14}

[ $# -gt 0 ] || { echo "FAIL: format (no files given)"; exit 1; }
if ! command -v "$cf" >/dev/null; then
	result_skip format "$cf not installed: build-aux/deps.sh format"
	exit
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-format.XXXXXX")
trap 'rm -rf "$work"' EXIT

bad=()
for f in "$@"; do
	"$cf" --style=file --dry-run -Werror "$f" >/dev/null 2>"$work/out" || {
		bad+=("$f")
		cat "$work/out" >>"$work/all"
	}
done
if [ ${#bad[@]} -eq 0 ]; then
	echo "PASS: format ($# files)"
	exit 0
fi
echo "FAIL: format (${#bad[@]} of $# files: ${bad[*]}; fix: $cf -i ${bad[*]})"
head -20 "$work/all" | sed 's/^/    /'
exit 1
