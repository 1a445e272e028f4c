#!/usr/bin/env bash
# The whole test suite: install what is needed, build, run CTest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests
echo "== building"
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
cd build
exec ctest -j "$(nproc)" --output-on-failure --no-label-summary
