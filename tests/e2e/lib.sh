#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU boot-test rig for vfio-claim: Debian kernels, a small initramfs, and a q35 VM with a
# "passthrough GPU pair". Source it from bash (`. tests/e2e/lib.sh`); every function returns
# non-zero on failure and prints why on stderr. Nothing is installed into /boot; kernels are
# cached under ${VFIO_CLAIM_CACHE:-$HOME/.cache/vfio-claim}/kernel/<KVER>/.
# Needs the packages of `build-aux/deps.sh e2e`. One file per concern, all sourced here:
#   lib/kernel.sh   kernel set, private apt, fetch      lib/modules.sh  module names, closure
#   lib/cpio.sh     the e2e busybox initramfs            lib/vm.sh       the VM, QMP hot-plug
#   lib/assert.sh   console log readers and the expect_* assertions of both boot suites
#
# The VM (e2e_boot), identical for every image so tables compare across suites:
#   00:01.0  1234:1111  boot VGA (-vga std)                       native driver bochs-drm
#   00:02.0  root port rp1, bus 01:
#     01:00.0  1234:1111  secondary-vga, multifunction            native driver bochs-drm
#     01:00.1  8086:293e  ich9-intel-hda + hda-output codec        native driver snd_hda_intel
#   00:03.0  root port rp2, bus 02:
#     02:00.0  8086:10d3  e1000e (-netdev user,restrict=on)        native driver e1000e
# The boot VGA and the secondary display have the same IDs on purpose. Base kernel command line:
# "console=ttyS0 intel_iommu=on panic=-1 loglevel=4 no_timer_check" ($E2E_BASE_APPEND), then
# --append. (no_timer_check: on a loaded host TCG can fail the kernel's IO-APIC timer test and
# panic with "timer doesn't work through Interrupt-remapped IO-APIC".)
#
# Functions:
#   e2e_fetch_kernel [SPEC]
#       Downloads (apt-get download, once) a Debian kernel, unpacks it into the cache, runs
#       depmod -b, extracts an uncompressed vmlinux. SPEC is a suite (bookworm, trixie, sid:
#       the linux-image-*-amd64 that linux-image-amd64 depends on there, its -updates and
#       -security suites included), a package (linux-image-6.12.117+deb13-amd64) or a release
#       (6.12.117+deb13-amd64). Default: VFIO_CLAIM_KERNEL_PKG, else this system's release
#       (what its own linux-image-amd64 depends on). Packages come through a private apt
#       configuration in the cache (build-aux/apt-private.sh: this system's Debian mirror with
#       the suites of E2E_KERNELS added); /etc/apt is not touched. A kernel that cannot be
#       fetched is an error naming it: there is no fallback to another kernel. E2E_OFFLINE=1
#       boots what SPEC resolved to last time, from the cache, without any download.
#       Sets and prints (as KEY=value lines on stdout):
#         E2E_KVER     kernel release, e.g. 6.1.0-56-amd64
#         E2E_KROOT    unpacked package root; modules are in $E2E_KROOT/lib/modules/$E2E_KVER
#                      for every kernel (merged-/usr packages get lib -> usr/lib); use it as
#                      `dracut --kmoddir`, `mkinitramfs -d` style module source, ...
#         E2E_KERNEL   the image e2e_boot boots (vmlinux, or vmlinuz if extraction failed)
#         E2E_VMLINUZ  the packaged bzImage (in /boot, or lib/modules/KVER/vmlinuz for sid)
#         E2E_KCONFIG  the kernel's config (/boot/config-KVER, or lib/modules/KVER/config)
#         E2E_KERNEL_SPEC  the SPEC it was fetched for
#   e2e_kernels                the kernel specs the suites boot, one a line: $E2E_KERNELS
#                              (default "bookworm trixie sid"; add your own, e.g. a package)
#   e2e_kernel_tag [KVER]      "[KVER]" for a result line; "[KVER, offline: cached]" offline
#   e2e_use_kernel FILE        takes the kernel of a saved e2e_fetch_kernel output
#   e2e_module_name FILE       module name of a .ko, .ko.xz, .ko.zst or .ko.gz ('-' as '_')
#   e2e_modules_closure MODULE...
#       Prints the .ko paths (relative to $E2E_KROOT/lib/modules/$E2E_KVER) of MODULE... and
#       everything they depend on (modules.dep plus softdeps), one per line.
#   e2e_build_initramfs OUT [--binary FILE] [--scenario FILE] [--omit MODULE]... [--add SRC:DEST]...
#       Builds the busybox initramfs (uncompressed cpio newc) used by tests/e2e: busybox-static,
#       FILE as /sbin/vfio-claim, the vfio + native driver modules with a depmod'ed index,
#       tests/e2e/guest/init as /init and FILE --scenario as /e2e/scenario (see that /init for
#       the helpers a scenario can call). No shared library goes in unless the binary is dynamic.
#   e2e_boot [--initrd FILE] [--append ARGS] [--log FILE] [--timeout SEC] [--slot-empty]
#            [--hotplug] [--name NAME]
#       Boots $E2E_KERNEL with the initramfs FILE (any initramfs: dracut, initramfs-tools,
#       mkinitcpio ...) on the VM above; the serial console goes to FILE --log (CR stripped).
#       --slot-empty leaves rp1 empty; --hotplug additionally hot-adds the GPU pair into rp1
#       through QMP when the console prints "E2E-HOTPLUG-READY" (function 1, then function 0
#       with multifunction=on). Returns 0 when the guest powered off ("reboot: Power down"),
#       1 when it stopped otherwise (kernel panic), 124 on timeout (--timeout, default
#       $E2E_TIMEOUT or 180 s), 2 when QEMU failed. Sets E2E_BOOT_SECONDS.
#       Knobs: E2E_ACCEL=kvm (default tcg: nested KVM on the CI hosts fails to run stock kernels:
#       "failed to set MSR 0x10a"), E2E_MEM (MiB, 512), E2E_SMP (virtual CPUs, 1; more than one
#       runs multi-threaded TCG, a host core per CPU), E2E_QEMU_EXTRA (more QEMU arguments),
#       E2E_HOTPLUG_QMP (newline-separated QMP commands replacing the pair's device_adds),
#       E2E_IOMMU_DEV= (empty: no intel-iommu device), E2E_USE_VMLINUZ=1 (boot the bzImage;
#       the vmlinux through PVH saves about 5 s per boot under TCG).
#   e2e_table LOG              the driver table lines the guest printed (see guest/pci-table.sh)
#   e2e_driver LOG ADDR        the driver of ADDR ("-" when unbound, nothing when absent)
#   e2e_override LOG ADDR      its driver_override ("-" when unset)
#   e2e_expect_driver LOG ADDR DRIVER   prints a mismatch and returns 1 unless ADDR is on DRIVER
#   e2e_expect_log LOG TEXT [ALSO...]  returns 1 (and says so) unless a console/kmsg line
#                              contains TEXT and every ALSO
#   e2e_expect_no_log LOG TEXT returns 1 if a line contains TEXT
#   e2e_rc LOG LABEL           exit code printed by the guest's `run LABEL` ("E2E-RC LABEL N")
#   expect_* (lib/assert.sh)   the same checks on $LOG, as the scenarios and cases use them:
#       expect_table, expect_driver, expect_not_driver, expect_override, expect_log,
#       expect_no_log, expect_rc, expect_log_count, expect_doctor_rc, expect_static_image,
#       expect_clean_module_loads, expect_window_log, expect_claim_runs
#
# The table: copy tests/e2e/guest/pci-table.sh into your image and run it (POSIX sh, builtins
# only) once the drivers have settled; it prints
#   VFIO-CLAIM-E2E-TABLE-BEGIN
#   0000:01:00.0 1234:1111 030000 vfio-pci vfio-pci     (address ids class driver override)
#   VFIO-CLAIM-E2E-TABLE-END
# on stdout, so `sh pci-table.sh >/dev/console` in a late hook (or a systemd unit with
# StandardOutput=tty) is enough. The guest's kernel log is searched by e2e_expect_log only if the
# image prints it (our /init prints `dmesg` between E2E-DMESG-BEGIN/END); with loglevel=4
# vfio-claim's kmsg lines (<6> and <5>) do not reach the console by themselves.


