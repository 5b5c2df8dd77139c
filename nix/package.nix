# claude-sandbox-manager: the daemon, the desktop viewer and the `claude-remote` CLI,
# built with CMake against Qt 6.
#
#   callPackage ./package.nix { }                                       everything
#   callPackage ./package.nix { withViewer = false; }                   daemon + CLI (servers)
#   callPackage ./package.nix { withDaemon = false; }                   viewer + CLI (laptops)
#   callPackage ./package.nix { withDaemon = false; withViewer = false; }   CLI only
#
# CMake installs the CLI (bin/claude-remote, its bash completion and man page) whatever the
# two switches say, and the `demo` backend's script in libexec/claude-sandbox-manager/,
# where the daemon looks for it.
{
  lib,
  stdenv,
  cmake,
  ninja,
  pkg-config,
  makeWrapper,
  qt6,
  xorg,
  xxHash,
  # the daemon's runtime tools
  tmux,
  imagemagick,
  qemu_kvm,
  curl,
  bubblewrap,
  # the CLI's runtime tools
  openssh,
  jq,
  rsync,
  fswatch,

  withDaemon ? true,
  withViewer ? true,
  # qemu on the daemon's PATH, for VM backends. qemu_kvm only emulates the host's own
  # architecture, which is all a KVM guest needs, at a fraction of the full qemu closure.
  withQemu ? true,
  # Sandbox backend packages put on the daemon's PATH, after its own tools (for example
  # the reference's `claude-sandbox`). The NixOS module puts its own `sandboxPackages` on
  # the service's PATH instead, so the package there needs no rebuild when they change.
  sandboxPackages ? [ ],
}:

let
  # One version, the one in CMakeLists.txt's project() call.
  version =
    let
      found = builtins.match ".*project\\(claude-sandbox-manager[[:space:]]+VERSION[[:space:]]+([0-9][0-9.]*).*" (
        builtins.readFile ../CMakeLists.txt
      );
    in
    if found == null then throw "nix/package.nix: no VERSION in CMakeLists.txt's project()" else lib.head found;

  # Programs the daemon runs. Prefixed to PATH so a service sees the versions it was
  # built and tested with, whatever the host has.
  daemonTools =
    [
      tmux # one session per sandbox, pipe-pane logs
      xorg.xorgserver # Xvfb, one per sandbox with a display
      xorg.xauth # the X authority file of each Xvfb (no -ac)
      imagemagick # `import`, the capture fallback (MANAGER_CAPTURE=import)
      curl # health checks
      bubblewrap # `bwrap`, for the compiled-in `bwrap` backend
      xorg.xeyes # the compiled-in `demo` backend draws with these two
      xorg.xclock
    ]
    ++ lib.optional withQemu qemu_kvm
    ++ sandboxPackages;

  # Programs `claude-remote` (and the viewer, for its SSH tunnel) run. Suffixed to PATH:
  # on a laptop the user's own ssh (agent, config, FIDO keys) should win over ours.
  cliTools = [
    openssh
    curl
    jq
    rsync
    fswatch
  ];

  pname =
    if withDaemon && withViewer then
      "claude-sandbox-manager-full"
    else if withDaemon then
      "claude-sandbox-manager"
    else if withViewer then
      "claude-remote-viewer"
    else
      "claude-remote";

  mainProgram =
    if withDaemon then
      "claude-sandbox-manager"
    else if withViewer then
      "claude-remote-viewer"
    else
      "claude-remote";
in
stdenv.mkDerivation (finalAttrs: {
  inherit pname version;

  # The repository without its Nix files (editing the module must not rebuild the
  # package), VCS metadata or `result` links.
  src = lib.cleanSourceWith {
    src = lib.cleanSource ../.;
    filter =
      path: type:
      let
        rel = lib.removePrefix (toString ../. + "/") (toString path);
      in
      !(lib.elem rel [
        "nix"
        "flake.nix"
        "flake.lock"
        ".github"
      ])
      && !(lib.hasPrefix "result" (baseNameOf path));
  };

  nativeBuildInputs = [
    cmake
    ninja
    pkg-config
    makeWrapper
    # The wrapper sets QT_PLUGIN_PATH: the daemon needs the image-format plugins (JPEG
    # thumbnails), the viewer also the platform plugins.
    (if withViewer then qt6.wrapQtAppsHook else qt6.wrapQtAppsNoGuiHook or qt6.wrapQtAppsHook)
  ];

  buildInputs =
    [ qt6.qtbase ]
    ++ lib.optionals withDaemon [
      qt6.qthttpserver
      qt6.qtwebsockets
      xorg.libxcb # xcb, xcb-shm, xcb-damage
      xxHash # libxxhash
    ]
    ++ lib.optionals (withViewer && stdenv.hostPlatform.isLinux) [ qt6.qtwayland ];

  cmakeFlags = [
    (lib.cmakeBool "CSM_BUILD_DAEMON" withDaemon)
    (lib.cmakeBool "CSM_BUILD_VIEWER" withViewer)
    (lib.cmakeBool "BUILD_TESTING" finalAttrs.doCheck)
  ];

  # The unit tests start tmux and Xvfb; the flake's `checks.<system>.unit` turns them on
  # (overrideAttrs { doCheck = true; }), the VM test covers the installed daemon.
  doCheck = false;
  nativeCheckInputs = [
    tmux
    xorg.xorgserver
    xorg.xauth
    imagemagick
    curl
    jq
  ];
  checkPhase = ''
    runHook preCheck
    export HOME="$TMPDIR" QT_QPA_PLATFORM=offscreen
    # `nix` (tests/nix/check.sh) needs nix-instantiate, which a build sandbox lacks.
    ctest --output-on-failure --label-exclude nix -j "$NIX_BUILD_CORES"
    runHook postCheck
  '';

  # Wrapped by hand: the automatic pass would also wrap the CLI (a bash script) in a Qt
  # wrapper, and the daemon needs its PATH on top of the Qt variables.
  dontWrapQtApps = true;
  preFixup =
    lib.optionalString withDaemon ''
      wrapQtApp "$out/bin/claude-sandbox-manager" \
        --prefix PATH : ${lib.makeBinPath daemonTools}
    ''
    + lib.optionalString withViewer ''
      wrapQtApp "$out/bin/claude-remote-viewer" \
        --suffix PATH : ${lib.makeBinPath [ openssh ]}
    ''
    + ''
      if [ ! -x "$out/bin/claude-remote" ]; then
        echo "nix/package.nix: CMake did not install bin/claude-remote (see cli/CMakeLists.txt)" >&2
        exit 1
      fi
      wrapProgram "$out/bin/claude-remote" \
        --suffix PATH : ${lib.makeBinPath cliTools}
    '';

  passthru = {
    inherit daemonTools cliTools;
  };

  meta = {
    description = "Run many sandboxed AI coding agents on a Linux server and watch them from a laptop";
    longDescription = ''
      A daemon that starts Claude Code sandboxes (bubblewrap, systemd-nspawn or QEMU
      backends) in tmux sessions with their own Xvfb displays, and serves a web dashboard
      and an HTTP API for them; a Qt desktop viewer; and the `claude-remote` CLI. A drop-in
      replacement for the Rust claude-sandbox-manager of claude-code-nix-sandbox.
    '';
    homepage = "https://github.com/claude-sandbox-manager/claude-sandbox-manager";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    inherit mainProgram;
  };
})
