#!/usr/bin/env bats
# A daemon that listens on a Unix socket (MANAGER_LISTEN=unix:/path) instead of a TCP port:
# claude-remote reaches it with `socket = /path` (curl --unix-socket on the server), and
# `ui` forwards a local port to the socket.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() {
    cli_isolate
    cli_start_sshd
    DAEMON_SOCKET=$BATS_TEST_TMPDIR/run/http.sock
    mkdir -p "${DAEMON_SOCKET%/*}"
    daemon_start "$BATS_TEST_TMPDIR/daemon"
    CONFIG=$XDG_CONFIG_HOME/claude-remote/config
    cat >"$CONFIG" <<CONF
host = testhost
ssh_opts = -F $SSH_CONFIG
socket = $DAEMON_SOCKET
CONF
}

teardown() {
    if [[ -n ${UI_PID:-} ]]; then
        kill "$UI_PID" 2>/dev/null || true
        wait "$UI_PID" 2>/dev/null || true
    fi
    cli_teardown
}

answers() { curl -sf -o /dev/null "http://127.0.0.1:$1/api/health"; }

@test "the daemon's socket is 0600 and no TCP port is open" {
    assert_equal "$(stat -c %a "$DAEMON_SOCKET")" 600
    refute grep -q 'listening on http' "$DAEMON_LOG"
}

@test "create, list, logs, stop and delete through the socket" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    run --separate-stderr cr create over-socket stub "$BATS_TEST_TMPDIR/project" --json
    assert_success
    id=$(jq -r .id <<<"$output")
    assert [ -n "$id" ]
    run --separate-stderr cr list --json
    assert_success
    assert_equal "$(jq -r '.[0].name' <<<"$output")" over-socket
    wait_until 10 log_has "$id" "stub backend"
    run --separate-stderr cr logs "${id:0:8}" -n 50
    assert_success
    assert_output --partial "stub backend"
    run --separate-stderr cr stop "${id:0:8}"
    assert_success
    assert_equal "$(sandbox_field "$id" status)" stopped
    run --separate-stderr cr delete "${id:0:8}"
    assert_success
    assert_equal "$(daemon_api GET /api/sandboxes | jq length)" 0
}

@test "logs -f follows through the socket" {
    id=$(create_sandbox ticking stub-tick)
    "$CLI" logs -f "${id:0:8}" >"$BATS_TEST_TMPDIR/follow.out" 2>&1 3>&- &
    follower=$!
    wait_until 15 file_has "$BATS_TEST_TMPDIR/follow.out" "tick 5"
    kill "$follower" 2>/dev/null || true
    wait "$follower" 2>/dev/null || true
}

@test "status names the socket" {
    run --separate-stderr cr status --json
    assert_success
    assert_equal "$(jq -r .socket <<<"$output")" "$DAEMON_SOCKET"
    assert_equal "$(jq -r .reachable <<<"$output")" true
    run --separate-stderr cr status --table
    assert_success
    assert_line --index 0 --partial "testhost: daemon ok on socket $DAEMON_SOCKET"
}

@test "a socket nobody listens on: exit 3, naming host and socket" {
    echo "socket = $BATS_TEST_TMPDIR/run/absent.sock" >>"$CONFIG"
    run --separate-stderr cr list
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    assert_regex "${stderr_lines[0]}" "^claude-remote: daemon not reachable on testhost:$BATS_TEST_TMPDIR/run/absent.sock"
}

@test "a relative socket path is a usage error" {
    CLAUDE_REMOTE_SOCKET=run/http.sock run --separate-stderr cr list
    assert_failure 1
    assert_output ""
    assert_regex "$stderr" "socket for testhost must be an absolute path"
}

@test "ui forwards a local port to the daemon's socket" {
    port=$(free_port)
    "$CLI" ui "$port" >"$BATS_TEST_TMPDIR/ui.out" 2>"$BATS_TEST_TMPDIR/ui.err" 3>&- &
    UI_PID=$!
    wait_until 20 answers "$port"
    run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/"
    assert_output 200
    run cat "$BATS_TEST_TMPDIR/ui.out"
    assert_line "Forwarding localhost:$port to testhost:$DAEMON_SOCKET"
}
