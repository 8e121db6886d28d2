#!/usr/bin/env bash
# The browser crates' checks and tests (scripts/test.sh calls this): format,
# lint, and the wasm-bindgen tests, which run in headless Chromium in a
# dedicated worker. scripts/setup.sh installs Chromium, its driver and
# wasm-bindgen-cli.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${BROWSER_TARGET_DIR:-$HOME/.cache/wasmux/target-browser}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
bash ../scripts/patch-crates.sh
cargo fmt --all -- --check
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo test --target wasm32-unknown-unknown
