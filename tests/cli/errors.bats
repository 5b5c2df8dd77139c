#!/usr/bin/env bats
# Every error path of claude-remote: its exit code (1 usage or refused, 2 not found or
# ambiguous, 3 unreachable) and a one-line message naming what failed.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() { cli_setup; }
teardown() { cli_teardown; }

@test "no host set: exit 1" {
    unset CLAUDE_REMOTE_HOST
    run --separate-stderr cr list
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "claude-remote: host is not set (use --host, CLAUDE_REMOTE_HOST or the config file)"
}

@test "usage errors: exit 1 with the command's usage" {
    run --separate-stderr cr frobnicate
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "claude-remote: unknown command: frobnicate"

    run --separate-stderr cr create only-a-name stub
    assert_failure 1
    [[ $stderr == *"usage: claude-remote create <name> <backend> <project-dir> [--no-network] [--sync]"* ]]

    run --separate-stderr cr create a stub /tmp --frob
    assert_failure 1
    [[ ${stderr_lines[0]} == "claude-remote: unknown option --frob" ]]

    run --separate-stderr cr logs
    assert_failure 1
    run --separate-stderr cr logs abc -n many
    assert_failure 1
    run --separate-stderr cr stop
    assert_failure 1
    run --separate-stderr cr list extra
    assert_failure 1
    run --separate-stderr cr --host
    assert_failure 1
    run --separate-stderr cr ui not-a-port
    assert_failure 1
}

@test "invalid port setting: exit 1" {
    CLAUDE_REMOTE_PORT=70000 run --separate-stderr cr list
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "claude-remote: invalid port '70000' for host testhost"
}

@test "ssh cannot connect: exit 3 with ssh's message" {
    port=$(free_port)
    CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG -p $port" run --separate-stderr cr list
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    assert_equal "${stderr_lines[0]}" \
        "claude-remote: ssh to testhost failed: ssh: connect to host 127.0.0.1 port $port: Connection refused"
}

@test "ssh refuses the key: exit 3 with ssh's message" {
    : >"$SSHD_DIR/authorized_keys"
    run --separate-stderr cr stop abc
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: ssh to testhost failed: "*"Permission denied (publickey)." ]]
}

@test "daemon not running: exit 3, daemon not reachable on host:port" {
    daemon_stop
    run --separate-stderr cr list
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: daemon not reachable on testhost:$DAEMON_PORT (curl: (7) "* ]]

    run --separate-stderr cr status
    assert_failure 3
    run --separate-stderr cr metrics
    assert_failure 3
}

@test "curl missing on the server: exit 3" {
    sshd_stop
    sshd_start "$BATS_TEST_TMPDIR/sshd-nocurl" "PATH=$BATS_TEST_TMPDIR/empty-path" "HOME=$REMOTE_HOME"
    mkdir -p "$BATS_TEST_TMPDIR/empty-path"
    CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG" run --separate-stderr cr list
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: curl is not installed on testhost: "*"curl"*"not found" ]]
}

@test "no sandbox matches: exit 2" {
    create_sandbox someone >/dev/null
    run --separate-stderr cr stop nosuchthing
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "claude-remote: no sandbox matches 'nosuchthing' on testhost"
    for cmd in attach start delete logs metrics screenshot; do
        run --separate-stderr cr "$cmd" nosuchthing
        assert_failure 2
    done
}

@test "an ambiguous name lists the candidates: exit 2" {
    a=$(create_sandbox twin)
    b=$(create_sandbox twin)
    run --separate-stderr cr stop twin
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "claude-remote: 'twin' matches 2 sandboxes; give more of the id:"
    [[ $stderr == *"  ${a:0:8}  twin  running  testhost"* ]]
    [[ $stderr == *"  ${b:0:8}  twin  running  testhost"* ]]
    assert_equal "$(sandbox_field "$a" status)" running
    assert_equal "$(sandbox_field "$b" status)" running
}

@test "an ambiguous id prefix lists the candidates: exit 2" {
    # 17 ids cannot all start with different hex digits.
    declare -A first=()
    prefix=""
    for ((i = 0; i < 17; i++)); do
        id=$(create_sandbox "s$i")
        if [[ -n ${first[${id:0:1}]:-} ]]; then
            prefix=${id:0:1}
            break
        fi
        first[${id:0:1}]=$id
    done
    [[ -n $prefix ]]
    run --separate-stderr cr delete "$prefix"
    assert_failure 2
    [[ ${stderr_lines[0]} == "claude-remote: '$prefix' matches "*" sandboxes; give more of the id:" ]]
    [[ $stderr == *"  ${id:0:8}  "* ]]
    [[ $stderr == *"  ${first[$prefix]:0:8}  "* ]]
    # a longer prefix is unique again
    run --separate-stderr cr stop "${id:0:8}"
    assert_success
}

@test "the daemon refuses a create: exit 1 with its error text" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    body=$(jq -cn --arg d "$BATS_TEST_TMPDIR/project" '{name: "x", backend: "no-such-backend", project_dir: $d}')
    expected=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$body" \
        "$DAEMON_URL/api/sandboxes" | jq -r .error)
    [[ -n $expected && $expected != null ]]
    run --separate-stderr cr create x no-such-backend "$BATS_TEST_TMPDIR/project"
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" 1
    assert_equal "${stderr_lines[0]}" "claude-remote: cannot create sandbox on testhost: $expected (HTTP 422)"

    run --separate-stderr cr create x stub relative/dir
    assert_failure 1
    [[ ${stderr_lines[0]} == "claude-remote: cannot create sandbox on testhost: "*"(HTTP 422)" ]]

    run --separate-stderr cr create x stub "$BATS_TEST_TMPDIR/does-not-exist"
    assert_failure 1
    [[ ${stderr_lines[0]} == *"(HTTP 422)" ]]
}

@test "attach to a stopped sandbox: exit 1, and stopping it again is fine" {
    id=$(create_sandbox idle)
    daemon_api POST "/api/sandboxes/$id/stop"
    run --separate-stderr cr attach "${id:0:8}"
    assert_failure 1
    assert_equal "${stderr_lines[0]}" \
        "claude-remote: sandbox ${id:0:8} is stopped; start it with: claude-remote start ${id:0:8}"
    # stop is idempotent in the API (docs/API.md), and so in the CLI
    run --separate-stderr cr stop "${id:0:8}"
    assert_success
    assert_output "Stopped $id"
}

@test "the daemon refuses to start a running sandbox: exit 1" {
    id=$(create_sandbox busy)
    run --separate-stderr cr start "${id:0:8}"
    assert_failure 1
    [[ ${stderr_lines[0]} == "claude-remote: cannot start ${id:0:8} on testhost: "*"(HTTP 409)" ]]
}

@test "a 404 from the daemon: exit 2 (no screenshot of a sandbox without a display)" {
    id=$(create_sandbox headless)
    run --separate-stderr cr screenshot "${id:0:8}" "$BATS_TEST_TMPDIR/none.png"
    assert_failure 2
    [[ ${stderr_lines[0]} == "claude-remote: screenshot of ${id:0:8} on testhost: "*"(HTTP 404)" ]]
    [[ ! -e $BATS_TEST_TMPDIR/none.png ]]
}

@test "something else than HTTP answering on the port: exit 3" {
    daemon_stop
    # sshd's port speaks ssh, not HTTP: curl gets no valid answer.
    CLAUDE_REMOTE_PORT=$SSHD_PORT run --separate-stderr cr list
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: daemon not reachable on testhost:$SSHD_PORT (curl: "* ]]
}
