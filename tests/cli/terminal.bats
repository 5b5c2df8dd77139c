#!/usr/bin/env bats
# claude-remote send and screen: a reply answers the fake claude's prompt through the
# real sshd and daemon, and the screen comes back as text.
# shellcheck disable=SC2154,SC2016 # bats' run sets stderr; the $ and backquotes are data

load helpers

setup() {
    export DAEMON_BACKENDS_FILE=$BATS_TEST_TMPDIR/backends.json
    jq -n --arg fake "$CLI_REPO/tests/support/fake-claude" '{backends: {
        claude: {description: "fake claude", display: "none", command: [$fake]},
        shell: {description: "bash", display: "none", command: ["bash", "--norc", "--noprofile", "-i"]}}}' \
        >"$DAEMON_BACKENDS_FILE"
    cli_setup
}
teardown() { cli_teardown; }

screen_has() { daemon_api GET "/api/sandboxes/$1/screen" | grep -qF -- "$2"; }
screen_line() { daemon_api GET "/api/sandboxes/$1/screen" | grep -qxF -- "$2"; }

@test "send answers a prompt with a key, then replies with a line" {
    id=$(create_sandbox agent claude)
    wait_until 20 screen_has "$id" "Do you want to proceed?"
    run --separate-stderr cr send "${id:0:8}" --keys 1
    assert_success
    wait_until 20 screen_has "$id" "permission granted: yes"
    run --separate-stderr cr send "${id:0:8}" 'use the other API; "quoted" $HOME `x`'
    assert_success
    wait_until 20 screen_has "$id" 'reply received: [use the other API; "quoted" $HOME `x`]'
    run --separate-stderr cr screen "${id:0:8}"
    assert_success
    assert_output --partial 'reply received: [use the other API; "quoted" $HOME `x`]'
    # Both inputs are in the audit, from the CLI.
    run daemon_api GET "/api/sandboxes/$id/input-audit"
    assert_equal "$(jq -r 'map(.actor.client) | join(",")' <<<"$output")" cli,cli
}

@test "send --no-enter types without submitting; screen --ansi keeps colours" {
    id=$(create_sandbox box shell)
    wait_until 20 screen_has "$id" "bash"
    run --separate-stderr cr send "$id" "echo typed-only" --no-enter
    assert_success
    wait_until 20 screen_has "$id" "echo typed-only"
    run --separate-stderr cr send "$id" --keys Enter
    assert_success
    wait_until 20 screen_line "$id" typed-only
    run --separate-stderr cr send "$id" "printf '\\033[31mred\\033[0m\\n'"
    assert_success
    wait_until 20 screen_line "$id" red
    run --separate-stderr cr screen "$id" --ansi
    assert_success
    assert_output --partial $'\e[31mred'
}

@test "send refuses a bad key and nothing to send, naming the problem" {
    id=$(create_sandbox agent claude)
    run --separate-stderr cr send "$id" --keys Hyper
    assert_failure 1
    assert_output ""
    [[ $stderr == *"unknown key"* ]]
    run --separate-stderr cr send "$id"
    assert_failure 1
    [[ $stderr == *"nothing to send"* ]]
}
