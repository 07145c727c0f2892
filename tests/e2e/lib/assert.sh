# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Part of tests/e2e/lib.sh (see there for the interface): reading a console log, and the one
# set of assertions both boot suites (tests/e2e, tests/generators) use. The e2e_* functions
# take the log as an argument; the expect_* ones read $LOG (and $IMAGE), print an indented
# reason and return 1 when they do not hold, and print nothing when they do.

e2e_table() {
	sed -n '/^VFIO-CLAIM-E2E-TABLE-BEGIN/,/^VFIO-CLAIM-E2E-TABLE-END/p' "$1" |
		grep -E '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] '
}

e2e_driver() { e2e_table "$1" | awk -v a="$2" '$1 == a { print $4 }'; }
e2e_override() { e2e_table "$1" | awk -v a="$2" '$1 == a { print $5 }'; }

# _e2e_same GOT WANT WHAT [NOTHING]: 0 when GOT is WANT; otherwise prints "    WHAT, got GOT"
# (NOTHING, default "(absent)", when GOT is empty) and returns 1.
_e2e_same() {
	[ "$1" = "$2" ] && return 0
	echo "    $3, got ${1:-${4:-(absent)}}"
	return 1
}

e2e_expect_driver() { _e2e_same "$(e2e_driver "$1" "$2")" "$3" "expected $2 on $3"; }

e2e_expect_log() {
	local log=$1 lines f
	shift
	lines=$(grep -F -- "$1" "$log")
	for f in "${@:2}"; do lines=$(printf '%s\n' "$lines" | grep -F -- "$f"); done
	[ -n "$lines" ] && return 0
	echo "    expected a log line containing: $*"
	return 1
}

e2e_expect_no_log() {
	grep -qF -- "$2" "$1" || return 0
	echo "    unexpected log line: $(grep -F -- "$2" "$1" | head -1)"
	return 1
}

e2e_rc() { awk -v l="$2" '$1 == "E2E-RC" && $2 == l { print $3 }' "$1" | tail -1; }

# ---- assertions (print an indented reason and return 1) ----
# expect_table D1 D2 D3 D4: drivers of 00:01.0 (boot VGA), 01:00.0, 01:00.1, 02:00.0 (NIC).
expect_table() {
	local a r=0 addrs=(0000:00:01.0 0000:01:00.0 0000:01:00.1 0000:02:00.0)
	if ! e2e_table "$LOG" | grep -q .; then
		echo "    no driver table in the console log (guest did not finish?)"
		return 1
	fi
	for a in "${addrs[@]}"; do
		e2e_expect_driver "$LOG" "$a" "$1" || r=1
		shift
	done
	return $r
}
expect_driver() { e2e_expect_driver "$LOG" "$1" "$2"; }
expect_not_driver() {
	local got
	got=$(e2e_driver "$LOG" "$1")
	[ -n "$got" ] && [ "$got" != "$2" ] && return 0
	echo "    expected $1 present and not on $2, got ${got:-(absent)}"
	return 1
}
expect_override() {
	_e2e_same "$(e2e_override "$LOG" "$1")" "$2" "expected driver_override of $1 to be $2"
}
# expect_log TEXT [ALSO...]: some console/kmsg line contains TEXT and every ALSO.
expect_log() { e2e_expect_log "$LOG" "$@"; }
expect_no_log() { e2e_expect_no_log "$LOG" "$1"; }
expect_rc() {
	_e2e_same "$(e2e_rc "$LOG" "$1")" "$2" "expected '$1' to exit $2" \
		"(no exit code: did it run?)"
}
# expect_log_count TEXT N [ALSO...]: the first vfio-claim run of the boot logged exactly N lines
# containing TEXT (and every ALSO), counted in kmsg (dmesg dump, by PID) or in its own output
# (the guest's `run claim`), whichever holds more, so a line both on stderr and in kmsg counts once.
expect_log_count() {
	local text=$1 n=$2 k o pid f lines
	shift 2
	k=$(sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' "$LOG" | grep -F 'vfio-claim[')
	pid=$(printf '%s\n' "$k" | grep -o 'vfio-claim\[[0-9]*\]' | head -1)
	k=$(printf '%s\n' "$k" | grep -F -- "${pid:-vfio-claim[}" | grep -F -- "$text")
	o=$(grep '^E2E-OUT claim: ' "$LOG" | grep -F -- "$text")
	for f in "$@"; do
		k=$(printf '%s\n' "$k" | grep -F -- "$f")
		o=$(printf '%s\n' "$o" | grep -F -- "$f")
	done
	lines=$k
	[ "$(printf '%s' "$o" | grep -c .)" -gt "$(printf '%s' "$k" | grep -c .)" ] && lines=$o
	[ "$(printf '%s' "$lines" | grep -c .)" -eq "$n" ] && return 0
	echo "    expected $n line(s) from the first vfio-claim run containing '$text' $*, got:"
	printf '%s\n' "$lines" | head -5 | cut -c1-200 | sed 's/^/      /'
	return 1
}
# doctor's exit code matches its last line; with an argument, it must also be that code.
expect_doctor_rc() {
	local rc last
	rc=$(e2e_rc "$LOG" doctor)
	last=$(grep '^E2E-OUT doctor: doctor: ' "$LOG" | tail -1)
	case $last in
	*"no problems found"*)
		[ "$rc" = 0 ] || { echo "    doctor found no problems but exited ${rc:-?}"; return 1; } ;;
	*" problem(s) found"* | *" problems found"* | *" problem found"*)
		[ "$rc" = 1 ] || { echo "    doctor found problems but exited ${rc:-?}"; return 1; } ;;
	*) echo "    doctor printed no closing 'doctor: ...' line (exit ${rc:-?})"; return 1 ;;
	esac
	[ $# -eq 0 ] || [ "$rc" = "$1" ] || { echo "    expected doctor to exit $1, got $rc"; return 1; }
}
# The image holds no shared object, and every executable in it is statically linked.
expect_static_image() {
	local x r=0 f
	x=$(mktemp -d)
	(cd "$x" && cpio -id --quiet --no-absolute-filenames <"$IMAGE" 2>/dev/null)
	f=$(find "$x" -name '*.so' -o -name '*.so.*' -o -name 'ld-linux*')
	[ -z "$f" ] || { echo "    shared libraries in the image:" "${f//$x/}"; r=1; }
	while IFS= read -r f; do
		case $(file -b "$f") in
		*ELF*relocatable*) ;;
		*ELF*executable*interpreter* | *ELF*executable*dynamically*)
			echo "    dynamic executable in the image: ${f#"$x"}"
			r=1
			;;
		esac
	done < <(find "$x" -type f)
	[ -e "$x/sbin/vfio-claim" ] || { echo "    no /sbin/vfio-claim in the image"; r=1; }
	rm -rf "$x"
	return $r
}

