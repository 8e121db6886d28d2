#!/usr/bin/env bash
# README command 2: set up, then run every check and test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# gcc: the linker of every native build (and the pseudo-terminal tests need nothing more).
bash scripts/setup.sh gcc

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
