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
    stubName = if isStatic then "static" else "dynamic";

    callPackage = fn: overrides:
      let f = if builtins.isFunction fn then fn else import fn;
      in f (builtins.intersectAttrs (builtins.functionArgs f) self // overrides);

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
        efiArch = "x64";
      };
      buildPlatform.canExecute = _: true;
      isLinux = true;
      isDarwin = false;
      isx86_64 = true;
      isi686 = false;
      isAarch64 = false;
      cc.targetPrefix = if isStatic then "x86_64-unknown-linux-musl-" else "";
      mkDerivation = args: drv "${args.pname}-${args.version}" { inherit args; };
    };

    writeText = name: text: drv name { inherit text; };
    writeShellScript = name: text: drv name { inherit text; };
    writeShellScriptBin = name: text: drv name { inherit text; overrideAttrs = _: drv name { inherit text; }; };
    runCommand = name: _: script: drv name { inherit script; };
    runCommandCC = self.runCommand;
    runCommandLocal = self.runCommand;
    unixtools = lib.genAttrs [ "xxd" "hostname" "ping" "netstat" "ifconfig" ] (n: drv n { });
    pkgsi686Linux = self;

    glibcLocales = drv "glibc-locales" { override = _: self.glibcLocales; };
    tzdata = drv "tzdata" { };
    nix = drv "nix" { out = self.nix; };
    bash = drv "bash" { };
    glibc = drv "glibc" { };
    systemd = drv "systemd" {
      withCryptsetup = false;
      withEfi = false;
      withTpm2Tss = false;
      util-linux = drv "util-linux" { };
      kbd = drv "kbd" { gzip = drv "gzip" { }; };
      kmod = self.kmod;
    };
    e2fsprogs = drv "e2fsprogs" { };
    coreutils = drv "coreutils" { };
    shadow = drv "shadow" { };
    findutils = drv "findutils" { };
    less = drv "less" { };
    kexec-tools = drv "kexec-tools" { };
    dhcpcd = drv "dhcpcd" { enablePrivSep = false; };
    sudo = drv "sudo" { };
    fish = drv "fish" { };
    xonsh = drv "xonsh" { };
    zsh = drv "zsh" { };
    bashInteractive = drv "bashInteractive" { };
    pkg-config = drv "pkg-config" { };
    pciutils = drv "pciutils" { };
    kmod = drv "kmod" { };
    udev = drv (if isStatic then "libudev-zero" else "systemd-minimal-libs") { };

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

    pkgsStatic = import ./stub-pkgs.nix { inherit lib; isStatic = true; };

    testers.runNixOSTest = test: drv "vm-test-run-${test.name}" { inherit test; };
    nixosTest = self.testers.runNixOSTest;

    formats = lib.genAttrs [
      "ini" "iniWithGlobalSection" "json" "yaml" "toml" "keyValue" "javaProperties" "elixirConf"
      "lua" "nixConf" "hocon" "libconfig" "pythonVars" "php" "systemd" "cdn" "xml"
    ] (_: format);
  };
in
self
