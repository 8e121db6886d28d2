#!/usr/bin/env bash
# Installs everything wasmux needs to build and test on a fresh Debian machine
# with rustup: toolchain components and targets, and Debian packages (the
# ones given, and curl and patch, which the patch step needs); then runs the
# patch step (scripts/patch-crates.sh), which cargo builds of this
# repository need. Idempotent: a second run only checks.
set -euo pipefail

need_apt=()
for pkg in curl ca-certificates patch "$@"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

components=$(rustup component list --installed 2>/dev/null)
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$components" || rustup component add "$c"
done
targets=$(rustup target list --installed)
for t in wasm32-wasip1 wasm32-unknown-unknown; do
  grep -qx "$t" <<<"$targets" || rustup target add "$t"
done

# The browser runtime: shared memory and atomics need std rebuilt with them,
# which only nightly's build-std does (browser/build.sh).
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src' ||
  rustup +nightly component add rust-src
rustup +nightly target list --installed | grep -qx wasm32-unknown-unknown ||
  rustup +nightly target add wasm32-unknown-unknown

# The page's npm packages (xterm.js) and the browser tests' (playwright-core),
# exactly as browser/package-lock.json pins them.
browser="$(dirname "$0")/../browser"
lock_sum=$(sha256sum "$browser/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$browser/node_modules/.wasmux-lock" 2>/dev/null)" != "$lock_sum" ]; then
  command -v npm >/dev/null || { echo "setup: Node.js and npm are needed" >&2; exit 1; }
  echo "setup: installing the browser's npm packages"
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$browser/node_modules/.wasmux-lock"
fi

# The browser crates' bindings and test runner: the CLI must be exactly the
# version of the wasm-bindgen crate that browser/Cargo.toml pins.
wasm_bindgen_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$(dirname "$0")/../browser/Cargo.toml")
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  echo "setup: installing wasm-bindgen-cli $wasm_bindgen_version"
  cargo install --quiet wasm-bindgen-cli --version "=$wasm_bindgen_version"
fi

# The crates.io crates patches/ fixes, and the .cargo/config.toml that
# points both workspaces at them.
bash "$(dirname "$0")/patch-crates.sh"
