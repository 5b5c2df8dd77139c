#!/usr/bin/env bats
# claude-remote end to end: create, list, start, stop, delete, logs, metrics, status and
# screenshot against the real daemon, through a real sshd.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() { cli_setup; }
teardown() { cli_teardown; }

@test "create prints the new sandbox as JSON when not on a terminal" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    run --separate-stderr cr create first stub "$BATS_TEST_TMPDIR/project"
    assert_success
    id=$(jq -r .id <<<"$output")
    assert_equal "$(jq -r .name <<<"$output")" first
    assert_equal "$(jq -r .backend <<<"$output")" stub
    assert_equal "$(jq -r .network <<<"$output")" true
    assert_equal "$(sandbox_field "$id" name)" first
    assert_equal "$(sandbox_field "$id" project_dir)" "$BATS_TEST_TMPDIR/project"
    wait_until 20 log_has "$id" "stub backend started"
}

@test "create --table says what was created and how to attach" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    run --separate-stderr cr --table create tabled stub "$BATS_TEST_TMPDIR/project"
    assert_success
    assert_line --regexp '^Created [0-9a-f]{8} tabled \(stub\) on testhost: running'
    assert_line --regexp '^Attach with: claude-remote attach [0-9a-f]{8}$'
}

@test "create --json adds the host" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    run --separate-stderr cr create --json j stub "$BATS_TEST_TMPDIR/project"
    assert_success
    assert_equal "$(jq -r .host <<<"$output")" testhost
    assert_equal "$(jq -r .name <<<"$output")" j
}

@test "create --no-network reaches the backend as its no-network command" {
    mkdir -p "$BATS_TEST_TMPDIR/project"
    run --separate-stderr cr create offline stub "$BATS_TEST_TMPDIR/project" --no-network
    assert_success
    id=$(jq -r .id <<<"$output")
    assert_equal "$(sandbox_field "$id" network)" false
    wait_until 20 log_has "$id" "arg=[--offline]"
}

