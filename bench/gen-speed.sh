#!/usr/bin/env bash
# appmsg-gen speed and memory, measured side by side in one run on this machine (which is noisy:
# compare the ratios, not the absolute times).
#
#   bench/gen-speed.sh [BUILD_DIR]     (default: build; it is built if needed)
#
# 1. The default scenario with 1,000,000 client messages (each echoed: 2,000,000 messages on the
#    wire) written to a pcap file, against `cp` of that same file: messages per second and the
#    ratio of the two times. Best of 3 runs each, interleaved.
# 2. Peak RSS for 1,000,000 and 10,000,000 messages (written to /dev/null): it must stay flat.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/gen/appmsg-gen" ] || { cmake -S . -B "$build" >/dev/null && cmake --build "$build" -j "$(nproc)" >/dev/null; }
command -v /usr/bin/time >/dev/null || { echo "bench needs GNU time: apt-get install time" >&2; exit 2; }
gen=$(realpath "$build/gen/appmsg-gen")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Seconds (wall) of a command, from GNU time.
seconds() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null && cat "$tmp/t"; }
best() { sort -n | head -1; }

n=1000000
: >"$tmp/gen.times"; : >"$tmp/cp.times"
for run in 1 2 3; do
  rm -f "$tmp/out.pcap" "$tmp/copy.pcap"; sync
  seconds "$gen" -n $n --no-manifest -w "$tmp/out.pcap" >>"$tmp/gen.times"
  sync
  seconds cp "$tmp/out.pcap" "$tmp/copy.pcap" >>"$tmp/cp.times"
done
gen_s=$(best <"$tmp/gen.times"); cp_s=$(best <"$tmp/cp.times")
size=$(stat -c %s "$tmp/out.pcap")
frames=$(capinfos -c -M "$tmp/out.pcap" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')

rss() { /usr/bin/time -f %M -o "$tmp/m" "$gen" -n "$1" --no-manifest -w /dev/null && cat "$tmp/m"; }
rss1=$(rss 1000000); rss10=$(rss 10000000)

awk -v n=$n -v g="$gen_s" -v c="$cp_s" -v size="$size" -v frames="$frames" -v r1="$rss1" -v r10="$rss10" 'BEGIN {
  printf "appmsg-gen, default scenario, %d client messages (%d on the wire), %d frames, %.0f MB pcap\n", n, 2*n, frames, size/1e6
  printf "  appmsg-gen  %6.2f s   %5.2f M client messages/s   %5.2f M wire messages/s   %6.0f MB/s\n", g, n/g/1e6, 2*n/g/1e6, size/g/1e6
  printf "  cp          %6.2f s   %6.0f MB/s\n", c, size/c/1e6
  printf "  ratio appmsg-gen / cp: %.2f\n", g/c
  printf "peak RSS: 1M messages %.1f MB, 10M messages %.1f MB (ratio %.2f)\n", r1/1024, r10/1024, r10/r1
}'
