#!/usr/bin/env bash
# README command 2: set up, then run every check and test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh

echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --release --workspace --all-targets --all-features -- -D warnings
echo "== tests"
cargo test --release --workspace --all-features
