#!/usr/bin/env bash
# Benchmarks our busybox inside wasmux against Debian's busybox run natively,
# in the same run, and prints a table with the ratio (wasmux / native).
#
#   userland/busybox/bench.sh
#
# The workloads (bench-workload.sh) run in busybox ash on both sides and
# time themselves. The start of one program from the host is timed here:
# `wasmux run /bin/busybox true` (the kernel's boot included; the compiled
# module comes from wasmux's cache) against `busybox true`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/env.sh"
bash "$repo/scripts/setup.sh" "${USERLAND_PACKAGES[@]}" busybox
busybox_wasm=$(bash "$here/build.sh" | tail -1)
(cd "$repo" && cargo build -q --release -p wasmux)
wasmux="$CARGO_TARGET_DIR/release/wasmux"
export WASMUX_USERLAND
WASMUX_USERLAND=$(dirname "$busybox_wasm")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
workload=$(cat "$here/bench-workload.sh")

# Native: Debian's busybox, with only its applets on PATH.
mkdir -p "$work/links" "$work/native"
busybox --install -s "$work/links"
ln -s "$(command -v busybox)" "$work/links/busybox"
PATH="$work/links" busybox sh -c "$workload" sh "$work/native" >"$work/native.txt"

# wasmux: a fresh root; scratch space in the user's home (the persistent
# store, as a user's files would be).
root="$work/root"
"$wasmux" --root "$root" run /bin/mkdir /home/user/bench
"$wasmux" --root "$root" run /bin/sh -c "$workload" sh /home/user/bench >"$work/wasmux.txt"

# Starting one program from the host: the median of 21 runs.
median_us() {
  local times=()
  for _ in $(seq 21); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null
    e=$(date +%s%N)
    times+=($(((e - s) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 11p
}
# Twice in wasmux: on a fresh root, and on the root the workload filled
# (every boot mounts the store and checks it whole, so the start grows with
# what the root holds).
"$wasmux" --root "$work/fresh" run /bin/true
echo "start $(median_us "$wasmux" --root "$work/fresh" run /bin/busybox true)" >>"$work/wasmux.txt"
echo "startfull $(median_us "$wasmux" --root "$root" run /bin/busybox true)" >>"$work/wasmux.txt"
native_start=$(median_us busybox true)
echo "start $native_start" >>"$work/native.txt"
echo "startfull $native_start" >>"$work/native.txt"

describe() {
  case "$1" in
    start) echo 'start `busybox true` from the host, fresh root (median of 21)' ;;
    startfull) echo 'the same, root holding the workload'"'"'s files' ;;
    spawn) echo '`busybox true` from the shell, per call (50 calls)' ;;
    loop200) echo 'shell loop of 200 external commands (`/bin/true`)' ;;
    sha256sum) echo '`sha256sum` of 64 MiB' ;;
    sort) echo '`sort` of 1 M lines' ;;
    gzip) echo '`gzip` of 64 MiB of text' ;;
    tar) echo '`tar c` of a 5 000 file tree' ;;
  esac
}
human() { awk -v us="$1" 'BEGIN { if (us >= 1e6) printf "%.2f s", us / 1e6; else if (us >= 1e3) printf "%.1f ms", us / 1e3; else printf "%d µs", us }'; }

echo
echo "busybox in wasmux vs Debian busybox $(dpkg-query -W -f '${Version}' busybox) natively ($(nproc) CPUs)"
echo
echo "| benchmark | wasmux | native | ratio |"
echo "|---|---:|---:|---:|"
for name in start startfull spawn loop200 sha256sum sort gzip tar; do
  ours=$(awk -v n="$name" '$1 == n { print $2 }' "$work/wasmux.txt")
  theirs=$(awk -v n="$name" '$1 == n { print $2 }' "$work/native.txt")
  ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.1f×", (b > 0 ? a / b : 0) }')
  echo "| $(describe "$name") | $(human "$ours") | $(human "$theirs") | $ratio |"
done
