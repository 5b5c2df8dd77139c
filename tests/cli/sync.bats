#!/usr/bin/env bats
# claude-remote sync, create --sync and watch. The "remote" is this machine reached through
# sshd, so remote paths are other folders here.
# shellcheck disable=SC2154 # bats' run sets stderr and stderr_lines

load helpers

setup() {
    cli_setup
    SRC=$BATS_TEST_TMPDIR/src
    DST=$BATS_TEST_TMPDIR/dst
    mkdir -p "$SRC/.git" "$SRC/sub dir" "$SRC/build"
    echo ref >"$SRC/.git/HEAD"
    printf '*.log\nbuild/\n' >"$SRC/.gitignore"
    echo kept >"$SRC/main.c"
    echo nested >"$SRC/sub dir/file with spaces.txt"
    echo noise >"$SRC/debug.log"
    echo out >"$SRC/build/a.out"
}

teardown() {
    if [[ -n ${WATCH_PID:-} ]]; then
        kill "$WATCH_PID" 2>/dev/null || true
        wait "$WATCH_PID" 2>/dev/null || true
    fi
    cli_teardown
}

@test "sync copies a folder, skipping .git and what .gitignore ignores" {
    run --separate-stderr cr sync "$SRC" "$DST"
    assert_success
    assert_line "Syncing $SRC → testhost:$DST ..."
    assert_line "Sync complete."
    assert_equal "$(cat "$DST/main.c")" kept
    assert_equal "$(cat "$DST/sub dir/file with spaces.txt")" nested
    [[ -f $DST/.gitignore ]]
    [[ ! -e $DST/.git ]]
    [[ ! -e $DST/debug.log ]]
    [[ ! -e $DST/build ]]
}

@test "sync mirrors deletions" {
    cr sync "$SRC" "$DST"
    rm "$SRC/main.c"
    run --separate-stderr cr sync "$SRC" "$DST"
    assert_success
    [[ ! -e $DST/main.c ]]
    [[ -f $DST/sub\ dir/file\ with\ spaces.txt ]]
}

@test "sync to the same path by default, and to hostile paths intact" {
    # Same path on both sides: rsync over ssh onto itself keeps everything.
    run --separate-stderr cr sync "$SRC"
    assert_success
    assert_line "Syncing $SRC → testhost:$SRC ..."
    assert_equal "$(cat "$SRC/main.c")" kept

    hostile=$BATS_TEST_TMPDIR/$'d\'q "dq" $(touch PWNED) `touch PWNED2`; x & y \\ z\nline2'
    run --separate-stderr cr sync "$SRC" "$hostile"
    assert_success
    assert_equal "$(cat "$hostile/main.c")" kept
    [[ ! -e PWNED && ! -e PWNED2 && ! -e $REMOTE_HOME/PWNED && ! -e $REMOTE_HOME/PWNED2 ]]
}

@test "sync of a missing local folder: exit 1" {
    run --separate-stderr cr sync "$BATS_TEST_TMPDIR/nope" "$DST"
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "claude-remote: no such local directory: $BATS_TEST_TMPDIR/nope"
}

@test "sync when ssh cannot connect: exit 3" {
    CLAUDE_REMOTE_SSH_OPTS="-F $SSH_CONFIG -p $(free_port)" run --separate-stderr cr sync "$SRC" "$DST"
    assert_failure 3
    [[ $stderr == *"claude-remote: rsync with testhost failed: ssh could not connect"* ]]
}

@test "create --sync copies a relative project dir to its absolute path, then creates" {
    cd "$BATS_TEST_TMPDIR"
    run --separate-stderr cr create synced stub src --sync
    assert_success
    [[ $stderr == *"Syncing $SRC → testhost:$SRC ..."* ]]
    assert_equal "$(jq -r .project_dir <<<"$output")" "$SRC"
    id=$(jq -r .id <<<"$output")
    wait_until 20 log_has "$id" "pwd=[$SRC]"
}

watching() { file_has "$BATS_TEST_TMPDIR/watch.out" "Watching for changes"; }

# Run watch with WATCHER (fswatch or inotifywait) through a change on each side, then stop it.
watch_both_ways() {
    local watcher=$1
    command -v "$watcher" >/dev/null || fail "$watcher is needed (Debian: fswatch, inotify-tools)"
    CLAUDE_REMOTE_WATCHER=$watcher "$CLI" watch "$SRC" "$DST" >"$BATS_TEST_TMPDIR/watch.out" 2>&1 3>&- &
    WATCH_PID=$!
    wait_until 30 watching
    assert_equal "$(cat "$DST/main.c")" kept
    [[ ! -e $DST/debug.log && ! -e $DST/.git ]]

    echo up >"$SRC/new local.txt"
    wait_until 30 test -f "$DST/new local.txt"
    assert_equal "$(cat "$DST/new local.txt")" up

    echo down >"$DST/made remotely.txt"
    wait_until 30 test -f "$SRC/made remotely.txt"
    assert_equal "$(cat "$SRC/made remotely.txt")" down

    # ignored files stay where they are made
    echo noise >"$SRC/late.log"
    echo later >"$SRC/later.txt"
    wait_until 30 test -f "$DST/later.txt"
    [[ ! -e $DST/late.log ]]

    # a file deleted on one side is not deleted on the other
    rm "$DST/main.c"
    echo touch >"$SRC/trigger.txt"
    wait_until 30 test -f "$DST/trigger.txt"
    [[ -f $SRC/main.c ]]

    kill -TERM "$WATCH_PID"
    rc=0
    wait "$WATCH_PID" || rc=$?
    WATCH_PID=""
    assert_equal "$rc" 0
    run cat "$BATS_TEST_TMPDIR/watch.out"
    assert_line "[local→remote] new local.txt"
    assert_line "[remote→local] made remotely.txt"
    assert_line "Stopping watch..."
    # the file watcher went with it
    run pgrep -f "$watcher.*$SRC"
    assert_failure
}

@test "watch (inotifywait) copies local changes up and remote changes down until stopped" {
    watch_both_ways inotifywait
}

@test "watch (fswatch) copies local changes up and remote changes down until stopped" {
    watch_both_ways fswatch
}

@test "watch with an unknown watcher: exit 1" {
    CLAUDE_REMOTE_WATCHER=nope run --separate-stderr cr watch "$SRC" "$DST"
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "claude-remote: unknown watcher 'nope' (auto, fswatch or inotifywait)"
}
