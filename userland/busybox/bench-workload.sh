# The workloads of userland/busybox/bench.sh, run by busybox ash both inside
# wasmux and natively: the same text times itself with busybox `date`, so
# both sides measure the same thing the same way. Prints "name microseconds".
# The clock is /proc/uptime (10 ms steps): Debian's busybox date has no %N.
# $1: a scratch directory.
set -e
cd "$1"
now() {
  read -r up _ </proc/uptime
  # "1" before the hundredths keeps "09" from reading as octal.
  echo "$((${up%.*} * 1000000 + (1${up#*.} - 100) * 10000))"
}
report() { echo "$1 $(($3 - $2))"; }

# Inputs (not timed): 64 MiB of text, 1 M unsorted lines, 5 000 small files.
seq 1 10000000 | head -c 67108864 >text64
awk 'BEGIN { srand(1); for (i = 0; i < 1000000; i++) print int(rand() * 1000000000) }' >lines
mkdir tree
for d in $(seq 1 50); do
  mkdir "tree/$d"
  for f in $(seq 1 100); do echo "file $d/$f" >"tree/$d/$f"; done
done

s=$(now); for i in $(seq 1 50); do busybox true; done; e=$(now)
echo "spawn $(((e - s) / 50))"
s=$(now); for i in $(seq 1 200); do /bin/true; done; e=$(now)
report loop200 "$s" "$e"
s=$(now); sha256sum text64 >/dev/null; e=$(now)
report sha256sum "$s" "$e"
s=$(now); sort lines >sorted; e=$(now)
report sort "$s" "$e"
s=$(now); gzip -c text64 >text64.gz; e=$(now)
report gzip "$s" "$e"
s=$(now); tar cf tree.tar tree; e=$(now)
report tar "$s" "$e"
