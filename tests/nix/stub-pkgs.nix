# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for nixpkgs' package set, just big enough to evaluate NixOS option declarations
# and this project's module and package offline (the August 2024 lib/ + nixos/ trees have no
# pkgs/). Derivations are plain attribute sets with a fake store path; writeText keeps its
# text so tests can read generated files; callPackage passes the arguments a function asks for.
#
# The boot suite (boot.nix, boot.sh) builds an initrd out of what these stand-ins record: every
# builder keeps its inputs (`builder` says which: writeText, runCommand, substituteAll, ...), and
# the fake store path hashes the name and the recorded text, so two different files never share
# a path, as in a real store.
{ lib, isStatic ? false, record ? false }:

let
  # 32 characters of Nix's base-32 alphabet (which has no e, o, u, t), from a hex digest.
  hashOf =
    s: builtins.replaceStrings [ "e" ] [ "g" ] (builtins.substring 0 32 (builtins.hashString "sha256" s));
  # Recorded inputs as JSON values: derivations become their paths, functions are dropped.
  plain =
    v:
    if builtins.isFunction v then
      null
    else if builtins.isPath v then
      toString v
    else if builtins.isList v then
      map plain v
    else if builtins.isAttrs v then
      (if v ? outPath then toString v.outPath else lib.mapAttrs (_: plain) v)
    else
      v;
  recorded = [ "builder" "text" "script" "env" "args" ];
  drv =
    name: extra:
    let
      inputs = plain (builtins.intersectAttrs (lib.genAttrs recorded (_: null)) extra);
      path = "${builtins.storeDir}/${hashOf (name + builtins.toJSON inputs)}-${name}";
      # With `record`, every derivation whose path is used is announced once on stderr, after
      # everything it refers to (a path is only known once its inputs are): boot.sh reads these
      # lines as the build plan, in build order.
      announce = builtins.trace (
        "vfio-claim-drv " + builtins.toJSON (inputs // { out = path; inherit name; })
      ) path;
      self' = {
        type = "derivation";
        inherit name;
        pname = name;
        version = "0";
        outPath = if record then announce else path;
        outputName = "out";
        out = self';
        bin = self';
        lib = self';
        dev = self';
        man = self';
      } // extra;
    in
    self';
  format = _: {
    type = lib.types.attrsOf lib.types.anything;
    generate = name: _: drv name { };
  };

  platform = {
    inherit isStatic;
    system = "x86_64-linux";
    libc = if isStatic then "musl" else "glibc";
    isLinux = true;
    isx86 = true;
    isx86_64 = true;
    isAarch = false;
    isAarch64 = false;
    isRiscV64 = false;
    isArmv7 = false;
    isMusl = isStatic;
    is32bit = false;
    is64bit = true;
    efiArch = "x64";
    canExecute = _: true;
  };

  self = {
    inherit lib;

    callPackage =
      fn: overrides:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) self // overrides);

    stdenv = {
      # one value for both, as in a native build: stage-1.nix runs its extra-utils tests only
      # when hostPlatform == buildPlatform
      hostPlatform = platform;
      buildPlatform = platform;
      isLinux = true;
      isDarwin = false;
      isx86_64 = true;
      isi686 = false;
      isAarch64 = false;
      cc.targetPrefix = if isStatic then "x86_64-unknown-linux-musl-" else "";
      cc.libc = self.glibc;
      isBigEndian = false;
      # the arguments stay readable for the package test
      mkDerivation = args: drv "${args.pname}-${args.version}" { inherit args; };
    };

    # trivial builders: the text stays readable for the tests
    writeText = name: text: drv name { builder = "writeText"; inherit text; };
    writeScript = name: text: drv name { builder = "writeScript"; inherit text; };
    writeScriptBin = name: text: drv name { builder = "writeScriptBin"; inherit text; };
    writeShellScript = name: text: drv name { builder = "writeShellScript"; inherit text; };
    writeShellScriptBin =
      name: text:
      drv name {
        builder = "writeShellScriptBin";
        inherit text;
        overrideAttrs = _: self.writeShellScriptBin name text;
      };
    writeTextFile = args: drv args.name { builder = "writeTextFile"; inherit args; };
    runCommand = name: env: script: drv name { builder = "runCommand"; inherit env script; };
    # The builders of stage 1 (nixos/modules/system/boot/stage-1.nix and systemd/initrd.nix);
    # boot.sh carries out what they record. Paths stay strings: nothing is copied to a store.
    substituteAll =
      args: drv (args.name or (baseNameOf (toString args.src))) { builder = "substituteAll"; inherit args; };
    makeModulesClosure =
      args: drv "${args.kernel.name or "kernel"}-shrunk" { builder = "makeModulesClosure"; inherit args; };
    makeInitrd = args: drv (args.name or "initrd") { builder = "makeInitrd"; inherit args; };
    makeInitrdNG = args: drv (args.name or "initrd") { builder = "makeInitrdNG"; inherit args; };
    buildEnv = args: drv args.name { builder = "buildEnv"; inherit args; };
    aggregateModules = modules: drv "kernel-modules" {
      builder = "aggregateModules";
      override = a: self.aggregateModules modules // drv a.name { builder = "aggregateModules"; };
    };
    runCommandCC = self.runCommand;
    runCommandLocal = self.runCommand;
    runtimeShell = "${self.bash}/bin/bash";

    formats = lib.genAttrs [
      "ini" "iniWithGlobalSection" "json" "yaml" "toml" "keyValue" "javaProperties" "elixirConf"
      "lua" "nixConf" "hocon" "libconfig" "pythonVars" "php" "systemd" "cdn" "xml"
    ] (_: format);

    # what nix/package.nix asks for
    pkg-config = drv "pkg-config" { };
    pciutils = drv "pciutils" { };
    kmod = drv "kmod" { };
    udev = drv (if isStatic then "libudev-zero" else "systemd-minimal-libs") { };
    pkgsStatic = import ./stub-pkgs.nix { inherit lib record; isStatic = true; };
    pkgsi686Linux = self;
    buildPackages = self;

    # what flake.nix and nix/vm-test.nix ask for
    testers.runNixOSTest = test: drv "vm-test-run-${test.name}" { inherit test; };
    nixosTest = self.testers.runNixOSTest;

    # what the NixOS modules touch while the tests read initrd options, assertions and units
    systemd = drv "systemd" {
      withCryptsetup = false;
      withEfi = false;
      withTpm2Tss = false;
      util-linux = drv "util-linux" { };
      kbd = drv "kbd" { gzip = drv "gzip" { }; };
      kmod = self.kmod;
    };
    linuxPackages = lib.makeExtensible (_: { kernel = self.kernel; });
    kernel = drv "linux-6.6.44" {
      version = "6.6.44";
      modDirVersion = "6.6.44";
      features = { };
      override = _: self.kernel;
      config = {
        isYes = _: true;
        isNo = _: false;
        isModule = _: true;
        isEnabled = _: true;
        isSet = _: true;
        getValue = _: null;
      };
    };
    glibcLocales = drv "glibc-locales" { override = _: self.glibcLocales; };
    dhcpcd = drv "dhcpcd" { enablePrivSep = false; };
    OVMF = drv "OVMF" {
      override = _: self.OVMF;
      fd = self.OVMF;
      firmware = "${self.OVMF}/FV/OVMF_CODE.fd";
      variables = "${self.OVMF}/FV/OVMF_VARS.fd";
      systemManagementModeRequired = false;
    };
    xorg.lndir = drv "lndir" { };
    unixtools = lib.genAttrs [ "xxd" "hostname" "ping" "netstat" "ifconfig" ] (n: drv n { });
  }
  // lib.genAttrs [
    "bash" "bashInteractive" "coreutils" "e2fsprogs" "findutils" "fish" "glibc" "kexec-tools"
    "less" "libvirt" "libxml2" "nix" "qemu" "shadow" "sudo" "tzdata" "xonsh" "zsh"
    # what the stage 1 builders copy from (boot.sh fills these paths with Debian's files)
    "busybox" "util-linux" "lvm2" "mdadm" "patchelf" "nukeReferences" "bintools" "perl"
    "kmod-blacklist-ubuntu" "kmod-debian-aliases" "bcache-tools" "kbd"
  ] (n: drv n { });
in
self
