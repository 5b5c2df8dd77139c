#!/usr/bin/env bats
# claude-remote ui: an ssh tunnel from a local port to the daemon.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() { cli_setup; }

teardown() {
    if [[ -n ${UI_PID:-} ]]; then
        kill "$UI_PID" 2>/dev/null || true
        wait "$UI_PID" 2>/dev/null || true
    fi
    cli_teardown
}

answers() { curl -sf -o /dev/null "http://127.0.0.1:$1/api/sandboxes"; }
closed() { ! port_open "$1"; }

@test "ui forwards a local port to the daemon until stopped" {
    id=$(create_sandbox shown)
    port=$(free_port)
    "$CLI" ui "$port" >"$BATS_TEST_TMPDIR/ui.out" 2>"$BATS_TEST_TMPDIR/ui.err" 3>&- &
    UI_PID=$!
    wait_until 20 answers "$port"
    run curl -sS "http://127.0.0.1:$port/api/sandboxes"
    assert_success
    assert_equal "$(jq -r '.[0].id' <<<"$output")" "$id"
    # the dashboard too
    run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/"
    assert_output 200

    run cat "$BATS_TEST_TMPDIR/ui.out"
    assert_line "Forwarding localhost:$port to testhost:$DAEMON_PORT"
    assert_line "Open http://localhost:$port in your browser (Ctrl-C to stop)"

    kill -TERM "$UI_PID"
    rc=0
    wait "$UI_PID" || rc=$?
    UI_PID=""
    assert_equal "$rc" 0
    wait_until 10 closed "$port"
}

@test "ui --local-port, and the daemon's port by default" {
    port=$(free_port)
    "$CLI" ui --local-port "$port" >/dev/null 2>&1 3>&- &
    UI_PID=$!
    wait_until 20 answers "$port"
    kill -TERM "$UI_PID"
    wait "$UI_PID" || true
    UI_PID=""

    # Without a port, the local port is the daemon's (pretend it runs on a free one).
    other=$(free_port)
    CLAUDE_REMOTE_PORT=$other "$CLI" ui >"$BATS_TEST_TMPDIR/ui.out" 2>&1 3>&- &
    UI_PID=$!
    wait_until 20 port_open "$other"
    assert_equal "$(head -n 1 "$BATS_TEST_TMPDIR/ui.out")" "Forwarding localhost:$other to testhost:$other"
}

@test "ui on a local port that is taken: exit 3 with ssh's message" {
    port=$(free_port)
    "$CLI" ui "$port" >/dev/null 2>&1 3>&- &
    UI_PID=$!
    wait_until 20 answers "$port"
    run --separate-stderr cr ui "$port"
    assert_failure 3
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: ssh tunnel to testhost failed: "* ]]
    [[ ${stderr_lines[0]} == *"forwarding"* || ${stderr_lines[0]} == *"in use"* ]]
}
