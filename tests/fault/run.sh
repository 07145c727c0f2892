#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fault injection: the real binary (built with the libkmod/libudev seams) against fixture trees
# where the sysfs writes, the driver links, the module load, /proc/cmdline and the config file
# go wrong. Every case checks: one clear message, the documented exit code, no write to any
# device that was not selected, no crash (exit < 128) and bounded time (each run under
# `timeout`). Prints "PASS: fault/NAME" / "FAIL: fault/NAME" / "SKIP: fault/NAME (why)".
# Usage: tests/fault/run.sh [BINARY]    (default build/vfio-claim-test)
# Faults come from the tree itself (a directory, a dangling symlink, /dev/full or a FIFO in
# place of driver_override), a read-only bind mount in a private mount namespace (unshare -m),
# capabilities dropped with setpriv (EACCES as root), the fake module modes of
# tests/seams/fake_module.c, and the LD_PRELOAD seam tests/fault/shim.c for the errors only
# the kernel returns (EBUSY, ENODEV, a device unplugged right after its override was written).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=$(realpath "${1:-$top/build/vfio-claim-test}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shim=$work/shim.so
cc -std=c11 -D_GNU_SOURCE -shared -fPIC -O2 -o "$shim" "$here/shim.c" -ldl 2>"$work/shim.err" ||
	shim=
failed=0
n_roots=0
LIMIT=${FAULT_TIMEOUT:-20}

# ---- helpers ----------------------------------------------------------------------------
# shellcheck source=tests/fixture/lib.sh
. "$top/tests/fixture/lib.sh"
# Everything a run could write: every regular file under sys/ (overrides, unbind, probe).
snapshot() {
	(cd "$root/sys" && find . -type f ! -path '*/fake/*' -exec md5sum {} + 2>/dev/null |
		sort -k2) >"$work/snap.$1"
}
# PREFIX... -- ARGS: runs the binary (wrapped by PREFIX, e.g. env or unshare) under timeout.
run() {
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	snapshot before
	local t0=$(date +%s%N)
	out=$(timeout -k 2 "$LIMIT" "${pre[@]}" "$bin" --root "$root" "$@" 2>&1)
	rc=$?
	took=$((($(date +%s%N) - t0) / 1000000))
	snapshot after
}
# The message appears, exactly once.
expect_once() {
	local c; c=$(grep -cF -- "$1" <<<"$out")
	[ "$c" = 1 ] || bad "expected once ($c times): $1"
}
# Files that changed all belong to the devices given (ADDR...) or to drivers_probe/unbind
# entries naming them; anything else is a write to a device that was not selected.
only_touched() {
	local f a ok
	while read -r f; do
		ok=0
		for a in "$@"; do
			case $f in ./bus/pci/devices/$a/*) ok=1 ;; esac
		done
		case $f in
		./bus/pci/drivers_probe | ./bus/pci/drivers/*/unbind)
			ok=1
			for a in $(cat "$root/sys/$f"); do
				[[ " $* " == *" $a "* ]] || ok=0
			done ;;
		esac
		[ $ok = 1 ] || bad "wrote $f (not a selected device)"
	done < <(diff <(cut -c35- "$work/snap.before") <(cut -c35- "$work/snap.after") >/dev/null;
		join -1 2 -2 2 -v 2 "$work/snap.before" "$work/snap.after" | awk '{print $1}';
		join -1 2 -2 2 "$work/snap.before" "$work/snap.after" | awk '$2 != $3 {print $1}')
}
untouched() { only_touched; }
sane() { # no crash, no hang
	[ "$rc" -lt 124 ] || bad "exit code $rc: timed out or killed by a signal"
	[ "$took" -lt $((LIMIT * 1000)) ] || bad "took $took ms"
}
case_() {
	problems=()
	out="" rc=0 took=0
	if ! "$2"; then :; fi
	if [ -n "${skip:-}" ]; then
		echo "SKIP: fault/$1 ($skip)"
		skip=
		return
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		echo "PASS: fault/$1 (${took} ms)"
	else
		echo "FAIL: fault/$1"
		printf '    %s\n' "${problems[@]}"
		sed 's/^/    | /' <<<"$out" | head -20
		failed=1
	fi
}
need_shim() { [ -n "$shim" ] || { skip="cannot build the LD_PRELOAD shim: $(head -1 "$work/shim.err")"; return 1; }; }
shim_env() { echo env LD_PRELOAD="$shim" FAULT_MARK="$work/mark" "$@"; }

