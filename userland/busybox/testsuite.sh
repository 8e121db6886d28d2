#!/usr/bin/env bash
# Runs busybox's own test suite (testsuite/runtest, from the same Debian
# source package) twice, applet by applet:
#   - inside wasmux, with our busybox (`wasmux run`, as the unprivileged user);
#   - natively, with Debian's `busybox` package, in a chroot whose only
#     programs are that busybox's applets (so /bin/sh is busybox ash in both
#     runs, and no host tool stands in for a missing applet).
# Only the applets our build has are run. Writes the per-applet table to
# userland/busybox/TESTSUITE.md and fails if our number of passes is below
# the floor recorded in userland/busybox/testsuite-floor.
#
#   userland/busybox/testsuite.sh [--update-floor] [APPLET...]
# (with APPLETs: only those, report in the cache, no floor)
#
# Tests known to fail here are listed, with the reason, in
# userland/busybox/testsuite-known; they still run and count as failures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
source "$repo/scripts/env.sh"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}/busybox"

update_floor=0
if [ "${1:-}" = --update-floor ]; then
  update_floor=1
  shift
fi

[ "$(id -u)" = 0 ] || { echo "testsuite.sh: the native run needs root (chroot, mounts)" >&2; exit 1; }

bash "$repo/scripts/setup.sh" "${USERLAND_PACKAGES[@]}" busybox
busybox_wasm=$(bash "$here/build.sh" | tail -1)
userland=$(dirname "$busybox_wasm")
(cd "$repo" && cargo build -q --release -p wasmux)
wasmux="$CARGO_TARGET_DIR/release/wasmux"
native_busybox=/bin/busybox
[ -x "$native_busybox" ] || { echo "testsuite.sh: Debian's busybox package is not installed" >&2; exit 1; }

# A run of chosen applets is for looking: its report stays in the cache
# and no floor applies.
partial=0
if [ $# -gt 0 ]; then
  applets="$*"
  partial=1
else
  applets="busybox $(sed 's,.*/,,' "$userland/busybox.links" | sort -u | tr '\n' ' ')"
fi
# Applets whose tests cannot apply here are not run (the report says why).
not_run="$here/testsuite-not-run"
for applet in $(grep -v '^#' "$not_run" | cut -f1); do
  applets=$(echo " $applets " | sed "s/ $applet / /")
done
work="$cache/testsuite"
rm -rf "$work"
mkdir -p "$work"
# Per-applet limit: a test that hangs fails its applet, not the run.
limit=600

# ---- native: a chroot holding Debian's busybox, its libraries, its applets
native="$work/native-root"
mkdir -p "$native"/{bin,etc,tmp,dev,proc,testbin,home/user}
chmod 1777 "$native/tmp"
cp "$native_busybox" "$native/bin/busybox"
ldd "$native_busybox" | grep -o '/[^ ]*' | while read -r lib; do
  mkdir -p "$native$(dirname "$lib")"
  cp -L "$lib" "$native$lib"
done
chroot "$native" /bin/busybox --install -s /bin
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$native/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$native/etc/group"
cp -r "$cache/tree/testsuite" "$native/home/user/testsuite"
# Debian's binary is built from Debian's configuration: the tests consult it.
cp "$cache/tree/debian/config/pkg/deb" "$native/testbin/.config"
ln -s /bin/busybox "$native/testbin/busybox"
chown -R 1000:1000 "$native/home/user" "$native/testbin"

runner='cd /home/user/testsuite
for applet in '"$applets"'; do
  echo "### $applet"
  bindir=/testbin timeout '"$limit"' sh ./runtest "$applet" 2>&1 || echo "### exit $?"
done'
echo "== busybox testsuite: native (Debian busybox $(dpkg-query -W -f '${Version}' busybox))"
unshare --mount --fork sh -c '
  mount --bind /dev "$1/dev" && mount -t proc proc "$1/proc" &&
  exec chroot --userspec=1000:1000 "$1" /bin/env -i PATH=/bin HOME=/home/user /bin/sh -c "$2"
' sh "$native" "$runner" >"$work/native.txt" 2>&1 || true

# ---- wasmux: a fresh root with our busybox and the same testsuite
root="$work/wasmux-root"
export WASMUX_USERLAND="$userland"
"$wasmux" --root "$root" fs import --owner 1000:1000 "$cache/tree/testsuite" /home/user/testsuite >/dev/null
mkdir -p "$work/testbin"
cp "$userland/busybox.config" "$work/testbin/.config"
"$wasmux" --root "$root" fs import --owner 1000:1000 "$work/testbin" /home/user/testbin >/dev/null
"$wasmux" --root "$root" run /bin/ln -s /bin/busybox /home/user/testbin/busybox
echo "== busybox testsuite: wasmux"
for applet in $applets; do
  echo "### $applet"
  timeout "$limit" "$wasmux" --root "$root" run --cwd /home/user/testsuite /bin/sh -c \
    "bindir=/home/user/testbin sh ./runtest '$applet' 2>&1" </dev/null 2>&1 || echo "### exit $?"
done >"$work/wasmux.txt"

# ---- the report
report="$here/TESTSUITE.md"
[ "$partial" = 0 ] || report="$work/TESTSUITE.md"
floor_file="$here/testsuite-floor"
known="$here/testsuite-known"
awk -v known="$known" -v not_run="$not_run" -v floor_file="$floor_file" -v update_floor="$update_floor" \
    -v wasmux_log="$work/wasmux.txt" -v native_log="$work/native.txt" \
    -f "$here/testsuite-report.awk" >"$report.new"
mv "$report.new" "$report"
sed -n '/^## Summary/,/^## Per applet/p' "$report" | head -n -1
floor=$(cat "$floor_file" 2>/dev/null || echo 0)
passes=$(grep -o 'wasmux passes: [0-9]*' "$report" | grep -o '[0-9]*$')
if [ "$partial" = 1 ]; then
  echo "busybox testsuite: $passes passes in wasmux for $applets (report: $report)"
  exit 0
elif [ "$update_floor" = 1 ]; then
  echo "$passes" >"$floor_file"
  echo "floor recorded: $passes"
elif [ "$passes" -lt "$floor" ]; then
  echo "busybox testsuite: $passes passes in wasmux, below the floor of $floor" >&2
  exit 1
fi
echo "busybox testsuite: $passes passes in wasmux (floor $floor)"
