#!/usr/bin/env bats
# Where claude-remote takes its settings from: environment > config file > default, the
# reference's config format, per-host sections and --host.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() {
    cli_setup
    CONFIG=$XDG_CONFIG_HOME/claude-remote/config
    SANDBOX=$(create_sandbox configured)
}
teardown() { cli_teardown; }

lists_sandbox() { [[ $status == 0 && $(jq -r '.[0].id' <<<"$output") == "$SANDBOX" ]]; }

@test "the reference's config file works on its own" {
    unset CLAUDE_REMOTE_HOST CLAUDE_REMOTE_PORT CLAUDE_REMOTE_SSH_OPTS
    cat >"$CONFIG" <<CONF
# ~/.config/claude-remote/config

host = testhost
port = $DAEMON_PORT
ssh_opts = -F $SSH_CONFIG
CONF
    run --separate-stderr cr list --json
    lists_sandbox
}

@test "comments, blank lines, spaces and CRLF line ends in the config file" {
    unset CLAUDE_REMOTE_HOST CLAUDE_REMOTE_PORT CLAUDE_REMOTE_SSH_OPTS
    printf '  # comment\r\n\r\n   host=testhost   # trailing comment\r\nport   =   %s\r\nssh_opts=-F %s\r\nunknown_key = ignored\r\nnot a setting\r\n' \
        "$DAEMON_PORT" "$SSH_CONFIG" >"$CONFIG"
    run --separate-stderr cr list --json
    lists_sandbox
}

@test "XDG_CONFIG_HOME moves the config file" {
    unset CLAUDE_REMOTE_HOST CLAUDE_REMOTE_PORT CLAUDE_REMOTE_SSH_OPTS
    export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/elsewhere
    mkdir -p "$XDG_CONFIG_HOME/claude-remote"
    printf 'host = testhost\nport = %s\nssh_opts = -F %s\n' "$DAEMON_PORT" "$SSH_CONFIG" \
        >"$XDG_CONFIG_HOME/claude-remote/config"
    run --separate-stderr cr list --json
    lists_sandbox
}

@test "the environment overrides the config file" {
    wrong=$(free_port)
    printf 'host = nosuchhost.invalid\nport = %s\nssh_opts = -p 1\n' "$wrong" >"$CONFIG"
    run --separate-stderr cr list --json
    lists_sandbox

    unset CLAUDE_REMOTE_PORT
    run --separate-stderr cr list --json
    assert_failure 3
    [[ ${stderr_lines[0]} == "claude-remote: daemon not reachable on testhost:$wrong (curl: "* ]]
}

@test "an empty environment variable counts as unset" {
    printf 'host = testhost\nport = %s\n' "$DAEMON_PORT" >"$CONFIG"
    CLAUDE_REMOTE_HOST="" CLAUDE_REMOTE_PORT="" run --separate-stderr cr list --json
    lists_sandbox
}

@test "the port defaults to 3000" {
    port_open 3000 && skip "something listens on port 3000 here"
    unset CLAUDE_REMOTE_PORT
    run --separate-stderr cr list
    assert_failure 3
    [[ ${stderr_lines[0]} == "claude-remote: daemon not reachable on testhost:3000 "* ]]
}

@test "a [host] section applies to that host only" {
    unset CLAUDE_REMOTE_PORT
    printf 'port = 1\n[otherhost]\nport = 2\n[testhost]\nport = %s\n' "$DAEMON_PORT" >"$CONFIG"
    run --separate-stderr cr list --json
    lists_sandbox
}

@test "--host overrides the environment and the config file" {
    export CLAUDE_REMOTE_HOST=nosuchhost.invalid
    printf 'host = nosuchhost2.invalid\n' >"$CONFIG"
    run --separate-stderr cr --host testhost list --json
    lists_sandbox
    run --separate-stderr cr list --json --host=testhost
    lists_sandbox
}

@test "help works without any host, and for every command" {
    unset CLAUDE_REMOTE_HOST
    for args in "" help --help -h; do
        # shellcheck disable=SC2086
        run --separate-stderr cr $args
        assert_success
        assert_line --index 0 "claude-remote — manage sandboxes on a remote server"
        assert_line "  CLAUDE_REMOTE_HOST        Remote server hostname (required); a,b for several"
        assert_line "Config file: $CONFIG"
    done
    for cmd in $(cr __commands); do
        canonical=$cmd
        [[ $cmd == ls ]] && canonical=list
        [[ $cmd == rm ]] && canonical=delete
        run --separate-stderr cr help "$cmd"
        assert_success
        assert_line --index 0 --regexp "^usage: claude-remote $canonical"
        if [[ $cmd != help ]]; then
            run --separate-stderr cr "$cmd" --help
            assert_success
            assert_line --index 0 --regexp "^usage: claude-remote $canonical"
        fi
    done
    run --separate-stderr cr help nosuchcommand
    assert_failure 1
    run --separate-stderr cr --version
    assert_success
    assert_output --regexp '^claude-remote [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "tables and colours on a terminal, never with NO_COLOR or when piped" {
    stopped=$(create_sandbox resting)
    daemon_api POST "/api/sandboxes/$stopped/stop"
    run --separate-stderr cr list --table
    assert_success
    [[ $output != *$'\e'* ]]

    terminal_run list
    wait_until 20 terminal_done
    assert_equal "$(terminal_rc)" 0
    terminal_has "ID        NAME"
    terminal_screen_with_escapes | grep -qF $'\e[32mrunning'
    terminal_screen_with_escapes | grep -qF $'\e[33mstopped'
    terminal_stop

    export NO_COLOR=1
    terminal_run list
    wait_until 20 terminal_done
    terminal_has "ID        NAME"
    run ! grep -qF $'\e[32m' <(terminal_screen_with_escapes)
}
