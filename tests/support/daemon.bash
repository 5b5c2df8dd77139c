# shellcheck shell=bash
# Start the real claude-sandbox-manager binary for one test, with stub backends.
#
#   source tests/support/daemon.bash
#   daemon_start DIR
#       Start "$CSM_DAEMON" (the binary; required) with everything under DIR:
#         DIR/state          MANAGER_STATE_DIR
#         DIR/tmux           TMUX_TMPDIR of the daemon (and so of its sandboxes' tmux server)
#         DIR/claude         MANAGER_CLAUDE_DIR (Claude Code session files for metrics)
#         DIR/backends.json  MANAGER_BACKENDS_FILE, unless DAEMON_BACKENDS_FILE names one
#         DIR/daemon.log     its stdout and stderr
#       listening on 127.0.0.1:0 (or on the Unix socket DAEMON_SOCKET, when set), and wait
#       for its "listening on" line.
#       Extra NAME=VALUE pairs for its environment can be given in the array DAEMON_ENV.
#       Calling it again with the same DIR restarts on the same state.
#       Sets and exports DAEMON_PORT, DAEMON_URL (http://127.0.0.1:PORT), DAEMON_PID,
#       DAEMON_DIR, DAEMON_STATE_DIR, DAEMON_TMUX_TMPDIR, DAEMON_CLAUDE_DIR, DAEMON_LOG, and
#       DAEMON_CURL (curl's options to reach it: --unix-socket PATH, or nothing). On a socket,
#       DAEMON_PORT is empty and DAEMON_URL is http://localhost.
#   daemon_stop
#       Stop the daemon (and what it started in its process group), kill its tmux server,
#       which ends every sandbox it ran, and the Xvfb servers it left (found by their pid in
#       the API and by the state dir on their command line).
#       To run several daemons in one test, keep the DAEMON_* variables of each after its
#       daemon_start and set them back before its daemon_stop.
#   daemon_api METHOD PATH [CURL-ARGS...]
#       curl -sS against the daemon, bypassing any client under test.
#   daemon_tmux [TMUX-ARGS...]
#       tmux on the daemon's tmux server.
#
# Backends in the generated file, all running tests/support/stub-backend:
#   stub       display none; no-network form adds --offline
#   stub-tick  display none; prints "tick N" every 0.2 s
#   stub-exit  display none; exits with status 3 at once
#   stub-xvfb  display xvfb (needs Xvfb); no-network form adds --offline

# shellcheck source=tests/support/common.bash
source "${BASH_SOURCE[0]%/*}/common.bash"

DAEMON_SUPPORT_DIR=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
DAEMON_STUB=$DAEMON_SUPPORT_DIR/stub-backend

daemon_write_backends() {
    local file=$1 stub=$DAEMON_STUB
    jq -n --arg stub "$stub" '{backends: {
        "stub": {description: "test stub", display: "none",
                 command: [$stub, "{project_dir}"],
                 command_no_network: [$stub, "--offline", "{project_dir}"]},
        "stub-tick": {description: "test stub printing ticks", display: "none",
                      command: [$stub, "--tick", "0.2", "{project_dir}"]},
        "stub-exit": {description: "test stub exiting at once", display: "none",
                      command: [$stub, "--exit", "3", "{project_dir}"]},
        "stub-xvfb": {description: "test stub with a display", display: "xvfb",
                      command: [$stub, "{project_dir}"],
                      command_no_network: [$stub, "--offline", "{project_dir}"]}
    }}' >"$file"
}

