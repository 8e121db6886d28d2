#!/usr/bin/env bash
# README command 1: set up, build, and start the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh "${USERLAND_PACKAGES[@]}"
busybox=$(bash userland/busybox/build.sh | tail -n 1)
cargo build --release -p wasmux
exec "$CARGO_TARGET_DIR/release/wasmux" --userland "$(dirname "$busybox")" shell "$@"
