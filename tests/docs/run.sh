#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages and the bash completion, checked against the binary they describe:
#   lint/PAGE       mandoc -T lint -W warning and man --warnings (groff) say nothing
#   options/PAGE    every option and command of `vfio-claim --help` is documented in
#                   vfio-claim(8); every config key (the kernel command line keys of --help)
#                   in vfio-claim.conf(5)
#   completion/*    the completion, driven as bash drives it (COMP_LINE, COMP_POINT), offers
#                   every command and every option of --help, and the PCI addresses and IDs
#                   of a fixture tree given with --root
#   install         make install DESTDIR=... puts the pages and the completion in place
# Usage: tests/docs/run.sh [BINARY]   (default build/vfio-claim)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$top/build/vfio-claim}")
pages="$top/man/vfio-claim.8 $top/man/vfio-claim.conf.5"
completion=$top/completion/vfio-claim.bash
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

verdict() { # NAME FILE-WITH-COMPLAINTS
	if [ -s "$2" ]; then
		echo "FAIL: docs/$1"
		sed 's/^/    /' "$2" | head -20
		failed=1
	else
		echo "PASS: docs/$1"
	fi
}

"$top/build-aux/deps.sh" man >"$work/deps" 2>&1 ||
	{ echo "FAIL: docs/deps ($(tail -1 "$work/deps"))"; exit 1; }

# The options and commands --help names; the config keys are its kernel command line keys.
"$bin" --help >"$work/help" || { echo "FAIL: docs/help (vfio-claim --help failed)"; exit 1; }
options=$(grep -oE '(^|[ ,])--[a-z][a-z-]*' "$work/help" | tr -d ' ,' | sort -u)
commands=$(sed -n 's/^ *\(Usage:\)\{0,1\} *vfio-claim \[\{0,1\}\([a-z]\{1,\}\)\]\{0,1\} .*/\2/p' \
	"$work/help" | sort -u)
keys=$(grep -oE 'vfio-claim\.[a-z-]+=' "$work/help" | sed 's/vfio-claim\.//; s/=$//' | sort -u)
[ -n "$options" ] && [ -n "$commands" ] && [ -n "$keys" ] ||
	{ echo "FAIL: docs/help (no options, commands or keys found in --help)"; exit 1; }

for page in $pages; do
	name=${page##*/}
	{
		mandoc -T lint -W warning "$page" 2>&1
		MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null
	} >"$work/lint"
	verdict "lint/$name" "$work/lint"
done

# A page as text (no overstrike), one section of it: section PAGE TITLE
section() { MANWIDTH=200 man -l "$1" 2>/dev/null | col -b | sed -n "/^$2\$/,/^[A-Z]/p"; }

: >"$work/missing"
section "$top/man/vfio-claim.8" OPTIONS >"$work/options"
for o in $options; do
	grep -qE -- "(^|[ ,])$o( |,|$)" "$work/options" || echo "option $o (vfio-claim --help)"
done >>"$work/missing"
section "$top/man/vfio-claim.8" COMMANDS >"$work/commands"
for c in $commands; do
	grep -qE "^ +$c( |$)" "$work/commands" || echo "command $c (vfio-claim --help)"
done >>"$work/missing"
verdict options/vfio-claim.8 "$work/missing"
: >"$work/missing"
section "$top/man/vfio-claim.conf.5" KEYS >"$work/keys"
for k in $keys; do
	grep -qE "^ +$k( |$)" "$work/keys" || echo "key $k (the kernel command line keys of --help)"
done >"$work/missing"
verdict options/vfio-claim.conf.5 "$work/missing"

# ---- completion ----
"$top/tests/fixture/mkfixture.sh" "$top/tests/fixture/hosts/twins.desc" "$work/tree"
# complete LINE: what the completion offers at the end of LINE, one a line
complete_line() {
	bash -c '. "$1" || exit 1
		complete -p vfio-claim >/dev/null || { echo "not registered"; exit 1; }
		COMP_LINE=$2 COMP_POINT=${#2}
		_vfio_claim
		printf "%s\n" "${COMPREPLY[@]}"' complete "$completion" "$1"
}
expect_completion() { # [--among] NAME LINE EXPECTED...: exactly these (--among: these and more)
	local among=0 name line got want
	[ "$1" = --among ] && { among=1; shift; }
	name=$1 line=$2
	shift 2
	got=$(complete_line "$line" | sort)
	want=$(printf '%s\n' "$@" | sort)
	if [ "$got" = "$want" ] ||
		{ [ $among = 1 ] && [ -z "$(comm -23 <(echo "$want") <(echo "$got"))" ]; }; then
		echo "PASS: docs/completion/$name"
	else
		echo "FAIL: docs/completion/$name"
		echo "    after '$line' expected: $(echo $want)"
		echo "    got: $(echo $got)"
		failed=1
	fi
}
# shellcheck disable=SC2086
expect_completion commands "vfio-claim " $commands
# shellcheck disable=SC2086
expect_completion --among options "vfio-claim status --" $options
t=$work/tree
expect_completion suggest-addresses "vfio-claim --root $t suggest " 0000:00:00.0 \
	0000:00:01.0 0000:00:1c.0 0000:01:00.0 0000:01:00.1 0000:02:00.0
# bash splits words at ':', so the reply is what follows the last one typed
expect_completion address-after-colon "vfio-claim --root $t release 0000:01:" 00.0 00.1
expect_completion address-list "vfio-claim --root=$t --addrs 0000:01:00.0,0000:01:00" 00.0 00.1
expect_completion ids "vfio-claim --root $t --ids 8086:" 10d3 293e 29c0
expect_completion command-prefix "vfio-claim gr" groups

# ---- install ----
: >"$work/missing"
make -s -C "$top" install DESTDIR="$work/dest" PREFIX=/usr >"$work/install.log" 2>&1 ||
	cat "$work/install.log" >>"$work/missing"
for f in usr/share/man/man8/vfio-claim.8 usr/share/man/man5/vfio-claim.conf.5 \
	usr/share/bash-completion/completions/vfio-claim; do
	[ -s "$work/dest/$f" ] || echo "make install did not install /$f"
done >>"$work/missing"
verdict install "$work/missing"
exit $failed
