#!/usr/bin/env bash
# README command 2: set up, then run every check and test of the workspace.
# One step a line (scripts/lib/steps.sh): each runs whatever the ones before
# it did, a failed one is named as it ends (`FAILED STEP: ...`), and the run
# ends with the sum of the test results and the list of failed steps.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The busybox userland (which the tests run) and, for its test suite's
# native comparison, Debian's busybox.
bash scripts/setup.sh "${USERLAND_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" busybox
source scripts/lib/steps.sh
wasmux=$CARGO_TARGET_DIR/release/wasmux   # built by the cargo test step

busybox=$(step_output "userland" bash userland/busybox/build.sh)
userland=$(dirname "$busybox")
step "format" cargo fmt --all -- --check
step "lint" cargo clippy --release --workspace --all-targets -- -D warnings
step "fuzz (compat parsers)" bash userland/compat/fuzz.sh
step "cargo test" cargo test --release --workspace
# The browser crates' wasm-bindgen tests and the end-to-end tests, in
# headless Chromium.
step "browser crates" bash browser/test.sh
site=$(step_output "browser site" bash browser/build.sh "$userland")
step "browser end to end" bash browser/e2e.sh "$site" "$wasmux"
# The Open POSIX Test Suite (third-party, fetched and built here) on Linux
# and in fast mode: its counts go into the conformance report.
step "Open POSIX Test Suite" bash conformance/posix.sh "$wasmux" "$userland"
# The conformance suite on Linux (the oracle), in fast mode and in fast mode
# in a tab, each held to its recorded baseline (conformance/baseline.json).
programs=$(step_output "conformance programs" bash conformance/build.sh)
step "conformance: linux" "$wasmux" conformance --backend linux --build "$programs" --deadline 60
step "conformance: fast" "$wasmux" --userland "$userland" \
  conformance --backend fast --build "$programs" --deadline 60
step "conformance: fast-browser" "$wasmux" conformance --backend fast-browser \
  --build "$programs" --site "$site" --deadline 60
# busybox's own test suite, in wasmux and natively; fails below the floor.
step "busybox testsuite" bash userland/busybox/testsuite.sh
steps_end
