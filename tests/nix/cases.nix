# SPDX-License-Identifier: GPL-2.0-or-later
#
# Evaluation tests for nix/module.nix, nix/package.nix and flake.nix against the REAL NixOS option
# declarations (nixpkgs lib/ + nixos/ of August 2024) and a stub package set (stub-pkgs.nix).
# Each attribute is one test: evaluating it yields the list of failed expectations ([] = pass).
# The cases that must NOT evaluate (bad option names and values) live in run.sh, which checks
# the error message of `nix-instantiate` for them.
{ nixpkgs }:

let
  lib = import (nixpkgs + "/lib");
  stub = import ./stub-pkgs.nix { inherit lib; };
  moduleFile = ../../nix/module.nix;
  packageFile = ../../nix/package.nix;

  # One NixOS system: the module, a root file system, the stub pkgs, plus the case's modules.
  evalSystem =
    modules:
    import (nixpkgs + "/nixos/lib/eval-config.nix") {
      system = "x86_64-linux";
      inherit lib;
      modules = [
        moduleFile
        (
          { lib, ... }:
          {
            _module.args.pkgs = lib.mkForce stub;
            fileSystems."/" = {
              device = "/dev/disk/by-label/nixos";
              fsType = "ext4";
            };
            boot.loader.grub.enable = false;
            system.stateVersion = "24.05";
          }
        )
      ] ++ modules;
    };

  pkg = stub.callPackage packageFile { };
  pkgBin = "${pkg}/bin/vfio-claim";
  seedIds = [ "1002:744c" "1002:ab30" ];
  defaultDrivers = [ "amdgpu" "radeon" "nouveau" "nvidia" "snd_hda_intel" "xhci_pci" ];

  expect = what: cond: lib.optional (!cond) what;
  # NixOS's own assertions (e.g. "systemd stage 1 does not support boot.initrd.preDeviceCommands")
  failedAssertions = sys: map (a: "NixOS assertion: ${a.message}") (lib.filter (a: !a.assertion) sys.config.assertions);
  contains = what: haystack: needle: expect "${what} contains ${builtins.toJSON needle}; got ${builtins.toJSON haystack}" (lib.hasInfix needle haystack);
  lacks = what: haystack: needle: expect "${what} lacks ${builtins.toJSON needle}" (!lib.hasInfix needle haystack);
  lines = s: lib.filter (l: l != "") (lib.splitString "\n" s);
  # Position of the first line of `text` starting with `prefix`, for ordering checks.
  lineStarting = prefix: text: lib.findFirst (l: lib.hasPrefix prefix l) "" (lines text);
  words = s: lib.filter (w: w != "" && !builtins.isList w) (builtins.split "[ \t]+" s);

  installLine = bin: "install vfio_pci ${bin} --modprobe --wait 0 || /sbin/modprobe -b --ignore-install vfio_pci $CMDLINE_OPTS ids=";

  modprobeChecks =
    what: text: bin: drivers:
    contains what text (installLine bin)
    ++ lib.concatMap (d: contains what text "softdep ${d} pre: vfio_pci\n") drivers
    # exactly one install line, so no second rule can shadow it
    ++ expect "${what}: one install line" (lib.length (lib.filter (lib.hasPrefix "install ") (lines text)) == 1)
    # the trampoline itself never calls plain "modprobe vfio_pci" first (that would loop)
    ++ expect "${what}: no install loop" (!(lib.hasInfix "&& /sbin/modprobe vfio_pci" text));

  scriptedChecks =
    sys: ids:
    let
      c = sys.config;
      files = c.boot.initrd.extraFiles;
      conf = files."/etc/vfio-claim.conf".source.text;
      modprobe = files."/etc/modprobe.d/vfio-claim.conf".source.text;
    in
    failedAssertions sys
    ++ expect "systemd initrd off" (!c.boot.initrd.systemd.enable)
    ++ contains "extraUtilsCommands" c.boot.initrd.extraUtilsCommands "copy_bin_and_libs ${pkgBin}\n"
    ++ contains "extraUtilsCommandsTest" c.boot.initrd.extraUtilsCommandsTest "$out/bin/vfio-claim --version\n"
    ++ contains "preDeviceCommands" c.boot.initrd.preDeviceCommands "/bin/vfio-claim || echo"
    # a failed claim must not end stage 1 (the init script has no set -e, but keep it explicit)
    ++ expect "preDeviceCommands: vfio-claim failure is non-fatal" (
      lib.any (l: lib.hasPrefix "/bin/vfio-claim" l && lib.hasInfix " || " l) (lines c.boot.initrd.preDeviceCommands)
    )
    ++ expect "config file ids" (
      if ids == [ ] then !lib.hasInfix "ids =" conf else lib.elem "ids = ${lib.concatStringsSep "," ids}" (lines conf)
    )
    ++ modprobeChecks "initrd modprobe.d" modprobe "/bin/vfio-claim" defaultDrivers
    ++ lacks "boot.extraModprobeConfig (stage 2 stays untouched)" c.boot.extraModprobeConfig "vfio"
    ++ expect "vfio_pci available in the initrd" (lib.elem "vfio_pci" c.boot.initrd.availableKernelModules)
    ++ expect "no systemd unit in the scripted initrd" (!(c.boot.initrd.systemd.services ? vfio-claim));

  systemdChecks =
    sys: ids:
    let
      c = sys.config;
      unit = c.boot.initrd.systemd.units."vfio-claim.service";
      text = unit.text;
      before = words (lib.removePrefix "Before=" (lineStarting "Before=" text));
      contents = c.boot.initrd.systemd.contents;
      conf = contents."/etc/vfio-claim.conf".source.text;
      modprobe = contents."/etc/modprobe.d/vfio-claim.conf".source.text;
    in
    failedAssertions sys
    ++ expect "systemd initrd on" c.boot.initrd.systemd.enable
    ++ contains "unit" text "[Unit]\n"
    ++ expect "unit: DefaultDependencies off" (
      lib.elem (lineStarting "DefaultDependencies=" text) [ "DefaultDependencies=false" "DefaultDependencies=no" ]
    )
    ++ lib.concatMap (
      u: expect "unit ordered Before=${u}; Before= is ${builtins.toJSON before}" (lib.elem u before)
    ) [ "systemd-modules-load.service" "systemd-udev-trigger.service" "sysinit.target" ]
    ++ expect "unit: no After= on anything that loads drivers" (
      !lib.any (u: lib.hasInfix u (lineStarting "After=" text)) [ "systemd-modules-load" "systemd-udev" ]
    )
    ++ contains "unit" text "Type=oneshot\n"
    ++ expect "unit: ExecStart runs the store path" (lineStarting "ExecStart=" text == "ExecStart=\"${pkgBin}\"")
    ++ expect "unit wanted by sysinit.target" (lib.elem "sysinit.target" unit.wantedBy)
    ++ expect "storePaths has the binary" (lib.elem pkgBin c.boot.initrd.systemd.storePaths)
    ++ expect "extraBin has the binary" (c.boot.initrd.systemd.extraBin.vfio-claim or null == pkgBin)
    # the initrd's own modprobe.conf copy is still there next to ours
    ++ expect "nixos.conf still in the initrd" (contents ? "/etc/modprobe.d/nixos.conf")
    ++ expect "config file ids" (
      if ids == [ ] then !lib.hasInfix "ids =" conf else lib.elem "ids = ${lib.concatStringsSep "," ids}" (lines conf)
    )
    ++ modprobeChecks "initrd modprobe.d" modprobe pkgBin defaultDrivers
    # NixOS asserts that systemd stage 1 gets none of the scripted hooks
    ++ expect "no preDeviceCommands" (c.boot.initrd.preDeviceCommands == "")
    ++ expect "no extraUtilsCommands" (c.boot.initrd.extraUtilsCommands == "")
    ++ expect "no extraUtilsCommandsTest" (c.boot.initrd.extraUtilsCommandsTest == "")
    ++ expect "no scripted extraFiles" (!(c.boot.initrd.extraFiles ? "/etc/vfio-claim.conf"))
    ++ lacks "boot.extraModprobeConfig (stage 2 stays untouched)" c.boot.extraModprobeConfig "vfio"
    ++ expect "vfio_pci available in the initrd" (lib.elem "vfio_pci" c.boot.initrd.availableKernelModules);

  # The seed user's configuration: vfio-pci.ids on the command line, vfio and amdgpu loaded from
  # boot.initrd.kernelModules (so amdgpu loads before preDeviceCommands in the scripted initrd).
  seed = {
    boot.kernelParams = [ "amd_iommu=on" "vfio-pci.ids=${lib.concatStringsSep "," seedIds}" ];
    boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" "amdgpu" ];
    boot.initrd.vfio-claim.enable = true;
  };
  # Every host driver the initrd loads explicitly must soft-depend on the trampoline.
  seedChecks =
    sys: modprobe:
    let
      c = sys.config;
      hostInInitrd = lib.filter (m: lib.elem m c.boot.initrd.vfio-claim.hostDrivers) c.boot.initrd.kernelModules;
    in
    expect "amdgpu is loaded by the initrd (the hole)" (lib.elem "amdgpu" hostInInitrd)
    ++ lib.concatMap (m: contains "modprobe.d covers ${m}" modprobe "softdep ${m} pre: vfio_pci\n") hostInInitrd
    # vfio_pci itself is in kernelModules: loading it must go through the trampoline
    ++ contains "modprobe.d" modprobe "install vfio_pci "
    ++ expect "the seed's vfio-pci.ids stays on the command line" (
      lib.elem "vfio-pci.ids=1002:744c,1002:ab30" c.boot.kernelParams
    );

  # initrd inputs that must not differ between a parent and its specialisation
  initrdInputs =
    sys:
    let
      c = sys.config;
    in
    {
      inherit (c.boot.initrd) kernelModules availableKernelModules preDeviceCommands extraUtilsCommands extraUtilsCommandsTest;
      extraFiles = lib.mapAttrs (_: f: f.source.text or f.source.outPath) (
        lib.filterAttrs (n: _: lib.hasInfix "vfio-claim" n) c.boot.initrd.extraFiles
      );
      unit = if c.boot.initrd.systemd.enable then c.boot.initrd.systemd.units."vfio-claim.service".text else null;
      contents = lib.mapAttrs (_: f: f.source.text) (
        lib.filterAttrs (n: _: lib.hasInfix "vfio-claim" n) c.boot.initrd.systemd.contents
      );
      storePaths = lib.filter (p: lib.isString p && lib.hasInfix "vfio-claim" p) c.boot.initrd.systemd.storePaths;
    };

  specialisationCase =
    systemd:
    let
      sys = evalSystem [
        {
          boot.initrd.systemd.enable = systemd;
          boot.initrd.vfio-claim.enable = true;
          specialisation.vfio.configuration = {
            boot.kernelParams = [ "vfio-claim.ids=${lib.concatStringsSep "," seedIds}" ];
          };
        }
      ];
      param = "vfio-claim.ids=1002:744c,1002:ab30";
      # the configuration NixOS builds for the specialisation's boot entry
      child = sys.config.specialisation.vfio.configuration;
    in
    expect "specialisation has the selector" (lib.elem param child.boot.kernelParams)
    ++ expect "default entry has no selector" (!lib.elem param sys.config.boot.kernelParams)
    ++ expect "specialisation shares the initrd inputs" (initrdInputs sys == initrdInputs { config = child; })
    ++ expect "the initrd inputs include vfio-claim" (lib.hasInfix "vfio-claim" (builtins.toJSON (initrdInputs sys)))
    ++ expect "no ids baked into the initrd" (!lib.hasInfix "1002:744c" (builtins.toJSON (initrdInputs sys)));

  optionsCase =
    systemd:
    let
      sys = evalSystem [
        {
          boot.initrd.systemd.enable = systemd;
          boot.initrd.vfio-claim = {
            enable = true;
            ids = [ "10de:2204" "10DE:1aef:ffffffff:ffffffff:040300:ffffff" ];
            addresses = [ "0000:0a:00.0" "0b:1f.7=10de:1aef" ];
            unbind = true;
            allowBootVga = true;
            group = true;
            wait = 600;
            extraArgs = [ "--verbose" "--strict" "it's" ];
            hostDrivers = [ "nouveau" "snd-hda-intel" ];
          };
        }
      ];
      c = sys.config;
      files = if systemd then c.boot.initrd.systemd.contents else c.boot.initrd.extraFiles;
      conf = files."/etc/vfio-claim.conf".source.text;
      modprobe = files."/etc/modprobe.d/vfio-claim.conf".source.text;
      bin = if systemd then pkgBin else "/bin/vfio-claim";
      # shell quoting as this lib does it (newer lib leaves plain words unquoted)
      args = lib.escapeShellArgs [ "--verbose" "--strict" "it's" ];
    in
    lib.concatMap (l: expect "config file has '${l}'; got ${builtins.toJSON conf}" (lib.elem l (lines conf))) [
      "ids = 10de:2204,10DE:1aef:ffffffff:ffffffff:040300:ffffff"
      "addrs = 0000:0a:00.0,0b:1f.7=10de:1aef"
      "unbind = yes"
      "allow-boot-vga = yes"
      "group = yes"
      "wait = 600"
    ]
    ++ expect "stage 2 gets the same config file" (c.environment.etc."vfio-claim.conf".source.text == conf)
    ++ contains "modprobe.d" modprobe "install vfio_pci ${bin} --modprobe --wait 0 ${args} || "
    ++ contains "modprobe.d" modprobe "softdep snd-hda-intel pre: vfio_pci\n"
    ++ lacks "modprobe.d (hostDrivers replaces the default list)" modprobe "softdep amdgpu"
    ++ (
      if systemd then
        expect "ExecStart passes extraArgs" (
          lineStarting "ExecStart=" c.boot.initrd.systemd.units."vfio-claim.service".text
          == "ExecStart=\"${pkgBin}\" \"--verbose\" \"--strict\" \"it's\""
        )
      else
        contains "preDeviceCommands" c.boot.initrd.preDeviceCommands "/bin/vfio-claim ${args} || "
    );

  stubStatic = stub.pkgsStatic;

  # The VM test's machines, evaluated as NixOS configurations (without the test driver).
  vmTest = (import ../../nix/vm-test.nix {
    pkgs = stub;
    module = { imports = [ moduleFile ]; };
    staticPackage = stubStatic.callPackage packageFile { };
  }).test;
  vmNode =
    name:
    import (nixpkgs + "/nixos/lib/eval-config.nix") {
      system = "x86_64-linux";
      inherit lib;
      modules = [
        vmTest.defaults
        vmTest.nodes.${name}
        (nixpkgs + "/nixos/modules/virtualisation/qemu-vm.nix")
        (
          { lib, ... }:
          {
            _module.args.pkgs = lib.mkForce stub;
            system.stateVersion = "24.05";
          }
        )
      ];
    };
  flake = import ../../flake.nix;
  flakeOutputs = flake.outputs {
    self = flakeOutputs // {
      outPath = toString ../..;
    };
    nixpkgs = {
      lib = lib;
      legacyPackages.x86_64-linux = stub;
    };
  };
