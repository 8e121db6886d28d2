#!/usr/bin/env bash
# The browser benchmark (issue 4): builds the site and the CLI, then prints
# the table of browser/bench.mjs — wasmux in headless Chromium against the
# same busybox.wasm run natively by `wasmux`, measured in the same run.
# Usage: scripts/bench-browser.sh [ROUNDS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
site=$(bash scripts/build-site.sh | tail -n 1)
busybox=$(bash userland/busybox/build.sh | tail -n 1)
exec node browser/bench.mjs "$site" "$CARGO_TARGET_DIR/release/wasmux" "$(dirname "$busybox")" "$@"
