#!/usr/bin/env bash
# Fixes to crates.io crates, applied at build time, for both cargo
# workspaces (the native one at the root, browser/'s): each
# patches/NAME-VERSION.patch (written here; its `# checksum:` line pins the
# crate's sha256) is applied to the crate as crates.io serves it, into
# .patched/NAME-VERSION. The script then writes .cargo/config.toml, whose
# [patch.crates-io] table points cargo at those trees; cargo reads it from
# any directory under the repository, so both workspaces use it. Nothing
# third-party is committed and neither file is: a fresh clone reads its
# workspaces without them (cargo then resolves the crates.io originals) and
# every script that runs cargo runs this first.
#
# The crate comes from cargo's registry cache when it holds it (any
# registry directory, checked against the pin), else from static.crates.io,
# and is kept in ~/.cache/wasmux/crates. A second run that finds the same
# patches, the same script and its own outputs in place does nothing.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo/scripts/lib/fetch.sh"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}/crates"
registry="${CARGO_HOME:-$HOME/.cargo}/registry/cache"
patched="$repo/.patched"
config="$repo/.cargo/config.toml"

# The table cargo reads, from the names of the patches alone.
table="# Written by scripts/patch-crates.sh (not committed): crates.io crates
# that patches/ fixes, for every cargo workspace under this directory.
# Paths are relative to the directory holding .cargo/.
[patch.crates-io]"
for fix in "$repo"/patches/*.patch; do
  crate=$(basename "$fix" .patch)   # e.g. virtual-fs-0.704.2
  table+=$'\n'"${crate%-*} = { path = \".patched/$crate\" }"
done

stamp=$(cat "$0" "$repo"/patches/*.patch | sha256sum | cut -c1-16)
if [[ $(cat "$patched/.stamp" 2>/dev/null) == "$stamp" && $(cat "$config" 2>/dev/null) == "$table" ]]; then
  exit 0
fi

rm -f "$patched/.stamp"
rm -rf "$repo/browser/.patched"   # where they were until issue 20
for fix in "$repo"/patches/*.patch; do
  crate=$(basename "$fix" .patch)
  want=$(sed -n 's/^# checksum: //p' "$fix")
  [[ -n $want ]] || { echo "patch-crates: $fix has no '# checksum:' line" >&2; exit 1; }
  tarball="$cache/$crate.crate"
  fetch_checked "https://static.crates.io/crates/${crate%-*}/$crate.crate" "$want" "$tarball" \
    "$registry"/*/"$crate.crate"
  out="$patched/$crate"
  rm -rf "$out" && mkdir -p "$patched"
  tar xzf "$tarball" -C "$patched"
  patch -s -p1 -d "$out" <"$fix"
done
mkdir -p "$(dirname "$config")"
echo "$table" >"$config.part"
mv -f "$config.part" "$config"
echo "$stamp" >"$patched/.stamp"
