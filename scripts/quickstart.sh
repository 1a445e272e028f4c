#!/usr/bin/env bash
# The main job, from nothing: install what is needed, build, install the plugin, make the
# captures with the generator, and show tshark dissecting one of them. Debian 12, 13 or sid:
# whichever Wireshark the distribution has (4.0, 4.4, 4.6), the plugin is built for it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Wireshark ignores the personal plugin folder when it runs as root: root gets the system one.
install_system=OFF
if [ "$(id -u)" -eq 0 ]; then install_system=ON; fi

echo "== building"
cmake -S . -B build -DAPPMSG_INSTALL_SYSTEM=$install_system >/dev/null
cmake --build build -j "$(nproc)" --target appmsg appmsg-gen appmsg_lua >/dev/null # what is installed

echo "== installing"
APPMSG_NO_INSTALL_CHECK=1 cmake --install build | sed -n 's/^-- \(Installing\|Up-to-date\): /   /p'
plugin=$(grep '/appmsg\.so$' build/install_manifest.txt)
gen=$(grep '/bin/appmsg-gen$' build/install_manifest.txt)

# The copy just installed must be the one Wireshark loads, and the only one.
if ! loaded=$(scripts/check-installed.sh "$plugin"); then
  echo "quickstart: fix the above, then run scripts/quickstart.sh again" >&2
  exit 1
fi
echo "== $loaded"
if tshark -D 2>/dev/null | grep -q '(AppMsg generator)$'; then
  echo "== tshark -D lists the capture interface 'AppMsg generator' (appmsg-gen as extcap)"
fi
case ":$PATH:" in
  *":$(dirname "$gen"):"*) ;;
  *)
    echo "== note: $(dirname "$gen") is not on your PATH in this shell, so 'appmsg-gen' is not found."
    echo "   Debian's ~/.profile adds it at your next login, now that it exists; until then:"
    echo "     export PATH=\"$(dirname "$gen"):\$PATH\""
    ;;
esac

echo "== making the captures (captures/recipes.txt)"
cmake --build build --target captures | grep '^wrote' | sed 's/^/   /'

echo "== tshark -r captures/merged.pcap -Y appmsg   (one frame can carry several messages)"
tshark -r captures/merged.pcap -Y appmsg 2>/dev/null

echo "== every message of captures/merged.pcap, one line each"
tshark -r captures/merged.pcap -Y appmsg -T json -e frame.number -e ip.src \
  -e appmsg.type -e appmsg.length -e appmsg.payload 2>/dev/null |
  python3 -c '
import json, sys
print("frame  from         type  length  payload")
for packet in json.load(sys.stdin):
    f = packet["_source"]["layers"]
    frame, src = f["frame.number"][0], f["ip.src"][0]
    for t, n, p in zip(f["appmsg.type"], f["appmsg.length"], f["appmsg.payload"]):
        print(f"{frame:>5}  {src:<11} {t:>5} {n:>7}  {p[:60]}")'