daemon_start() {
    local dir=$1 backends listen=127.0.0.1:0
    : "${CSM_DAEMON:?daemon_start: set CSM_DAEMON to the claude-sandbox-manager binary}"
    [[ -x $CSM_DAEMON ]] || { echo "daemon_start: $CSM_DAEMON is not an executable" >&2; return 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    DAEMON_DIR=$dir
    DAEMON_STATE_DIR=$dir/state
    DAEMON_TMUX_TMPDIR=$dir/tmux
    DAEMON_CLAUDE_DIR=$dir/claude
    DAEMON_LOG=$dir/daemon.log
    mkdir -p "$DAEMON_STATE_DIR" "$DAEMON_TMUX_TMPDIR" "$DAEMON_CLAUDE_DIR/projects"
    chmod 700 "$DAEMON_TMUX_TMPDIR"
    backends=${DAEMON_BACKENDS_FILE:-$dir/backends.json}
    [[ -n ${DAEMON_BACKENDS_FILE:-} ]] || daemon_write_backends "$backends"
    : >"$DAEMON_LOG"
    # Its own process group (setsid), so that daemon_stop also ends its Xvfb and helpers;
    # fd 3 closed because bats waits for it.
    [[ -n ${DAEMON_SOCKET:-} ]] && listen=unix:$DAEMON_SOCKET
    env MANAGER_LISTEN="$listen" \
        MANAGER_STATE_DIR="$DAEMON_STATE_DIR" \
        MANAGER_BACKENDS_FILE="$backends" \
        MANAGER_CLAUDE_DIR="$DAEMON_CLAUDE_DIR" \
        TMUX_TMPDIR="$DAEMON_TMUX_TMPDIR" \
        "${DAEMON_ENV[@]}" \
        setsid "$CSM_DAEMON" >>"$DAEMON_LOG" 2>&1 </dev/null 3>&- &
    DAEMON_PID=$!
    if ! wait_until "${DAEMON_START_TIMEOUT:-30}" _daemon_started; then
        echo "daemon_start: no 'listening on' line within ${DAEMON_START_TIMEOUT:-30} s" >&2
    fi
    local started=1
    DAEMON_CURL=()
    if [[ -n ${DAEMON_SOCKET:-} ]]; then
        DAEMON_PORT=""
        DAEMON_URL=http://localhost
        DAEMON_CURL=(--unix-socket "$DAEMON_SOCKET")
        grep -qF "listening on unix:$DAEMON_SOCKET" "$DAEMON_LOG" || started=0
    else
        DAEMON_PORT=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*/' "$DAEMON_LOG" | tail -n 1 | grep -o '[0-9]*/$')
        DAEMON_PORT=${DAEMON_PORT%/}
        DAEMON_URL=http://127.0.0.1:$DAEMON_PORT
        [[ -n $DAEMON_PORT ]] || started=0
    fi
    if ((!started)) || ! alive "$DAEMON_PID"; then
        echo "daemon_start: the daemon did not start; its log:" >&2
        cat "$DAEMON_LOG" >&2
        daemon_stop
        return 1
    fi
    export DAEMON_PORT DAEMON_URL DAEMON_PID DAEMON_DIR DAEMON_STATE_DIR DAEMON_TMUX_TMPDIR \
        DAEMON_CLAUDE_DIR DAEMON_LOG
}

# Declared so that "${DAEMON_ENV[@]}" and "${DAEMON_CURL[@]}" are valid when nothing set them.
if ! declare -p DAEMON_ENV >/dev/null 2>&1; then
    DAEMON_ENV=()
fi
if ! declare -p DAEMON_CURL >/dev/null 2>&1; then
    DAEMON_CURL=()
fi

_daemon_started() {
    grep -q 'listening on \(http://127\.0\.0\.1:[0-9]*/\|unix:\)' "$DAEMON_LOG" && return 0
    ! alive "$DAEMON_PID"
}

_daemon_gone() { ! alive "$DAEMON_PID"; }

daemon_stop() {
    local pids pid
    if [[ -n ${DAEMON_PID:-} ]]; then
        # The Xvfb of each sandbox outlives the daemon, as its tmux session does: ask the
        # daemon for their pids while it still answers.
        pids=$(curl -sS --max-time 5 "${DAEMON_CURL[@]}" "$DAEMON_URL/api/sandboxes" 2>/dev/null |
            jq -r '.[]? | .pid_xvfb // empty' 2>/dev/null) || pids=""
        kill -TERM -- "-$DAEMON_PID" 2>/dev/null || true
        if ! wait_until 10 _daemon_gone; then
            echo "daemon_stop: the daemon ignored SIGTERM for 10 s; killing it" >&2
            kill -KILL -- "-$DAEMON_PID" 2>/dev/null || true
        fi
        wait "$DAEMON_PID" 2>/dev/null || true
        DAEMON_PID=""
    fi
    if [[ -n ${DAEMON_TMUX_TMPDIR:-} ]]; then
        TMUX_TMPDIR=$DAEMON_TMUX_TMPDIR tmux kill-server 2>/dev/null || true
    fi
    # Anything else still running from this daemon's state dir (an Xvfb of a sandbox
    # that was stopped while the daemon was down, say).
    if [[ -n ${DAEMON_STATE_DIR:-} ]]; then
        for pid in $(_daemon_state_dir_pids); do pids+=" $pid"; done
    fi
    for pid in ${pids:-}; do
        if [[ $pid =~ ^[0-9]+$ ]] && _daemon_owns "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
        fi
    done
    return 0
}

# A process whose command line names this daemon's state dir is one of ours.
_daemon_owns() {
    [[ -n ${DAEMON_STATE_DIR:-} && -r /proc/$1/cmdline ]] &&
        tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$DAEMON_STATE_DIR/"
}

_daemon_state_dir_pids() {
    local pattern
    pattern=$(printf '%s/' "$DAEMON_STATE_DIR" | sed 's/[][\.*^$+?(){}|]/\\&/g')
    pgrep -f -- "$pattern" || true
}

daemon_api() {
    local method=$1 path=$2
    shift 2
    curl -sS -X "$method" "${DAEMON_CURL[@]}" "$@" "$DAEMON_URL$path"
}

daemon_tmux() {
    TMUX_TMPDIR=$DAEMON_TMUX_TMPDIR tmux "$@"
}
