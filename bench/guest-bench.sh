# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
# Guest side of bench/boot.sh, sourced by the e2e /init (tests/e2e/guest/init) in place of a
# scenario. In one boot it times, ROUNDS times, on the same GPU pair (01:00.0 + 01:00.1):
#   a  the guides' shell loop: driver_override for each function of the card, by address,
#      then `modprobe vfio-pci` (busybox modprobe, as the initramfs has it). (The Arch wiki's
#      boot_vga variant selects nothing here: QEMU's secondary-vga is class 0380, no boot_vga.)
#   b  vfio-claim --addrs 01:00.0 (claim, load vfio-pci through libkmod, probe, verify)
#   c  the floor: `modprobe vfio-pci` alone, nothing overridden
#   d  vfio-claim --addrs 01:00.0 with vfio-pci already loaded (its own work, no module load)
#   e  vfio-claim --dry-run --addrs 01:00.0 (start, enumerate, plan, log: no write, no bind)
#   f  vfio-claim --version (starting the static binary and nothing else)
#   g  /bin/true (starting a busybox applet, for comparison)
#   h  `modprobe vfio-pci` then `modprobe vfio_iommu_type1`: the modules kmod's modprobe (and
#      vfio-claim's libkmod) load for vfio-pci; busybox's modprobe ignores softdeps, so c
#      leaves out vfio's post softdep vfio_iommu_type1, which a VM needs later
# With a second binary in the image (/sbin/vfio-claim-base, bench/boot.sh BASELINE=FILE), b and
# d are timed with it too (b0, d0), before or after b and d by turns: the same boot, so the
# host's load hits both.
# The order of a, b and c turns with the round and with bench.order= on the command line; h
# closes every round.
# Times are kmsg timestamps of "BENCH <step>-start/-end" records (µs); between the steps the
# pair is unbound, its override cleared and the vfio modules removed.
E2E_NATIVES=0
devs="0000:01:00.0 0000:01:00.1"
mark() { echo "BENCH $1" >/dev/kmsg; }
driver_of() {
	if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
		d=$(cd -P "/sys/bus/pci/devices/$1/driver" && pwd)
		echo "${d##*/}"
	else
		echo -
	fi
}
verify() { # STEP: both functions of the pair on vfio-pci?
	ok=ok
	for x in $devs; do
		[ "$(driver_of "$x")" = vfio-pci ] || ok="${ok#ok} bad:$x=$(driver_of "$x")"
	done
	echo "BENCH-VERIFY $1 $ok"
}
reset() {
	for x in $devs; do
		p=/sys/bus/pci/devices/$x
		[ -e "$p/driver" ] && echo "$x" >"$p/driver/unbind"
		echo >"$p/driver_override"
	done
	# twice: a module in use by one later in the list comes out on the second pass
	for m in $vfio_mods $vfio_mods; do
		rmmod "$m" 2>/dev/null
	done
}
# vfio-pci, vfio_iommu_type1 and what vfio-pci depends on with this kernel (modules.dep), as
# module names: vfio_virqfd before Linux 6.2 only, .ko.xz files on trixie and sid.
vfio_mods="vfio_pci vfio_iommu_type1 $(sed -n 's|^[^:]*/vfio-pci\.ko[^:]*:||p' \
	"/lib/modules/$(uname -r)/modules.dep" | tr ' ' '\n' | sed 's|.*/||; s|\.ko.*||; s|-|_|g')"
step_a() {
	# The guides' script for a card picked by address (the Arch and Gentoo wikis' form of it).
	mark a-start
	DEVS="0000:01:00.0 0000:01:00.1"
	for DEV in $DEVS; do
		echo "vfio-pci" >"/sys/bus/pci/devices/$DEV/driver_override"
	done
	mark a-loop-end
	modprobe vfio-pci
	mark a-end
	verify a
	reset
}
base=/sbin/vfio-claim-base
timed() { # STEP BINARY: one claim of the pair, marked and verified
	mark "$1-start"
	"$2" --addrs 01:00.0
	mark "$1-end"
	verify "$1"
}
by_turns() { # FUNCTION STEP: STEP with vfio-claim and STEP0 with the baseline, if any, in turns
	if [ ! -x $base ]; then
		"$1" "$2" vfio-claim
	elif [ $((r % 2)) = 0 ]; then
		"$1" "$2" vfio-claim
		"$1" "${2}0" $base
	else
		"$1" "${2}0" $base
		"$1" "$2" vfio-claim
	fi
}
claim_b() { # STEP BINARY: from nothing loaded
	timed "$1" "$2"
	reset
}
step_b() { by_turns claim_b b; }
claim_d() { # STEP BINARY: vfio-pci loaded, the pair unbound
	for x in $devs; do
		[ -e "/sys/bus/pci/devices/$x/driver" ] && echo "$x" >"/sys/bus/pci/devices/$x/driver/unbind"
	done
	timed "$1" "$2"
}
step_c() {
	mark c-start
	modprobe vfio-pci
	mark c-end
	by_turns claim_d d
	mark e-start
	vfio-claim --dry-run --addrs 01:00.0
	mark e-end
	mark f-start
	vfio-claim --version >/dev/null
	mark f-end
	mark g-start
	/bin/true
	mark g-end
	reset
}
step_h() {
	mark h-start
	modprobe vfio-pci
	modprobe vfio_iommu_type1
	mark h-end
	reset
}
order=$(sed -n 's/.*bench\.order=\([0-9]*\).*/\1/p' /proc/cmdline)
rounds=$(sed -n 's/.*bench\.rounds=\([0-9]*\).*/\1/p' /proc/cmdline)
r=0
while [ "$r" -lt "${rounds:-3}" ]; do
	case $(((${order:-0} + r) % 4)) in
	0) step_a; step_b; step_c ;;
	1) step_b; step_a; step_c ;;
	2) step_c; step_a; step_b ;;
	3) step_c; step_b; step_a ;;
	esac
	step_h
	mark round-end
	r=$((r + 1))
done
