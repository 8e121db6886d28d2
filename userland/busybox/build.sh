#!/usr/bin/env bash
# Builds busybox as one WASIX program (WORK IN PROGRESS: compiles and links
# against wasi-libc + the compat headers; the compat library itself is next).
#
# Source: Debian's busybox source package, fetched with `apt-get source`
# through a private apt configuration (the system's sources are not touched)
# and checked against the checksums pinned here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}/busybox"

version="1:1.35.0-4+deb12u1"
declare -A sha256=(
  [busybox_1.35.0-4+deb12u1.dsc]=9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa
  [busybox_1.35.0.orig.tar.bz2]=faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694
  [busybox_1.35.0-4+deb12u1.debian.tar.xz]=1cacbe095ef4880ea7879933c8e3c5075d1527cd6fbcb626a9b41e5daefd1a46
)

fetch() {
  mkdir -p "$cache/apt/lists/partial" "$cache/src"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$cache/apt/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
             -o "Dir::State::Lists=$cache/apt/lists")
  local missing=0
  for f in "${!sha256[@]}"; do [ -f "$cache/src/$f" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    apt-get -qq "${apt[@]}" update
    (cd "$cache/src" && apt-get -qq "${apt[@]}" source --download-only "busybox=$version")
  fi
  for f in "${!sha256[@]}"; do
    echo "${sha256[$f]}  $cache/src/$f" | sha256sum --check --quiet -
  done
}

fetch
tree="$cache/tree"
if [ ! -f "$tree/.extracted" ]; then
  rm -rf "$tree"
  dpkg-source --no-check -x "$cache/src/busybox_1.35.0-4+deb12u1.dsc" "$tree" >/dev/null
  touch "$tree/.extracted"
fi

sysroot="$cache/wasi-sysroot"
mkdir -p "$sysroot/lib"
ln -sfn /usr/include/wasm32-wasi "$sysroot/include"
ln -sfn /usr/lib/wasm32-wasi "$sysroot/lib/wasm32-wasi"

cd "$tree"
make -s allnoconfig >/dev/null
while read -r option; do
  [ -n "$option" ] && [ "${option#\#}" = "$option" ] || continue
  sed -i "s/^# CONFIG_$option is not set/CONFIG_$option=y/" .config
done <"$here/applets.conf"
(yes "" || true) | make -s oldconfig >/dev/null

cc="clang-19 --target=wasm32-wasi --sysroot=$sysroot -isystem $repo/userland/compat/include"
cc+=" -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_PROCESS_CLOCKS -D_GNU_SOURCE"
# busybox's own link step (scripts/trylink) passes --start-group, which
# wasm-ld does not know: build the objects with make, link here.
make -s -j"$(nproc)" CC="$cc" EXTRA_CFLAGS="-std=gnu11" AR=llvm-ar-19 HOSTCC=cc STRIP=true \
  busybox_unstripped 2>/dev/null || true
objects=$(find . -name built-in.o | sort)
archives=$(find . -name lib.a | sort)
# shellcheck disable=SC2086
$cc -o "$cache/busybox.wasm" $objects -Wl,--whole-archive $archives -Wl,--no-whole-archive \
  -lwasi-emulated-signal -lwasi-emulated-mman -lwasi-emulated-process-clocks \
  -lwasi-emulated-getpid
echo "$cache/busybox.wasm"
