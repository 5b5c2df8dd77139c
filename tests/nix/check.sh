#!/usr/bin/env bash
# Offline checks of the project's Nix files, for machines without nixpkgs (CI, Debian's
# nix-bin). Nothing is built or downloaded; every evaluation runs against the stubs in
# this folder.
#
#   1. every .nix file in the repository parses (nix-instantiate --parse);
#   2. nix/module.nix declares exactly the options of expected-options.json, with those
#      types and defaults, each with a description and a default of its own type;
#   3. the module's config, under several settings, gives the systemd unit, user, sudo
#      rule and firewall port it should, passes its assertions, and sets only NixOS
#      options the harness knows (so a misspelt NixOS option fails here, not on a host);
#   4. flake.nix evaluates: its inputs, packages (nix/package.nix under each switch),
#      module, checks and dev shell; the NixOS VM test's node sets valid module options,
#      its backends file has the documented shape, and its Python script compiles (and
#      passes pyflakes when that is installed).
#
# Usage: tests/nix/check.sh [REPO_ROOT]. Exit status 0 when everything holds, 1 when
# something does not, 77 (CTest's skip) when nix-instantiate or jq is missing.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "${1:-$here/../..}" && pwd)

for tool in nix-instantiate jq; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool is not installed (Debian: apt-get install nix-bin jq)" >&2
        exit 77
    fi
done

# No channels, no daemon, no store writes, and quiet about the nixbld group Debian's
# nix.conf names without creating it.
export NIX_PATH=
export NIX_CONFIG="build-users-group ="
export NIX_REMOTE=

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

nix_eval() {
    nix-instantiate --readonly-mode --eval --strict --json "$@" --argstr root "$root"
}

# check JSON_FILE DESCRIPTION JQ_EXPRESSION: the expression must be true.
check() {
    local file=$1 description=$2 expression=$3
    local result
    if ! result=$(jq -e "$expression" "$file" 2>&1); then
        fail "$description"
        echo "      jq: $expression" >&2
        [[ -n "$result" ]] && echo "      got: $result" >&2
    fi
}

# --- 1. every .nix file parses ----------------------------------------------------------
for required in flake.nix nix/package.nix nix/module.nix nix/tests/manager.nix; do
    [[ -f "$root/$required" ]] || fail "$required is missing"
done

parsed=0
while IFS= read -r -d '' file; do
    if ! output=$(nix-instantiate --parse "$file" 2>&1 >/dev/null); then
        fail "${file#"$root"/} does not parse:"
        echo "$output" | sed 's/^/      /' >&2
    fi
    parsed=$((parsed + 1))
done < <(find "$root" \( -name .git -o -name _deps -o -name 'result*' -o -name node_modules \) -prune \
    -o -name '*.nix' -type f -print0)
echo "parse: $parsed .nix files"

# --- 2. and 3. the module ---------------------------------------------------------------
module_json=$scratch/module.json
if ! nix_eval "$here/eval-module.nix" >"$module_json" 2>"$scratch/module.err"; then
    fail "nix/module.nix does not evaluate against the stubs:"
    sed 's/^/      /' "$scratch/module.err" >&2
