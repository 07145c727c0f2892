#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Offline tests of the Nix side: nix/module.nix evaluated inside real NixOS (nixpkgs lib/ + nixos/
# of August 2024) with a stub package set, nix/package.nix and flake.nix
# evaluated with the same stub, and every .nix file parsed. Needs Debian's nix-bin and jq
# (build-aux/deps.sh nix); nothing is built and nothing is written under /nix: Nix runs with the
# dummy:// store (even a read-only local store would create /nix/store) and a state directory in
# a temporary folder, so it works as root in a container without a nixbld group or a sandbox.
# The config lines of the libvirt hand-over are handed to the real binary at the end
# (VFIO_CLAIM=, default build/vfio-claim; `make check-nix` builds it), SKIP without it.
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
	softdep-merge-systemd install-warning disabled package flake vm-nodes libvirt-scripted \
	libvirt-systemd libvirt-only libvirt-assertions libvirt-names; do
	run_eval "$name" --json "$cases" --arg nixpkgs "$nixpkgs" -A "$name"
done

# Cases that must fail evaluation, with the error naming the offending option:
# name | module | expected text in the error [| the function of cases.nix, default reject;
# rejectAssertion evaluates the system's toplevel, where NixOS checks its assertions]
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
	'reject-domains-as-string|{ boot.initrd.vfio-claim.libvirt = { enable = true; domains = "win11"; }; }|boot.initrd.vfio-claim.libvirt.domains'"'"' is not of type'
	'reject-libvirt-without-libvirtd|{ boot.initrd.vfio-claim.libvirt = { enable = true; domains = [ "win11" ]; }; }|set virtualisation.libvirtd.enable = true|rejectAssertion'
	'reject-libvirt-bad-domain|{ virtualisation.libvirtd.enable = true; boot.initrd.vfio-claim.libvirt = { enable = true; domains = [ "win11" "Windows 11" ]; }; }|cannot carry:|rejectAssertion'
	'reject-libvirt-bad-unit|{ virtualisation.libvirtd.enable = true; boot.initrd.vfio-claim.libvirt = { enable = true; domains = [ "*" ]; stopUnits = [ "display-manager" ]; }; }|does not take:|rejectAssertion'
	'reject-libvirt-no-domains|{ virtualisation.libvirtd.enable = true; boot.initrd.vfio-claim.libvirt.enable = true; }|boot.initrd.vfio-claim.libvirt.domains is empty|rejectAssertion'
)
for entry in "${bad_cases[@]}"; do
	IFS='|' read -r name module _ fn <<<"$entry"
	run_eval "$name" -E "(import $cases { nixpkgs = $nixpkgs; }).${fn:-reject} ($module)"
done
wait

# --- report in a stable order
for name in "${order[@]}"; do
	rc=$(cat "$tmp/out/$name.rc" 2>/dev/null || echo 127)
	log="$tmp/out/$name.log"
	want_fail="" want_fn=""
	for entry in "${bad_cases[@]}"; do
		IFS='|' read -r bname _ expect fn <<<"$entry"
		[ "$bname" = "$name" ] && want_fail=$expect want_fn=$fn
	done
	if [ -n "$want_fail" ]; then
		# an assertion case must fail as NixOS reports assertions, not on a type error
		if [ "$rc" -ne 0 ] && grep -qF -- "$want_fail" "$log" &&
			{ [ "$want_fn" != rejectAssertion ] || grep -q '^ *Failed assertions:' "$log"; }; then
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

# --- the hand-over's names and config lines, given to the real binary (make check-nix builds
# it; VFIO_CLAIM= names another): what the module writes into /etc/vfio-claim.conf must be what
# src/settings-config.c reads, and the module's assertions must reject exactly the names the
# parser would skip (or read as something else). Each run is "claim --dry-run --domain NAME"
# over an empty root: a config problem makes it exit 2, a domain the file does not list is
# logged as "not in runtime-domains", and nothing else happens there.
bin=${VFIO_CLAIM:-$repo/build/vfio-claim}
parser_tests=(libvirt-conf-with-initrd libvirt-conf-hand-over-only libvirt-parser-domains
	libvirt-parser-units)
