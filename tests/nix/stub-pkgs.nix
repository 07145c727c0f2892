# SPDX-License-Identifier: GPL-2.0-or-later
#
# A stand-in for nixpkgs' package set, just big enough to evaluate NixOS option declarations
# and this project's module and package offline (the August 2024 lib/ + nixos/ trees have no
# pkgs/). Derivations are plain attribute sets with a fixed fake store path; writeText keeps its
# text so tests can read generated files; callPackage passes the arguments a function asks for.
{ lib, isStatic ? false }:

let
  fakeHash = "00000000000000000000000000000000";
  drv =
    name: extra:
    let
      self' = {
        type = "derivation";
        inherit name;
        pname = name;
        version = "0";
        outPath = "${builtins.storeDir}/${fakeHash}-${name}";
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

  self = {
    inherit lib;

    callPackage =
      fn: overrides:
      let
        f = if builtins.isFunction fn then fn else import fn;
      in
      f (builtins.intersectAttrs (builtins.functionArgs f) self // overrides);

    stdenv = {
      hostPlatform = {
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
      };
      buildPlatform.canExecute = _: true;
      isLinux = true;
      isDarwin = false;
      isx86_64 = true;
      isi686 = false;
      isAarch64 = false;
      cc.targetPrefix = if isStatic then "x86_64-unknown-linux-musl-" else "";
      # the arguments stay readable for the package test
      mkDerivation = args: drv "${args.pname}-${args.version}" { inherit args; };
    };

    # trivial builders: the text stays readable for the tests
    writeText = name: text: drv name { inherit text; };
    writeScript = name: text: drv name { inherit text; };
    writeScriptBin = name: text: drv name { inherit text; };
    writeShellScript = name: text: drv name { inherit text; };
    writeShellScriptBin = name: text: drv name { inherit text; overrideAttrs = _: drv name { inherit text; }; };
    runCommand = name: _: script: drv name { inherit script; };
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
    pkgsStatic = import ./stub-pkgs.nix { inherit lib; isStatic = true; };
    pkgsi686Linux = self;

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
    unixtools = lib.genAttrs [ "xxd" "hostname" "ping" "netstat" "ifconfig" ] (n: drv n { });
  }
  // lib.genAttrs [
    "bash" "bashInteractive" "coreutils" "e2fsprogs" "findutils" "fish" "glibc" "kexec-tools"
    "less" "nix" "shadow" "sudo" "tzdata" "xonsh" "zsh"
  ] (n: drv n { });
in
self
