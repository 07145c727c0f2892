# SPDX-License-Identifier: GPL-2.0-or-later
{
  description = "vfio-claim: claim PCI devices for vfio-pci in the initramfs, before host drivers bind";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system} = {
        default = pkgs.callPackage ./nix/package.nix { };
        # For the initrd: no shared libraries to copy. Built with pkgsStatic (musl, static
        # libpci/libkmod, libudev-zero), which may compile a good part of its closure locally.
        static = pkgs.pkgsStatic.callPackage ./nix/package.nix { };
      };

      # Builds vfio-claim from the importing system's nixpkgs unless `package` is set. An
      # attribute set rather than the bare path: older `nix flake check` accepts only functions
      # and attribute sets here, and the module system still sees the file (error locations).
      nixosModules.default = {
        imports = [ ./nix/module.nix ];
      };

      checks.${system} = {
        package = self.packages.${system}.default;
        static = self.packages.${system}.static;
        # q35 + intel-iommu with a secondary-vga + ich9-intel-hda pair whose host drivers
        # (bochs, snd_hda_intel) are loaded from boot.initrd.kernelModules, as in the seed setup.
        vm = import ./nix/vm-test.nix {
          inherit pkgs;
          module = self.nixosModules.default;
          staticPackage = self.packages.${system}.static;
        };
      };
    };
}
