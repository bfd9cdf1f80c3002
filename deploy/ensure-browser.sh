#!/usr/bin/env bash
# Make sure the console's browser tests can run: Debian's chromium, which Playwright drives
# with its executable path set (tests/browser, run by tests/e2e/test_console_e2e.py); Playwright never downloads a
# browser of its own. Installs only what is missing, from Debian's packages. Idempotent;
# returns at once when it is there. A browser elsewhere: set CONSOLE_CHROMIUM and nothing is
# installed.
set -euo pipefail

say() { echo "ensure-browser: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "${CONSOLE_CHROMIUM:-}" ]; then
    [ -x "$CONSOLE_CHROMIUM" ] && exit 0
    say "CONSOLE_CHROMIUM=$CONSOLE_CHROMIUM: not an executable"
    exit 1
fi
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

say "installing chromium from Debian's packages"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium >/dev/null
