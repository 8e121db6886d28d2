#!/usr/bin/env bash
# Builds the browser site: the runtime (kernel-shim on wasmer's js backend,
# with shared memory and atomics so every process's worker shares the
# runtime's memory) bound with wasm-bindgen, the page, the terminal from npm,
# and the root image. Prints the site directory `wasmux serve` serves.
#
# Usage: browser/build.sh BUSYBOX_DIR   (a userland build: busybox.wasm, busybox.links)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
userland="${1:?usage: browser/build.sh BUSYBOX_DIR}"
cache="$HOME/.cache/wasmux"
site="${WASMUX_SITE:-$cache/site}"
export CARGO_TARGET_DIR="${BROWSER_TARGET_DIR:-$cache/target-browser}"

# Threads in the browser: atomics and shared memory need std rebuilt with
# them (nightly's build-std); the TLS exports let each worker set up its own
# thread-local block in the shared memory.
export RUSTFLAGS="-Ctarget-feature=+atomics,+bulk-memory,+mutable-globals \
-Clink-args=--no-check-features -Clink-arg=--import-memory -Clink-arg=--shared-memory \
-Clink-arg=--max-memory=4294967296 -Clink-arg=--export=__heap_base \
-Clink-arg=--export=__wasm_init_tls -Clink-arg=--export=__tls_size \
-Clink-arg=--export=__tls_align -Clink-arg=--export=__tls_base"
# The patched crates (.cargo/config.toml). Cargo applies that [patch] table
# to build-std's own resolve of the standard library too, which uses none of
# them: the four "patch ... was not used in the crate graph" warnings are
# that, and harmless.
bash "$here/../scripts/patch-crates.sh"
(cd "$here" && cargo +nightly build -Z build-std=std,panic_abort \
  --target wasm32-unknown-unknown --release -p wasmux-browser >&2)

# Files change only when their content does, so `wasmux serve`'s ETags (and
# the browser's code cache) survive a rebuild that changed nothing.
put() {
  local from="$1" to="$2"
  mkdir -p "$(dirname "$to")"
  cmp -s "$from" "$to" || cp "$from" "$to"
}

# Scratch space of this build alone: checkouts that share the cache may be
# building their sites at the same time.
bound=$(mktemp -d)
trap 'rm -rf "$bound"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$bound" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wasmux_browser.wasm"
for f in "$bound"/*; do put "$f" "$site/pkg/$(basename "$f")"; done

[ -d "$here/node_modules/@xterm/xterm" ] || (cd "$here" && npm ci --no-audit --no-fund >&2)
for f in "$here"/www/*; do put "$f" "$site/$(basename "$f")"; done
put "$here/node_modules/@xterm/xterm/lib/xterm.mjs" "$site/vendor/xterm.mjs"
put "$here/node_modules/@xterm/xterm/css/xterm.css" "$site/vendor/xterm.css"
put "$here/node_modules/@xterm/addon-fit/lib/addon-fit.mjs" "$site/vendor/addon-fit.mjs"

# The root image, under content-addressed names: the page caches them
# forever (Cache Storage) and learns the current names from the manifest.
mkdir -p "$site/image"
# entry KEY FILE: puts FILE in place under its content name, appends to
# `keep` and `manifest`.
keep=(manifest.json)
manifest=()
entry() {
  local key="$1" from="$2" base name
  base=$(basename "$from")
  name="${base%.*}-$(sha256sum "$from" | cut -c1-16).${base##*.}"
  put "$from" "$site/image/$name"
  keep+=("$name")
  manifest+=("\"$key\":{\"file\":\"$name\",\"size\":$(stat -c %s "$from")}")
}
entry busybox "$userland/busybox.wasm"
entry links "$userland/busybox.links"
(IFS=,; echo "{${manifest[*]}}") > "$bound/manifest.json"
put "$bound/manifest.json" "$site/image/manifest.json"
for f in "$site/image"/*; do
  [[ " ${keep[*]} " == *" $(basename "$f") "* ]] || rm -f "$f"
done
echo "$site"
