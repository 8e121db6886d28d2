#!/usr/bin/env bash
# The browser end-to-end tests (browser/e2e/*.test.mjs) against a built site:
# headless Debian Chromium driven by playwright-core, the site served by
# `wasmux serve` on a free loopback port.
#
# Usage: browser/e2e.sh SITE WASMUX_BIN
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export WASMUX_SITE="${1:?usage: browser/e2e.sh SITE WASMUX_BIN}"
export WASMUX_BIN="${2:?usage: browser/e2e.sh SITE WASMUX_BIN}"
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund >&2)
cd "$here"
exec node --test --test-concurrency=1 --test-timeout=600000 e2e/
