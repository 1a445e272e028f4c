#!/usr/bin/env bash
# A Debian root of one suite with what appmsg needs to build, test and package against that
# suite's Wireshark (bookworm 4.0, trixie 4.4, sid 4.6), made once with debootstrap and cached
# outside the clone, keyed by suite and package list: a machine that made it never makes it again.
# Prints the root's path. Needs root (debootstrap). Concurrent calls for one suite wait on a lock;
# different suites build side by side.
#
#   scripts/debian-root.sh SUITE
#   APPMSG_ROOT_CACHE=DIR       where roots are kept (default /var/cache/appmsg/roots)
#   APPMSG_DEBIAN_MIRROR=URL    the mirror (default: the Debian mirror of this host's apt sources)
set -euo pipefail
SUITE=${1:?usage: debian-root.sh SUITE}
CACHE=${APPMSG_ROOT_CACHE:-/var/cache/appmsg/roots}
PACKAGES=(
  build-essential cmake pkg-config python3 file sudo
  libwireshark-dev libwiretap-dev libwsutil-dev libglib2.0-dev libpcap-dev zlib1g-dev tshark
  # The GUI test (tests/checks/gui.py): Wireshark itself, a virtual screen, clicks, screenshots.
  wireshark xvfb xdotool x11-apps imagemagick
)
# sid's libfalcosecurity depends on a virtual package that debootstrap does not resolve.
if [ "$SUITE" = sid ]; then PACKAGES+=(libre2-11); fi

# The Debian mirror this host already uses: the first "…/debian" URI of its apt sources.
host_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ]; then
      sed -n -E 's/^(URIs:|deb(\s+\[[^]]*\])?)\s+(\S+\/debian\/?)(\s.*)?$/\3/p' "$f"
    fi
  done | head -1
}
MIRROR=${APPMSG_DEBIAN_MIRROR:-$(host_mirror)}
if [ -z "$MIRROR" ]; then
  echo "debian-root.sh: no Debian mirror in /etc/apt/sources*; set APPMSG_DEBIAN_MIRROR" >&2
  exit 1
fi

key=$(printf '%s\n' "$SUITE" "${PACKAGES[@]}" | sha256sum | cut -c1-12)
ROOT="$CACHE/$SUITE-$key"
mkdir -p "$CACHE"
exec 9>"$CACHE/$SUITE.lock"
flock 9
if [ ! -d "$ROOT" ]; then
  if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap \
      >/dev/null
  fi
  echo "== debootstrap $SUITE from $MIRROR into $ROOT (a few minutes, once)" >&2
  rm -rf "$ROOT.partial" "$CACHE/$SUITE"-*  # a half-made root, and roots of older package lists
  if ! debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    "$SUITE" "$ROOT.partial" "$MIRROR" >"$CACHE/$SUITE-debootstrap.log" 2>&1; then
    tail -20 "$CACHE/$SUITE-debootstrap.log" >&2
    rm -rf "$ROOT.partial"
    exit 1
  fi
  rm -rf "$ROOT.partial/var/cache/apt/archives/"*.deb
  mv "$ROOT.partial" "$ROOT"
fi
echo "$ROOT"
