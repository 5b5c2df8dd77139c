# A stand-in for a nixpkgs package set, for evaluating nix/*.nix and flake.nix offline.
# Packages are attribute sets shaped like derivations (type, name, outPath, ...) that
# build nothing. Store paths are made from a hash of the name and any text content, so a
# test can predict the path of a file written with writeText or formats.json.
{
  lib,
  system ? "x86_64-linux",
}:

let
  b = builtins;

  mkDrv =
    name: extra:
    let
      hash = b.substring 0 32 (b.hashString "sha256" (name + "\n" + (extra.text or "")));
      self = {
        type = "derivation";
        inherit name system;
        outPath = "/nix/store/${hash}-${name}";
        drvPath = "/nix/store/${hash}-${name}.drv";
        outputs = [ "out" ];
        outputName = "out";
        out = self;
        meta = { };
      } // extra;
    in
    self;

  tool = name: mkDrv name { pname = name; };

  # stdenv.mkDerivation, with the finalAttrs form and overrideAttrs.
  mkDerivationFrom =
    fn:
    let
      finalAttrs = fn finalAttrs;
      name = finalAttrs.name or "${finalAttrs.pname}-${finalAttrs.version}";
    in
    mkDrv name (
      finalAttrs
      // (finalAttrs.passthru or { })
      // {
        inherit name;
        meta = finalAttrs.meta or { };
        overrideAttrs =
          f:
          mkDerivationFrom (
            final:
            let
              prev = fn final;
              step = if lib.isFunction f then f prev else f;
              changes = if lib.isFunction step then f final prev else step;
            in
            prev // changes
          );
      }
    );

  pkgs = rec {
    inherit lib system;

    stdenv = {
      hostPlatform = {
        inherit system;
        isLinux = true;
        isDarwin = false;
      };
      buildPlatform = stdenv.hostPlatform;
      isLinux = true;
      mkDerivation = arg: mkDerivationFrom (if lib.isFunction arg then arg else _: arg);
    };

    callPackage =
      fn: args:
      let
        f = if lib.isFunction fn then fn else import fn;
      in
      f (b.intersectAttrs (b.functionArgs f) pkgs // args);

    cmake = tool "cmake";
    ninja = tool "ninja";
    pkg-config = tool "pkg-config";
    makeWrapper = tool "make-wrapper";
    xxHash = tool "xxHash";
    tmux = tool "tmux";
    imagemagick = tool "imagemagick";
    qemu_kvm = tool "qemu";
    curl = tool "curl";
    bubblewrap = tool "bubblewrap";
    openssh = tool "openssh";
    jq = tool "jq";
    rsync = tool "rsync";
    fswatch = tool "fswatch";
    bash = tool "bash";
    bashInteractive = tool "bash-interactive";
    coreutils = tool "coreutils";
    procps = tool "procps";
    gdb = tool "gdb";
    clang-tools = tool "clang-tools";
    shellcheck = tool "shellcheck";
    nix = tool "nix";
    python3 = mkDrv "python3" {
      withPackages = f: mkDrv "python3-env" { packages = f python3Packages; };
    };
    python3Packages = {
      pyflakes = tool "pyflakes";
    };

    qt6 = {
      qtbase = tool "qtbase";
      qthttpserver = tool "qthttpserver";
      qtwebsockets = tool "qtwebsockets";
      qtwayland = tool "qtwayland";
      wrapQtAppsHook = tool "wrap-qt6-apps-hook";
      wrapQtAppsNoGuiHook = tool "wrap-qt6-apps-no-gui-hook";
    };

    xorg = {
      libxcb = tool "libxcb";
      xorgserver = tool "xorg-server";
      xauth = tool "xauth";
      xeyes = tool "xeyes";
      xclock = tool "xclock";
    };

    writeText = name: text: mkDrv name { inherit text; };
    writeShellScript =
      name: text:
      mkDrv name {
        text = "#!/bin/sh\n" + text;
        executable = true;
      };
    writeShellScriptBin =
      name: text:
      mkDrv name {
        text = "#!/bin/sh\n" + text;
        meta.mainProgram = name;
      };

    formats.json =
      { }:
      {
        type = lib.mkOptionType {
          name = "json";
          description = "JSON value";
        };
        generate = name: value: mkDrv name { text = b.toJSON value; };
      };

    mkShell = attrs: mkDrv (attrs.name or "nix-shell") attrs;

    testers.runNixOSTest =
      test:
      mkDrv "vm-test-run-${test.name}" {
        passthru.test = test;
        inherit test;
      };
  };
in
pkgs