if [ ! -x "$bin" ] || ! command -v jq >/dev/null 2>&1; then
	why="no $bin (make, or VFIO_CLAIM=)"
	command -v jq >/dev/null 2>&1 || why="jq not installed; build-aux/deps.sh nix"
	for t in "${parser_tests[@]}"; do
		result_skip "nix/$t" "$why" || failed=1
	done
	exit $failed
fi

# parse NAME CONFIG-TEXT DOMAIN: runs the binary on a root holding only that config file;
# prints its output, returns its exit status
parse() {
	local root=$tmp/parse/$1
	rm -rf "$root"
	mkdir -p "$root/etc"
	printf '%s' "$2" >"$root/etc/vfio-claim.conf"
	"$bin" --root "$root" --no-cmdline --dry-run --domain "$3" 2>&1
}
unlisted="not in runtime-domains"

if nix-instantiate "${eval_opts[@]}" --json "$cases" --arg nixpkgs "$nixpkgs" -A libvirt-conf \
	>"$tmp/libvirt-conf.json" 2>"$tmp/libvirt-conf.log"; then
	for which in with-initrd hand-over-only; do
		conf=$(jq -r --arg w "$which" '.[$w]' "$tmp/libvirt-conf.json")
		bad=""
		# not listed: exit 0 (no config problem at all) and only the notice
		out=$(parse "$which" "$conf" not-listed) ||
			bad="$bad; exit $? for an unlisted domain: $out"
		[ "$out" = "vfio-claim: domain 'not-listed' is $unlisted: leaving its devices alone" ] ||
			bad="$bad; unlisted domain: $out"
		for d in win11 win10; do
			out=$(parse "$which" "$conf" "$d")
			case $out in *"$unlisted"*) bad="$bad; $d is not listed: $out" ;; esac
		done
		if [ -z "$bad" ]; then
			pass "libvirt-conf-$which"
		else
			fail "libvirt-conf-$which"
			printf '    %s\n' "${bad#; }" "the file:" && printf '%s\n' "$conf" | sed 's/^/      /'
		fi
	done
else
	for which in with-initrd hand-over-only; do fail "libvirt-conf-$which"; done
	tail -5 "$tmp/libvirt-conf.log" | sed 's/^/    /'
fi

# accepted KIND NAME: whether the binary takes NAME as a domain (or a unit) of its own
accepted() {
	local out
	if [ "$1" = domains ]; then
		out=$(parse name "runtime-domains = $2"$'\n' "$2") && [[ $out != *"$unlisted"* ]]
	else
		# a bad name is logged (the hook's run does not fail a domain's start for it)
		out=$(parse name "runtime-domains = *"$'\n'"runtime-stop-units = $2"$'\n' x) &&
			[[ $out != *"/etc/vfio-claim.conf:2:"* ]]
	fi
}
if nix-instantiate "${eval_opts[@]}" --json "$cases" --arg nixpkgs "$nixpkgs" -A name-rules \
	>"$tmp/name-rules.json" 2>"$tmp/name-rules.log"; then
	for kind in domains stopUnits; do
		bad=""
		for verdict in good bad; do
			n=$(jq --arg k "$kind" --arg v "$verdict" '.[$k][$v] | length' "$tmp/name-rules.json")
			for ((i = 0; i < n; i++)); do
				name=$(jq -r --arg k "$kind" --arg v "$verdict" --argjson i "$i" '.[$k][$v][$i]' \
					"$tmp/name-rules.json")
				if accepted "$kind" "$name"; then got=good; else got=bad; fi
				[ "$got" = "$verdict" ] ||
					bad="$bad $(jq -cn --arg n "$name" '$n') (the table: $verdict, the binary: $got)"
			done
		done
		t=libvirt-parser-domains
		[ "$kind" = stopUnits ] && t=libvirt-parser-units
		if [ -z "$bad" ]; then
			pass "$t"
		else
			fail "$t"
			echo "    the module and src/settings.c disagree on:$bad"
		fi
	done
else
	for t in libvirt-parser-domains libvirt-parser-units; do fail "$t"; done
	tail -5 "$tmp/name-rules.log" | sed 's/^/    /'
fi

exit $failed
