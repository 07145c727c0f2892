# SPDX-License-Identifier: GPL-2.0-or-later
#
# NixOS VM test (run by `nix flake check`): a q35 guest with an emulated IOMMU and a "GPU" pair
# behind a PCIe root port, 01:00.0 secondary-vga (1234:1111, host driver bochs-drm) and 01:00.1
# ich9-intel-hda (8086:293e, host driver snd_hda_intel). Both host drivers are listed in
# boot.initrd.kernelModules, so the scripted stage 1 loads them BEFORE preDeviceCommands - the
# seed user's hole. The nodes:
#   scripted  scripted initrd, selectors in the module (ids)
#   systemd   systemd initrd, the static build, selectors only on the kernel command line (what
#             a specialisation adds), addresses instead of ids
#   control   the same machine without vfio-claim: the host drivers must win there, or the
#             test would prove nothing
# The boot VGA (00:02.0, also 1234:1111) matches the ID selector and must stay on its driver.
{ pkgs, module, staticPackage }:

let
  qemuDevices = [
    "-machine q35,kernel-irqchip=split"
    "-device intel-iommu,intremap=on"
    "-device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1"
    "-device secondary-vga,id=gpu,bus=rp1,addr=0x0.0,multifunction=on"
    "-device ich9-intel-hda,id=gpuaudio,bus=rp1,addr=0x0.1"
    "-audiodev none,id=noaud"
    "-device hda-output,bus=gpuaudio.0,audiodev=noaud"
  ];

  machine = {
    virtualisation.qemu.options = qemuDevices;
    boot.kernelParams = [ "intel_iommu=on" ];
    boot.initrd.kernelModules = [ "bochs" "snd_hda_intel" ];
  };

  hostDrivers = [ "amdgpu" "radeon" "nouveau" "nvidia" "snd_hda_intel" "xhci_pci" "bochs" ];

  # address vendor:device driver boot_vga, one line per PCI function
  pciDrivers = pkgs.writeShellScriptBin "pci-drivers" ''
    for d in /sys/bus/pci/devices/*; do
      drv=-
      [ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
      vga=0
      [ -r "$d/boot_vga" ] && vga=$(cat "$d/boot_vga")
      v=$(cat "$d/vendor")
      p=$(cat "$d/device")
      echo "''${d##*/} ''${v#0x}:''${p#0x} $drv $vga"
    done
  '';
in
pkgs.testers.runNixOSTest {
  name = "vfio-claim";

  defaults = {
    imports = [ machine ];
    environment.systemPackages = [ pciDrivers ];
  };

  nodes = {
    scripted = {
      imports = [ module ];
      boot.initrd.systemd.enable = false;
      boot.initrd.vfio-claim = {
        enable = true;
        ids = [ "1234:1111" "8086:293e" ];
        inherit hostDrivers;
      };
    };

    systemd = {
      imports = [ module ];
      boot.initrd.systemd.enable = true;
      boot.kernelParams = [ "vfio-claim.addrs=01:00.0=1234:1111,01:00.1=8086:293e" ];
      boot.initrd.vfio-claim = {
        enable = true;
        package = staticPackage;
        inherit hostDrivers;
      };
    };

    control = { };
  };

  testScript = ''
    def pci(machine):
        rows = [line.split() for line in machine.succeed("pci-drivers").splitlines()]
        return {r[0]: r[1:] for r in rows}

    def expect(machine, gpu_driver, audio_driver):
        machine.wait_for_unit("multi-user.target")
        devs = pci(machine)
        machine.log(repr(devs))
        gpus = [a for a, (ident, drv, vga) in devs.items() if ident == "1234:1111" and vga == "0"]
        audio = [a for a, (ident, drv, vga) in devs.items() if ident == "8086:293e"]
        boot_vga = [a for a, (ident, drv, vga) in devs.items() if vga == "1"]
        assert len(gpus) == 1 and len(audio) == 1, f"expected one GPU + audio pair, got {devs}"
        assert devs[gpus[0]][1] == gpu_driver, f"{gpus[0]}: {devs[gpus[0]][1]}, want {gpu_driver}"
        assert devs[audio[0]][1] == audio_driver, f"{audio[0]}: {devs[audio[0]][1]}, want {audio_driver}"
        for a in boot_vga:
            assert devs[a][1] != "vfio-pci", f"boot VGA {a} was claimed"
        assert machine.succeed("ls /sys/kernel/iommu_groups").strip() != "", "IOMMU is off"

    start_all()

    with subtest("scripted initrd: claimed although bochs and snd_hda_intel load first"):
        expect(scripted, "vfio-pci", "vfio-pci")
        scripted.succeed("dmesg | grep 'vfio-claim.*claimed'")
        scripted.execute("vfio-claim status >&2")  # for the log; the boot VGA shows as refused

    with subtest("systemd initrd, static build, selectors from the command line"):
        expect(systemd, "vfio-pci", "vfio-pci")
        systemd.succeed("dmesg | grep 'vfio-claim.*claimed'")

    with subtest("control: without vfio-claim the host drivers take the pair"):
        expect(control, "bochs-drm", "snd_hda_intel")
  '';
}
