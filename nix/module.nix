# NixOS module: services.claude-sandbox-manager
#
# Takes every option of the reference daemon's module (jhhuh/claude-code-nix-sandbox,
# nix/modules/manager.nix) with the same name, type and default, so a configuration
# written for that daemon keeps working, and adds: package, backendsFile, backends,
# tokenFile, screen, capture, keepSandboxesOnRestart, openFirewall, extraEnvironment.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.claude-sandbox-manager;

  jsonFormat = pkgs.formats.json { };

  # The unit's StateDirectory= when stateDir lies under /var/lib (the default does);
  # anywhere else a tmpfiles rule creates it.
  stateUnderVarLib = lib.hasPrefix "/var/lib/" cfg.stateDir;
  stateDirectoryName = lib.removePrefix "/var/lib/" cfg.stateDir;

  listenHost =
    let
      parts = lib.splitString ":" cfg.listenAddress;
    in
    lib.concatStringsSep ":" (lib.take (lib.length parts - 1) parts);
  listenPort = lib.toInt (lib.last (lib.splitString ":" cfg.listenAddress));
  listensOnLoopback =
    lib.elem listenHost [
      "localhost"
      "[::1]"
      "::1"
    ]
    || lib.hasPrefix "127." listenHost;

  effectiveBackendsFile =
    if cfg.backendsFile != null then
      "${cfg.backendsFile}"
    else if cfg.backends != { } then
      jsonFormat.generate "claude-sandbox-manager-backends.json" { backends = cfg.backends; }
    else
      null;

  # Every place sudo may find claude-sandbox-container: the system profile (where the
  # reference's rule points) and each sandbox package. sudo matches the resolved path, and
  # the compiled-in `container` backend resolves the name through the service's PATH.
  containerCommands = [
    "/run/current-system/sw/bin/claude-sandbox-container"
  ] ++ map (p: "${p}/bin/claude-sandbox-container") cfg.sandboxPackages;

  # Hardening for the usual case, where nothing under the daemon changes user. Each is a
  # default, so one can be turned back off with a plain assignment in
  # systemd.services.claude-sandbox-manager.serviceConfig.
  #
  # Left out on purpose:
  # - ProtectHome, ProtectSystem=strict, ReadWritePaths: project dirs can be anywhere,
  #   /home included, and the backends write into them.
  # - PrivateDevices, DeviceAllow, ProtectClock (which sets a DeviceAllow list): the VM
  #   backend needs /dev/kvm, GPU-using agents /dev/dri, some sandboxes /dev/fuse.
  # - ProtectKernelTunables, ProtectKernelLogs, ProtectProc: they mount over parts of
  #   /proc, and the kernel then refuses the fresh /proc a bubblewrap sandbox mounts in
  #   its own user namespace ("Can't mount proc on /newroot/proc").
  # - RestrictNamespaces: bubblewrap and systemd-nspawn are made of namespaces.
  # - SystemCallFilter: bwrap needs mount/pivot_root/unshare, QEMU a long tail of calls.
  # - MemoryDenyWriteExecute: Claude Code runs on Node.js, a JIT.
  hardening = lib.mapAttrs (_: lib.mkDefault) {
    NoNewPrivileges = true;
    RestrictSUIDSGID = true;
    # Empty: a service running as a plain user has no use for capabilities, and sandboxes
    # get theirs inside their own user namespaces, which start with a full set.
    CapabilityBoundingSet = "";
    LockPersonality = true;
    RestrictRealtime = true;
    SystemCallArchitectures = "native";
    ProtectKernelModules = true;
    ProtectControlGroups = true;
    ProtectHostname = true;
    # /usr, /boot, /efi and /etc read-only.
    ProtectSystem = "full";
  };
