#!/usr/bin/env bash
# Builds the conformance programs (suite/*.c) for every backend that has a
# compiler here, and prints the output directory:
#   OUT/linux/NAME       gcc, native x86_64: the oracle
#   OUT/fast/NAME.wasm   the userland's wasix-cc (WASIX + the compat layer)
# Each program is rebuilt only when its source, tst.h or the compiler
# changes. A program that does not compile for fast mode leaves
# OUT/fast/NAME.error (the runner reports it); one that does not compile
# natively is a wrong test and fails the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
out=${WASMUX_CONFORMANCE_OUT:-${WASMUX_CACHE:-$HOME/.cache/wasmux}/conformance/build}
mkdir -p "$out/linux" "$out/fast"

toolchain=$(bash "$repo/userland/compat/build.sh" | tail -n 1)
wasix_cc="$toolchain/wasix-cc"
cflags=(-O1 -Wall -Wno-unused-result -Wno-unused-function)
gcc_id=$(gcc --version | head -n 1)
header_sum=$(sha256sum "$here/suite/tst.h" | cut -c1-16)

key_of() { # source compiler-id
  { sha256sum "$1" | cut -c1-64; echo "$header_sum $2 ${cflags[*]}"; } | sha256sum | cut -c1-16
}

build_one() { # backend name source
  local backend=$1 name=$2 src=$3 target compiler id
  case $backend in
    linux) target="$out/linux/$name"; id=$gcc_id ;;
    fast) target="$out/fast/$name.wasm"; id=$toolchain ;;
  esac
  local key
  key=$(key_of "$src" "$id")
  if [[ -f "$target" && "$(cat "$target.key" 2>/dev/null)" == "$key" ]]; then
    return 0
  fi
  rm -f "$target" "$target.key" "$out/$backend/$name.error"
  case $backend in
    linux) compiler=(gcc) ;;
    fast) compiler=("$wasix_cc") ;;
  esac
  if "${compiler[@]}" "${cflags[@]}" -I "$here/suite" -o "$target" "$src" \
      2>"$out/$backend/$name.log"; then
    rm -f "$out/$backend/$name.log"
    echo "$key" >"$target.key"
  else
    mv "$out/$backend/$name.log" "$out/$backend/$name.error"
    echo "conformance: $name does not build for $backend:" >&2
    cat "$out/$backend/$name.error" >&2
    [[ $backend == fast ]] || return 1
  fi
}

jobs=$(nproc)
pids=()
failed=0
for src in "$here"/suite/*.c; do
  name=$(basename "$src" .c)
  for backend in linux fast; do
    build_one "$backend" "$name" "$src" &
    pids+=($!)
    if (( ${#pids[@]} >= jobs )); then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
(( failed == 0 )) || { echo "conformance: a program does not build natively (a wrong test)" >&2; exit 1; }
# Programs whose source is gone are dropped.
for f in "$out"/linux/* "$out"/fast/*; do
  name=$(basename "$f"); name=${name%%.*}
  [[ -f "$here/suite/$name.c" ]] || rm -f "$f"
done
echo "$out"