E2E_DIR=${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
E2E_TOP=$(cd "$E2E_DIR/../.." && pwd)
E2E_CACHE=${VFIO_CLAIM_CACHE:-${HOME:-/root}/.cache/vfio-claim}
E2E_BASE_APPEND=${E2E_BASE_APPEND:-console=ttyS0,115200 intel_iommu=on panic=-1 loglevel=4 \
no_timer_check}
E2E_ACCEL=${E2E_ACCEL:-tcg}
E2E_MEM=${E2E_MEM:-512}
E2E_SMP=${E2E_SMP:-1}
# Modules of the default initramfs: the vfio stack, then the native drivers of the VM's devices.
E2E_MODULES=${E2E_MODULES:-vfio vfio_iommu_type1 vfio_pci vfio_pci_core bochs snd_hda_intel \
snd_hda_codec_generic e1000e}

e2e_log() { echo "e2e: $*" >&2; }

# shellcheck source=tests/e2e/lib/kernel.sh
. "$E2E_DIR/lib/kernel.sh"
# shellcheck source=tests/e2e/lib/modules.sh
. "$E2E_DIR/lib/modules.sh"
# shellcheck source=tests/e2e/lib/cpio.sh
. "$E2E_DIR/lib/cpio.sh"
# shellcheck source=tests/e2e/lib/vm.sh
. "$E2E_DIR/lib/vm.sh"
# shellcheck source=tests/e2e/lib/assert.sh
. "$E2E_DIR/lib/assert.sh"

# Run as a script: `tests/e2e/lib.sh fetch-kernel [SPEC]` prints the KEY=value lines above
# (for make, sh or another language); `tests/e2e/lib.sh table LOG` prints the driver table of
# a console log; `tests/e2e/lib.sh kernels` the kernel set.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	fetch-kernel) e2e_fetch_kernel "${2:-}" ;;
	table) e2e_table "$2" ;;
	kernels) e2e_kernels ;;
	*) echo "usage: $0 fetch-kernel [SPEC] | table LOG | kernels" >&2; exit 2 ;;
	esac
fi