@test "list --table prints an aligned table with short ids" {
    a=$(create_sandbox alpha)
    b=$(create_sandbox "bravo two")
    run --separate-stderr cr list --table
    assert_success
    assert_line --index 0 --regexp '^ID +NAME +BACKEND +STATUS +ACTIVITY +PROJECT$'
    assert_equal "${#lines[@]}" 3
    # newest first, and every column starts where its header does
    header=${lines[0]}
    name_col=${header%%NAME*}
    status_col=${header%%STATUS*}
    project_col=${header%%PROJECT*}
    for i in 1 2; do
        row=${lines[i]}
        [[ ${row:${#name_col}:5} == alpha || ${row:${#name_col}:9} == "bravo two" ]]
        [[ ${row:${#status_col}:7} == running ]]
        [[ ${row:${#project_col}} == "$BATS_TEST_TMPDIR/project" ]]
    done
    assert_equal "${lines[1]:0:8}" "${b:0:8}"
    assert_equal "${lines[2]:0:8}" "${a:0:8}"
}

@test "list prints the reference's JSON objects when not on a terminal" {
    id=$(create_sandbox plain)
    run --separate-stderr cr ls
    assert_success
    assert_equal "$(jq -s length <<<"$output")" 1
    assert_equal "$(jq -r .id <<<"$output")" "${id:0:8}"
    assert_equal "$(jq -r 'keys | join(",")' <<<"$output")" "backend,id,name,project_dir,status"
}

@test "list --json prints every field of every sandbox with its host" {
    id=$(create_sandbox full)
    run --separate-stderr cr --json list
    assert_success
    assert_equal "$(jq -r '.[0].id' <<<"$output")" "$id"
    assert_equal "$(jq -r '.[0].host' <<<"$output")" testhost
    assert_equal "$(jq -r '.[0].tmux_session' <<<"$output")" "sandbox-${id:0:8}"
}

@test "list with no sandboxes" {
    run --separate-stderr cr list --table
    assert_success
    assert_output "No sandboxes."
    run --separate-stderr cr list --json
    assert_success
    assert_output "[]"
}

@test "stop, start and delete by id prefix" {
    id=$(create_sandbox cycle)
    run --separate-stderr cr stop "${id:0:6}"
    assert_success
    assert_output "Stopped $id"
    assert_equal "$(sandbox_field "$id" status)" stopped

    run --separate-stderr cr start "${id:0:6}"
    assert_success
    assert_output "Started $id"
    assert_equal "$(sandbox_field "$id" status)" running

    run --separate-stderr cr rm "${id:0:6}"
    assert_success
    assert_output "Deleted $id"
    run curl -s -o /dev/null -w '%{http_code}' "$DAEMON_URL/api/sandboxes/$id"
    assert_output 404
}

@test "start brings back a dead sandbox" {
    id=$(create_sandbox quitter stub-exit)
    wait_until 20 sandbox_status_is "$id" dead
    run --separate-stderr cr start "${id:0:8}"
    assert_success
    wait_until 20 log_has "$id" "stub exiting with status 3"
}

@test "stop and delete take several ids and --json" {
    a=$(create_sandbox one)
    b=$(create_sandbox two)
    run --separate-stderr cr stop --json "${a:0:8}" "${b:0:8}"
    assert_success
    assert_equal "$(jq -s -c 'map(.status)' <<<"$output")" '["stopped","stopped"]'
    run --separate-stderr cr delete "${a:0:8}" "${b:0:8}"
    assert_success
    assert_line "Deleted $a"
    assert_line "Deleted $b"
    assert_equal "$(daemon_api GET /api/sandboxes | jq length)" 0
}

@test "a sandbox can be named by its exact name" {
    id=$(create_sandbox "named one")
    run --separate-stderr cr stop "named one"
    assert_success
    assert_output "Stopped $id"
}

@test "logs prints the terminal log, escape codes included" {
    id=$(create_sandbox talker)
    wait_until 20 log_has "$id" "green stub line"
    run --separate-stderr cr logs "${id:0:8}"
    assert_success
    assert_output --partial "stub backend started"
    assert_output --partial $'\e[1;32mgreen stub line'
}

@test "logs -n N prints the last N lines" {
    id=$(create_sandbox talker)
    wait_until 20 log_has "$id" "green stub line"
    run --separate-stderr cr logs "${id:0:8}" -n 1
    assert_success
    assert_equal "${#lines[@]}" 1
    assert_output --partial "green stub line"
    run --separate-stderr cr logs -n2 "${id:0:8}"
    assert_success
    assert_equal "${#lines[@]}" 2
}

@test "logs --json" {
    id=$(create_sandbox talker)
    wait_until 20 log_has "$id" "green stub line"
    run --separate-stderr cr logs --json "${id:0:8}"
    assert_success
    assert_equal "$(jq -r .id <<<"$output")" "$id"
    jq -e '.log | contains("stub backend started")' <<<"$output"
}

no_follow_loop() { ! pgrep -f "sh -s claude-remote-follow $1" >/dev/null; }

@test "logs -f follows new output until interrupted" {
    id=$(create_sandbox ticker stub-tick)
    wait_until 20 log_has "$id" "tick 1"
    out=$BATS_TEST_TMPDIR/follow.out
    "$CLI" logs -f "${id:0:8}" >"$out" 2>"$BATS_TEST_TMPDIR/follow.err" 3>&- &
    pid=$!
    wait_until 20 file_has "$out" "stub backend started"
    # Output written after the first poll arrives too.
    last=$(daemon_api GET "/api/sandboxes/$id/logs" | grep -o 'tick [0-9]*' | tail -n 1)
    next="tick $((${last#tick } + 10))"
    wait_until 30 file_has "$out" "$next"
    pgrep -f "sh -s claude-remote-follow $id" >/dev/null
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    assert_equal "$rc" 0
    # the follower on the server ends too, as soon as its input closes
    wait_until 10 no_follow_loop "$id"
    # each line once: new output is appended, not the whole log again
    assert_equal "$(grep -c 'stub backend started' "$out")" 1
    assert_equal "$(grep -c "^$next\$" <(tr -d '\r' <"$out"))" 1
}

@test "logs -f ends with exit 2 when the sandbox is deleted" {
    id=$(create_sandbox ticker stub-tick)
    wait_until 20 log_has "$id" "tick 1"
    "$CLI" logs -f -n 0 "${id:0:8}" >"$BATS_TEST_TMPDIR/follow.out" 2>"$BATS_TEST_TMPDIR/follow.err" 3>&- &
    pid=$!
    wait_until 20 file_has "$BATS_TEST_TMPDIR/follow.out" "tick"
    daemon_api DELETE "/api/sandboxes/$id"
    wait_until 20 gone "$pid"
    rc=0
    wait "$pid" || rc=$?
    assert_equal "$rc" 2
    run cat "$BATS_TEST_TMPDIR/follow.err"
    assert_output --regexp "HTTP 404"
}

@test "metrics prints system metrics, and a sandbox's Claude metrics" {
    dir=$BATS_TEST_TMPDIR/my_app.v2
    id=$(create_sandbox counted stub "$dir")
    encoded=${dir//[^A-Za-z0-9]/-}
    mkdir -p "$DAEMON_CLAUDE_DIR/projects/$encoded"
    {
        echo '{"type":"user","message":{"content":"hi"}}'
        echo '{"type":"assistant","message":{"usage":{"input_tokens":11,"output_tokens":22,"cache_creation_input_tokens":3,"cache_read_input_tokens":4},"content":[{"type":"tool_use","name":"Bash"}]}}'
    } >"$DAEMON_CLAUDE_DIR/projects/$encoded/session.jsonl"

    run --separate-stderr cr metrics
    assert_success
    assert_line --index 0 "=== System metrics ==="
    jq -e '.memory_total > 0' <<<"$(sed 1d <<<"$output")"

    run --separate-stderr cr metrics "${id:0:8}" --json
    assert_success
    assert_equal "$(jq -r .host <<<"$output")" testhost
    assert_equal "$(jq -r .sandbox.input_tokens <<<"$output")" 11
    assert_equal "$(jq -r .sandbox.output_tokens <<<"$output")" 22
    assert_equal "$(jq -r .sandbox.tool_use_count <<<"$output")" 1
    assert_equal "$(jq -r .sandbox.message_count <<<"$output")" 1
    jq -e '.system.memory_total > 0' <<<"$output"

    run --separate-stderr cr metrics "${id:0:8}"
    assert_success
    assert_line "=== Sandbox metrics ==="
    assert_line "=== System metrics ==="

    run --separate-stderr cr --table metrics "${id:0:8}"
    assert_success
    assert_line --regexp '^  input tokens +11$'
    assert_line --regexp '^  memory +[0-9.]+ [KMGT]?i?B of [0-9.]+ [KMGT]i?B$'
}

@test "status reports the daemon's health" {
    run --separate-stderr cr status
    assert_success
    assert_line --index 0 --regexp "^testhost: daemon (ok|degraded) on port $DAEMON_PORT, version "
    assert_line --regexp '^    tmux +ok +/'
    assert_line --regexp '^  backends:$'
    assert_line --regexp '^    stub +available +test stub$'

    run --separate-stderr cr status --json
    assert_success
    assert_equal "$(jq -r .host <<<"$output")" testhost
    assert_equal "$(jq -r .reachable <<<"$output")" true
    jq -e '.tools | map(.name) | index("tmux") != null' <<<"$output"
    jq -e '.backends | map(.name) | index("stub-xvfb") != null' <<<"$output"
}

screenshot_ready() { cr screenshot "$1" "$2" >/dev/null 2>&1; }

@test "screenshot saves a PNG, a JPEG thumbnail, or writes to stdout" {
    command -v Xvfb >/dev/null || fail "Xvfb is needed"
    id=$(create_sandbox screen stub-xvfb)
    cd "$BATS_TEST_TMPDIR"
    wait_until 30 screenshot_ready "${id:0:8}" shot.png
    assert_equal "$(head -c 8 shot.png | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a

    run --separate-stderr cr screenshot "${id:0:8}"
    assert_success
    assert_output --regexp "^Saved screenshot of ${id:0:8} to ${id:0:8}\.png \([0-9]+ bytes\)$"
    [[ -s ${id:0:8}.png ]]

    run --separate-stderr cr screenshot --thumb "${id:0:8}"
    assert_success
    assert_equal "$(head -c 3 "${id:0:8}.jpg" | od -An -tx1 | tr -d ' \n')" ffd8ff

    cr screenshot "${id:0:8}" - >stdout.png
    assert_equal "$(head -c 8 stdout.png | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a

    run --separate-stderr cr screenshot --json "${id:0:8}" "$BATS_TEST_TMPDIR/j.png"
    assert_success
    assert_equal "$(jq -r .file <<<"$output")" "$BATS_TEST_TMPDIR/j.png"
    assert_equal "$(jq -r .bytes <<<"$output")" "$(wc -c <"$BATS_TEST_TMPDIR/j.png" | tr -d ' ')"
}
