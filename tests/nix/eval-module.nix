# Evaluates nix/module.nix against the stubs: its option declarations, and its config
# under a few settings. check.sh compares the result with expected-options.json and
# asserts on the scenarios with jq.
#   nix-instantiate --eval --strict --json tests/nix/eval-module.nix --arg root ./.
{
  root ? ../..,
}:

let
  h = import ./harness.nix { inherit root; };
  inherit (h) pkgs;

  containerPackage = pkgs.writeShellScriptBin "claude-sandbox-container" "exit 0";

  stubBackends = {
    stub = {
      description = "a stub";
      command = [
        "/bin/stub"
        "{project_dir}"
      ];
      display = "none";
    };
    container = null;
  };

  scenarios = {
    disabled = { };
    defaults = {
      enable = true;
    };
    container = {
      enable = true;
      containerSudoers = true;
      sandboxPackages = [ containerPackage ];
    };
    everything = {
      enable = true;
      listenAddress = "0.0.0.0:8080";
      stateDir = "/srv/claude-manager";
      user = "agents";
      group = "agents";
      tokenFile = "/run/keys/manager-token";
      backendsFile = "/etc/claude-sandbox-manager/backends.json";
      screen = "1280x800x24";
      capture = "import";
      keepSandboxesOnRestart = false;
      openFirewall = true;
      extraEnvironment = {
        MANAGER_CLAUDE_DIR = "/srv/claude";
      };
    };
    backends = {
      enable = true;
      backends = stubBackends;
    };
    both-backend-options = {
      enable = true;
      backends = stubBackends;
      backendsFile = "/etc/claude-sandbox-manager/backends.json";
    };
    exposed-without-token = {
      enable = true;
      listenAddress = "[::]:3000";
    };
    # Self-tests of the harness: these must be reported, or the checks above prove nothing.
    bad-types = {
      enable = "yes";
      listenAddress = 3000;
      screen = "big";
    };
    bad-name = {
      enalbe = true;
    };
  };
in
h.summarizeOptions
// {
  scenarios = builtins.mapAttrs (_: h.summarizeScenario) scenarios;
  expected = {
    # Where formats.json puts the backends file of the `backends` scenario.
    generatedBackendsFile =
      (pkgs.formats.json { }).generate "claude-sandbox-manager-backends.json"
        { backends = stubBackends; };
    containerPackageBin = "${containerPackage}/bin/claude-sandbox-container";
    bash = "${pkgs.bashInteractive}/bin/bash";
  };
}