# The kernel prints "Invalid ELF header magic" when it is handed a module it cannot read as
# ELF: a compressed .ko.xz that the loader did not decompress. vfio-claim's libkmod must
# decompress trixie's and sid's modules itself, so no such line may fall inside a `run`
# window of the e2e guest (the E2E-KMSG-BEGIN/END LABEL marks its /init writes to kmsg), nor
# anywhere in a generator image's kernel log, where every loader is kmod's or vfio-claim's.
expect_clean_module_loads() {
	local bad
	bad=$(awk '/E2E-KMSG-BEGIN / { l = $NF; next } /E2E-KMSG-END / { l = ""; next }
		/Invalid ELF header magic/ && (l != "" || /^VFIO-CLAIM-GEN-KMSG/) {
			print (l == "" ? "boot" : l) ": " $0 }' "$LOG")
	[ -z "$bad" ] && return 0
	echo "    a module reached the kernel undecompressed:"
	printf '%s\n' "$bad" | head -3 | cut -c1-160 | sed 's/^/      /'
	return 1
}

# expect_window_log LABEL TEXT: the kernel logged TEXT while the guest's `run LABEL` ran
# (e.g. vfio's banner: the module was loaded by that command, not by someone else).
expect_window_log() {
	awk -v l="$1" -v t="$2" '$0 ~ ("E2E-KMSG-BEGIN " l "$") { on = 1; next }
		$0 ~ ("E2E-KMSG-END " l "$") { on = 0 } on && index($0, t) { found = 1 }
		END { exit !found }' "$LOG" && return 0
	echo "    expected the kernel to log '$2' during '$1'"
	return 1
}

# expect_claim_runs N: at least N vfio-claim processes logged to kmsg (told apart by PID), in
# the e2e guest's dmesg dump or a generator image's VFIO-CLAIM-GEN-KMSG lines.
expect_claim_runs() {
	local n
	n=$(awk '/^E2E-DMESG-BEGIN/ { on = 1 } /^E2E-DMESG-END/ { on = 0 }
		on || /^VFIO-CLAIM-GEN-KMSG/' "$LOG" |
		grep -o 'vfio-claim\[[0-9]*\]' | sort -u | wc -l)
	[ "$n" -ge "$1" ] && return 0
	echo "    expected at least $1 vfio-claim run(s) in the kernel log, saw $n"
	return 1
}
