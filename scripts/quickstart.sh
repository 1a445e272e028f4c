#!/usr/bin/env bash
# The main job, from nothing: install what is needed, build, install the plugin, make the
# captures with the generator, and show tshark dissecting one of them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# Wireshark ignores the personal plugin folder when it runs as root: root gets the system one.
install_system=OFF
if [ "$(id -u)" -eq 0 ]; then install_system=ON; fi

echo "== building"
cmake -S . -B build -DAPPMSG_INSTALL_SYSTEM=$install_system >/dev/null
cmake --build build -j "$(nproc)" >/dev/null

echo "== installing"
cmake --install build | sed -n 's/^-- \(Installing\|Up-to-date\): /   /p'

echo "== making the captures (captures/recipes.txt)"
cmake --build build --target captures | grep '^wrote' | sed 's/^/   /'

if ! tshark -G plugins 2>/dev/null | grep -q '^appmsg\.so'; then
  echo "tshark did not load appmsg.so; see 'tshark -G folders' for where it looks" >&2
  exit 1
fi
echo "== tshark loads: $(tshark -G plugins 2>/dev/null | grep '^appmsg\.so' | cut -f1-2 | tr '\t' ' ')"

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
