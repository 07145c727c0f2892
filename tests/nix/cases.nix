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
        (import ./base-system.nix stub)
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

  installLine = bin: "install vfio_pci ${bin} --modprobe --wait 0 || /sbin/modprobe -b --ignore-install vfio_pci ids=";

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
      modprobe = files."/etc/modprobe.d/00-vfio-claim.conf".source.text;
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
      modprobe = contents."/etc/modprobe.d/00-vfio-claim.conf".source.text;
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
      modprobe = files."/etc/modprobe.d/00-vfio-claim.conf".source.text;
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

  # libkmod takes the first softdep/install line per module, files sorted by name: the safety net
  # must sort first and carry the softdeps that boot.extraModprobeConfig gives the host drivers.
  # What the module itself defines for this configuration, mkIf and mkMerge taken apart as the
  # module system does (whole options like config.warnings or environment.systemPackages would
  # evaluate every service and default package of stage 2).
  moduleParts =
    sys:
    let
      m = import moduleFile {
        inherit (sys) config;
        inherit lib;
        pkgs = stub;
        inherit (sys.config._module.args) utils;
      };
      parts =
        v:
        if v._type or null == "if" then
          lib.optionals v.condition (parts v.content)
        else if v._type or null == "merge" then
          lib.concatMap parts v.contents
        else
          [ v ];
    in
    parts m.config;
  moduleWarnings = sys: lib.concatMap (part: part.warnings or [ ]) (moduleParts sys);

  softdepMergeCase =
    systemd:
    let
      sys = evalSystem [
        {
          boot.initrd.systemd.enable = systemd;
          boot.initrd.vfio-claim.enable = true;
          # the first line is what nixos/modules/hardware/video/nvidia.nix writes
          boot.extraModprobeConfig = ''
            softdep nvidia post: nvidia-uvm
            softdep snd-hda-intel pre: snd_hda_codec_hdmi vfio_pci
            softdep amdgpu post: amdgpu_extra
            softdep amdgpu post: ignored-second-line
              # softdep radeon post: commented-out
            softdep  xhci_pci	pre: a \
              b post: c
          '';
        }
      ];
      c = sys.config;
      files = if systemd then c.boot.initrd.systemd.contents else c.boot.initrd.extraFiles;
      modprobe = files."/etc/modprobe.d/00-vfio-claim.conf".source.text;
      has = what: contains "modprobe.d (${what})" modprobe;
      # every modprobe.d file of the initrd, and the name libkmod gives modules.softdep
      confNames =
        map baseNameOf (
          lib.filter (lib.hasPrefix "/etc/modprobe.d/") (
            if systemd then
              lib.attrNames c.boot.initrd.systemd.contents
            else
              map (e: e.symlink) c.system.build.initialRamdisk.args.contents
          )
        )
        ++ [ "modules.softdep" ];
    in
    failedAssertions sys
    ++ has "nvidia" "softdep nvidia pre: vfio_pci post: nvidia-uvm\n"
    ++ has "pre: merged, vfio_pci once" "softdep snd_hda_intel pre: vfio_pci snd_hda_codec_hdmi\n"
    ++ has "first line per module" "softdep amdgpu pre: vfio_pci post: amdgpu_extra\n"
    ++ lacks "modprobe.d (a second line is ignored by libkmod too)" modprobe "ignored-second-line"
    ++ has "comments are not softdeps" "softdep radeon pre: vfio_pci\n"
    ++ has "tabs, continuation lines" "softdep xhci_pci pre: vfio_pci a b post: c\n"
    ++ expect "one softdep line per driver" (
      lib.length (lib.filter (lib.hasPrefix "softdep amdgpu ") (lines modprobe)) == 1
    )
    ++ contains "nixos.conf keeps the user's lines" c.environment.etc."modprobe.d/nixos.conf".text
      "softdep nvidia post: nvidia-uvm"
    ++ expect "00-vfio-claim.conf sorts before every modprobe.d file; got ${toString confNames}" (
      lib.head (lib.sort builtins.lessThan confNames) == "00-vfio-claim.conf"
    )
    ++ expect "no warning without an install line of the user's" (moduleWarnings sys == [ ]);

  installWarning =
    let
      sys = evalSystem [
        {
          boot.initrd.vfio-claim.enable = true;
          boot.extraModprobeConfig = "install vfio-pci /bin/true";
        }
      ];
    in
    expect "a user's install vfio_pci is reported" (
      lib.any (lib.hasInfix "its own \"install vfio_pci\" line") (moduleWarnings sys)
    );

  # The run-time hand-over through libvirt: the hook goes in through NixOS's own libvirtd
  # option, its tools are store paths, and the booted system's config file gets the runtime
  # lines (the initrd's copy does not).
  hookSource = builtins.readFile ../../initramfs-hooks/libvirt/vfio-claim;
  libvirtd.virtualisation.libvirtd.enable = true;
  # What the wrapper must run: install.sh's hook with the binary's directory filled in. The
  # stub's store path hashes name and text, so equal paths mean equal scripts.
  expectedHookScript = stub.writeText "vfio-claim-libvirt-hook.sh" (
    lib.replaceStrings [ "@BINDIR@" ] [ "${pkg}/bin" ] hookSource
  );
  hookChecks =
    sys:
    let
      c = sys.config;
      hook = c.virtualisation.libvirtd.hooks.qemu.vfio-claim;
      exec = words (lineStarting "exec " hook.text);
      path = lib.removePrefix "PATH=" (lineStarting "PATH=" hook.text);
    in
    # NixOS's libvirtd module links it into qemu.d (libvirtd-config.service)
    contains "libvirtd-config.service" c.systemd.services.libvirtd-config.script
      "ln -s --force ${hook} /var/lib/libvirt/hooks/qemu.d/vfio-claim\n"
    ++ expect "hook is an executable script" (hook.builder == "writeScript")
    ++ expect "hook: shebang is the store's shell" (lib.hasPrefix "#!${stub.runtimeShell}\n" hook.text)
    ++ expect "hook: PATH is the store's coreutils, xmllint and systemctl, nothing else; got ${path}" (
      lib.splitString ":" path == [ "${stub.coreutils}/bin" "${stub.libxml2}/bin" "${stub.systemd}/bin" ]
    )
    ++ contains "hook" hook.text "\nexport PATH\n"
    ++ expect "hook: exec SHELL SCRIPT \"$@\"; got ${builtins.toJSON exec}" (
      exec == [ "exec" stub.runtimeShell "${expectedHookScript}" "\"$@\"" ]
    )
    ++ contains "hook script" expectedHookScript.text "bin=\${VFIO_CLAIM:-${pkgBin}}"
    ++ lacks "hook script" expectedHookScript.text "@BINDIR@"
    # what PATH has to cover; when the hook changes its tools, PATH wants another look
    ++ contains "hook source (reads the XML with xmllint)" hookSource "xmllint --xpath"
    ++ contains "hook source (cat and tr)" hookSource "xml=$(cat)"
    ++ expect "the binary in the system packages" (
      lib.any (p: lib.elem pkg (p.environment.systemPackages or [ ])) (moduleParts sys)
    );

  libvirtCase =
    systemd:
    let
      sys = evalSystem [
        libvirtd
        {
          boot.initrd.systemd.enable = systemd;
          boot.initrd.vfio-claim = {
            enable = true;
            ids = seedIds;
            libvirt = {
              enable = true;
              domains = [ "win11" "win10" "win11" ];
              stopUnits = [ "display-manager.service" "lactd.service" ];
            };
          };
        }
      ];
      c = sys.config;
      etc = c.environment.etc."vfio-claim.conf".source.text;
      initrdFiles = if systemd then c.boot.initrd.systemd.contents else c.boot.initrd.extraFiles;
      initrdConf = initrdFiles."/etc/vfio-claim.conf".source.text;
    in
    failedAssertions sys
    ++ hookChecks sys
    # one file: the initrd's text, then the runtime lines, each name once
    ++ expect "/etc/vfio-claim.conf starts with the initrd's copy" (lib.hasPrefix initrdConf etc)
    ++ lib.concatMap (
      l: expect "/etc/vfio-claim.conf has '${l}'; got ${builtins.toJSON etc}" (lib.elem l (lines etc))
    ) [
      "ids = ${lib.concatStringsSep "," seedIds}"
      "runtime-domains = win11,win10"
      "runtime-stop-units = display-manager.service,lactd.service"
    ]
    ++ lacks "the initrd's /etc/vfio-claim.conf" initrdConf "runtime-"
    # the initrd is the one without the hand-over
    ++ expect "the initrd does not change" (
      initrdInputs sys == initrdInputs (evalSystem [
        libvirtd
        {
          boot.initrd.systemd.enable = systemd;
          boot.initrd.vfio-claim = {
            enable = true;
            ids = seedIds;
          };
        }
      ])
    );

  # The hand-over alone: nothing in the initrd, a config file with the runtime lines only.
  libvirtOnly =
    let
      sys = evalSystem [
        libvirtd
        {
          boot.initrd.vfio-claim.libvirt = {
            enable = true;
            domains = [ "*" ];
          };
        }
      ];
      c = sys.config;
      etc = c.environment.etc."vfio-claim.conf".source.text;
      settingLines = lib.filter (l: !lib.hasPrefix "#" l) (lines etc);
    in
    failedAssertions sys
    ++ hookChecks sys
    ++ expect "config file: only runtime-domains; got ${builtins.toJSON settingLines}" (
      settingLines == [ "runtime-domains = *" ]
    )
    ++ lacks "preDeviceCommands" c.boot.initrd.preDeviceCommands "vfio-claim"
    ++ lacks "extraUtilsCommands" c.boot.initrd.extraUtilsCommands "vfio-claim"
    ++ expect "no initrd files" (
      !(c.boot.initrd.extraFiles ? "/etc/vfio-claim.conf")
      && !(c.boot.initrd.extraFiles ? "/etc/modprobe.d/00-vfio-claim.conf")
    )
    ++ expect "no vfio modules added" (!lib.elem "vfio_pci" c.boot.initrd.availableKernelModules);

  # The assertions, one configuration each (the message is what NixOS prints).
  assertionMessages =
    module: map (a: a.message) (lib.filter (a: !a.assertion) (evalSystem [ module ]).config.assertions);
  assertsWith =
    what: module: fragments:
    let
      got = assertionMessages module;
    in
    lib.concatMap (
      f: expect "${what}: an assertion says ${builtins.toJSON f}; got ${builtins.toJSON got}" (
        lib.any (lib.hasInfix f) got
      )
    ) fragments
    ++ expect "${what}: one assertion per fault; got ${builtins.toJSON got}" (
      lib.length got == lib.length fragments
    );
  libvirtAssertions =
    assertsWith "libvirtd off" {
      boot.initrd.vfio-claim.libvirt = {
        enable = true;
        domains = [ "win11" ];
      };
    } [ "set virtualisation.libvirtd.enable = true" ]
    ++ assertsWith "no domains" (libvirtd // { boot.initrd.vfio-claim.libvirt.enable = true; }) [
      "boot.initrd.vfio-claim.libvirt.domains is empty"
    ]
    ++ assertsWith "bad names" (
      libvirtd
      // {
        boot.initrd.vfio-claim.libvirt = {
          enable = true;
          domains = [ "win11" "Windows 11" "a,b" ];
          stopUnits = [ "display-manager" "lactd.service" ];
        };
      }
    ) [ "cannot carry:\n  \"Windows 11\" \"a,b\"\n" "does not take:\n  \"display-manager\"\n" ]
    ++ assertsWith "names at the limits" (
      libvirtd
      // {
        boot.initrd.vfio-claim.libvirt = {
          enable = true;
          domains = nameRules.domains.good;
          stopUnits = nameRules.stopUnits.good;
        };
      }
    ) [ ];

  # Names against the rules of src/settings.c (domain_name_ok, unit_name_ok). The module must
  # reject exactly the bad ones here; run.sh puts each into a config file for the real binary,
  # which must take the good ones and not the bad ones, so the two cannot drift apart.
  nameRules = {
    domains = {
      good = [ "win11" "Win_11.gpu+2-x" "*" (lib.concatStrings (lib.genList (_: "d") 255)) ];
      bad = [
        "Windows 11" "win,11" "" "win#11" "wïn11" "a/b" "win\n11" "**" "win'11"
        (lib.concatStrings (lib.genList (_: "d") 256))
      ];
    };
    stopUnits = {
      good = [
        "display-manager.service" "user@1000.service" "session-2.scope" "dbus-:1.2-x@0.service"
        "systemd-fsck@dev-disk-by\\x2dlabel-nixos.service"
        (lib.concatStrings (lib.genList (_: "u") 247) + ".service")
      ];
      bad = [
        "display-manager" "lactd.socket" ".service" "a b.service" "a,b.service" "a/b.service" ""
        "system.slice" (lib.concatStrings (lib.genList (_: "u") 248) + ".service")
      ];
    };
  };
  # The assertion lists exactly the bad names, each as Nix would write it.
  libvirtNames =
    let
      listed =
        attrs: header:
        let
          msgs = assertionMessages (
            libvirtd // { boot.initrd.vfio-claim.libvirt = { enable = true; } // attrs; }
          );
          msg = lib.findFirst (lib.hasInfix header) "" msgs;
        in
        lib.elemAt (lines msg ++ [ "" "" ]) 1;
      want = names: "  " + lib.concatStringsSep " " (map builtins.toJSON names);
      domains = listed { domains = nameRules.domains.bad; } "cannot carry:";
      units = listed {
        domains = [ "*" ];
        stopUnits = nameRules.stopUnits.bad;
      } "does not take:";
    in
    expect "bad domains listed: want ${want nameRules.domains.bad}, got ${domains}" (
      domains == want nameRules.domains.bad
    )
    ++ expect "bad units listed: want ${want nameRules.stopUnits.bad}, got ${units}" (
      units == want nameRules.stopUnits.bad
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
      c.boot.initrd.extraFiles."/etc/modprobe.d/00-vfio-claim.conf".source.text
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
    scriptedChecks sys [ ] ++ seedChecks sys sys.config.boot.initrd.extraFiles."/etc/modprobe.d/00-vfio-claim.conf".source.text;

  seed-systemd =
    let
      sys = evalSystem [ seed { boot.initrd.systemd.enable = true; } ];
    in
    systemdChecks sys [ ]
    ++ seedChecks sys sys.config.boot.initrd.systemd.contents."/etc/modprobe.d/00-vfio-claim.conf".source.text
    # systemd-modules-load reads boot.initrd.kernelModules; the unit is ordered before it
    ++ expect "modules-load gets the seed's list" (lib.elem "amdgpu" sys.config.boot.initrd.kernelModules);

  specialisation-scripted = specialisationCase false;
  specialisation-systemd = specialisationCase true;

  softdep-merge-scripted = softdepMergeCase false;
  softdep-merge-systemd = softdepMergeCase true;
  install-warning = installWarning;

  options-scripted = optionsCase false;
  options-systemd = optionsCase true;

  disabled =
    let
      sys = evalSystem [ { boot.initrd.vfio-claim.ids = seedIds; } ];
      c = sys.config;
    in
    lacks "preDeviceCommands" c.boot.initrd.preDeviceCommands "vfio-claim"
    ++ lacks "extraUtilsCommands" c.boot.initrd.extraUtilsCommands "vfio-claim"
    ++ expect "no initrd files" (!(c.boot.initrd.extraFiles ? "/etc/modprobe.d/00-vfio-claim.conf"))
    ++ expect "no vfio modules added" (!lib.elem "vfio_pci" c.boot.initrd.availableKernelModules)
    ++ expect "no config file" (!(c.environment.etc ? "vfio-claim.conf"))
    ++ expect "no libvirt hook" (c.virtualisation.libvirtd.hooks.qemu == { });

  libvirt-scripted = libvirtCase false;
  libvirt-systemd = libvirtCase true;
  libvirt-only = libvirtOnly;
  libvirt-assertions = libvirtAssertions;
  libvirt-names = libvirtNames;

  # For run.sh, which hands these to the real binary: the name table, and the booted system's
  # /etc/vfio-claim.conf with and without the initrd part.
  name-rules = nameRules;
  libvirt-conf =
    let
      etc =
        initrd:
        (evalSystem [
          libvirtd
          {
            boot.initrd.vfio-claim = {
              enable = initrd;
              ids = seedIds;
              addresses = [ "0000:0a:00.0" ];
              libvirt = {
                enable = true;
                domains = [ "win11" "win10" ];
                stopUnits = [ "display-manager.service" "user@1000.service" ];
              };
            };
          }
        ]).config.environment.etc."vfio-claim.conf".source.text;
    in
    {
      with-initrd = etc true;
      hand-over-only = etc false;
    };

  # For run.sh's must-fail cases of assertions: what nixos-rebuild evaluates first. NixOS's
  # top-level.nix throws "Failed assertions: ..." before it builds anything.
  rejectAssertion =
    module: builtins.seq (evalSystem [ module ]).config.system.build.toplevel "evaluated";

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
    ++ contains "scripted node modprobe.d" scripted.boot.initrd.extraFiles."/etc/modprobe.d/00-vfio-claim.conf".source.text "softdep bochs pre: vfio_pci\n"
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
