# SPDX-License-Identifier: GPL-2.0-or-later
#
# The NixOS configurations the boot suite (boot.sh) boots, evaluated with the real nixos/ tree and
# the stub package set in recording mode: every derivation stage 1 is made of is announced on
# stderr ("trace: vfio-claim-drv {...}", see stub-pkgs.nix) with what its builder needs, and this
# file returns what the boot needs besides: the initrd to build, the kernel command line NixOS
# writes into the boot entry (init=<toplevel>/init plus boot.kernelParams) and the root file
# system's label.
#
# The VM is the e2e rig's (tests/e2e/lib.sh): boot VGA 00:01.0 (1234:1111, bochs), a GPU pair
# 01:00.0 (1234:1111) + 01:00.1 (8086:293e, snd_hda_intel), NIC 02:00.0 (e1000e), an ext4 disk
# on the q35's AHCI. `bochs` plays the part of the seed's amdgpu.
{ nixpkgs, case }:

let
  lib = import (nixpkgs + "/lib");
  stub = import ./stub-pkgs.nix {
    inherit lib;
    record = true;
  };

  ids = "1234:1111,8086:293e";
  # The module's default host drivers plus the VM's GPU driver (amdgpu is in the default list).
  hostDrivers = [ "amdgpu" "radeon" "nouveau" "nvidia" "snd_hda_intel" "xhci_pci" "bochs" ];

  # What nixos-generate-config would write for the VM, plus the serial console and panic
  # settings the rig needs to see the boot and end it on a failure.
  vm = {
    imports = [ (import ./base-system.nix stub) ];
    networking.hostName = "vfio";
    boot.initrd.availableKernelModules = [ "ahci" "sd_mod" "snd_hda_intel" "e1000e" ];
    boot.kernelParams = [
      "console=ttyS0,115200"
      "intel_iommu=on"
      "panic=-1"
      "no_timer_check"
      "boot.panic_on_fail"
    ];
  };

  # The seed user's setup: vfio-pci.ids= on the command line, the vfio modules and the GPU
  # driver loaded by stage 1 itself.
  seed = {
    boot.kernelParams = [ "vfio-pci.ids=${ids}" ];
    boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" "bochs" ];
  };
  cmdlineIds = {
    boot.kernelParams = [ "vfio-pci.ids=${ids}" ];
  };
  module = extra: {
    imports = [ ../../nix/module.nix ];
    boot.initrd.vfio-claim = {
      enable = true;
      inherit hostDrivers;
    } // extra;
  };
  systemd =
    { config, ... }:
    {
      boot.initrd.systemd.enable = true;
      # Debian's systemd 252 has /lib/systemd and /lib/udev compiled in where nixpkgs' build
      # has its own store path, and /lib is the modules closure in NixOS's initrd. So the
      # generators (fstab's makes the root mount) are linked where 252 also looks (/etc), and so
      # is the package's rules.d that NixOS puts into the initrd (storePaths) for udevd to read
      # (99-systemd.rules tags the disk for systemd): /usr/lib/udev/rules.d.
      boot.initrd.systemd.contents."/etc/systemd/system-generators".source =
        "${config.boot.initrd.systemd.package}/lib/systemd/system-generators";
      boot.initrd.systemd.contents."/usr/lib/udev/rules.d".source =
        "${config.boot.initrd.systemd.package}/lib/udev/rules.d";
      # ... and the fstab generator writes its compiled-in /lib/systemd/systemd-fsck into the
      # root's fsck unit: a drop-in runs the package's (same program, same device).
      boot.initrd.systemd.services.systemd-fsck-root = {
        overrideStrategy = "asDropin";
        serviceConfig.ExecStart = [
          ""
          ("${config.boot.initrd.systemd.package}/lib/systemd/systemd-fsck"
            + " ${config.fileSystems."/".device}")
        ];
      };
      # Units NixOS 24.11 expects from systemd 255 that Debian's 252 does not have (252 has
      # systemd-hibernate-resume@.service; the other two came later or are not packaged).
      boot.initrd.systemd.suppressedUnits = [
        "systemd-hibernate-resume.service"
        "systemd-bsod.service"
        "systemd-vconsole-setup.service"
      ];
    };

  # A package the boot suite fills with a stand-in binary (boot.sh: VFIO_CLAIM_KIND).
  standIn = name: stub.stdenv.mkDerivation {
    pname = name;
    version = "0";
  };

  # case name -> modules, and which vfio-claim binary boot.sh puts into the package
  cases = {
    seed = [ seed (module { }) ];
    seed-control = [ seed ];
    ids-in-module = [
      { boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" "bochs" ]; }
      (module { ids = lib.splitString "," ids; })
    ];
    gpu-only = [
      cmdlineIds
      { boot.initrd.kernelModules = [ "bochs" ]; }
      (module { })
    ];
    # The GPU driver only available (as hardware.amdgpu.initrd.enable makes amdgpu): udev
    # loads it, after preDeviceCommands.
    no-kernel-modules = [
      cmdlineIds
      { boot.initrd.availableKernelModules = [ "bochs" ]; }
      (module { })
    ];
    fail-exit = [ seed (module { package = standIn "vfio-claim-exit"; }) ];
    fail-crash = [ seed (module { package = standIn "vfio-claim-crash"; }) ];
    # NixOS would not build an initrd without the binary (extraUtilsCommandsTest runs it), so
    # the configuration takes it out again after the module put it in, test included.
    fail-missing = [
      seed
      (module { })
      (
        { lib, ... }:
        {
          boot.initrd.extraUtilsCommands = lib.mkAfter "rm $out/bin/vfio-claim";
          boot.initrd.extraUtilsCommandsTest = lib.mkForce "";
        }
      )
    ];
    dynamic = [ seed (module { package = standIn "vfio-claim-dynamic"; }) ];
    # gpu-only plus a softdep of the user's for the GPU driver (nixos.conf in the initrd)
    user-softdep = [
      cmdlineIds
      { boot.initrd.kernelModules = [ "bochs" ]; }
      (module { })
      { boot.extraModprobeConfig = "softdep bochs post: e1000e"; }
    ];
    systemd-seed = [ seed systemd (module { }) ];
    systemd-control = [ seed systemd ];
    # vfio-claim.service masked: the safety net alone, as in the scripted user-softdep case
    systemd-user-softdep = [
      cmdlineIds
      {
        boot.initrd.kernelModules = [ "bochs" ];
        boot.kernelParams = [ "rd.systemd.mask=vfio-claim.service" ];
      }
      systemd
      (module { })
      { boot.extraModprobeConfig = "softdep bochs post: e1000e"; }
    ];
  };

  sys = import (nixpkgs + "/nixos/lib/eval-config.nix") {
    system = "x86_64-linux";
    inherit lib;
    modules = [ vm ] ++ cases.${case};
  };
  c = sys.config;
  failed = map (a: a.message) (lib.filter (a: !a.assertion) c.assertions);
  toplevelName = "nixos-system-${c.system.name}-${c.system.nixos.label}";
  # The toplevel itself is not built (it is all of stage 2); the root file system gets a tiny
  # stage 2 at the path NixOS would give it.
  toplevelHash = builtins.substring 0 32 (builtins.hashString "sha256" (case + toplevelName));
  toplevel = "${builtins.storeDir}/${toplevelHash}-${toplevelName}";
  root = c.fileSystems."/";
in
if failed != [ ] then
  throw "NixOS assertions failed: ${lib.concatStringsSep "; " failed}"
else
  {
    inherit case toplevel;
    flavour = if c.boot.initrd.systemd.enable then "systemd" else "scripted";
    initrd = c.system.build.initialRamdisk.outPath;
    cmdline = "init=${toplevel}/init ${toString c.boot.kernelParams}";
    rootLabel = lib.removePrefix "/dev/disk/by-label/" root.device;
    rootFsType = root.fsType;
    kernelModules = c.boot.initrd.kernelModules;
  }
