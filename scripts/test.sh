#!/usr/bin/env bash
# README command 2: set up, then run every check and test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The busybox userland (which the tests run) and, for its test suite's
# native comparison, Debian's busybox.
bash scripts/setup.sh "${USERLAND_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" busybox
echo "== userland"
busybox=$(bash userland/busybox/build.sh | tail -n 1)

echo "== format"
cargo fmt --all -- --check
echo "== lint"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "== fuzz (compat parsers)"
bash userland/compat/fuzz.sh
echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Every step runs, whatever the one before it did; a failed step is named
# when it ends and again at the end, and makes the run fail.
failed_steps=()
failed() {
  failed_steps+=("$1")
  echo "FAILED STEP: $1"
}
cargo test --release --workspace 2>&1 | tee "$log" || failed "cargo test"
echo "== browser crates (headless Chromium)"
bash browser/test.sh 2>&1 | tee -a "$log" || failed "browser crates"
echo "== browser end to end (headless Chromium)"
site=$(bash browser/build.sh "$(dirname "$busybox")" | tail -n 1)
bash browser/e2e.sh "$site" "$CARGO_TARGET_DIR/release/wasmux" 2>&1 | tee -a "$log" || failed "browser end to end"
# One closing line for the whole run: the sum of every test binary's results
# and of the end-to-end tests' (node's TAP summary).
awk '/^test result:/ { p += $4; f += $6; i += $8 }
     /^# pass / { p += $3 } /^# fail / { f += $3 } /^# skipped / { i += $3 }
     END { printf "\n%d passed, %d failed, %d skipped\n", p, f, i }' "$log"

# The Open POSIX Test Suite (third-party, fetched and built here) on Linux
# and in fast mode: its counts go into the conformance report.
echo "== Open POSIX Test Suite"
bash conformance/posix.sh "$CARGO_TARGET_DIR/release/wasmux" "$(dirname "$busybox")" || failed "Open POSIX Test Suite"

# The conformance suite on Linux (the oracle), in fast mode and in fast mode
# in a tab, each held to its recorded baseline (conformance/baseline.json).
echo "== conformance"
programs=$(bash conformance/build.sh | tail -n 1)
"$CARGO_TARGET_DIR/release/wasmux" conformance --backend linux --build "$programs" --deadline 60 || failed "conformance: linux"
"$CARGO_TARGET_DIR/release/wasmux" --userland "$(dirname "$busybox")" \
  conformance --backend fast --build "$programs" --deadline 60 || failed "conformance: fast"
"$CARGO_TARGET_DIR/release/wasmux" conformance --backend fast-browser --build "$programs" \
  --site "$site" --deadline 60 || failed "conformance: fast-browser"

# busybox's own test suite, in wasmux and natively; fails below the floor.
echo "== busybox testsuite"
bash userland/busybox/testsuite.sh || failed "busybox testsuite"

if ((${#failed_steps[@]})); then
  (IFS=';' && printf '\n== %d failed steps: %s\n' "${#failed_steps[@]}" "${failed_steps[*]}")
  exit 1
fi
printf '\n== every step passed\n'

