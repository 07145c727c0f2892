#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind memcheck (--leak-check=full, every leak kind an error) of the unit tests and of a
# few runs of the fixture-test binary that cover each command and the error paths; with
# --full, the whole fixture suite runs with every binary call under valgrind.
# Prints "PASS: valgrind/NAME" / "FAIL: valgrind/NAME". Usage: valgrind.sh [--full] [BUILD]
# No suppressions: libpci's error path is taken per device (src/pci.c) and leaks nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
full=0
[ "${1:-}" = --full ] && { full=1; shift; }
build=$(realpath "${1:-build}")
command -v valgrind >/dev/null || { echo "SKIP: valgrind (not installed: build-aux/deps.sh fuzz)"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vg=(valgrind -q --error-exitcode=86 --leak-check=full --show-leak-kinds=all
	--errors-for-leak-kinds=definite,indirect,possible)
failed=0

# NAME LOG CMD...: passes when valgrind reported nothing (exit 86 and "==PID==" lines mean it did)
check() {
	local name=$1 log=$2 rc
	shift 2
	timeout 120 "${vg[@]}" --log-file="$log" "$@" >"$log.out" 2>&1
	rc=$?
	if [ $rc = 86 ] || [ $rc = 124 ] || grep -q '^==[0-9]*==' "$log"; then
		echo "FAIL: valgrind/$name (exit $rc)"
		sed 's/^/    | /' "$log" | head -30
		failed=1
	else
		echo "PASS: valgrind/$name"
	fi
}

check unit "$work/unit.vg" "$build/unit-tests"

if [ $full = 1 ]; then
	# Every call of the binary in the fixture suite goes through valgrind; a report makes the
	# call exit 86, which no case expects, and is kept in $work/vg.* for the summary below.
	cat >"$work/vfio-claim-test" <<EOF
#!/bin/sh
exec ${vg[*]} --log-file=$work/vg.%p "$build/vfio-claim-test" "\$@"
EOF
	chmod +x "$work/vfio-claim-test"
	"$here/../fixture/run.sh" "$work/vfio-claim-test" | sed -E 's/^(PASS|FAIL|SKIP): /\1: valgrind\//'
	rc=${PIPESTATUS[0]}
	reports=$(find "$work" -name 'vg.*' -size +0 | wc -l)
	if [ "$reports" -gt 0 ]; then
		echo "FAIL: valgrind/reports ($reports run(s) with valgrind errors)"
		find "$work" -name 'vg.*' -size +0 -exec cat {} + | head -40 | sed 's/^/    | /'
		failed=1
	else
		echo "PASS: valgrind/reports"
	fi
	[ "$rc" = 0 ] || failed=1
	exit $failed
fi

# A few runs that between them go through every command, the claim and its verification,
# the wait loop, the JSON writer, the bad-input paths and libpci's error path.
bin=$build/vfio-claim-test
mk() { # HOST [EXTRA LINES...] -> $root
	root=$work/root.$((++n))
	{ cat "$here/../fixture/hosts/$1.desc"; shift; printf '%s\n' "$@"; } >"$work/desc"
	"$here/../fixture/mkfixture.sh" "$work/desc" "$root"
}
n=0
mk rx7900 "cmdline vfio-claim.addrs=03:00.0 vfio-claim.ids=@@@,1002:ab30"
check claim-by-address "$work/1.vg" "$bin" --root "$root"
check status-json "$work/2.vg" "$bin" --root "$root" status --json --ids 1002:744c
check doctor "$work/3.vg" "$bin" --root "$root" doctor --addrs 03:00.0
check release "$work/4.vg" "$bin" --root "$root" release 0000:03:00.0 03:00.1
mk twins "file etc/vfio-claim.conf ids = 1234:1111\nwait = 1\naddrs = 05:00.0\nbogus line"
check config-wait-missing "$work/5.vg" "$bin" --root "$root"
mk sata-shared "file fake/vfio-pci missing"
check group-module-missing "$work/6.vg" "$bin" --root "$root" --addrs 05:00.0 --group --unbind
mk twins
head -c 1048576 /dev/urandom >"$root/proc/cmdline"
check cmdline-1mib-garbage "$work/7.vg" "$bin" --root "$root" --ids 1234:1111
# libpci's error callback (it longjmps out of libpci) for one unreadable device, and an
# entry libpci cannot take at all
mk twins
rm "$root/sys/bus/pci/devices/0000:01:00.0/vendor"
mkdir "$root/sys/bus/pci/devices/garbage"
check pci-scan-error "$work/8.vg" "$bin" --root "$root" --addrs 01:00.0
exit $failed
