# SPDX-License-Identifier: GPL-2.0-or-later
#
# What every test system needs to evaluate offline: the stub package set (stub-pkgs.nix) in place
# of nixpkgs, a root file system (NixOS asserts one), no boot loader to install.
stub:
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
