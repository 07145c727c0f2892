#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Offline tests of the Nix side: nix/module.nix evaluated inside real NixOS (nixpkgs lib/ + nixos/
# of August 2024) with a stub package set, nix/package.nix and flake.nix
# evaluated with the same stub, and every .nix file parsed. Needs only Debian's nix-bin
# (build-aux/deps.sh nix); nothing is built and nothing is written under /nix: Nix runs with the
# dummy:// store (even a read-only local store would create /nix/store) and a state directory in
# a temporary folder, so it works as root in a container without a nixbld group or a sandbox.
#
# The NixOS tree, first found of: NIXPKGS= (a nixpkgs checkout, or a tarball of one: lib/ and
# nixos/ are enough), ../shared/nixpkgs/nixos-lib-2024-08.tar.xz beside the checkout, the
# nixpkgs that `nix-instantiate --find-file nixpkgs` finds (a channel or NIX_PATH).
# Prints PASS:/FAIL: nix/<name> per test; SKIP (FAIL in CI) when nix-instantiate or the NixOS
# tree is missing, with the reason.
# NIX_TESTS_JOBS=N runs N evaluations at once (default: CPUs, at most 4; each takes ~1-2 s and ~250 MB).
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

# shellcheck source=tests/result.sh
. "$repo/tests/result.sh"
if ! command -v nix-instantiate >/dev/null 2>&1; then
	result_skip nix "nix-instantiate not installed; build-aux/deps.sh nix"
	exit
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vfio-claim-nix.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/state" "$tmp/out"

# Evaluation only: a private state directory, no build users, no store at all, no network.
export NIX_STATE_DIR="$tmp/state" NIX_LOG_DIR="$tmp/state/log"
export NIX_CONFIG="store = dummy://
build-users-group =
substituters ="
tree=${NIXPKGS:-}
shared=$(dirname "$repo")/shared/nixpkgs/nixos-lib-2024-08.tar.xz
[ -z "$tree" ] && [ -f "$shared" ] && tree=$shared
# the user's own nixpkgs (channel, NIX_PATH), looked up before the search path is emptied
[ -z "$tree" ] && tree=$(nix-instantiate --find-file nixpkgs 2>/dev/null)
export NIX_PATH="" HOME="$tmp"
eval_opts=(--eval --strict)

failed=0
pass() { echo "PASS: nix/$1"; }
fail() {
	echo "FAIL: nix/$1"
	failed=1
}

# --- every .nix file parses
while IFS= read -r f; do
	name="parse-${f#./}"
	if out=$(nix-instantiate --parse "$repo/$f" 2>&1 >/dev/null); then
		pass "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done < <(cd "$repo" && find . -name '*.nix' -not -path './.git/*' -not -path './build/*' | sort)

# --- the Nix snippets in nix/README.md parse (as an expression, or as the body of a module
# whose arguments include the flake input `vfio-claim`)
readme_bad=""
n=0
while IFS= read -r -d '' snippet; do
	n=$((n + 1))
	if ! printf '%s\n' "$snippet" | nix-instantiate --parse - >/dev/null 2>&1 &&
		! printf '{ config, lib, pkgs, vfio-claim, ... }: {\n%s\n}\n' "$snippet" |
		nix-instantiate --parse - >/dev/null 2>&1; then
		readme_bad="$readme_bad $n"
	fi
done < <(awk '/^ *```nix$/ { on = 1; next } /^ *```$/ && on { on = 0; printf "%c", 0; next } on' "$repo/nix/README.md")
if [ "$n" -gt 0 ] && [ -z "$readme_bad" ]; then
	pass "readme-snippets"
else
	fail "readme-snippets"
	echo "    nix/README.md: $n nix blocks, unparsable:${readme_bad:- (none found)}"
fi

if [ -z "$tree" ]; then
	why="no NixOS tree: set NIXPKGS= to a nixpkgs checkout or tarball,"
	result_skip nix/nixos-evaluations "$why or put ${shared##*/} in ${shared%/*}"
	exit
fi
if [ -d "$tree" ]; then
	nixpkgs=$tree
