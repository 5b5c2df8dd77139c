{
  description = "claude-sandbox-manager: run many sandboxed AI coding agents on a Linux server and watch them from a laptop";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (
        system: pkgs: {
          # The daemon (and the CLI), for servers. Same output name as the reference flake.
          manager = pkgs.callPackage ./nix/package.nix { withViewer = false; };
          # The desktop viewer (and the CLI), for laptops.
          viewer = pkgs.callPackage ./nix/package.nix { withDaemon = false; };
          # `claude-remote` alone. Same output name as the reference flake.
          cli = pkgs.callPackage ./nix/package.nix {
            withDaemon = false;
            withViewer = false;
          };
          # All three.
          default = pkgs.callPackage ./nix/package.nix { };
        }
      );

      overlays.default = final: prev: {
        claude-sandbox-manager = final.callPackage ./nix/package.nix { withViewer = false; };
        claude-remote-viewer = final.callPackage ./nix/package.nix { withDaemon = false; };
      };

      # services.claude-sandbox-manager. `manager` is the reference flake's name for it.
      nixosModules.manager = ./nix/module.nix;
      nixosModules.default = self.nixosModules.manager;

      checks = forAllSystems (
        system: pkgs:
        self.packages.${system}
        // {
          # The unit tests, run in the build sandbox.
          unit = self.packages.${system}.default.overrideAttrs { doCheck = true; };
          # A NixOS VM driving the daemon's API through a sandbox's whole life.
          manager-vm = pkgs.testers.runNixOSTest (import ./nix/tests/manager.nix { inherit self; });
        }
      );

      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            inputsFrom = [ self.packages.${system}.default ];
            packages = self.packages.${system}.default.daemonTools ++ [
              pkgs.gdb
              pkgs.clang-tools # clang-format, clang-tidy
              pkgs.shellcheck
              pkgs.jq
              pkgs.nix # nix-instantiate, for tests/nix/check.sh
              (pkgs.python3.withPackages (ps: [ ps.pyflakes ])) # lints the VM test's script
            ];
          };
        }
      );
    };
}
