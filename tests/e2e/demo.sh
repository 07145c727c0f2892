#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: boots a small VM three times with a Debian kernel and shows, in one table, which
# driver every display/audio/network device ends up on without and with vfio-claim.
# Nothing is installed into /boot: the kernel package is unpacked into
# ${VFIO_CLAIM_CACHE:-$HOME/.cache/vfio-claim}/kernel/ (once; later runs use the cache).
# Environment: VFIO_CLAIM (default build/static/vfio-claim), E2E_ACCEL=kvm where KVM works,
#   DEMO_KERNEL (a kernel spec of tests/e2e/lib.sh, e.g. trixie; default: this system's).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
VFIO_CLAIM=${VFIO_CLAIM:-build/static/vfio-claim}
out=${DEMO_OUT:-build/demo}

say() { printf '%s\n' "$*"; }

# 1. Packages: say what is missing and why before asking for root.
if ! build-aux/deps.sh e2e 2>/dev/null; then
	pkgs=$(sed -n 's/^\te2e) echo "\(.*\)" ;;$/\1/p' build-aux/deps.sh)
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	say "make demo needs these Debian packages, which are not installed:$missing"
	say "  (QEMU to run the VM, busybox-static and cpio for its initramfs, kmod and xz-utils"
	say "   to prepare the kernel, file to check binaries)"
	if [ "$(id -u)" -eq 0 ]; then
		build-aux/deps.sh e2e || exit 1
	elif command -v sudo >/dev/null; then
		say "Installing them with: sudo apt-get install -y$missing"
		sudo build-aux/deps.sh e2e || exit 1
	else
		say "Run as root: apt-get install -y$missing"
		exit 1
	fi
fi
if [ ! -x "$VFIO_CLAIM" ]; then
	say "demo: no vfio-claim binary at $VFIO_CLAIM (build it with: make STATIC=1)"
	exit 1
fi
file -L "$VFIO_CLAIM" | grep -qE 'statically linked|static-pie linked' ||
	say "demo: note: $VFIO_CLAIM is not static; its shared libraries are copied into the VM"

# shellcheck source=tests/e2e/lib.sh
. tests/e2e/lib.sh
# The kernel: the Debian package linux-image-amd64 points to, downloaded once into the cache
# (e2e_fetch_kernel says so when it downloads).
e2e_fetch_kernel "${DEMO_KERNEL:-}" >/dev/null || exit 1
mkdir -p "$out"

# 2. Three boots of the same VM. The kernel command line is a typical passthrough setup.
ids=1234:1111
cat >"$out/1.guest" <<'EOF'
natives
EOF
cat >"$out/2.guest" <<'EOF'
modprobe vfio-pci
natives
EOF
cat >"$out/3.guest" <<'EOF'
run claim vfio-claim
modprobe vfio-pci
natives
EOF
say "demo: kernel $E2E_KVER; booting the VM 3 times (about 10-30 s each under TCG)..."
boot() { # N APPEND [--binary FILE]
	local n=$1 append=$2
	shift 2
	e2e_build_initramfs "$out/$n.cpio" --scenario "$out/$n.guest" "$@" 2>"$out/$n.build" &&
		e2e_boot --name "demo-$n" --initrd "$out/$n.cpio" --log "$out/$n.log" --append "$append"
	echo "$? $E2E_BOOT_SECONDS" >"$out/$n.rc"
	rm -f "$out/$n.cpio"
}
t0=$(date +%s)
boot 1 "" &
boot 2 "vfio_pci.ids=$ids" &
wait
boot 3 "vfio_pci.ids=$ids" --binary "$VFIO_CLAIM"
for n in 1 2 3; do
	read -r rc _ <"$out/$n.rc"
	if [ "$rc" -ne 0 ] || ! e2e_table "$out/$n.log" | grep -q .; then
		say "demo: boot $n did not finish (console log: $out/$n.log)"
		exit 1
	fi
done

# 3. The table. A cell gets a '*' when the device is not where a passthrough user wants it.
row() { # addr what ids wanted
	local c n d
	printf '%-9s %-26s %-11s' "$1" "$2" "$3"
	for n in 1 2 3; do
		d=$(e2e_driver "$out/$n.log" "0000:$1")
		c=${d:-absent}
		[ "$d" = "$4" ] || c="$c *"
		printf ' %-22s' "$c"
	done
	printf '\n'
}
say ""
{
fmt='%-9s %-26s %-11s %-22s %-22s %-22s\n'
# shellcheck disable=SC2059
{
	printf "$fmt" "" "" "" "1) no vfio-claim" "2) no vfio-claim" "3) vfio-claim in the"
	printf "$fmt" "" "" "" "host drivers first" "vfio-pci loaded first" "   initramfs"
	printf "$fmt" "device" "" "ids" "" "vfio_pci.ids=$ids" "vfio_pci.ids=$ids"
}
row 00:01.0 "boot VGA (host console)" 1234:1111 bochs-drm
row 01:00.0 "GPU for the VM guest" 1234:1111 vfio-pci
row 01:00.1 "its HDMI audio function" 8086:293e vfio-pci
row 02:00.0 "network card" 8086:10d3 e1000e
} | sed 's/ *$//'
say ""
say "* = not what you want: the guest GPU pair belongs on vfio-pci, the boot VGA and the NIC"
say "    on their host drivers. 1) udev loads the host drivers first; 2) the usual vfio-pci.ids"
say "    recipe also takes the boot VGA (same IDs) and misses the audio function; 3) vfio-claim"
say "    honours the same vfio_pci.ids=, refuses the boot VGA and brings the audio function."
say ""
say "vfio-claim's own log in boot 3 (kmsg):"
sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' "$out/3.log" | grep -F 'vfio-claim[' |
	sed 's/^\[ *[0-9.]*\] /  /'
say ""
say "demo: 3 boots in $(($(date +%s) - t0)) s; console logs in $out/" \
	"(kernel cached in $E2E_CACHE/kernel)"