elif mkdir "$tmp/tree" && tar -xf "$tree" -C "$tmp/tree" 2>/dev/null; then
	nixpkgs=$tmp/tree
	# a tarball of a whole checkout has one top folder
	[ -f "$nixpkgs/nixos/lib/eval-config.nix" ] || nixpkgs=$(echo "$tmp"/tree/*/)
	nixpkgs=${nixpkgs%/}
else
	nixpkgs=
fi
if [ ! -f "$nixpkgs/nixos/lib/eval-config.nix" ]; then
	fail "nixpkgs-tree"
	echo "    no nixos/lib/eval-config.nix in $tree"
	exit 1
fi

# --- evaluations, run NIX_TESTS_JOBS at a time; each writes $tmp/out/<name>.{rc,log}
jobs_max=${NIX_TESTS_JOBS:-$(n=$(nproc 2>/dev/null || echo 2); [ "$n" -gt 4 ] && n=4; echo "$n")}
order=()

# run_eval NAME NIX-INSTANTIATE-ARGS...
run_eval() {
	local name=$1
	shift
	order+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n 2>/dev/null || sleep 0.1
	done
	(
		start=$(date +%s%N)
		nix-instantiate "${eval_opts[@]}" "$@" >"$tmp/out/$name.log" 2>&1
		echo $? >"$tmp/out/$name.rc"
		echo $((($(date +%s%N) - start) / 1000000)) >"$tmp/out/$name.ms"
	) &
}

cases="$here/cases.nix"

# Cases that must evaluate to [] (the list of failed expectations).
for name in scripted systemd seed-scripted seed-systemd specialisation-scripted \
	specialisation-systemd options-scripted options-systemd softdep-merge-scripted \
	softdep-merge-systemd install-warning disabled package flake vm-nodes; do
	run_eval "$name" --json "$cases" --arg nixpkgs "$nixpkgs" -A "$name"
done

# Cases that must fail evaluation, with the error naming the offending option:
# name | module | expected text in the error
bad_cases=(
	'reject-misspelled-option|{ boot.initrd.vfio-claim = { enable = true; idz = [ "1002:744c" ]; }; }|The option `boot.initrd.vfio-claim.idz'"'"' does not exist'
	'reject-misspelled-flag|{ boot.initrd.vfio-claim = { enable = true; allowBootVGA = true; }; }|The option `boot.initrd.vfio-claim.allowBootVGA'"'"' does not exist'
	'reject-malformed-id|{ boot.initrd.vfio-claim = { enable = true; ids = [ "1002:74g4" ]; }; }|boot.initrd.vfio-claim.ids'
	'reject-id-too-many-fields|{ boot.initrd.vfio-claim = { enable = true; ids = [ "1:2:3:4:5:6:7" ]; }; }|boot.initrd.vfio-claim.ids'
	'reject-id-as-string|{ boot.initrd.vfio-claim = { enable = true; ids = "1002:744c"; }; }|boot.initrd.vfio-claim.ids'
	'reject-malformed-address|{ boot.initrd.vfio-claim = { enable = true; addresses = [ "03:20.0" ]; }; }|boot.initrd.vfio-claim.addresses'
	'reject-negative-wait|{ boot.initrd.vfio-claim = { enable = true; wait = -1; }; }|boot.initrd.vfio-claim.wait'"'"' is not of type'
	'reject-wait-too-long|{ boot.initrd.vfio-claim = { enable = true; wait = 601; }; }|boot.initrd.vfio-claim.wait'"'"' is not of type'
	'reject-unbind-string|{ boot.initrd.vfio-claim = { enable = true; unbind = "yes"; }; }|boot.initrd.vfio-claim.unbind'"'"' is not of type'
	'reject-driver-injection|{ boot.initrd.vfio-claim = { enable = true; hostDrivers = [ "amdgpu pre: evil" ]; }; }|boot.initrd.vfio-claim.hostDrivers'
)
for entry in "${bad_cases[@]}"; do
	IFS='|' read -r name module _ <<<"$entry"
	run_eval "$name" -E "(import $cases { nixpkgs = $nixpkgs; }).reject ($module)"
done
wait

# --- report in a stable order
for name in "${order[@]}"; do
	rc=$(cat "$tmp/out/$name.rc" 2>/dev/null || echo 127)
	log="$tmp/out/$name.log"
	want_fail=""
	for entry in "${bad_cases[@]}"; do
		IFS='|' read -r bname _ expect <<<"$entry"
		[ "$bname" = "$name" ] && want_fail=$expect
	done
	if [ -n "$want_fail" ]; then
		if [ "$rc" -ne 0 ] && grep -qF -- "$want_fail" "$log"; then
			pass "$name"
		else
			fail "$name"
			echo "    expected evaluation to fail with: $want_fail (exit $rc)"
			grep -v '^trace: evaluation warning' "$log" | head -8 | sed 's/^/    /'
		fi
	else
		result=$(grep -v '^trace: ' "$log" | tail -1)
		if [ "$rc" -eq 0 ] && [ "$result" = "[]" ]; then
			pass "$name"
		else
			fail "$name"
			echo "    exit $rc:"
			grep -v '^trace: evaluation warning' "$log" | tail -12 | sed 's/^/    /'
		fi
	fi
	[ -n "${NIX_TESTS_VERBOSE:-}" ] && echo "    ($(cat "$tmp/out/$name.ms") ms)"
done

exit $failed
