#!/usr/bin/env bats
# Static checks: shellcheck on every shell file of the CLI and its harness, the man page
# renders cleanly and documents every command.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

setup() {
    REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
}

@test "shellcheck is clean" {
    cd "$REPO"
    run shellcheck -x cli/claude-remote cli/claude-remote.bash tests/support/stub-backend \
        tests/support/common.bash tests/support/sshd.bash tests/support/daemon.bash \
        tests/cli/helpers.bash
    assert_success
    run shellcheck -x -s bash tests/cli/*.bats
    assert_success
}

@test "the man page renders without warnings and names every command" {
    run groff -man -ww -z -Tutf8 "$REPO/cli/claude-remote.1"
    assert_success
    assert_output ""
    page=$(groff -man -Tutf8 -rLL=100n -P-cbou "$REPO/cli/claude-remote.1" | sed -n '/^COMMANDS/,/^OPTIONS/p')
    for cmd in $("$REPO/cli/claude-remote" __commands); do
        grep -qE "^       $cmd( |,|$)|, $cmd( |$)" <<<"$page" || fail "the man page does not describe $cmd"
    done
    groff -man -Tutf8 -P-cbou "$REPO/cli/claude-remote.1" | grep -q CLAUDE_REMOTE_TOKEN_FILE
}

@test "the script is executable and runs under bash from PATH" {
    head -n 1 "$REPO/cli/claude-remote" | grep -qx '#!/usr/bin/env bash'
    [[ -x $REPO/cli/claude-remote ]]
}
