#!/usr/bin/env bash
# README command 1: set up, build, and serve the terminal on
# http://127.0.0.1:8080 (pass --addr HOST:PORT to serve elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
site=$(bash scripts/build-site.sh | tail -n 1)
exec "$CARGO_TARGET_DIR/release/wasmux" serve --dir "$site" "$@"
