#!/usr/bin/env bash
# Builds busybox as one WASIX program: `userland/busybox/build.sh` prints
# the path of busybox.wasm.
#
# Source: Debian's busybox source package, fetched with `apt-get source`
# through a private apt configuration (the system's sources are not touched)
# and checked against the checksums pinned here. Compiled with Debian's
# clang-19 and wasi-libc plus our compatibility layer (userland/compat),
# linked for WASIX (shared memory, exported stack globals) and instrumented
# by binaryen's asyncify so that fork and setjmp can capture the stack.
#
# The result is cached under a key made of every input (this script, the
# applet list, the compat sources, the tool versions): an unchanged tree
# does not rebuild.
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
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/src"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$cache/apt/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
             -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt/cache")
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

key=$( {
  cat "$here/build.sh" "$here/applets.conf"
  find "$repo/userland/compat" -type f -print0 | sort -z | xargs -0 cat
  clang-19 --version; wasm-opt --version; dpkg-query -W wasi-libc
} | sha256sum | cut -c1-16)
out="$cache/out/$key"
if [ -f "$out/busybox.wasm" ]; then
  echo "$out/busybox.wasm"
  exit 0
fi

cd "$tree"
# The version banner's date: the package's, not the build's.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l debian/changelog -STimestamp)
export SOURCE_DATE_EPOCH
make -s allnoconfig >/dev/null
while read -r option; do
  [ -n "$option" ] && [ "${option#\#}" = "$option" ] || continue
  sed -i "s/^# CONFIG_$option is not set/CONFIG_$option=y/" .config
done <"$here/applets.conf"
(yes "" || true) | make -s oldconfig >/dev/null

# WASIX fork needs a shared memory, whose data segments are passive
# (bulk memory). No -matomics: Debian's libc.a has a plain, not
# thread-local, errno; the program is single-threaded.
cc="clang-19 --target=wasm32-wasi --sysroot=$sysroot -isystem $repo/userland/compat/include"
cc+=" -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_PROCESS_CLOCKS -D_GNU_SOURCE -mbulk-memory"
# busybox includes <sys/sysinfo.h> only `#ifdef __linux__` (free, uptime).
cc+=" -include sys/sysinfo.h"

# The compatibility layer.
compat="$cache/compat-build"
rm -rf "$compat" && mkdir -p "$compat"
for src in "$repo"/userland/compat/src/*.c; do
  $cc -std=gnu11 -O2 -Wall -Wextra -Werror -c "$src" -o "$compat/$(basename "$src" .c).o"
done
llvm-ar-19 rcs "$compat/libwasmux-compat.a" "$compat"/*.o

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
$cc -o "$out/busybox.linked.wasm" $objects -Wl,--whole-archive $archives -Wl,--no-whole-archive \
  "$compat/libwasmux-compat.a" -lwasi-emulated-mman -lwasi-emulated-process-clocks \
  -Wl,--wrap=stat -Wl,--wrap=lstat -Wl,--wrap=link -Wl,--wrap=linkat \
  -Wl,--export=__stack_pointer -Wl,--export=__data_end -Wl,--export=__stack_low \
  -Wl,--import-memory -Wl,--shared-memory -Wl,--max-memory=1073741824 \
  -Wl,--no-check-features -Wl,-z,stack-size=1048576
# Only these imports unwind the stack: instrumenting just their callers
# keeps the rest of the program at full speed.
unwinding="wasix_32v1.proc_fork,wasix_32v1.stack_checkpoint,wasix_32v1.stack_restore"
unwinding+=",wasix_32v1.proc_exec3,wasix_32v1.proc_exec4"
wasm-opt --enable-threads --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
  --asyncify --pass-arg="asyncify-imports@$unwinding" -O2 \
  "$out/busybox.linked.wasm" -o "$out/busybox.wasm"
rm "$out/busybox.linked.wasm"
# The applet links, one absolute path per line (/bin/ls, /usr/bin/env, ...).
make -s busybox.links >/dev/null 2>&1
cp busybox.links "$out/busybox.links"
# The configuration, which busybox's test suite consults.
cp .config "$out/busybox.config"
echo "$out/busybox.wasm"
