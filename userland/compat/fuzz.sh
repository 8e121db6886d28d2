#!/usr/bin/env bash
# Fuzzes the layer's parsers natively with libFuzzer (ASan + UBSan):
# src/tz.c's TZ rules and TZif files. A fixed number of runs, not a time:
#   bash userland/compat/fuzz.sh [runs]   (default 2000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:-2000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clang-19 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -o "$work/tz" "$here/fuzz/tz.c"
# Seeds: a rule, and a small TZif file (two transitions and a footer).
mkdir "$work/seeds"
printf 'PCET-1CEST,M3.5.0,M10.5.0/3' >"$work/seeds/rule"
printf 'P<+0330>-3:30<+0430>,J79/24,J263/24' >"$work/seeds/quoted"
{
  printf 'TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
  printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\4'
  printf '\0\0\0\0\0\0UTC\0'
  printf 'TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0'
  printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\2\0\0\0\2\0\0\0\10'
  printf '\0\0\0\0\073\232\312\0\0\0\0\0\101\217\070\200\1\0'
  printf '\0\0\016\020\0\0\0\0\034\040\1\4AAA\0BBB\0'
  printf '\nAAA-1BBB,M3.5.0,M10.5.0/3\n'
} >"$work/seeds/tzif"
"$work/tz" -runs="$runs" -seed=1 -max_len=4096 "$work/seeds" 2>"$work/log" || {
  tail -40 "$work/log"
  exit 1
}
tail -1 "$work/log"
