#!/usr/bin/env bash
# The whole test suite: install what is needed, build, run CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests
echo "== building"
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
cd build
if [ "$(id -u)" -ne 0 ]; then
  echo "== not root: wireshark_4_4 and wireshark_4_6 (Debian roots: debootstrap, chroot, mounts)"
  echo "   will be skipped; live_loopback too if dumpcap may not capture on loopback"
fi
exec ctest -j "$(nproc)" --output-on-failure --no-label-summary
