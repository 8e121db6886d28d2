#!/usr/bin/env bash
# Sets up and builds the browser site (busybox, the runtime, the page) and
# the `wasmux` command; prints the site directory last.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh "${USERLAND_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" >&2
busybox=$(bash userland/busybox/build.sh | tail -n 1)
cargo build -q --release -p wasmux >&2
bash browser/build.sh "$(dirname "$busybox")" | tail -n 1
