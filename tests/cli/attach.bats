#!/usr/bin/env bats
# claude-remote attach, driven like a person would: in a terminal (a tmux pane of a
# separate, local tmux server), read the screen, detach with Ctrl-b d.

load helpers

setup() { cli_setup; }
teardown() { cli_teardown; }

@test "attach shows the sandbox's terminal and detaches with Ctrl-b d" {
    id=$(create_sandbox attached)
    wait_until 20 log_has "$id" "green stub line"
    terminal_run attach "${id:0:8}"
    wait_until 20 terminal_has "green stub line"
    terminal_has "stub backend started: $BATS_TEST_TMPDIR/project"

    # what is typed reaches the sandbox's terminal
    terminal_tmux send-keys -t laptop "typed through ssh"
    wait_until 20 terminal_has "typed through ssh"

    terminal_tmux send-keys -t laptop C-b d
    wait_until 20 terminal_done
    assert_equal "$(terminal_rc)" 0
    wait_until 20 terminal_has "[detached"
    # the sandbox keeps running after the detach
    assert_equal "$(sandbox_field "$id" status)" running
    daemon_tmux has-session -t "sandbox-${id:0:8}"
}

@test "attach by name through --host" {
    id=$(create_sandbox "by name")
    wait_until 20 log_has "$id" "green stub line"
    unset CLAUDE_REMOTE_HOST
    terminal_run --host testhost attach "by name"
    wait_until 20 terminal_has "green stub line"
    terminal_tmux send-keys -t laptop C-b d
    wait_until 20 terminal_done
    assert_equal "$(terminal_rc)" 0
}

@test "attach fails with exit 1 when the tmux session is gone" {
    id=$(create_sandbox vanishing)
    wait_until 20 log_has "$id" "green stub line"
    # Another tmux server than the daemon's: the session cannot be found there.
    sshd_stop
    sshd_start "$BATS_TEST_TMPDIR/sshd-elsewhere" "TMUX_TMPDIR=$BATS_TEST_TMPDIR" "HOME=$REMOTE_HOME"
    export CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG"
    terminal_run attach "${id:0:8}"
    wait_until 20 terminal_done
    assert_equal "$(terminal_rc)" 1
    wait_until 20 terminal_has "claude-remote: tmux attach to sandbox-${id:0:8} on testhost failed: "
}
