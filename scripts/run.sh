#!/usr/bin/env bash
# README command 1: set up, build, and serve the terminal on
# http://127.0.0.1:8080 (pass --addr HOST:PORT to serve elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh "${USERLAND_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}"
busybox=$(bash userland/busybox/build.sh | tail -n 1)
site=$(bash browser/build.sh "$(dirname "$busybox")" | tail -n 1)
cargo build --release -p wasmux
exec "$CARGO_TARGET_DIR/release/wasmux" serve --dir "$site" "$@"
