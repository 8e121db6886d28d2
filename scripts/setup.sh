#!/usr/bin/env bash
# Installs everything wasmux needs to build and test on a fresh Debian machine
# with rustup: toolchain components and targets, and Debian packages.
# Idempotent: a second run only checks.
set -euo pipefail

need_apt=()
for pkg in "$@"; do
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

# The browser crates' bindings and test runner: the CLI must be exactly the
# version of the wasm-bindgen crate that browser/Cargo.toml pins.
wasm_bindgen_version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' "$(dirname "$0")/../browser/Cargo.toml")
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  echo "setup: installing wasm-bindgen-cli $wasm_bindgen_version"
  cargo install --quiet wasm-bindgen-cli --version "=$wasm_bindgen_version"
fi
