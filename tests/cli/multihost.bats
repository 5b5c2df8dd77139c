#!/usr/bin/env bats
# One laptop, two servers: host = alpha, beta in the config file, with a [section] each
# for the port. Both "servers" are daemons on this machine behind the same sshd.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() {
    cli_isolate
    cli_start_sshd
    daemon_start "$BATS_TEST_TMPDIR/beta"
    BETA_PORT=$DAEMON_PORT BETA_PID=$DAEMON_PID BETA_URL=$DAEMON_URL BETA_TMUX=$DAEMON_TMUX_TMPDIR
    BETA_STATE=$DAEMON_STATE_DIR
    daemon_start "$BATS_TEST_TMPDIR/daemon"
    ALPHA_URL=$DAEMON_URL
    cat >"$XDG_CONFIG_HOME/claude-remote/config" <<CONF
host = alpha, beta
ssh_opts = -F $SSH_CONFIG

[alpha]
port = $DAEMON_PORT

[beta]
port = $BETA_PORT
CONF
}

teardown() {
    daemon_stop
    stop_beta
    sshd_stop
}

stop_beta() {
    DAEMON_PID=$BETA_PID DAEMON_URL=$BETA_URL DAEMON_TMUX_TMPDIR=$BETA_TMUX \
        DAEMON_STATE_DIR=$BETA_STATE daemon_stop
    BETA_PID=""
}

create_on() {
    local url=$1 name=$2
    DAEMON_URL=$url create_sandbox "$name"
}

@test "list shows which host each sandbox is on" {
    a=$(create_on "$ALPHA_URL" on-alpha)
    b=$(create_on "$BETA_URL" on-beta)
    run --separate-stderr cr list --table
    assert_success
    assert_line --index 0 --regexp '^HOST +ID +NAME +BACKEND +STATUS +ACTIVITY +PROJECT$'
    assert_line --regexp "^alpha +${a:0:8} +on-alpha +stub +running "
    assert_line --regexp "^beta +${b:0:8} +on-beta +stub +running "

    run --separate-stderr cr list --json
    assert_success
    assert_equal "$(jq -r --arg id "$b" '.[] | select(.id == $id) | .host' <<<"$output")" beta
    assert_equal "$(jq -r --arg id "$a" '.[] | select(.id == $id) | .host' <<<"$output")" alpha

    run --separate-stderr cr list
    assert_equal "$(jq -s -r 'map(.host) | sort | join(",")' <<<"$output")" alpha,beta
}

@test "ids resolve on every host" {
    b=$(create_on "$BETA_URL" far)
    run --separate-stderr cr stop "${b:0:8}"
    assert_success
    assert_output "Stopped $b"
    assert_equal "$(DAEMON_URL=$BETA_URL sandbox_field "$b" status)" stopped
}

@test "the same name on two hosts is ambiguous" {
    a=$(create_on "$ALPHA_URL" twin)
    b=$(create_on "$BETA_URL" twin)
    run --separate-stderr cr stop twin
    assert_failure 2
    [[ $stderr == *"  ${a:0:8}  twin  running  alpha"* ]]
    [[ $stderr == *"  ${b:0:8}  twin  running  beta"* ]]
}

@test "--host picks one server; create goes to the first by default" {
    create_on "$ALPHA_URL" on-alpha >/dev/null
    run --separate-stderr cr --host beta list --table
    assert_success
    assert_output "No sandboxes."

    mkdir -p "$BATS_TEST_TMPDIR/p"
    run --separate-stderr cr create first-host stub "$BATS_TEST_TMPDIR/p"
    assert_success
    assert_equal "$(curl -sS "$ALPHA_URL/api/sandboxes" | jq -r '.[0].name')" first-host

    run --separate-stderr cr --host beta create --table second stub "$BATS_TEST_TMPDIR/p"
    assert_success
    assert_line --regexp "^Attach with: claude-remote --host 'beta' attach [0-9a-f]{8}$"
    assert_equal "$(curl -sS "$BETA_URL/api/sandboxes" | jq -r '.[0].name')" second

    run --separate-stderr cr --host alpha --host beta create x stub "$BATS_TEST_TMPDIR/p"
    assert_failure 1
}

@test "a host that is down is reported while the others are listed" {
    a=$(create_on "$ALPHA_URL" survivor)
    stop_beta
    run --separate-stderr cr list --table
    assert_failure 3
    assert_line --regexp "^alpha +${a:0:8} +survivor "
    assert_equal "${#stderr_lines[@]}" 1
    [[ ${stderr_lines[0]} == "claude-remote: daemon not reachable on beta:$BETA_PORT "* ]]

    # an id found on a host that answered still works, with a warning
    run --separate-stderr cr stop "${a:0:8}"
    assert_success
    [[ $stderr == *"warning: 1 host(s) could not be searched"* ]]
}

@test "metrics and status cover every host" {
    run --separate-stderr cr --table metrics
    assert_success
    assert_line "System alpha"
    assert_line "System beta"
    run --separate-stderr cr metrics --json
    assert_success
    assert_equal "$(jq -s -r 'map(.host) | join(",")' <<<"$output")" alpha,beta
    run --separate-stderr cr status
    assert_success
    assert_line --regexp '^alpha: daemon '
    assert_line --regexp '^beta: daemon '
}