else
    check "$module_json" "the module has exactly the keys options and config" \
        '.moduleKeys == ["config", "options"]'
    check "$module_json" "the module declares options under services.claude-sandbox-manager only" \
        '.optionRoots == ["services"] and .serviceRoots == ["claude-sandbox-manager"]'
    check "$module_json" "every option has a type, a description and a default of its own type" \
        '.problems == []'
    if ! diff -u <(jq -S . "$here/expected-options.json") <(jq -S .options "$module_json") \
        >"$scratch/options.diff"; then
        fail "the module's options differ from tests/nix/expected-options.json (- expected, + module):"
        sed 's/^/      /' "$scratch/options.diff" >&2
    fi

    # Every scenario but the harness's self-tests must be clean.
    for scenario in disabled defaults container everything backends; do
        check "$module_json" "scenario $scenario: no unknown or mistyped settings, no unknown NixOS options" \
            ".scenarios[\"$scenario\"] | .unknownOptions == [] and .typeErrors == [] and .schemaErrors == []"
        check "$module_json" "scenario $scenario: assertions hold" \
            ".scenarios[\"$scenario\"].failedAssertions == []"
    done

    check "$module_json" "disabled: the module sets nothing" '.scenarios.disabled.config == {}'

    svc='.config.systemd.services["claude-sandbox-manager"]'
    d=".scenarios.defaults"
    check "$module_json" "defaults: no warnings" "$d.warnings == []"
    check "$module_json" "defaults: unit runs as claude-manager" \
        "$d$svc.serviceConfig | .User == \"claude-manager\" and .Group == \"claude-manager\""
    check "$module_json" "defaults: StateDirectory claude-manager with mode 0700" \
        "$d$svc.serviceConfig | .StateDirectory == \"claude-manager\" and .StateDirectoryMode == \"0700\""
    check "$module_json" "defaults: Restart=on-failure" "$d$svc.serviceConfig.Restart == \"on-failure\""
    check "$module_json" "defaults: KillMode=process keeps sandboxes over a restart" \
        "$d$svc.serviceConfig.KillMode == \"process\""
    check "$module_json" "defaults: PrivateTmp off (tmux and X sockets), said explicitly" \
        "$d$svc.serviceConfig.PrivateTmp == false"
    check "$module_json" "defaults: hardened (NoNewPrivileges, ProtectSystem=full, no capabilities)" \
        "$d$svc.serviceConfig | .NoNewPrivileges == true and .ProtectSystem == \"full\" and .CapabilityBoundingSet == \"\" and .RestrictSUIDSGID == true"
    check "$module_json" "defaults: ExecStart is the package's claude-sandbox-manager" \
        "$d$svc.serviceConfig.ExecStart | test(\"^/nix/store/[^/]+-claude-sandbox-manager-[0-9.]+/bin/claude-sandbox-manager$\")"
    check "$module_json" "defaults: MANAGER_LISTEN and MANAGER_STATE_DIR" \
        "$d$svc.environment | .MANAGER_LISTEN == \"127.0.0.1:3000\" and .MANAGER_STATE_DIR == \"/var/lib/claude-manager\""
    check "$module_json" "defaults: SHELL is bash (tmux runs commands with it), no token or backends file" \
        ".expected.bash as \$bash | $d$svc.environment | .SHELL == \$bash and (has(\"MANAGER_TOKEN_FILE\") or has(\"MANAGER_BACKENDS_FILE\") | not)"
    check "$module_json" "defaults: started with the system, after the network" \
        "$d$svc | .wantedBy == [\"multi-user.target\"] and .after == [\"network.target\"]"
    check "$module_json" "defaults: system user and group claude-manager, home = stateDir" \
        "$d.config.users | .users[\"claude-manager\"] == {isSystemUser: true, group: \"claude-manager\", home: \"/var/lib/claude-manager\", description: \"Claude Sandbox Manager\"} and (.groups | has(\"claude-manager\"))"
    check "$module_json" "defaults: no sudo rule, no firewall port, no tmpfiles rule" \
        "$d.config | (.security.sudo | has(\"extraRules\") | not) and (.networking.firewall | has(\"allowedTCPPorts\") | not) and .systemd.tmpfiles.rules == []"

    c=".scenarios.container"
    check "$module_json" "containerSudoers: NoNewPrivileges off" "$c$svc.serviceConfig.NoNewPrivileges == false"
    check "$module_json" "containerSudoers: no hardening that implies NoNewPrivileges, binds sudo's root or restricts nspawn's mounts" \
        "($c$svc.serviceConfig | keys) - [\"ExecStart\", \"User\", \"Group\", \"WorkingDirectory\", \"Restart\", \"RestartSec\", \"KillMode\", \"PrivateTmp\", \"StateDirectory\", \"StateDirectoryMode\", \"NoNewPrivileges\"] == []"
    check "$module_json" "containerSudoers: passwordless sudo for claude-sandbox-container, in the profile and in each sandbox package" \
        ".expected.containerPackageBin as \$bin | $c.config.security.sudo.extraRules == [{users: [\"claude-manager\"], commands: [{command: \"/run/current-system/sw/bin/claude-sandbox-container\", options: [\"NOPASSWD\"]}, {command: \$bin, options: [\"NOPASSWD\"]}]}]"
    check "$module_json" "containerSudoers: sudo's wrapper on the service's PATH, after the sandbox packages" \
        "$c$svc.path | length == 2 and .[1] == \"/run/wrappers\""

    e=".scenarios.everything"
    check "$module_json" "everything: each option reaches its variable" \
        "$e$svc.environment == {MANAGER_LISTEN: \"0.0.0.0:8080\", MANAGER_STATE_DIR: \"/srv/claude-manager\", MANAGER_TOKEN_FILE: \"%d/token\", MANAGER_BACKENDS_FILE: \"/etc/claude-sandbox-manager/backends.json\", MANAGER_SCREEN: \"1280x800x24\", MANAGER_CAPTURE: \"import\", MANAGER_CLAUDE_DIR: \"/srv/claude\", SHELL: .expected.bash}"
    check "$module_json" "everything: the token arrives as a credential, not from the store" \
        "$e$svc.serviceConfig.LoadCredential == \"token:/run/keys/manager-token\""
    check "$module_json" "everything: a stateDir outside /var/lib comes from tmpfiles, mode 0700" \
        "$e | (.config.systemd.tmpfiles.rules == [\"d '/srv/claude-manager' 0700 agents agents - -\"]) and ($svc.serviceConfig | has(\"StateDirectory\") | not)"
    check "$module_json" "everything: keepSandboxesOnRestart=false kills the whole cgroup" \
        "$e$svc.serviceConfig.KillMode == \"control-group\""
    check "$module_json" "everything: openFirewall opens the listen port" \
        "$e.config.networking.firewall.allowedTCPPorts == [8080]"
    check "$module_json" "everything: user and group follow the options" \
        "$e | $svc.serviceConfig.User == \"agents\" and .config.users.users.agents.group == \"agents\" and (.config.users.groups | has(\"agents\"))"
    check "$module_json" "everything: a token means no exposure warning" "$e.warnings == []"

    check "$module_json" "backends: written to a JSON file handed over as MANAGER_BACKENDS_FILE" \
        ".expected.generatedBackendsFile as \$f | .scenarios.backends$svc.environment.MANAGER_BACKENDS_FILE == \$f"
    check "$module_json" "backends and backendsFile together fail an assertion" \
        '.scenarios["both-backend-options"].failedAssertions | length == 1'
    check "$module_json" "listening beyond loopback without a token warns" \
        '.scenarios["exposed-without-token"].warnings | length == 1'

    # The harness must catch these, or the clean results above mean nothing.
    check "$module_json" "harness self-test: mistyped settings are reported" \
        '.scenarios["bad-types"].typeErrors | length == 3'
    check "$module_json" "harness self-test: a misspelt option name is reported" \
        '.scenarios["bad-name"].unknownOptions == ["enalbe"]'
    echo "module: $(jq '.options | length' "$module_json") options, $(jq '.scenarios | length' "$module_json") scenarios evaluated"
