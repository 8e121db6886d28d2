#!/usr/bin/env bash
# Builds the guest programs (wasm32-wasip1 and native) and prints the benchmark
# table of `wasmux bench`. Pass --quick for smaller sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh
programs="$CARGO_TARGET_DIR/bench-programs"
manifest=userland/test-programs/Cargo.toml
CARGO_TARGET_DIR="$programs" cargo build -q --release --target wasm32-wasip1 --manifest-path "$manifest"
CARGO_TARGET_DIR="$programs" cargo build -q --release --manifest-path "$manifest" --bin hello --bin syscalls
cargo build -q --release -p wasmux
exec "$CARGO_TARGET_DIR/release/wasmux" bench \
  --wasm "$programs/wasm32-wasip1/release" --native "$programs/release" "$@"
