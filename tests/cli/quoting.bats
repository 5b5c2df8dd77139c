#!/usr/bin/env bats
# Hostile names, directories, ssh options and tokens reach the daemon intact, and nothing
# of them is ever run by a shell.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() {
    cli_setup
    cd "$BATS_TEST_TMPDIR" || return
}
teardown() { cli_teardown; }

# Every trick a remote shell could fall for, and nothing a name may not contain.
HOSTILE_NAME=$'we"ird \'n\' $(touch PWNED) `touch PWNED`;&|>x $HOME \\ %s ünï'

no_injection() {
    [[ ! -e $BATS_TEST_TMPDIR/PWNED && ! -e $REMOTE_HOME/PWNED && ! -e $HOME/PWNED && ! -e /PWNED &&
        ! -e $DAEMON_STATE_DIR/PWNED ]]
}

@test "a hostile name arrives intact, and names the sandbox afterwards" {
    mkdir -p project
    run --separate-stderr cr create "$HOSTILE_NAME" stub "$BATS_TEST_TMPDIR/project"
    assert_success
    id=$(jq -r .id <<<"$output")
    assert_equal "$(sandbox_field "$id" name)" "$HOSTILE_NAME"
    run --separate-stderr cr list --json
    assert_equal "$(jq -r '.[0].name' <<<"$output")" "$HOSTILE_NAME"
    wait_until 20 log_has "$id" "stub backend started"
    run --separate-stderr cr logs "$HOSTILE_NAME"
    assert_success
    assert_output --partial "stub backend started"
    run --separate-stderr cr stop "$HOSTILE_NAME"
    assert_success
    assert_output "Stopped $id"
    no_injection
}

@test "a hostile project dir arrives intact" {
    dir=$BATS_TEST_TMPDIR/$'pro ject\'s "dir" $(touch PWNED) `touch PWNED`; & \\ ünï'
    mkdir -p "$dir"
    run --separate-stderr cr create plain stub "$dir"
    assert_success
    id=$(jq -r .id <<<"$output")
    assert_equal "$(sandbox_field "$id" project_dir)" "$dir"
    # the backend ran in it and got it as its argument
    wait_until 20 log_has "$id" "pwd=[$dir]"
    wait_until 20 log_has "$id" "arg=[$dir]"
    no_injection
}

@test "a project dir with a newline arrives intact: the daemon judges the same path" {
    dir=$BATS_TEST_TMPDIR/$'first line\nsecond line'
    mkdir -p "$dir"
    direct=$(jq -cn --arg d "$dir" '{name: "nl", backend: "stub", project_dir: $d}' |
        curl -sS -X POST -H 'Content-Type: application/json' --data-binary @- "$DAEMON_URL/api/sandboxes")
    run --separate-stderr cr create --json nl stub "$dir"
    if jq -e .id <<<"$direct" >/dev/null; then
        # accepted: stored as given
        assert_success
        assert_equal "$(jq -r .project_dir <<<"$output")" "$dir"
    else
        # refused: with the daemon's own words about that very path
        assert_failure 1
        assert_equal "${stderr_lines[0]}" \
            "claude-remote: cannot create sandbox on testhost: $(jq -r .error <<<"$direct") (HTTP 422)"
    fi
    no_injection
}

@test "a name with a newline is refused by the daemon, with its message, and changes nothing" {
    mkdir -p project
    run --separate-stderr cr create $'two\nlines' stub "$BATS_TEST_TMPDIR/project"
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: cannot create sandbox on testhost: "*"(HTTP 422)" ]]
    assert_equal "$(daemon_api GET /api/sandboxes | jq length)" 0
}

@test "daemon text with escape codes is never printed raw" {
    mkdir -p project
    name=$'red \e[31m alarm \a'
    run --separate-stderr cr create "$name" stub "$BATS_TEST_TMPDIR/project"
    # refused or accepted, what reaches the terminal has no control characters
    [[ $stderr != *$'\e'* && $stderr != *$'\a'* ]]
    if [[ $status == 0 ]]; then
        run --separate-stderr cr list --table
        [[ $output != *$'\e'* && $output != *$'\a'* ]]
    fi
}

@test "ssh options with quoted spaces are split like a shell would" {
    mkdir -p "ssh conf dir"
    cp "$SSH_CONFIG" "ssh conf dir/my config"
    create_sandbox quoted >/dev/null
    CLAUDE_REMOTE_SSH_OPTS="-F '$BATS_TEST_TMPDIR/ssh conf dir/my config' -o \"ConnectTimeout 7\"" \
        run --separate-stderr cr list --json
    assert_success
    assert_equal "$(jq -r '.[0].name' <<<"$output")" quoted
    echo "ssh_opts = -F $BATS_TEST_TMPDIR/ssh\\ conf\\ dir/my\\ config" >"$XDG_CONFIG_HOME/claude-remote/config"
    unset CLAUDE_REMOTE_SSH_OPTS
    run --separate-stderr cr list --json
    assert_success
}

@test "the token travels on stdin: never on the remote command line" {
    # A recording curl first on the server's PATH.
    mkdir -p shim
    cat >shim/curl <<EOF
#!/bin/bash
printf '%s\n' "\$@" >"$BATS_TEST_TMPDIR/curl.args"
tee "$BATS_TEST_TMPDIR/curl.stdin" | exec /usr/bin/curl "\$@"
EOF
    chmod +x shim/curl
    sshd_stop
    sshd_start "$BATS_TEST_TMPDIR/sshd-shim" "PATH=$BATS_TEST_TMPDIR/shim:/usr/bin:/bin" \
        "TMUX_TMPDIR=$DAEMON_TMUX_TMPDIR" "HOME=$REMOTE_HOME"
    export CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG"
    token=$'s3cr3t-"quoted"\\-$(touch PWNED)'

    CLAUDE_REMOTE_TOKEN=$token run --separate-stderr cr list --json
    assert_success
    assert_equal "$(cat curl.args)" $'-sS\n-K\n-'
    grep -qxF "header = \"Authorization: Bearer s3cr3t-\\\"quoted\\\"\\\\-\$(touch PWNED)\"" curl.stdin
    no_injection

    # from a token file named in the config, for one host section only
    printf 'tok-from-file\n' >token
    printf 'token_file = %s\n[otherhost]\ntoken = wrong\n' "$BATS_TEST_TMPDIR/token" \
        >"$XDG_CONFIG_HOME/claude-remote/config"
    run --separate-stderr cr list --json
    assert_success
    grep -qxF 'header = "Authorization: Bearer tok-from-file"' curl.stdin

    # and for logs -f, which runs a loop on the server
    id=$(create_sandbox followed)
    wait_until 20 log_has "$id" "green stub line"
    CLAUDE_REMOTE_TOKEN=loop-token "$CLI" logs -f "${id:0:8}" >follow.out 2>&1 3>&- &
    pid=$!
    wait_until 20 file_has follow.out "green stub line"
    kill -TERM "$pid"
    wait "$pid" || true
    [[ $(cat curl.args) == "-sS"$'\n'"-K"$'\n'/* ]]
    run ! grep -q loop-token curl.args

    # without a token, no Authorization header at all
    rm -f "$XDG_CONFIG_HOME/claude-remote/config"
    run --separate-stderr cr list --json
    assert_success
    run ! grep -q Authorization curl.stdin
}
