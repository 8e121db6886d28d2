# Sourced by the scripts: where builds go. The cache lives outside the clone so
# repeated runs (and CI on the same machine) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/wasmux/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR"
# What the busybox userland's build needs (userland/busybox/build.sh): the
# native linker, clang-19 + lld + llvm-ar for wasm32, wasi-libc and its
# runtime, binaryen (asyncify), make and dpkg-dev (dpkg-source); gcc and
# libc6-dev also build the conformance suite's Linux oracle.
USERLAND_PACKAGES=(gcc libc6-dev make clang-19 lld-19 llvm-19 wasi-libc libclang-rt-19-dev-wasm32 libclang-rt-19-dev binaryen dpkg-dev)
# What the browser needs: Debian's Chromium and its WebDriver (tests).
BROWSER_PACKAGES=(chromium chromium-driver)
