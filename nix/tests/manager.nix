# NixOS VM test of services.claude-sandbox-manager: boots a machine with the module on,
# then drives the HTTP API through a sandbox's whole life, as the reference's own test
# does, plus what ours adds (bearer token, backends file, surviving a restart).
#
# The backends are stubs that print what they were given and sleep, so the test needs
# neither Claude Code nor a real sandbox:
# - `stub`, declared in a backends file (services.claude-sandbox-manager.backendsFile);
# - the compiled-in `bubblewrap`, whose `claude-sandbox` comes from sandboxPackages, as
#   configurations written for the reference daemon provide it.
#
# Run with `nix build .#checks.x86_64-linux.manager-vm` (or `nix flake check`).
{ self }:

{
  name = "claude-sandbox-manager";

  nodes.server =
    { pkgs, ... }:
    let
      stubBackend = pkgs.writeShellScript "stub-backend" ''
        echo "stub sandbox started: $*"
        echo "env SANDBOX_ID=''${SANDBOX_ID:-} SANDBOX_NAME=''${SANDBOX_NAME:-} DISPLAY=''${DISPLAY:-}"
        exec sleep infinity
      '';
      referenceStub = pkgs.writeShellScriptBin "claude-sandbox" ''
        echo "reference stub: $*"
        exec sleep infinity
      '';
    in
    {
      imports = [ self.nixosModules.manager ];

      services.claude-sandbox-manager = {
        enable = true;
        sandboxPackages = [ referenceStub ];
        backendsFile = pkgs.writeText "backends.json" (
          builtins.toJSON {
            backends.stub = {
              description = "VM test stub";
              command = [
                "${stubBackend}"
                "{project_dir}"
                "{id}"
              ];
              command_no_network = [
                "${stubBackend}"
                "--offline"
                "{project_dir}"
              ];
              display = "xvfb";
            };
          }
        );
        # A root-owned 0600 file, as a secret manager would leave it.
        tokenFile = "/etc/claude-sandbox-manager/token";
      };

      environment.etc."claude-sandbox-manager/token" = {
        text = "vm-test-token";
        mode = "0600";
      };

      environment.systemPackages = [
        pkgs.curl
        pkgs.procps
      ];

      virtualisation.memorySize = 2048;
    };

  testScript = ''
    import json
    import shlex
    from typing import Any

    TOKEN = "vm-test-token"
    BASE = "http://localhost:3000"
    STATE = "/var/lib/claude-manager"
    AUTH = f"Authorization: Bearer {TOKEN}"


    def api(method: str, path: str, body: Any = None, expect: int = 200, auth: bool = True) -> str:
        """One request; asserts its status and returns its body."""
        cmd = ["curl", "-s", "-o", "/tmp/api-body", "-w", "%{http_code}", "-X", method]
        if auth:
            cmd += ["-H", AUTH]
        if body is not None:
            cmd += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
        cmd.append(BASE + path)
        # curl leaves no file behind for an empty body (204): start from none.
        status = int(server.succeed("rm -f /tmp/api-body; " + " ".join(shlex.quote(c) for c in cmd)))
        text = server.succeed("cat /tmp/api-body 2>/dev/null || true")
        assert status == expect, f"{method} {path}: expected {expect}, got {status}: {text}"
        return text


    def api_json(method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        return json.loads(api(method, path, body, expect))


    def wait_for_log(sandbox_id: str, needle: str) -> None:
        """Polls the log endpoint until the backend's output shows up in it."""
        url = shlex.quote(f"{BASE}/api/sandboxes/{sandbox_id}/logs")
        server.wait_until_succeeds(
            f"curl -sf -H {shlex.quote(AUTH)} {url} | grep -qF -- {shlex.quote(needle)}",
            timeout=60,
        )


    def stub_pids() -> str:
        return server.succeed("pgrep -u claude-manager -x sleep | sort").strip()


    server.wait_for_unit("claude-sandbox-manager.service")
    server.wait_for_open_port(3000)

    with subtest("the unit runs as configured"):
        props = server.succeed(
            "systemctl show claude-sandbox-manager -p User -p NoNewPrivileges"
            " -p KillMode -p PrivateTmp -p StateDirectoryMode"
        )
        for expected in ["User=claude-manager", "NoNewPrivileges=yes", "KillMode=process",
                         "PrivateTmp=no", "StateDirectoryMode=0700"]:
            assert expected in props, f"{expected} not in: {props}"
        server.succeed(f"test \"$(stat -c '%a %U' {STATE})\" = '700 claude-manager'")

    with subtest("every request needs the token"):
        api("GET", "/api/sandboxes", expect=401, auth=False)
        server.succeed(
            "test \"$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong'"
            f" {BASE}/api/sandboxes)\" = 401"
        )

    with subtest("the list starts empty"):
        assert api_json("GET", "/api/sandboxes") == []

    with subtest("system metrics are JSON"):
        metrics = api_json("GET", "/api/metrics/system")
        for key in ["cpu_usage", "memory_used", "memory_total", "disk_used", "disk_total",
                    "net_rx_bytes", "net_tx_bytes"]:
            assert key in metrics, f"{key} missing from {metrics}"
        assert metrics["memory_total"] > 0

    with subtest("the backends file is read"):
        backends = {b["name"]: b for b in api_json("GET", "/api/backends")}
        assert "stub" in backends, f"no stub backend in {list(backends)}"
        assert backends["stub"]["available"], backends["stub"]
        assert backends["stub"]["supports_no_network"], backends["stub"]
        assert "bubblewrap" in backends

    server.succeed("mkdir -p /tmp/test-project && chown claude-manager: /tmp/test-project")

    with subtest("create refuses bad requests"):
        err = api_json("POST", "/api/sandboxes",
                       {"name": "x", "backend": "nope", "project_dir": "/tmp/test-project"},
                       expect=422)
        assert err.get("field") == "backend", err
        err = api_json("POST", "/api/sandboxes",
                       {"name": "x", "backend": "stub", "project_dir": "/does/not/exist"},
                       expect=422)
        assert err.get("field") == "project_dir", err
        # The compiled-in bubblewrap backend has no no-network form: refused, not ignored.
        err = api_json("POST", "/api/sandboxes",
                       {"name": "x", "backend": "bubblewrap", "project_dir": "/tmp/test-project",
                        "network": False},
                       expect=422)
        assert err.get("field") == "network", err
        assert api_json("GET", "/api/sandboxes") == []

    with subtest("create a sandbox"):
        sandbox = api_json("POST", "/api/sandboxes",
                           {"name": "test", "backend": "stub", "project_dir": "/tmp/test-project"},
                           expect=201)
        sandbox_id = sandbox["id"]
        assert sandbox["name"] == "test", sandbox
        assert sandbox["backend"] == "stub", sandbox
        assert sandbox["status"] == "running", sandbox
        assert sandbox["network"] is True, sandbox
        assert sandbox["tmux_session"] == "sandbox-" + sandbox_id[:8], sandbox
        assert len(api_json("GET", "/api/sandboxes")) == 1

    with subtest("its log holds the backend's output"):
        wait_for_log(sandbox_id, f"stub sandbox started: /tmp/test-project {sandbox_id}")
        log = api("GET", f"/api/sandboxes/{sandbox_id}/logs")
        assert f"SANDBOX_ID={sandbox_id} SANDBOX_NAME=test DISPLAY=:" in log, log

    with subtest("its display is captured"):
        url = shlex.quote(f"{BASE}/api/sandboxes/{sandbox_id}/screenshot")
        server.wait_until_succeeds(
            f"test \"$(curl -s -o /dev/null -w '%{{content_type}}' -H {shlex.quote(AUTH)} {url})\""
            " = image/png",
            timeout=60,
        )

    with subtest("sandboxes survive a restart of the daemon"):
        before = stub_pids()
        assert before != ""
        server.succeed("systemctl restart claude-sandbox-manager.service")
        server.wait_for_unit("claude-sandbox-manager.service")
        server.wait_for_open_port(3000)
        assert stub_pids() == before, "the restart killed the sandbox's processes"
        assert api_json("GET", f"/api/sandboxes/{sandbox_id}")["status"] == "running"

    with subtest("network false reaches the backend"):
        offline = api_json("POST", "/api/sandboxes",
                           {"name": "offline", "backend": "stub",
                            "project_dir": "/tmp/test-project", "network": False},
                           expect=201)
        assert offline["network"] is False, offline
        wait_for_log(offline["id"], "stub sandbox started: --offline /tmp/test-project")
        api("DELETE", f"/api/sandboxes/{offline['id']}", expect=204)

    with subtest("the reference's bubblewrap backend runs claude-sandbox from sandboxPackages"):
        compat = api_json("POST", "/api/sandboxes",
                          {"name": "compat", "backend": "bubblewrap",
                           "project_dir": "/tmp/test-project"},
                          expect=201)
        assert compat["status"] == "running", compat
        wait_for_log(compat["id"], "reference stub: /tmp/test-project")
        api("DELETE", f"/api/sandboxes/{compat['id']}", expect=204)

    with subtest("stop"):
        api("POST", f"/api/sandboxes/{sandbox_id}/stop", expect=204)
        assert api_json("GET", f"/api/sandboxes/{sandbox_id}")["status"] == "stopped"
        api("POST", f"/api/sandboxes/{sandbox_id}/stop", expect=204)  # idempotent, as in the reference
        server.wait_until_fails("pgrep -u claude-manager -x sleep", timeout=30)

    with subtest("delete removes the sandbox and its log"):
        server.succeed(f"test -f {STATE}/logs/{sandbox_id}.log")
        api("DELETE", f"/api/sandboxes/{sandbox_id}", expect=204)
        server.succeed(f"test ! -e {STATE}/logs/{sandbox_id}.log")
        api("GET", f"/api/sandboxes/{sandbox_id}", expect=404)
        assert api_json("GET", "/api/sandboxes") == []

    with subtest("state.json is valid and empty"):
        state = json.loads(server.succeed(f"cat {STATE}/state.json"))
        assert state["sandboxes"] == {}, state
        assert isinstance(state["next_display"], int), state
  '';
}