# ---- driver_override write fails --------------------------------------------------------
override_errno() { # ERRNO TEXT
	need_shim || return
	fixture rx7900
	: >"$work/mark"
	# shellcheck disable=SC2046
	run $(shim_env FAULT_WRITE=/driver_override FAULT_ERRNO="$1") -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override ($2); device left as it was"
	expect_once "0000:03:00.1 [1002:ab30] failed: cannot write driver_override ($2)"
	grep -q "^fail .*/0000:03:00.0/driver_override" "$work/mark" || bad "the fault did not fire"
	grep -q "load vfio_pci" "$root/fake/calls" 2>/dev/null && bad "loaded vfio-pci with nothing to bind"
	only_touched
}
t_override_ebusy() { override_errno EBUSY "Device or resource busy"; }
t_override_eacces() { override_errno EACCES "Permission denied"; }
t_override_enodev() { override_errno ENODEV "No such device"; }
t_override_einval() { override_errno EINVAL "Invalid argument"; }

t_override_eacces_no_dac_override() { # root without CAP_DAC_OVERRIDE, attribute mode 0444
	command -v setpriv >/dev/null || { skip="no setpriv"; return; }
	fixture rx7900
	chmod 0444 "$(dev 0000:03:00.0)/driver_override"
	run setpriv --bounding-set=-dac_override,-dac_read_search -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (Permission denied)"
	expect_once "0000:03:00.1 [1002:ab30] claimed: bound to vfio-pci"
	only_touched 0000:03:00.1
}
t_override_is_directory() {
	fixture rx7900
	rm "$(dev 0000:03:00.0)/driver_override"
	mkdir "$(dev 0000:03:00.0)/driver_override"
	run -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (Is a directory)"
	only_touched 0000:03:00.1
}
t_override_dangling_symlink() {
	fixture rx7900
	ln -sf "$work/nowhere/driver_override" "$(dev 0000:03:00.0)/driver_override"
	run -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (No such file or directory)"
	only_touched 0000:03:00.1
}
t_override_enospc() {
	need_shim || return
	fixture rx7900
	# shellcheck disable=SC2046
	run $(shim_env FAULT_WRITE=0000:03:00.0/driver_override FAULT_ERRNO=ENOSPC) -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (No space left on device)"
	only_touched 0000:03:00.1
}
t_override_fifo_without_reader() { # used to hang in open(); see tests/unit/test_fileio.c
	fixture rx7900
	rm "$(dev 0000:03:00.0)/driver_override"
	mkfifo "$(dev 0000:03:00.0)/driver_override"
	LIMIT=10 run -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (No such device or address)"
	only_touched 0000:03:00.1
}
t_readonly_sysfs() { # the whole of sys/ mounted read-only in a private mount namespace
	if ! unshare -m true 2>/dev/null; then skip="unshare -m not permitted"; return; fi
	fixture twins
	run unshare -m sh -c 'mount --bind -o ro "$0" "$0" && exec "$@"' "$root/sys" -- --ids 1234:1111
	sane
	expect_rc 1
	expect_once "0000:01:00.0 [1234:1111] failed: cannot write driver_override (Read-only file system)"
	expect_once "0000:01:00.1 [8086:293e] failed: cannot write driver_override (Read-only file system)"
	expect_once "0000:00:01.0 [1234:1111] refused: is the boot VGA"
	untouched
}
t_unbind_fails() { # --unbind: the override is written, the unbind is refused by the driver
	need_shim || return
	fixture twins
	ln -s ../../drivers/bochs-drm "$(dev 0000:01:00.0)/driver"
	# shellcheck disable=SC2046
	run $(shim_env FAULT_WRITE=/drivers/bochs-drm/unbind FAULT_ERRNO=EBUSY) -- --addrs 01:00.0 --unbind
	sane
	expect_rc 1
	expect_once "0000:01:00.0 [1234:1111] failed: cannot unbind it from its driver (Device or resource busy)"
	only_touched 0000:01:00.0 0000:01:00.1
}

