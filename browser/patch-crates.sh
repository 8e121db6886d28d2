#!/usr/bin/env bash
# Fixes to crates.io crates that the browser build needs, applied at build
# time: each patches/NAME-VERSION.patch (written here) is applied to the
# crate fetched from crates.io and checked against Cargo.lock's checksum,
# into .patched/NAME-VERSION, which Cargo.toml's [patch.crates-io] names.
# Nothing third-party is committed; a fresh clone rebuilds it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for fix in "$here"/patches/*.patch; do
  crate=$(basename "$fix" .patch)   # e.g. virtual-fs-0.704.2
  name=${crate%-*} version=${crate##*-}
  out="$here/.patched/$crate"
  stamp=$(sha256sum "$fix" | cut -c1-16)
  [ "$(cat "$out/.wasmux-patch" 2>/dev/null)" = "$stamp" ] && continue
  want=$(awk -v n="$name" -v v="$version" '
    $0 == "name = \"" n "\"" { hit = 1; next }
    hit && $0 == "version = \"" v "\"" { ver = 1; next }
    hit && ver && /^checksum/ { gsub(/"/, "", $3); print $3; exit }
    /^\[\[package\]\]/ { hit = 0; ver = 0 }' "$here/Cargo.lock")
  # Cargo.lock lists a patched crate without a checksum; the pin lives here.
  [ -n "$want" ] || want=$(sed -n 's/^# checksum: //p' "$fix")
  [ -n "$want" ] || { echo "patch-crates: no checksum for $crate" >&2; exit 1; }
  tarball="$HOME/.cargo/registry/cache/index.crates.io-1949cf8c6b5b557f/$crate.crate"
  if ! [ -f "$tarball" ] || [ "$(sha256sum < "$tarball" | cut -d' ' -f1)" != "$want" ]; then
    tarball=$(mktemp)
    curl -sSfL --retry 3 -o "$tarball" "https://static.crates.io/crates/$name/$crate.crate"
  fi
  got=$(sha256sum < "$tarball" | cut -d' ' -f1)
  [ "$got" = "$want" ] || { echo "patch-crates: $crate checksum $got, expected $want" >&2; exit 1; }
  rm -rf "$out" && mkdir -p "$here/.patched"
  tar xzf "$tarball" -C "$here/.patched"
  patch -s -p1 -d "$out" < "$fix"
  echo "$stamp" > "$out/.wasmux-patch"
done