in
{
  options.services.claude-sandbox-manager = {
    enable = lib.mkEnableOption "the Claude Sandbox Manager daemon (web dashboard and HTTP API)";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { withViewer = false; };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { withViewer = false; }";
      description = ''
        The package providing `bin/claude-sandbox-manager`. The default is built from this
        repository against the system's nixpkgs, without the desktop viewer.
      '';
    };

    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1:3000";
      example = "0.0.0.0:3000";
      description = ''
        Address and port the daemon listens on (`MANAGER_LISTEN`). Keep it on loopback and
        reach it through an SSH tunnel (`claude-remote ui`), or set {option}`tokenFile`
        before listening anywhere else.
      '';
    };

    stateDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/claude-manager";
      description = ''
        Directory for `state.json`, `logs/` and per-sandbox runtime files
        (`MANAGER_STATE_DIR`); also the home of {option}`user`. Created with mode 0700,
        as systemd's StateDirectory when it lies under /var/lib.
      '';
    };

    user = lib.mkOption {
      type = lib.types.str;
      default = "claude-manager";
      description = "System user the daemon, and so every sandbox, runs as. Created by this module.";
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "claude-manager";
      description = "System group of {option}`user`. Created by this module.";
    };

    sandboxPackages = lib.mkOption {
      type = lib.types.listOf lib.types.package;
      default = [ ];
      example = lib.literalExpression "[ inputs.claude-code-nix-sandbox.packages.\${pkgs.stdenv.hostPlatform.system}.sandbox ]";
      description = ''
        Sandbox backend packages put on the service's PATH, such as the reference's
        `claude-sandbox` (backend `bubblewrap`), `claude-sandbox-container` (`container`)
        and `claude-sandbox-vm` (`vm`).
      '';
    };

    containerSudoers = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = ''
        Let {option}`user` run `claude-sandbox-container` as root through sudo without a
        password, as the `container` backend needs. This also turns off NoNewPrivileges
        and the hardening that implies it, since sudo must be able to gain privileges.
      '';
    };

    backendsFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/etc/claude-sandbox-manager/backends.json";
      description = ''
        JSON file of backends to add to, replace among or remove from the compiled-in ones
        (`MANAGER_BACKENDS_FILE`; format in docs/CONFIGURATION.md). When this and
        {option}`backends` are both unset the daemon still reads
        /etc/claude-sandbox-manager/backends.json if it exists.
      '';
    };

    backends = lib.mkOption {
      type = lib.types.attrsOf (lib.types.nullOr jsonFormat.type);
      default = { };
      example = lib.literalExpression ''
        {
          my-agent = {
            description = "Claude Code under my own wrapper";
            command = [ "''${myWrapper}/bin/my-wrapper" "--project" "{project_dir}" ];
            display = "xvfb";
          };
          container = null; # remove a compiled-in backend
        }
      '';
      description = ''
        The `backends` object of a backends file, written by Nix. Mutually exclusive with
        {option}`backendsFile`.
      '';
    };

    tokenFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/secrets/claude-sandbox-manager-token";
      description = ''
        File holding a bearer token; every request must then carry
        `Authorization: Bearer <token>`. systemd hands the daemon a private copy
        (LoadCredential), so the file can stay owned by root with mode 0600. Give it as
        a string: a Nix path literal would put the secret into the world-readable store.
      '';
    };

    screen = lib.mkOption {
      type = lib.types.nullOr (lib.types.strMatching "[0-9]+x[0-9]+x[0-9]+");
      default = null;
      example = "1280x800x24";
      description = "Xvfb screen of each sandbox, WIDTHxHEIGHTxDEPTH (`MANAGER_SCREEN`); null keeps the daemon's 1920x1080x24.";
    };

    capture = lib.mkOption {
      type = lib.types.nullOr (
        lib.types.enum [
          "xshm"
          "import"
        ]
      );
      default = null;
      description = "How displays are captured (`MANAGER_CAPTURE`); null keeps the daemon's default, xshm.";
    };

    keepSandboxesOnRestart = lib.mkOption {
      type = lib.types.bool;
      default = true;
      description = ''
        Whether restarting or stopping the service leaves running sandboxes (their tmux
        sessions, backends and Xvfb servers) alone, so that an upgrade or a crash does not
        kill the agents; the daemon finds them again when it starts (KillMode=process).
        When false, stopping the service kills every sandbox with it.
      '';
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Open the port of {option}`listenAddress` in the firewall.";
    };

    extraEnvironment = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      example = {
        MANAGER_CLAUDE_DIR = "/srv/claude";
      };
      description = "More environment variables for the daemon; they win over the ones this module sets.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.backendsFile == null || cfg.backends == { };
        message = "services.claude-sandbox-manager: set backendsFile or backends, not both.";
      }
      {
        assertion = lib.hasPrefix "/" cfg.stateDir;
        message = "services.claude-sandbox-manager.stateDir must be an absolute path.";
      }
      {
        assertion = builtins.match ".*:[0-9]+" cfg.listenAddress != null;
        message = "services.claude-sandbox-manager.listenAddress must be HOST:PORT, got ${cfg.listenAddress}.";
      }
    ];

    warnings = lib.optional (cfg.tokenFile == null && !listensOnLoopback) ''
      services.claude-sandbox-manager listens on ${cfg.listenAddress} without a tokenFile:
      anyone who can reach that address can start sandboxes and read their logs.
    '';

    users.users.${cfg.user} = {
      isSystemUser = true;
      group = cfg.group;
      home = cfg.stateDir;
      description = "Claude Sandbox Manager";
    };
    users.groups.${cfg.group} = { };

    systemd.tmpfiles.rules = lib.optional (!stateUnderVarLib) "d '${cfg.stateDir}' 0700 ${cfg.user} ${cfg.group} - -";

    systemd.services.claude-sandbox-manager = {
      description = "Claude Sandbox Manager";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];

      # The service's PATH; the package's wrapper puts its own tools in front.
      path = cfg.sandboxPackages ++ lib.optional cfg.containerSudoers "/run/wrappers";

      environment =
        {
          MANAGER_LISTEN = cfg.listenAddress;
          MANAGER_STATE_DIR = cfg.stateDir;
          # tmux runs commands through $SHELL, or else the user's login shell, which for
          # a system user is nologin. A default, so that a configuration written for the
          # reference daemon, which had to set environment.SHELL itself, still evaluates.
          SHELL = lib.mkDefault "${pkgs.bashInteractive}/bin/bash";
        }
        // lib.optionalAttrs (effectiveBackendsFile != null) {
          MANAGER_BACKENDS_FILE = "${effectiveBackendsFile}";
        }
        // lib.optionalAttrs (cfg.tokenFile != null) {
          # %d: the unit's credentials directory, where LoadCredential= put the copy.
          MANAGER_TOKEN_FILE = "%d/token";
        }
        // lib.optionalAttrs (cfg.screen != null) { MANAGER_SCREEN = cfg.screen; }
        // lib.optionalAttrs (cfg.capture != null) { MANAGER_CAPTURE = cfg.capture; }
        // cfg.extraEnvironment;

      serviceConfig =
        {
          ExecStart = "${cfg.package}/bin/claude-sandbox-manager";
          User = cfg.user;
          Group = cfg.group;
          WorkingDirectory = cfg.stateDir;
          Restart = "on-failure";
          RestartSec = 5;

          # The tmux server, the backends and the Xvfb servers are the daemon's children,
          # so in the unit's cgroup. With KillMode=process a stop or restart signals the
          # daemon alone; the new daemon finds the sessions again by name. Stopping the
          # unit therefore does not stop sandboxes: stop them through the API first, or
          # set keepSandboxesOnRestart = false.
          KillMode = if cfg.keepSandboxesOnRestart then "process" else "control-group";

          # No private /tmp, because:
          # - tmux keeps its server socket in /tmp/tmux-<uid>/. A private /tmp is a new
          #   one on every start, so after a restart the daemon could not reach the tmux
          #   server that survived (see KillMode), and an administrator's
          #   `sudo -u claude-manager tmux attach -t sandbox-<id>` never could.
          # - Xvfb claims its display with /tmp/.X<n>-lock and listens on
          #   /tmp/.X11-unix/X<n> besides its abstract socket. In a private /tmp it would
          #   not see the locks of the host's other X servers, and X clients outside the
          #   unit would find no socket file.
          # - Project directories under /tmp must be the host's.
          PrivateTmp = false;
        }
        // lib.optionalAttrs stateUnderVarLib {
          StateDirectory = stateDirectoryName;
          StateDirectoryMode = "0700";
        }
        // lib.optionalAttrs (cfg.tokenFile != null) {
          # A string, never a path: no copy of the secret in the store.
          LoadCredential = "token:${toString cfg.tokenFile}";
        }
        # With containerSudoers the daemon's children run sudo, which needs setuid: no
        # NoNewPrivileges, nor any of the settings that imply it for a non-root unit
        # (RestrictSUIDSGID, SystemCallArchitectures, ProtectKernelModules, LockPersonality,
        # RestrictRealtime, ...), nor a capability bounding set, which would bind root too,
        # nor mount restrictions, which systemd-nspawn would inherit.
        // (if cfg.containerSudoers then { NoNewPrivileges = false; } else hardening);
    };

    security.sudo.extraRules = lib.mkIf cfg.containerSudoers [
      {
        users = [ cfg.user ];
        commands = map (command: {
          inherit command;
          options = [ "NOPASSWD" ];
        }) containerCommands;
      }
    ];

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ listenPort ];
  };
}
