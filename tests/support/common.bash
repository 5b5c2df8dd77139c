# shellcheck shell=bash
# Small helpers shared by the test harness scripts (sshd.bash, daemon.bash) and the suites
# that source them. Source it; it defines functions only.
#
#   wait_until SECONDS COMMAND [ARG...]
#       Run COMMAND every 0.1 s until it succeeds; fail (status 1) after SECONDS.
#       Tests wait on conditions with this, never with fixed sleeps.
#   free_port
#       Print a TCP port on 127.0.0.1 that nothing listens on right now.
#   port_open PORT
#       Succeed when something accepts connections on 127.0.0.1:PORT.
#   alive PID
#       Succeed while process PID runs (a zombie does not count).

wait_until() {
    local timeout=$1 deadline
    shift
    deadline=$((SECONDS + timeout))
    while ! "$@"; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.1
    done
    return 0
}

port_open() {
    (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port tries
    for ((tries = 0; tries < 200; tries++)); do
        port=$((20000 + RANDOM % 40000))
        if ! port_open "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}
