#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Size benchmark: the static vfio-claim against what a shell approach has to put into an
# initramfs that has nothing yet (a shell with echo/cat/sed, and a modprobe), as Debian 12
# ships them. Sizes are of the files as installed (bytes, then MiB), not compressed.
# Usage: bench/size.sh [STATIC-BINARY]     (default build/static/vfio-claim)
set -u
bin=${1:-build/static/vfio-claim}
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
row() { printf '%-58s %10s  %6s MiB\n' "$1" "$2" "$(mib "$2")"; }
libs_of() { # FILE... -> the shared objects they load, the loader included, deduplicated
	ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' |
		sort -u
}
sum() { local t=0 f; for f in "$@"; do t=$((t + $(stat -L -c %s "$f"))); done; echo $t; }

if [ -x "$bin" ]; then
	kind=dynamic; file -L "$bin" | grep -q "statically linked" && kind=static
	row "vfio-claim, $kind ($bin)" "$(stat -c %s "$bin")"
	strip -o "${TMPDIR:-/tmp}/vfio-claim.stripped.$$" "$bin" &&
		row "  stripped" "$(stat -c %s "${TMPDIR:-/tmp}/vfio-claim.stripped.$$")"
	rm -f "${TMPDIR:-/tmp}/vfio-claim.stripped.$$"
else
	echo "vfio-claim static binary: not built ($bin; make STATIC=1)"
fi
bb=$(command -v busybox || echo /bin/busybox)
[ -e /bin/busybox ] && bb=/bin/busybox
row "busybox-static ($bb: sh, echo, cat, sed, modprobe)" "$(sum "$bb")"
kmod=$(command -v kmod)
mapfile -t kl < <(libs_of "$kmod")
row "kmod ($kmod) + its libraries (${#kl[@]}: $(printf '%s ' "${kl[@]##*/}"))" "$(sum "$kmod" "${kl[@]}")"
dash=$(command -v dash)
mapfile -t dl < <(libs_of "$dash" /bin/sed /bin/cat)
row "dash + sed + cat + their libraries" "$(sum "$dash" /bin/sed /bin/cat "${dl[@]}")"
row "shell approach A: busybox-static alone" "$(sum "$bb")"
row "shell approach B: busybox-static + kmod + libraries" "$(sum "$bb" "$kmod" "${kl[@]}")"
mapfile -t al < <(libs_of "$dash" /bin/sed /bin/cat "$kmod")
row "shell approach C: dash, sed, cat, kmod + libraries" "$(sum "$dash" /bin/sed /bin/cat "$kmod" "${al[@]}")"
