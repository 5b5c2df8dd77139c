# shellcheck shell=bash
# A throwaway OpenSSH server on a free loopback port, for tests that go through ssh the way
# a user's laptop does (claude-remote, the desktop viewer's tunnel).
#
#   source tests/support/sshd.bash
#   sshd_start DIR [NAME=VALUE...]
#       Generate a host key and a user key in DIR, start /usr/sbin/sshd on 127.0.0.1 on a
#       free port and wait until it listens. Every NAME=VALUE is set in the environment of
#       the sessions it starts (sshd_config SetEnv), e.g. TMUX_TMPDIR=... so that a remote
#       `tmux attach` finds the test's tmux server. Works as root (PermitRootLogin
#       prohibit-password) and as any other user (then only that user can log in).
#       Sets and exports:
#         SSHD_PORT      the port
#         SSHD_PID       the listener's pid (also its process group)
#         SSHD_DIR       DIR
#         SSHD_LOG       sshd's log
#         SSH_KEY        the user's private key
#         SSH_CONFIG     an ssh_config in which EVERY host name reaches this sshd with that
#                        key, no host key checks and no prompts: `ssh -F "$SSH_CONFIG" any`
#         SSH_OPTS       the same as plain options for `ssh $SSH_OPTS 127.0.0.1`
#   sshd_stop
#       Stop the server and the session processes it still runs.
#
# Needs openssh-server and openssh-client. Uses wait_until from common.bash.

# shellcheck source=tests/support/common.bash
source "${BASH_SOURCE[0]%/*}/common.bash"

sshd_start() {
    local dir=$1 sshd attempt port
    shift
    sshd=$(command -v sshd || echo /usr/sbin/sshd)
    [[ -x $sshd ]] || { echo "sshd_start: no sshd (install openssh-server)" >&2; return 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    SSHD_DIR=$dir
    rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub" "$dir/user_ed25519" "$dir/user_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C sshd-test-host -f "$dir/host_ed25519" </dev/null || return 1
    ssh-keygen -q -t ed25519 -N '' -C sshd-test-user -f "$dir/user_ed25519" </dev/null || return 1
    cp "$dir/user_ed25519.pub" "$dir/authorized_keys"
    chmod 600 "$dir/authorized_keys"
    SSH_KEY=$dir/user_ed25519
    # As root, sshd insists on its privilege separation directory.
    if ((EUID == 0)) && [[ ! -d /run/sshd ]]; then
        mkdir -p /run/sshd && chmod 0755 /run/sshd
    fi

    for ((attempt = 0; attempt < 10; attempt++)); do
        port=$(free_port) || return 1
        {
            echo "Port $port"
            echo "ListenAddress 127.0.0.1"
            echo "HostKey $dir/host_ed25519"
            echo "PidFile $dir/sshd.pid"
            echo "AuthorizedKeysFile $dir/authorized_keys"
            echo "UsePAM no"
            echo "StrictModes no"
            echo "PermitRootLogin prohibit-password"
            echo "PubkeyAuthentication yes"
            echo "PasswordAuthentication no"
            echo "KbdInteractiveAuthentication no"
            echo "AllowTcpForwarding yes"
            echo "X11Forwarding no"
            echo "PrintMotd no"
            echo "PrintLastLog no"
            echo "LogLevel VERBOSE"
            # One SetEnv line: sshd uses the first SetEnv it reads.
            if (($#)); then
                printf 'SetEnv'
                printf ' "%s"' "$@"
                printf '\n'
            fi
        } >"$dir/sshd_config"
        SSHD_LOG=$dir/sshd.log
        : >"$SSHD_LOG"
        # Its own process group, so that sshd_stop can end the session processes too.
        # fd 3 closed: bats waits for it.
        setsid "$sshd" -D -e -f "$dir/sshd_config" >>"$SSHD_LOG" 2>&1 </dev/null 3>&- &
        SSHD_PID=$!
        if wait_until 20 _sshd_started "$port"; then
            if grep -q "Server listening on 127.0.0.1 port $port" "$SSHD_LOG"; then
                SSHD_PORT=$port
                break
            fi
        fi
        # Lost a race for the port, or failed: say why if it was not the port.
        kill "$SSHD_PID" 2>/dev/null || true
        wait "$SSHD_PID" 2>/dev/null || true
        if ! grep -qi 'address already in use' "$SSHD_LOG"; then
            echo "sshd_start: sshd did not start:" >&2
            cat "$SSHD_LOG" >&2
            return 1
        fi
    done
    [[ -n ${SSHD_PORT:-} ]] || { echo "sshd_start: no free port" >&2; return 1; }

    SSH_CONFIG=$dir/ssh_config
    {
        echo "Host *"
        echo "    HostName 127.0.0.1"
        echo "    Port $SSHD_PORT"
        echo "    User $(id -un)"
        echo "    IdentityFile $SSH_KEY"
        echo "    IdentitiesOnly yes"
        echo "    StrictHostKeyChecking no"
        echo "    UserKnownHostsFile /dev/null"
        echo "    GlobalKnownHostsFile /dev/null"
        echo "    BatchMode yes"
        echo "    LogLevel ERROR"
        echo "    ConnectTimeout 10"
        # The post-quantum default key exchange costs 0.3 s a connection here.
        echo "    KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org"
    } >"$SSH_CONFIG"
    SSH_OPTS="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o IdentitiesOnly=yes -o KexAlgorithms=curve25519-sha256 -i $SSH_KEY -p $SSHD_PORT"
    export SSHD_PORT SSHD_PID SSHD_DIR SSHD_LOG SSH_KEY SSH_CONFIG SSH_OPTS
}

# Listening, or dead (then the caller looks at the log).
_sshd_started() {
    grep -q "Server listening on 127.0.0.1 port $1" "$SSHD_LOG" && return 0
    ! alive "$SSHD_PID"
}

sshd_stop() {
    [[ -n ${SSHD_PID:-} ]] || return 0
    kill -TERM -- "-$SSHD_PID" 2>/dev/null || true
    if ! wait_until 10 _sshd_gone; then
        kill -KILL -- "-$SSHD_PID" 2>/dev/null || true
    fi
    wait "$SSHD_PID" 2>/dev/null || true
    SSHD_PID=""
    return 0
}

_sshd_gone() { ! alive "$SSHD_PID"; }
