# SPDX-License-Identifier: GPL-2.0-or-later
#
# vfio-claim for Nix:  pkgs.callPackage ./nix/package.nix { }
# static (initrd):     pkgs.pkgsStatic.callPackage ./nix/package.nix { }
#
# The static variant needs no Makefile knob of its own: pkgsStatic already provides static
# libpci/libkmod/libudev and a pkg-config that finds them, so the ordinary build is run with
# LDFLAGS=-static and "pkg-config --static" (which adds the libraries' own dependencies: liblzma,
# libzstd, zlib for libkmod). `udev` is nixpkgs' udev library alias: systemdLibs where systemd
# builds, libudev-zero (daemonless, links statically) on static musl.
#
# Kernel modules on NixOS are compressed (.ko.xz, newer kernels .ko.zst). That works with both
# builds: nixpkgs' kmod (34.x) links liblzma and libzstd into libkmod, static too, and libkmod
# 31+ skips its own decompression when /sys/module/compression names the module's format and
# hands the compressed file to the kernel (finit_module with MODULE_INIT_COMPRESSED_FILE).
# Caveat for later kmod: 35 defaults to dlopen()ing the decompressors, which a static binary
# cannot do; it then depends on the kernel path (CONFIG_MODULE_DECOMPRESS, same format), which
# the VM test in flake.nix exercises by using this static build in the systemd initrd.
{
  lib,
  stdenv,
  pkg-config,
  pciutils,
  kmod,
  udev,
}:

let
  root = ../.;
  # Nix files, the flake and build output do not change the binary; leaving them out keeps
  # edits to the module from rebuilding the package.
  src = lib.cleanSourceWith {
    src = lib.cleanSource root;
    filter =
      path: type:
      let
        rel = lib.removePrefix (toString root + "/") (toString path);
      in
      !(builtins.elem rel [ "nix" "build" "flake.nix" "flake.lock" "result" ]);
  };
  versionHeader = root + "/include/args.h";
  versionMatch =
    if builtins.pathExists versionHeader then
      builtins.match ".*#define[ \t]+VFIO_CLAIM_VERSION[ \t]+\"([^\"]+)\".*" (builtins.readFile versionHeader)
    else
      null;
  isStatic = stdenv.hostPlatform.isStatic;
in
stdenv.mkDerivation {
  pname = "vfio-claim";
  version = if versionMatch == null then "0-unstable" else builtins.head versionMatch;
  inherit src;

  strictDeps = true;
  nativeBuildInputs = [ pkg-config ];
  buildInputs = [
    pciutils
    kmod
    udev
  ];

  # Makefile variables relied on: CC, PKG_CONFIG, LDFLAGS, PREFIX (DESTDIR stays empty), and
  # DEPS, the Debian package check run before compiling (dpkg-query/apt-get), which has no
  # place in a Nix build: the inputs above are the dependencies.
  makeFlags = [
    "CC=${stdenv.cc.targetPrefix}cc"
    "PREFIX=${placeholder "out"}"
    "DEPS=true"
  ] ++ lib.optionals isStatic [ "LDFLAGS=-static" ];

  # PKG_CONFIG is exported by nixpkgs' pkg-config setup hook (target-prefixed when cross or
  # static); the static build wants the private dependencies too. An array entry, because the
  # value has a space in it.
  # (preConfigure runs once, before both the build and the install phase.)
  preConfigure = lib.optionalString isStatic ''
    makeFlagsArray+=("PKG_CONFIG=''${PKG_CONFIG:-${stdenv.cc.targetPrefix}pkg-config} --static")
  '';

  # The Makefile passes -D_FORTIFY_SOURCE=3 itself; the wrapper's own define would only make
  # the compiler warn about a redefinition.
  hardeningDisable = [ "fortify" ];

  enableParallelBuilding = true;

  # The suites need QEMU, fixture trees and the network (make check); the binary is checked
  # where it is used: the initrd builders run "vfio-claim --version" and flake.nix boots VMs.
  doCheck = false;
  doInstallCheck = stdenv.buildPlatform.canExecute stdenv.hostPlatform;
  installCheckPhase = ''
    runHook preInstallCheck
    $out/bin/vfio-claim --version
    ${lib.optionalString isStatic ''
      if ''${READELF:-readelf} -l $out/bin/vfio-claim | grep -q 'INTERP'; then
        echo "vfio-claim: static build has an ELF interpreter" >&2
        exit 1
      fi
    ''}
    runHook postInstallCheck
  '';

  meta = {
    description = "Claim PCI devices for vfio-pci in the initramfs, before host drivers bind";
    license = lib.licenses.gpl2Plus;
    platforms = lib.platforms.linux;
    mainProgram = "vfio-claim";
  };
}
