#!/usr/bin/env bash
# The Open POSIX Test Suite (Debian's `posixtestsuite` 1.5.2 source, GPL-2),
# fetched and built at test time — never committed — and run as it is on
# Linux and in fast mode, for the interfaces posix.txt lists. Writes
# results/posix.md (counts by area and backend), which `wasmux conformance`
# puts at the end of REPORT.md.
#
#   bash conformance/posix.sh WASMUX USERLAND_DIR
#
# A test's exit status is its verdict (posixtest.h): 0 PASS, 1 FAIL,
# 2 UNRESOLVED, 4 UNSUPPORTED, 5 UNTESTED; a test killed by a signal counts
# as FAIL, one still running after 30 s as HUNG.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
wasmux=$(realpath "$1")
userland=$(realpath "$2")
cache=${WASMUX_CACHE:-$HOME/.cache/wasmux}/posixtestsuite
version=1.5.2
sha256=15a2185672127cba851d35ec9d538ff6148defdbb75f99c7e9c50aeba0f94757
url=https://deb.debian.org/debian/pool/main/p/posixtestsuite/posixtestsuite_$version.orig.tar.gz
src=$cache/posixtestsuite-$version
mkdir -p "$cache"

if [[ ! -f $src/.verified ]]; then
  tarball=$cache/posixtestsuite_$version.orig.tar.gz
  source "$repo/scripts/lib/fetch.sh"
  fetch_checked "$url" "$sha256" "$tarball"
  rm -rf "$src" "$cache/posixtestsuite"
  tar xzf "$tarball" -C "$cache"
  # The tarball unpacks as posixtestsuite/.
  [[ -d $cache/posixtestsuite ]] && mv "$cache/posixtestsuite" "$src"
  touch "$src/.verified"
fi

toolchain=$(bash "$repo/userland/compat/build.sh" | tail -n 1)
interfaces=$src/conformance/interfaces
# Builds are kept per compiler: a new compat layer (its own directory name
# is a hash of its inputs) or gcc builds everything again.
gcc_key=$(gcc --version | head -n 1 | sha256sum | cut -c1-16)
build=$cache/build
linux_dir=$build/linux-$gcc_key
fast_dir=$build/fast-$(basename "$toolchain")
find "$build" -mindepth 1 -maxdepth 1 ! -name "linux-$gcc_key" ! -name "fast-$(basename "$toolchain")" \
  -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$linux_dir" "$fast_dir"