in
{
  # For run.sh's must-fail cases: evaluate everything the module produces from `module`.
  reject =
    module:
    let
      c = (evalSystem [ module ]).config;
    in
    builtins.deepSeq [
      c.boot.initrd.vfio-claim
      c.boot.initrd.preDeviceCommands
      c.boot.initrd.extraFiles."/etc/modprobe.d/vfio-claim.conf".source.text
    ] "evaluated";

  scripted = scriptedChecks (evalSystem [
    {
      boot.initrd.vfio-claim = {
        enable = true;
        ids = seedIds;
      };
    }
  ]) seedIds;

  systemd = systemdChecks (evalSystem [
    {
      boot.initrd.systemd.enable = true;
      boot.initrd.vfio-claim = {
        enable = true;
        ids = seedIds;
      };
    }
  ]) seedIds;

  seed-scripted =
    let
      sys = evalSystem [ seed ];
    in
    scriptedChecks sys [ ] ++ seedChecks sys sys.config.boot.initrd.extraFiles."/etc/modprobe.d/vfio-claim.conf".source.text;

  seed-systemd =
    let
      sys = evalSystem [ seed { boot.initrd.systemd.enable = true; } ];
    in
    systemdChecks sys [ ]
    ++ seedChecks sys sys.config.boot.initrd.systemd.contents."/etc/modprobe.d/vfio-claim.conf".source.text
    # systemd-modules-load reads boot.initrd.kernelModules; the unit is ordered before it
    ++ expect "modules-load gets the seed's list" (lib.elem "amdgpu" sys.config.boot.initrd.kernelModules);

  specialisation-scripted = specialisationCase false;
  specialisation-systemd = specialisationCase true;

  options-scripted = optionsCase false;
  options-systemd = optionsCase true;

  disabled =
    let
      sys = evalSystem [ { boot.initrd.vfio-claim.ids = seedIds; } ];
      c = sys.config;
    in
    lacks "preDeviceCommands" c.boot.initrd.preDeviceCommands "vfio-claim"
    ++ lacks "extraUtilsCommands" c.boot.initrd.extraUtilsCommands "vfio-claim"
    ++ expect "no initrd files" (!(c.boot.initrd.extraFiles ? "/etc/modprobe.d/vfio-claim.conf"))
    ++ expect "no vfio modules added" (!lib.elem "vfio_pci" c.boot.initrd.availableKernelModules);

  package =
    let
      dyn = (stub.callPackage packageFile { }).args;
      static = (stubStatic.callPackage packageFile { }).args;
      flags = a: lib.concatStringsSep " " a.makeFlags;
    in
    expect "pname" (dyn.pname == "vfio-claim")
    ++ contains "makeFlags" (flags dyn) "PREFIX=${builtins.placeholder "out"}"
    ++ lacks "makeFlags (dynamic)" (flags dyn) "-static"
    ++ contains "makeFlags (no dpkg check in a Nix build)" (flags dyn) "DEPS=true"
    ++ expect "version from include/args.h" (builtins.match "[0-9]+[.][0-9]+.*" dyn.version != null)
    ++ expect "build inputs: pciutils kmod udev" (map (d: d.name) dyn.buildInputs == [ "pciutils" "kmod" "systemd-minimal-libs" ])
    ++ contains "makeFlags (static)" (flags static) "LDFLAGS=-static"
    ++ contains "makeFlags (static)" (flags static) "CC=x86_64-unknown-linux-musl-cc"
    ++ contains "preConfigure (static)" static.preConfigure "--static"
    ++ expect "static udev is libudev-zero" (lib.elem "libudev-zero" (map (d: d.name) static.buildInputs))
    ++ expect "license" (dyn.meta.license == lib.licenses.gpl2Plus)
    ++ expect "source leaves out nix/" (dyn.src.filter (toString ../../nix) "directory" == false)
    ++ expect "source keeps src/" (dyn.src.filter (toString ../../src) "directory");

  vm-nodes =
    let
      scripted = (vmNode "scripted").config;
      systemd = (vmNode "systemd").config;
      control = (vmNode "control").config;
      staticBin = "${stubStatic.callPackage packageFile { }}/bin/vfio-claim";
    in
    lib.concatMap (n: failedAssertions (vmNode n)) [ "scripted" "systemd" "control" ]
    ++ lib.concatMap (
      c: expect "host drivers in the initrd module list" (lib.all (m: lib.elem m c.boot.initrd.kernelModules) [ "bochs" "snd_hda_intel" ])
    ) [ scripted systemd control ]
    ++ expect "scripted node: scripted initrd runs vfio-claim" (
      !scripted.boot.initrd.systemd.enable && lib.hasInfix "/bin/vfio-claim" scripted.boot.initrd.preDeviceCommands
    )
    ++ contains "scripted node modprobe.d" scripted.boot.initrd.extraFiles."/etc/modprobe.d/vfio-claim.conf".source.text "softdep bochs pre: vfio_pci\n"
    ++ expect "systemd node: static build in the initrd" (lib.elem staticBin systemd.boot.initrd.systemd.storePaths)
    ++ expect "systemd node: unit runs the static build" (
      lineStarting "ExecStart=" systemd.boot.initrd.systemd.units."vfio-claim.service".text == "ExecStart=\"${staticBin}\""
    )
    ++ expect "systemd node: selectors on the command line only" (
      lib.elem "vfio-claim.addrs=01:00.0=1234:1111,01:00.1=8086:293e" systemd.boot.kernelParams
      && systemd.boot.initrd.vfio-claim.ids == [ ] && systemd.boot.initrd.vfio-claim.addresses == [ ]
    )
    ++ expect "control node: no vfio-claim" (
      !(control.boot.initrd ? vfio-claim) && !(control.boot.initrd.systemd.services ? vfio-claim)
      && !lib.hasInfix "vfio-claim" control.boot.initrd.preDeviceCommands
    )
    ++ expect "IOMMU on in every node" (lib.all (c: lib.elem "intel_iommu=on" c.boot.kernelParams) [ scripted systemd control ]);

  flake =
    let
      o = flakeOutputs;
      checks = o.checks.x86_64-linux;
      vm = checks.vm.test;
    in
    expect "packages default + static" (lib.attrNames o.packages.x86_64-linux == [ "default" "static" ])
    ++ expect "static package is the pkgsStatic build" (lib.hasInfix "vfio-claim" o.packages.x86_64-linux.static.name)
    ++ expect "nixosModules.default imports nix/module.nix" (o.nixosModules.default.imports == [ moduleFile ])
    ++ expect "the VM test gets that module" (vm.nodes.scripted.imports == [ o.nixosModules.default ])
    ++ expect "checks: package, static, vm" (lib.all (n: checks ? ${n}) [ "package" "static" "vm" ])
    ++ expect "vm test has scripted, systemd and control nodes" (
      lib.attrNames vm.nodes == [ "control" "scripted" "systemd" ]
    )
    ++ contains "vm testScript" vm.testScript "vfio-pci";
}