fi

# --- 4. the flake, its packages and the VM test -----------------------------------------
flake_json=$scratch/flake.json
if ! nix_eval "$here/eval-flake.nix" >"$flake_json" 2>"$scratch/flake.err"; then
    fail "flake.nix does not evaluate against the stubs:"
    sed 's/^/      /' "$scratch/flake.err" >&2
else
    check "$flake_json" "flake: nixpkgs is the only input" '.inputs | keys == ["nixpkgs"]'
    check "$flake_json" "flake: outputs take self and nixpkgs" '.outputArguments | keys == ["nixpkgs", "self"]'
    check "$flake_json" "flake: systems x86_64-linux and aarch64-linux" \
        '[.packages, .checks, .devShells] | all(keys == ["aarch64-linux", "x86_64-linux"])'
    check "$flake_json" "flake: packages manager, viewer, cli, default" \
        '.packages | all(keys == ["cli", "default", "manager", "viewer"])'
    check "$flake_json" "flake: nixosModules.manager (and default) is nix/module.nix" \
        '.nixosModules == {manager: "nix/module.nix", default: "nix/module.nix"}'
    check "$flake_json" "flake: checks build every package, run the unit tests and the VM test" \
        '.checks | all(. == ["cli", "default", "manager", "manager-vm", "unit", "viewer"])'
    check "$flake_json" "flake: devShells.default builds like the full package" \
        '.devShells | all(.default.inputsFrom == ["claude-sandbox-manager-full"])'

    p='.packages["x86_64-linux"]'
    check "$flake_json" "packages: CMake switches per output" \
        "$p | (.manager.cmakeFlags | index(\"-DCSM_BUILD_DAEMON:BOOL=TRUE\") and index(\"-DCSM_BUILD_VIEWER:BOOL=FALSE\")) and (.viewer.cmakeFlags | index(\"-DCSM_BUILD_DAEMON:BOOL=FALSE\") and index(\"-DCSM_BUILD_VIEWER:BOOL=TRUE\")) and (.cli.cmakeFlags | index(\"-DCSM_BUILD_DAEMON:BOOL=FALSE\") and index(\"-DCSM_BUILD_VIEWER:BOOL=FALSE\")) and (.default.cmakeFlags | index(\"-DCSM_BUILD_DAEMON:BOOL=TRUE\") and index(\"-DCSM_BUILD_VIEWER:BOOL=TRUE\"))"
    check "$flake_json" "packages: mainProgram per output" \
        "$p | [.manager, .viewer, .cli, .default] | map(.mainProgram) == [\"claude-sandbox-manager\", \"claude-remote-viewer\", \"claude-remote\", \"claude-sandbox-manager\"]"
    check "$flake_json" "packages: version from CMakeLists.txt, MIT, Linux" \
        "$p | all(.version | test(\"^[0-9]+\\\\.[0-9]+\\\\.[0-9]+\$\")) and all(.license == \"MIT\") and all(.platforms | index(\"x86_64-linux\") and index(\"aarch64-linux\"))"
    check "$flake_json" "packages: Qt 6 with qthttpserver, qtwebsockets, libxcb and xxHash for the daemon" \
        "$p.manager.buildInputs == [\"qtbase\", \"qthttpserver\", \"qtwebsockets\", \"libxcb\", \"xxHash\"]"
    check "$flake_json" "packages: the viewer has the Wayland plugin and the GUI wrapper hook" \
        "$p.viewer | (.buildInputs | index(\"qtwayland\")) and (.nativeBuildInputs | index(\"wrap-qt6-apps-hook\"))"
    check "$flake_json" "packages: the daemon is wrapped with its tools on PATH" \
        "$p.manager.preFixup | test(\"wrapQtApp \\\"\\\\\$out/bin/claude-sandbox-manager\\\"\") and ([\"tmux\", \"xorg-server\", \"xauth\", \"imagemagick\", \"qemu\", \"curl\", \"bubblewrap\"] - [scan(\"/nix/store/[a-z0-9]+-([a-z-]+)/bin\") | .[0]] == [])"
    check "$flake_json" "packages: the CLI is wrapped with ssh, curl, jq, rsync and fswatch" \
        "$p.cli.preFixup | test(\"wrapProgram \\\"\\\\\$out/bin/claude-remote\\\"\") and ([\"openssh\", \"curl\", \"jq\", \"rsync\", \"fswatch\"] - [scan(\"/nix/store/[a-z0-9]+-([a-z-]+)/bin\") | .[0]] == [])"
    check "$flake_json" "packages: the source leaves out nix/, flake files, .git and result links" \
        "$p | all(.source.keeps == {\"CMakeLists.txt\": true, \"LICENSE\": true, \"cli\": true, \"daemon\": true, \"docs\": true, \"tests\": true, \"tests/nix\": true, \"nix\": false, \"flake.nix\": false, \"flake.lock\": false, \".git\": false, \"result\": false})"
    check "$flake_json" "packages: tests off in packages, on in checks.unit" \
        "($p | all(.doCheck == false and (.cmakeFlags | index(\"-DBUILD_TESTING:BOOL=FALSE\")))) and (.unitCheck | .doCheck and (.cmakeFlags | index(\"-DBUILD_TESTING:BOOL=TRUE\")))"
    check "$flake_json" "packages: checks.unit skips the nix test (no nix-instantiate in a build)" \
        '.unitCheck.checkPhase | test("--label-exclude nix")'

    v=".vmTest"
    check "$flake_json" "VM test: its node imports nixosModules.manager" "$v.imports == [\"nix/module.nix\"]"
    check "$flake_json" "VM test: its node sets only known NixOS options" "$v.schemaErrors == []"
    check "$flake_json" "VM test: its module settings are valid and pass the assertions" \
        "$v.module | .unknownOptions == [] and .typeErrors == [] and .schemaErrors == [] and .failedAssertions == [] and .warnings == []"
    check "$flake_json" "VM test: the daemon gets the stub backends file and the token credential" \
        "$v.module$svc | (.environment.MANAGER_BACKENDS_FILE | test(\"-backends.json\$\")) and .environment.MANAGER_TOKEN_FILE == \"%d/token\" and .serviceConfig.LoadCredential == \"token:/etc/claude-sandbox-manager/token\""
    check "$flake_json" "VM test: the token file is root's, mode 0600" "$v.tokenFileMode == \"0600\""
    check "$flake_json" "VM test: its backends file has the documented shape" \
        "$v.backendsFile.backends | to_entries | length > 0 and all(.value | (keys - [\"description\", \"command\", \"command_no_network\", \"display\"] == []) and (.command | type == \"array\" and length > 0 and all(type == \"string\")) and ([.display] | inside([\"xvfb\", \"qmp\", \"none\"])))"
    # The test driver runs the script as Python, and lints it before booting anything.
    script=$scratch/testScript.py
    jq -r .vmTest.testScript "$flake_json" >"$script"
    for needle in '"GET", "/api/sandboxes")' '/api/metrics/system' 'expect=201' '/logs' '/stop' \
        '"DELETE"' 'state.json' 'systemctl restart' 'expect=401' 'wait_until_succeeds'; do
        grep -qF -- "$needle" "$script" || fail "VM test: the script never does $needle"
    done
    if command -v python3 >/dev/null; then
        if ! output=$(python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$script" 2>&1); then
            fail "VM test: the script is not valid Python:"
            echo "$output" | sed 's/^/      /' >&2
        fi
        pyflakes=""
        if python3 -c 'import pyflakes' 2>/dev/null; then
            pyflakes="python3 -m pyflakes"
        elif command -v pyflakes3 >/dev/null; then
            pyflakes=pyflakes3
        fi
        if [[ -n "$pyflakes" ]]; then
            # The driver's globals, so that pyflakes knows them.
            {
                echo 'from typing import Any'
                echo 'server: Any = None'
                echo 'machines: Any = None'
                echo 'driver: Any = None'
                echo 'start_all: Any = None'
                echo 'subtest: Any = None'
                echo 'retry: Any = None'
                echo 'serial_stdout_off: Any = None'
                echo 'serial_stdout_on: Any = None'
                cat "$script"
            } >"$scratch/lint.py"
            if ! output=$($pyflakes "$scratch/lint.py" 2>&1); then
                fail "VM test: pyflakes (line numbers +9):"
                echo "$output" | sed 's/^/      /' >&2
            fi
        else
            echo "note: pyflakes not installed, the VM test script was only compiled"
        fi
    else
        echo "note: python3 not installed, the VM test script was not compiled"
    fi
    echo "flake: $(jq '[.packages[] | keys[]] | length' "$flake_json") packages, $(jq '[.checks[] | .[]] | length' "$flake_json") checks evaluated"
fi

if ((failures > 0)); then
    echo "nix: $failures check(s) failed" >&2
    exit 1
fi
echo "nix: all checks passed"
