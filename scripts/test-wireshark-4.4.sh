#!/usr/bin/env bash
# The same sources against Wireshark 4.4: a Debian 13 (trixie) root made with debootstrap in the
# build tree (kept between runs), Debian's libwireshark-dev 4.4 installed in it, and there the
# build and the tests that compare what tshark shows (golden views, manifests, JSON members,
# echo pairing, the plugin's own checks). Needs root (debootstrap, chroot, mounts); exits 77
# (CTest's "skipped") without it. CTest runs it as wireshark_4_4.
#
#   scripts/test-wireshark-4.4.sh [BUILD_DIR]      (default: build)
#   APPMSG_UPDATE_GOLDEN=1 scripts/...             writes tests/golden/4.4/ (files that differ)
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=$(pwd)
BUILD=$(realpath -m "${1:-build}")
ROOT="$BUILD/trixie-root"
MIRROR=${APPMSG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=(
  build-essential cmake pkg-config python3 libwireshark-dev libwiretap-dev libwsutil-dev
  libglib2.0-dev libpcap-dev zlib1g-dev tshark
)
STAMP="$ROOT/.appmsg-packages"
start=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
  echo "test-wireshark-4.4.sh: needs root (debootstrap, chroot): skipped" >&2
  exit 77
fi
if ! command -v debootstrap >/dev/null; then
  echo "== installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi

# ---- The trixie root, made once (the package list is the cache key) ----------------------------
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "${PACKAGES[*]}" ]; then
  echo "== debootstrap trixie into $ROOT (a few minutes, once)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    trixie "$ROOT" "$MIRROR" > "$BUILD/trixie-debootstrap.log" 2>&1 ||
    { tail -20 "$BUILD/trixie-debootstrap.log" >&2; exit 1; }
  echo "${PACKAGES[*]}" > "$STAMP"
fi
echo "== $(chroot "$ROOT" tshark --version | head -1)"

# ---- Source (read-only) and /proc, /dev inside; undone on exit -----------------------------------
mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { # bind SRC DST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounts+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}
bind /proc "$ROOT/proc"
bind /dev "$ROOT/dev"
if [ -n "${APPMSG_UPDATE_GOLDEN:-}" ]; then bind "$SOURCE" "$ROOT/src"; else bind "$SOURCE" "$ROOT/src" ro; fi

# ---- Build and test inside ----------------------------------------------------------------------
TESTS='^(plugin_loaded|golden_|manifest_|json_members_|pairing_|finding_|max_length_|unit_|gen_cli|harness_)'
chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  APPMSG_UPDATE_GOLDEN="${APPMSG_UPDATE_GOLDEN:-}" TESTS="$TESTS" /bin/bash -euo pipefail -c '
  cmake -S /src -B /build-4.4 >/dev/null
  cmake --build /build-4.4 -j "$(nproc)" 2>&1 | grep -E "warning|error" || true
  test -f /build-4.4/plugin/appmsg.so
  if [ -n "$APPMSG_UPDATE_GOLDEN" ]; then
    cmake --build /build-4.4 --target update-golden
  fi
  cd /build-4.4
  ctest -j "$(nproc)" --output-on-failure -R "$TESTS"
'
echo "== Wireshark 4.4 stage: $(($(date +%s) - start)) s"
