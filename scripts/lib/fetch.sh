# The one way third-party sources enter a build: fetched, checked against a
# pinned sha256, kept in a cache. Sourced by scripts/patch-crates.sh (crates
# from crates.io), userland/busybox/build.sh (Debian's busybox source) and
# conformance/posix.sh (the Open POSIX Test Suite). Needs curl.

# fetch_checked URL SHA256 DEST [CANDIDATE...]
# Leaves at DEST the file whose sha256 is SHA256: DEST itself if it already
# is that file, else a copy of the first CANDIDATE that is (a file some other
# tool has already downloaded, such as cargo's registry cache), else a
# download of URL. A download that does not match is removed and fails the
# call; DEST never holds a partial or unchecked file.
fetch_checked() {
  local url=$1 want=$2 dest=$3 candidate got
  shift 3
  [[ -f $dest && $(sha256_of "$dest") == "$want" ]] && return 0
  mkdir -p "$(dirname "$dest")"
  for candidate in "$@"; do
    if [[ -f $candidate && $(sha256_of "$candidate") == "$want" ]]; then
      cp "$candidate" "$dest.part" && mv -f "$dest.part" "$dest"
      return 0
    fi
  done
  curl -sSfL --retry 3 -o "$dest.part" "$url" || { rm -f "$dest.part"; return 1; }
  got=$(sha256_of "$dest.part")
  if [[ $got != "$want" ]]; then
    echo "fetch: $url has sha256 $got, expected $want" >&2
    rm -f "$dest.part"
    return 1
  fi
  mv -f "$dest.part" "$dest"
}

# sha256_of FILE: the file's sha256, in hex.
sha256_of() {
  local sum
  sum=$(sha256sum <"$1") && echo "${sum%% *}"
}
