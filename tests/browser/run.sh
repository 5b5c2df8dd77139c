#!/usr/bin/env bash
# Runs the dashboard's browser tests: playwright-core (pinned in package-lock.json, installed
# with npm ci outside the source tree) driving Debian's Chromium headless against the daemon.
#
#   run.sh install            npm ci into $CSM_BROWSER_WORK (skipped when up to date)
#   run.sh test FILE.test.mjs run one test file with node's test runner
#
# Environment: CSM_DAEMON (the claude-sandbox-manager binary; required for test),
# CSM_BROWSER_WORK (default: /tmp/csm-browser-node), CSM_ARTIFACTS_DIR (screenshots and
# figures go to $CSM_ARTIFACTS_DIR/browser; default build/test-artifacts, or the build tree's
# test-artifacts under CTest), CSM_CHROMIUM
# (default /usr/bin/chromium). `test` exits 77 (skipped) when node, npm or Chromium is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${CSM_BROWSER_WORK:-/tmp/csm-browser-node}
chromium=${CSM_CHROMIUM:-/usr/bin/chromium}

skip() {
    echo "browser tests skipped: $*" >&2
    exit 77
}

install() {
    if ! command -v npm >/dev/null; then
        echo "npm is not installed (Debian: npm): the browser tests will be skipped" >&2
        return 0
    fi
    mkdir -p "$work"
    if [[ -d $work/node_modules/playwright-core ]] && cmp -s "$here/package-lock.json" "$work/package-lock.json"; then
        return 0
    fi
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    # Never a browser download: playwright-core has none, scripts are off, and the tests
    # launch /usr/bin/chromium.
    (cd "$work" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
}

case ${1:-} in
install)
    install
    ;;
test)
    shift
    command -v node >/dev/null || skip "node is not installed (Debian: nodejs)"
    [[ -x $chromium ]] || skip "$chromium is missing (Debian: chromium)"
    : "${CSM_DAEMON:?set CSM_DAEMON to the claude-sandbox-manager binary}"
    install
    [[ -d $work/node_modules/playwright-core ]] || skip "playwright-core is not installed (npm ci failed?)"
    export CSM_NODE_MODULES=$work/node_modules
    # CTest names its build tree's folder; by hand it is the repository's build/.
    export CSM_ARTIFACTS_DIR=${CSM_ARTIFACTS_DIR:-${CSM_DEFAULT_ARTIFACTS_DIR:-$here/../../build/test-artifacts}}
    cd "$here"
    exec node --test --test-reporter=spec "$@"
    ;;
*)
    echo "usage: $0 install | test FILE.test.mjs..." >&2
    exit 2
    ;;
esac
