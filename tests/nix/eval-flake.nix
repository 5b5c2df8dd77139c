# Evaluates flake.nix's outputs against the stubs, with the packages (nix/package.nix),
# the NixOS VM test (nix/tests/manager.nix) and its node's module settings, and returns
# what check.sh asserts on.
#   nix-instantiate --eval --strict --json tests/nix/eval-flake.nix --arg root ./.
{
  root ? ../..,
}:

let
  h = import ./harness.nix { inherit root; };
  inherit (h) lib pkgsFor;

  systems = [
    "x86_64-linux"
    "aarch64-linux"
  ];

  flake = import (root + "/flake.nix");
  nixpkgs = {
    inherit lib;
    legacyPackages = lib.genAttrs systems pkgsFor;
    outPath = "/nix/store/00000000000000000000000000000000-nixpkgs-source";
  };
  outputs = flake.outputs { inherit self nixpkgs; };
  self = outputs // {
    outPath = toString root;
    inputs = { inherit nixpkgs; };
  };

  rel = p: lib.removePrefix (toString root + "/") (toString p);
  names = map (d: d.pname or d.name);

  # What each path of the repository does in a package's source filter.
  probes = {
    "CMakeLists.txt" = "regular";
    "LICENSE" = "regular";
    "cli" = "directory";
    "daemon" = "directory";
    "docs" = "directory";
    "tests" = "directory";
    "tests/nix" = "directory";
    "nix" = "directory";
    "flake.nix" = "regular";
    "flake.lock" = "regular";
    ".git" = "directory";
    "result" = "symlink";
  };

  summarizeDrv = d: {
    inherit (d) name;
    pname = d.pname or null;
    version = d.version or null;
    mainProgram = d.meta.mainProgram or null;
    platforms = d.meta.platforms or null;
    license = d.meta.license.spdxId or null;
    cmakeFlags = d.cmakeFlags or [ ];
    doCheck = d.doCheck or false;
    buildInputs = names (d.buildInputs or [ ]);
    nativeBuildInputs = names (d.nativeBuildInputs or [ ]);
    preFixup = d.preFixup or "";
    checkPhase = d.checkPhase or "";
    source =
      if d ? src then
        {
          root = rel d.src.origSrc;
          keeps = lib.mapAttrs (path: type: d.src.filter (toString root + "/" + path) type) probes;
        }
      else
        null;
  };

  vmTest =
    let
      test = outputs.checks.x86_64-linux.manager-vm.test;
      node = test.nodes.server {
        pkgs = pkgsFor "x86_64-linux";
        inherit lib;
        config = { };
        modulesPath = "/nixos/modules";
      };
      settings = node.services.claude-sandbox-manager;
    in
    {
      inherit (test) name testScript;
      nodeKeys = lib.attrNames node;
      imports = map rel node.imports;
      schemaErrors = h.schemaErrors node;
      module = h.summarizeScenario settings;
      tokenFileMode = node.environment.etc."claude-sandbox-manager/token".mode or null;
      backendsFile = if settings ? backendsFile then builtins.fromJSON settings.backendsFile.text else null;
    };
in
{
  description = flake.description;
  inputs = lib.mapAttrs (_: i: i.url or null) flake.inputs;
  outputArguments = builtins.functionArgs flake.outputs;
  outputs = lib.attrNames outputs;
  packages = lib.mapAttrs (_: lib.mapAttrs (_: summarizeDrv)) outputs.packages;
  nixosModules = lib.mapAttrs (_: rel) outputs.nixosModules;
  overlay = lib.attrNames (outputs.overlays.default (pkgsFor "x86_64-linux") (pkgsFor "x86_64-linux"));
  checks = lib.mapAttrs (_: lib.attrNames) outputs.checks;
  unitCheck = summarizeDrv outputs.checks.x86_64-linux.unit;
  devShells = lib.mapAttrs (
    _:
    lib.mapAttrs (
      _: s: {
        inputsFrom = names (s.inputsFrom or [ ]);
        packages = names (s.packages or [ ]);
      }
    )
  ) outputs.devShells;
  inherit vmTest;
}