# ---- the device goes away ---------------------------------------------------------------
t_device_vanishes_after_override() { # unplugged right after its override was written
	need_shim || return
	fixture rx7900 "file fake/vfio-pci nobind"
	# shellcheck disable=SC2046
	run $(shim_env FAULT_VANISH="$(dev 0000:03:00.0)") -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: the device disappeared before it could be bound"
	grep -q "^vanish " "$work/mark" || bad "the fault did not fire"
	only_touched 0000:03:00.1 0000:03:00.0.gone
}
t_device_vanishes_before_write() { # gone between the scan and the write: ENODEV/ENOENT
	need_shim || return
	fixture rx7900
	# shellcheck disable=SC2046
	run $(shim_env FAULT_WRITE=0000:03:00.0/driver_override FAULT_ERRNO=ENODEV) -- --addrs 03:00.0
	sane
	expect_rc 1
	expect_once "0000:03:00.0 [1002:744c] failed: cannot write driver_override (No such device)"
	expect_once "0000:03:00.1 [1002:ab30] claimed: bound to vfio-pci"
	only_touched 0000:03:00.1
}

# ---- binding does not happen -------------------------------------------------------------
t_probe_succeeds_nothing_binds() {
	fixture twins "file fake/vfio-pci nobind"
	run -- --addrs 01:00.0
	sane
	expect_rc 1
	expect_once "0000:01:00.0 [1234:1111] failed: vfio-pci did not bind it although the kernel accepted the probe"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_driver_link_unreadable() { # "driver" is a directory, not a link: readlink gives EINVAL
	fixture twins
	mkdir "$(dev 0000:01:00.0)/driver"
	run -- --addrs 01:00.0
	sane
	expect_rc 1
	expect_once "0000:01:00.0 [1234:1111] failed: cannot read its driver link (Invalid argument)"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_drivers_probe_refused() {
	need_shim || return
	fixture twins "file fake/vfio-pci nobind"
	# shellcheck disable=SC2046
	run $(shim_env FAULT_WRITE=/bus/pci/drivers_probe FAULT_ERRNO=EINVAL) -- --addrs 01:00.0
	sane
	expect_rc 1
	expect_once "0000:01:00.0 [1234:1111] failed: the kernel refused the probe request (Invalid argument)"
	only_touched 0000:01:00.0 0000:01:00.1
}

# ---- vfio-pci cannot be loaded ------------------------------------------------------------
module_fails() { # MODE RC TEXT
	fixture twins "file fake/vfio-pci $1"
	run -- --addrs 01:00.0
	sane
	expect_rc "$2"
	[ -n "$3" ] && expect_once "$3"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_module_missing() {
	module_fails missing 1 "cannot load vfio-pci: module vfio_pci not found in the modules of this kernel"
	expect_once "0000:01:00.0 [1234:1111] failed: not bound: vfio-pci is not available"
}
t_module_enoent() { module_fails enoent 1 "cannot load vfio-pci: module vfio_pci not found"; }
t_module_eperm() { module_fails eperm 1 "cannot load vfio-pci: loading vfio_pci failed: Operation not permitted"; }
t_module_eexist() { # already loaded: not an error
	module_fails eexist 0 "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	expect_no_error
}
expect_no_error() { ! grep -qi "cannot\|failed" <<<"$out" || bad "an error was logged: $(grep -i 'cannot\|failed' <<<"$out" | head -1)"; }
t_module_eperm_modprobe_mode() { # the modprobe.d trampoline reports the load failure: exit 1
	fixture twins "file fake/vfio-pci eperm" "cmdline vfio-claim.addrs=01:00.0"
	run -- --modprobe
	sane
	expect_rc 1
	# --modprobe logs to the real /dev/kmsg (not under --root): only the exit code is seen here
	only_touched 0000:01:00.0 0000:01:00.1
}

# ---- the inputs ---------------------------------------------------------------------------
t_cmdline_missing() {
	fixture twins
	rm "$root/proc/cmdline"
	run -- --addrs 01:00.0
	sane
	expect_rc 0
	expect_no_error
	only_touched 0000:01:00.0 0000:01:00.1
}
t_cmdline_1mib_garbage() {
	fixture twins
	head -c 1048576 /dev/urandom >"$root/proc/cmdline"
	run -- --addrs 01:00.0
	sane
	expect_rc 2
	expect_once "is larger than 65536 bytes; ignoring it"
	expect_once "0000:01:00.0 [1234:1111] claimed: bound to vfio-pci"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_cmdline_64k_garbage() { # just under the limit: parsed, problems capped, nothing selected by it
	fixture twins
	# no NUL (not in a real command line) and no '"' (would quote away the last word)
	head -c 65000 /dev/urandom | tr -d '\0"' >"$root/proc/cmdline"
	printf ' vfio-claim.ids=zz' >>"$root/proc/cmdline"
	run --
	sane
	expect_rc 2
	[ "$(wc -l <<<"$out")" -le 20 ] || bad "$(wc -l <<<"$out") lines of output"
	untouched
}
t_cmdline_off_beats_garbage() {
	fixture twins
	{ head -c 30000 /dev/urandom | tr -d '\0"'; printf ' vfio-claim=off vfio-claim.ids=1234:1111'; } >"$root/proc/cmdline"
	run --
	sane
	expect_once "disabled by vfio-claim=off"
	untouched
}
t_config_nul_bytes() {
	fixture twins
	printf 'ids = 1234:1111\0,8086:293e\naddrs\0 = 02:00.0\n\0\0\0\n' >"$root/etc/vfio-claim.conf"
	run -- --no-cmdline
	sane
	expect_rc 2
	expect_once "/etc/vfio-claim.conf:1: contains a NUL byte; ignoring the line"
	expect_once "/etc/vfio-claim.conf:2: contains a NUL byte; ignoring the line"
	untouched
}
t_config_100k_lines() {
	fixture twins
	{ echo "ids = 1234:1111"; for _ in $(seq 1 10000); do printf 'x=1\n# c\n\nwait=1\nunbind=no\nids=1:2\naddrs=00:1f.7\ngroup=0\nstrict=0\ny\n'; done; } \
		>"$root/etc/vfio-claim.conf"
	[ "$(wc -l <"$root/etc/vfio-claim.conf")" -ge 100000 ] || bad "config too short"
	run -- --no-cmdline
	sane
	expect_rc 2
	expect_once "... and "
	[ "$(wc -l <<<"$out")" -le 30 ] || bad "$(wc -l <<<"$out") lines of output"
	[ "$took" -lt 5000 ] || bad "took $took ms for 100k lines"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_config_fifo() { # used to hang in open(); now refused at once as not a regular file
	fixture twins
	mkfifo "$root/etc/vfio-claim.conf"
	LIMIT=10 run -- --no-cmdline --addrs 01:00.0
	sane
	expect_rc 2
	expect_once "/etc/vfio-claim.conf: cannot read it: not a regular file; ignoring it"
	only_touched 0000:01:00.0 0000:01:00.1
}
t_config_too_big() {
	fixture twins
	head -c 2000000 /dev/zero | tr '\0' '#' >"$root/etc/vfio-claim.conf"
	run -- --no-cmdline --addrs 01:00.0
	sane
	expect_rc 2
	expect_once "/etc/vfio-claim.conf: larger than 1048576 bytes; ignoring it"
	only_touched 0000:01:00.0 0000:01:00.1
}

# ---- enumeration fails ----------------------------------------------------------------------
t_pci_scan_error() { # libpci cannot parse an entry: its error callback longjmps back to us
	fixture twins
	mkdir "$dev_dir/garbage"
	run -- --addrs 01:00.0
	sane
	expect_rc 1
	expect_once "cannot enumerate PCI devices: sysfs_scan: Couldn't parse entry name garbage"
	untouched
}
t_no_sysfs() {
	fixture twins
	rm -rf "$root/sys/bus"
	run -- --addrs 01:00.0
	sane
	expect_rc 1
	expect_once "cannot enumerate PCI devices"
}
t_path_traversal_refused() { # addresses are never used as paths before they are parsed
	fixture twins
	mkdir -p "$root/evil"
	echo "(null)" >"$root/evil/driver_override"
	run -- --addrs '../../../../evil,0000:01:00.0/../../../../evil' --ids '../../evil'
	sane
	expect_rc 2
	expect_out "bad address '../../../../evil'"
	expect_out "bad address '0000:01:00.0/../../../../evil'"
	expect_out "bad ID '../../evil'"
	[ "$(cat "$root/evil/driver_override")" = "(null)" ] || bad "wrote outside sysfs"
	untouched
	run -- release ../../../../evil
	sane
	expect_rc 2
	[ "$(cat "$root/evil/driver_override")" = "(null)" ] || bad "release wrote outside sysfs"
}

for t in $(declare -F | awk '$3 ~ /^t_/ {print $3}'); do
	case_ "${t#t_}" "$t"
done
exit $failed
