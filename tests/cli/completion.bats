#!/usr/bin/env bats
# Bash completion of claude-remote: commands, options and sandbox ids.

load helpers

setup() {
    cli_setup
    # shellcheck source=cli/claude-remote.bash
    source "$CLI_REPO/cli/claude-remote.bash"
}
teardown() { cli_teardown; }

complete_line() {
    COMP_WORDS=("$CLI" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _claude_remote
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "completion is registered for claude-remote" {
    run complete -p claude-remote
    assert_output "complete -F _claude_remote claude-remote"
}

@test "commands complete" {
    run complete_line st
    assert_output $'start\nstatus\nstop'
    run complete_line --host testhost de
    assert_output delete
    run complete_line help screens
    assert_output screenshot
    run complete_line help sen
    assert_output send
    run complete_line create --
    assert_line --no-network
    assert_line --sync
}

@test "sandbox ids complete from the server" {
    a=$(create_sandbox one)
    b=$(create_sandbox two)
    run complete_line attach ""
    assert_output "$(printf '%s\n' "${a:0:8}" "${b:0:8}" | sort)"
    run complete_line stop "${a:0:3}"
    assert_output "${a:0:8}"
    run complete_line --host testhost logs -n 5 "${b:0:2}"
    assert_line "${b:0:8}"
}

@test "id completion is silent when the server cannot be reached" {
    port=$(free_port)
    export CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG -p $port"
    run complete_line attach ""
    assert_success
    assert_output ""
}
