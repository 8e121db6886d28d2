#!/usr/bin/env bash
# Builds the guest programs (wasm32-wasip1 and native; the C one with
# Debian's clang-19 and wasi-libc) and prints the benchmark table of
# `wasmux bench`. Pass --quick for smaller sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
bash scripts/setup.sh clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 gcc libc6-dev
programs="$CARGO_TARGET_DIR/bench-programs"
manifest=userland/test-programs/Cargo.toml
CARGO_TARGET_DIR="$programs" cargo build -q --release --target wasm32-wasip1 --manifest-path "$manifest"
CARGO_TARGET_DIR="$programs" cargo build -q --release --manifest-path "$manifest" --bin hello --bin syscalls

# clang needs a sysroot holding exactly wasi-libc: given /usr it would
# silently take glibc's headers.
sysroot="$programs/wasi-sysroot"
mkdir -p "$sysroot/lib"
ln -sfn /usr/include/wasm32-wasi "$sysroot/include"
ln -sfn /usr/lib/wasm32-wasi "$sysroot/lib/wasm32-wasi"
c_source=userland/test-programs/c/syscalls.c
clang-19 --target=wasm32-wasi --sysroot="$sysroot" -O2 -std=gnu11 -Wall -Werror \
  "$c_source" -o "$programs/wasm32-wasip1/release/syscalls-c.wasm"
cc -O2 -std=gnu11 -Wall -Werror "$c_source" -o "$programs/release/syscalls-c"

cargo build -q --release -p wasmux
exec "$CARGO_TARGET_DIR/release/wasmux" bench \
  --wasm "$programs/wasm32-wasip1/release" --native "$programs/release" "$@"
