# shellcheck shell=bash
# Shared setup of the claude-remote suites: a throwaway sshd on a loopback port, the real
# claude-sandbox-manager binary (CSM_DAEMON) with stub backends, and the CLI configured to
# reach the one through the other, as a laptop would. Every test gets its own sshd, daemon,
# state dir, tmux server and ports.
#
#   CSM_DAEMON  the daemon binary (default: build/daemon/claude-sandbox-manager)
#   CSM_CLI     the CLI under test (default: cli/claude-remote of this tree)

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

CLI_REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=tests/support/sshd.bash
source "$CLI_REPO/tests/support/sshd.bash"
# shellcheck source=tests/support/daemon.bash
source "$CLI_REPO/tests/support/daemon.bash"
CLI=${CSM_CLI:-$CLI_REPO/cli/claude-remote}
: "${CSM_DAEMON:=$CLI_REPO/build/daemon/claude-sandbox-manager}"
export CSM_DAEMON

# The CLI sees nothing of the developer's own settings.
cli_isolate() {
    unset CLAUDE_REMOTE_HOST CLAUDE_REMOTE_PORT CLAUDE_REMOTE_SOCKET CLAUDE_REMOTE_SSH_OPTS CLAUDE_REMOTE_TOKEN \
        CLAUDE_REMOTE_TOKEN_FILE NO_COLOR
    export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
    mkdir -p "$XDG_CONFIG_HOME/claude-remote"
}

# sshd whose sessions share the daemon's tmux server (for attach), with a fresh home: the
# server side runs no login scripts of the machine's own user (they cost 0.6 s a
# connection on a developer's machine) and leaves nothing in the real home.
cli_start_sshd() {
    REMOTE_HOME=$BATS_TEST_TMPDIR/remote-home
    mkdir -p "$REMOTE_HOME"
    sshd_start "$BATS_TEST_TMPDIR/sshd" "TMUX_TMPDIR=$BATS_TEST_TMPDIR/daemon/tmux" "HOME=$REMOTE_HOME"
}

cli_setup() {
    cli_isolate
    cli_start_sshd
    daemon_start "$BATS_TEST_TMPDIR/daemon"
    export CLAUDE_REMOTE_HOST=testhost
    export CLAUDE_REMOTE_PORT=$DAEMON_PORT
    export CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG"
}

cli_teardown() {
    terminal_stop
    daemon_stop
    sshd_stop
}

cr() { "$CLI" "$@"; }

# create_sandbox NAME [BACKEND] [DIR] [NETWORK]: create one through the API (not through the
# CLI under test) and print its id.
create_sandbox() {
    local name=$1 backend=${2:-stub} dir=${3:-$BATS_TEST_TMPDIR/project} network=${4:-true}
    mkdir -p "$dir"
    jq -cn --arg n "$name" --arg b "$backend" --arg d "$dir" --argjson net "$network" \
        '{name: $n, backend: $b, project_dir: $d, network: $net}' |
        daemon_api POST /api/sandboxes -f -H 'Content-Type: application/json' --data-binary @- |
        jq -er .id
}

sandbox_field() {
    daemon_api GET "/api/sandboxes/$1" | jq -r ".$2"
}

sandbox_status_is() {
    [[ $(sandbox_field "$1" status) == "$2" ]]
}

log_has() {
    daemon_api GET "/api/sandboxes/$1/logs" 2>/dev/null | grep -qF -- "$2"
}

gone() { ! alive "$1"; }

file_has() {
    grep -qF -- "$2" "$1" 2>/dev/null
}

# The CLI's environment as a sourceable script, for processes started outside bats' run
# (tmux panes).
cli_env_script() {
    local var
    for var in CLAUDE_REMOTE_HOST CLAUDE_REMOTE_PORT CLAUDE_REMOTE_SSH_OPTS XDG_CONFIG_HOME NO_COLOR; do
        printf 'export %s=%q\n' "$var" "${!var-}"
    done
}

# A terminal for commands that want one: a pane of a local tmux server of the test's own
# (not the daemon's). terminal_run ARGS... runs `claude-remote ARGS...` in it and leaves
# the exit status in $BATS_TEST_TMPDIR/rc; terminal_has TEXT looks for TEXT on the screen.
TERMINAL_TMUX=""
terminal_tmux() {
    if [[ -z $TERMINAL_TMUX ]]; then
        TERMINAL_TMUX=$BATS_TEST_TMPDIR/terminal-tmux
        mkdir -p "$TERMINAL_TMUX"
        chmod 700 "$TERMINAL_TMUX"
    fi
    TMUX_TMPDIR=$TERMINAL_TMUX tmux "$@"
}

terminal_run() {
    {
        cli_env_script
        printf '%q ' "$CLI" "$@"
        printf '\necho $? >%q\n' "$BATS_TEST_TMPDIR/rc"
    } >"$BATS_TEST_TMPDIR/terminal.sh"
    rm -f "$BATS_TEST_TMPDIR/rc"
    # The pane stays after the command ends, so that its last screen can be read.
    terminal_tmux new-session -d -s laptop -x 160 -y 50 "bash $BATS_TEST_TMPDIR/terminal.sh; sleep 600"
}

terminal_screen() { terminal_tmux capture-pane -p -J -t laptop; }
terminal_screen_with_escapes() { terminal_tmux capture-pane -p -J -e -t laptop; }
terminal_has() { terminal_screen | grep -qF -- "$1"; }
terminal_done() { [[ -s $BATS_TEST_TMPDIR/rc ]]; }
terminal_rc() { cat "$BATS_TEST_TMPDIR/rc"; }

terminal_stop() {
    if [[ -n $TERMINAL_TMUX ]]; then
        TMUX_TMPDIR=$TERMINAL_TMUX tmux kill-server 2>/dev/null || true
    fi
    TERMINAL_TMUX=""
}
