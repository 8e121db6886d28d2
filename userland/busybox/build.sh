#!/usr/bin/env bash
# Builds busybox as one WASIX program: `userland/busybox/build.sh` prints
# the path of busybox.wasm.
#
# Source: Debian's busybox source package, fetched from Debian's archive
# and checked against the checksums pinned here (scripts/lib/fetch.sh), kept
# in ~/.cache/wasmux/busybox/src. Compiled with Debian's clang-19 and
# wasi-libc plus our compatibility layer, with its driver
# (userland/compat/build.sh: linked for WASIX, instrumented by binaryen's
# asyncify so that fork and setjmp can capture the stack).
#
# The result is cached under a key made of every input (this script, the
# applet list, the compat build's own key): an unchanged tree does not
# rebuild.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}/busybox"

declare -A sha256=(
  [busybox_1.35.0-4+deb12u1.dsc]=9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa
  [busybox_1.35.0.orig.tar.bz2]=faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
  [busybox_1.35.0-4+deb12u1.debian.tar.xz]=1cacbe095ef4880ea7879933c8e3c5075d1527cd6fbcb626a9b41e5daefd1a46
)

source "$repo/scripts/lib/fetch.sh"
pool=https://deb.debian.org/debian/pool/main/b/busybox
for f in "${!sha256[@]}"; do
  fetch_checked "$pool/$f" "${sha256[$f]}" "$cache/src/$f"
done
tree="$cache/tree"
if [ ! -f "$tree/.extracted" ]; then
  rm -rf "$tree"
  dpkg-source --no-check -x "$cache/src/busybox_1.35.0-4+deb12u1.dsc" "$tree" >/dev/null
  touch "$tree/.extracted"
fi

compat=$(bash "$repo/userland/compat/build.sh")

key=$( {
  cat "$here/build.sh" "$here/applets.conf"
  echo "$compat"
} | sha256sum | cut -c1-16)
out="$cache/out/$key"
if [ -f "$out/busybox.wasm" ]; then
  touch "$out"   # recently used: the clean-up below keeps it
  echo "$out/busybox.wasm"
  exit 0
fi

cd "$tree"
# The version banner's date: the package's, not the build's.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l debian/changelog -STimestamp)
export SOURCE_DATE_EPOCH
# unzip reads its archive at descriptor 3, which wasmer-wasix keeps for the
# preopened root (userland/compat/src/fd.c): give it one that can be had.
sed -i 's/^enum { zip_fd = 3 };$/enum { zip_fd = 9 };/' archival/unzip.c
grep -q '^enum { zip_fd = 9 };$' archival/unzip.c
make -s allnoconfig >/dev/null
while read -r option; do
  [ -n "$option" ] && [ "${option#\#}" = "$option" ] || continue
  sed -i "s/^# CONFIG_$option is not set/CONFIG_$option=y/" .config
done <"$here/applets.conf"
(yes "" || true) | make -s oldconfig >/dev/null

# busybox includes <sys/sysinfo.h> only `#ifdef __linux__` (free, uptime).
cc="$compat/wasix-cc -include sys/sysinfo.h"

# busybox's own link step (scripts/trylink) passes --start-group, which
# wasm-ld does not know: build the objects with make, link here.
log="$cache/make.log"
if ! make -k -j"$(nproc)" CC="$cc" EXTRA_CFLAGS="-std=gnu11" AR=llvm-ar-19 HOSTCC=cc STRIP=true \
  busybox_unstripped >"$log" 2>&1; then
  # The final trylink fails by design; any other failure is real.
  errors=$(grep "error:" "$log" | grep -v -e "--start-group" -e "--end-group" \
    -e "linker command failed" || true)
  if [ -n "$errors" ]; then
    sort -u <<<"$errors" | head -80 >&2
    exit 1
  fi
fi
objects=$(find . -name built-in.o | sort)
archives=$(find . -name lib.a | sort)
mkdir -p "$out"
# shellcheck disable=SC2086
$cc -o "$out/busybox.wasm" $objects -Wl,--whole-archive $archives -Wl,--no-whole-archive
# The applet links, one absolute path per line (/bin/ls, /usr/bin/env, ...).
make -s busybox.links >/dev/null 2>&1
cp busybox.links "$out/busybox.links"
# The configuration, which busybox's test suite consults.
cp .config "$out/busybox.config"
# Older builds are dead weight, but checkouts that share the cache (branches
# tested side by side) may be running theirs: the 4 last used stay.
find "$cache/out" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
  tail -n +5 | cut -d' ' -f2- | xargs -r -d '\n' rm -rf
echo "$out/busybox.wasm"
