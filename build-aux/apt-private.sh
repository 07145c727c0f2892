#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# apt-private.sh - a private apt configuration derived from this system's own Debian mirror.
#
# Usage: build-aux/apt-private.sh DIR TYPE SUITE...
#   TYPE is deb or deb-src. The system's deb entries for its own release (CODENAME,
#   CODENAME-updates, CODENAME-security, wherever its sources list them) are written again
#   with TYPE, once for every SUITE, CODENAME replaced by SUITE. sid, unstable and
#   experimental have no -updates or -security suites, so they get the bare suite only.
#   Other repositories (third-party, backports) are left out: they rarely carry what we
#   fetch, and one missing index makes `apt-get update` fail.
#
# Writes DIR/sources.list, DIR/sources.list.d/, DIR/lists/, DIR/cache/, an empty package
# status and an empty preferences folder (the system's pinning and installed packages must
# not change what we resolve), then prints the apt options that use them, one word per line:
#     mapfile -t opts < <(build-aux/apt-private.sh DIR deb trixie sid)
#     apt-get "${opts[@]}" update
# /etc/apt and /var/lib/apt are never written. Fetching (apt-get update) is the caller's.
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 DIR deb|deb-src SUITE..." >&2; exit 2; }
dir=$1 type=$2
shift 2
case $type in deb | deb-src) ;; *) echo "apt-private: bad type '$type'" >&2; exit 2 ;; esac

# shellcheck disable=SC1091
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "$codename" ]; then
	echo "apt-private: /etc/os-release names no release (VERSION_CODENAME)" >&2
	exit 1
fi

# Both awk programs get codename, type and targets (the SUITE words). suites() maps one
# suite of the system's release to the same suite of every target: bookworm-security ->
# trixie-security; a suite of another release maps to nothing.
# shellcheck disable=SC2016  # awk programs, not shell
map_suites='
function suites(s,   n, i, t, rest, out) {
	if (s != codename && index(s, codename "-") != 1)
		return ""
	rest = substr(s, length(codename) + 1)
	n = split(targets, t, " ")
	out = ""
	for (i = 1; i <= n; i++)
		if (rest == "" || t[i] !~ /^(sid|unstable|experimental)$/)
			out = out " " t[i] rest
	return out
}'
# shellcheck disable=SC2016
deb822='
BEGIN { RS = ""; FS = "\n" }
{
	has_deb = 0; enabled = 1; out = ""; mapped = ""
	for (i = 1; i <= NF; i++) {
		line = $i
		if (line ~ /^[ \t]*#/)
			continue
		key = tolower(line)
		if (key ~ /^types:/) {
			has_deb = line ~ /[ \t]deb([ \t]|$)/
			line = "Types: " type
		} else if (key ~ /^enabled:[ \t]*no/) {
			enabled = 0
		} else if (key ~ /^suites:/) {
			n = split(substr(line, 8), s, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (s[j] != "")
					mapped = mapped suites(s[j])
			line = "Suites:" mapped
		}
		out = out line "\n"
	}
	if (has_deb && enabled && mapped != "")
		printf "%s\n", out
}'
# shellcheck disable=SC2016
oneline='
$1 == "deb" {
	i = 2
	if ($i ~ /^\[/)		# deb [ option=value ... ] uri suite component...
		while ($i !~ /\]$/ && i < NF)
			i++
	else
		i = 1
	n = split(suites($(i + 2)), t, " ")
	for (j = 1; j <= n; j++) {
		line = $0
		sub(/^deb/, type, line)
		$0 = line
		$(i + 2) = t[j]
		print
		$0 = line
	}
}'

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/sources.list.d" \
	"$dir/preferences.d"
rm -f "$dir"/sources.list.d/*
: >"$dir/status"
# Where this system keeps its sources (normally /etc/apt/sources.list{,.d}).
eval "$(apt-config shell sl Dir::Etc::SourceList/f sp Dir::Etc::SourceParts/d)"
: >"$dir/sources.list"
for f in "${sl:-}" "${sp:-}"*.list; do
	[ -f "$f" ] || continue
	awk -v codename="$codename" -v type="$type" -v targets="$*" "$map_suites$oneline" "$f" \
		>>"$dir/sources.list"
done
for f in "${sp:-}"*.sources; do
	[ -f "$f" ] || continue
	awk -v codename="$codename" -v type="$type" -v targets="$*" "$map_suites$deb822" "$f" \
		>"$dir/sources.list.d/${f##*/}"
done
if ! grep -qs "^$type \|^Types: $type" "$dir/sources.list" "$dir"/sources.list.d/*; then
	echo "apt-private: no Debian 'deb' entries for '$codename' in ${sl:-?} or ${sp:-?}" >&2
	exit 1
fi

opts=(Dir::Etc::SourceList="$dir/sources.list" Dir::Etc::SourceParts="$dir/sources.list.d"
      Dir::State::Lists="$dir/lists" Dir::Cache="$dir/cache" Dir::State::status="$dir/status"
      Dir::Etc::Preferences="$dir/preferences" Dir::Etc::PreferencesParts="$dir/preferences.d"
      APT::Default-Release=)
# As root, apt downloads as user _apt, who may not enter the caller's folders. Everything
# fetched is still checked against the signed Release files.
[ "$(id -u)" -eq 0 ] && opts+=(APT::Sandbox::User=root)
for o in "${opts[@]}"; do printf -- '-o\n%s\n' "$o"; done