# area|interface lines from posix.txt.
mapfile -t plan < <(awk -F: '/^#/ || /^skip / || NF < 2 { next }
  { n = split($2, ifs, " "); for (i = 1; i <= n; i++) print $1 "|" ifs[i] }' "$here/posix.txt")

build_one() { # backend interface test
  local backend=$1 iface=$2 test=$3 out dir=$linux_dir
  [[ $backend == fast ]] && dir=$fast_dir
  out=$dir/$iface/$test
  [[ -e $out || -e $out.error ]] && return 0
  mkdir -p "$(dirname "$out")"
  if [[ $backend == linux ]]; then
    gcc -O1 -w -I "$src/include" -o "$out" "$interfaces/$iface/$test.c" -lpthread -lrt -lm 2>"$out.log" || { mv "$out.log" "$out.error"; return 0; }
  else
    "$toolchain/wasix-cc" -O1 -w -I "$src/include" -o "$out" "$interfaces/$iface/$test.c" 2>"$out.log" || { mv "$out.log" "$out.error"; return 0; }
  fi
  rm -f "$out.log"
}

tests=()
for entry in "${plan[@]}"; do
  iface=${entry#*|}
  for f in "$interfaces/$iface"/*.c; do
    name=$(basename "$f" .c)
    [[ $name =~ ^[0-9]+-[0-9]+$ ]] && tests+=("${entry}|$name")
  done
done
echo "posix: building ${#tests[@]} tests for linux and fast" >&2
jobs=$(nproc)
for t in "${tests[@]}"; do
  IFS='|' read -r _ iface name <<<"$t"
  for backend in linux fast; do
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || true; done
    build_one "$backend" "$iface" "$name" &
  done
done
wait

verdict() { # status
  case $1 in
    0) echo PASS ;; 1) echo FAIL ;; 2) echo UNRESOLVED ;; 4) echo UNSUPPORTED ;; 5) echo UNTESTED ;;
    124|137) echo HUNG ;; *) echo FAIL ;;
  esac
}

results=$(mktemp)
root=$(mktemp -d)
trap 'rm -rf "$results" "$root"' EXIT
# wasix-cc leaves its output without the execute bit; the import keeps modes.
find "$fast_dir" -type f ! -name '*.error' -exec chmod 755 {} +
"$wasmux" --root "$root" --userland "$userland" fs import "$fast_dir" /posix >/dev/null
as_user=()
[[ $(id -u) == 0 ]] && as_user=(setpriv --reuid=1000 --regid=1000 --clear-groups)
chmod -R a+rX "$linux_dir"
for t in "${tests[@]}"; do
  IFS='|' read -r area iface name <<<"$t"
  for backend in linux fast; do
    dir=$linux_dir
    [[ $backend == fast ]] && dir=$fast_dir
    if [[ -e $dir/$iface/$name.error ]]; then
      echo "$area|$backend|NOT BUILT|$iface/$name" >>"$results"
      continue
    fi
    status=0
    if [[ $backend == linux ]]; then
      (cd /tmp && timeout -s KILL 30 "${as_user[@]}" "$linux_dir/$iface/$name" </dev/null >/dev/null 2>&1) || status=$?
    else
      timeout -s KILL 30 "$wasmux" --root "$root" --userland "$userland" run --cwd /tmp "/posix/$iface/$name" \
        </dev/null >/dev/null 2>&1 || status=$?
    fi
    echo "$area|$backend|$(verdict "$status")|$iface/$name" >>"$results"
  done
done

{
  echo "## Open POSIX Test Suite $version (third-party, run as-is)"
  echo
  echo "Debian's \`posixtestsuite\` source, fetched and checked (sha256 \`${sha256:0:16}…\`) by"
  echo "\`conformance/posix.sh\`, built with gcc for Linux and with wasix-cc for fast mode."
  echo "A test's exit status is its verdict; HUNG: still running after 30 s."
  echo
  echo "| area | backend | tests | PASS | FAIL | UNRESOLVED | UNSUPPORTED | UNTESTED | HUNG | NOT BUILT |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'|' '{ key = $1 "|" $2; n[key]++; c[key "|" $3]++; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
    END { for (i = 1; i <= k; i++) { key = order[i]; split(key, p, "|");
      printf "| %s | %s | %d", p[1], p[2], n[key];
      split("PASS FAIL UNRESOLVED UNSUPPORTED UNTESTED HUNG", v, " ");
      for (j = 1; j <= 6; j++) printf " | %d", c[key "|" v[j]];
      printf " | %d |\n", c[key "|NOT BUILT"] } }' "$results"
  echo
  echo "Not run, and why:"
  echo
  sed -n 's/^skip \([^:]*\): \(.*\)$/- \1: \2/p' "$here/posix.txt"
  echo
  echo "Tests that fail or hang in fast mode but pass on Linux:"
  echo
  awk -F'|' '$2 == "linux" && $3 == "PASS" { ok[$4] = 1 }
    $2 == "fast" && ($3 == "FAIL" || $3 == "HUNG") && ($4 in ok) { printf "%s%s (%s)", (n++ ? ", " : ""), $4, $3 }
    END { if (!n) printf "none"; print "" }' "$results"
} >"$here/results/posix.md"
# The counts, for the log too.
grep '^|' "$here/results/posix.md"
echo "posix: wrote $here/results/posix.md" >&2
