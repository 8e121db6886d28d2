#!/usr/bin/env bash
# README command 2: set up, then run every check and test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# gcc: the linker of every native build. clang-19, lld-19, llvm-19 (llvm-ar),
# wasi-libc, the wasm32 runtime, binaryen, make and dpkg-dev (dpkg-source): the
# busybox userland, which the tests run.
bash scripts/setup.sh gcc make clang-19 lld-19 llvm-19 wasi-libc libclang-rt-19-dev-wasm32 binaryen dpkg-dev
echo "== userland"
bash userland/busybox/build.sh

echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --release --workspace --all-targets --all-features -- -D warnings
echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --release --workspace --all-features 2>&1 | tee "$log" || status=$?
# One closing line for the whole run: the sum of every test binary's results.
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     END { printf "\n%d passed, %d failed, %d skipped\n", p, f, i }' "$log"
exit "$status"
