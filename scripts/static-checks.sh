#!/usr/bin/env bash
# Static checks on our own C code: cppcheck, then clang-tidy (config: .clang-tidy) with the
# compile commands of a configured build tree.   scripts/static-checks.sh [cppcheck|clang-tidy] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
build=${2:-build}
shopt -s globstar
sources=(core/*.c gen/**/*.c plugin/*.c)
if [ "$what" = all ] || [ "$what" = cppcheck ]; then
  cppcheck --enable=warning,style,performance,portability --std=c11 --inline-suppr \
    --error-exitcode=1 --quiet -I core -I compat -I gen -I gen/capture -I gen/sinks -I gen/live \
    -I gen/extcap -I plugin --suppress=missingIncludeSystem \
    core compat gen plugin
  echo "cppcheck: ${#sources[@]} files, no findings"
fi
if [ "$what" = all ] || [ "$what" = clang-tidy ]; then
  [ -f "$build/compile_commands.json" ] || { echo "configure $build first (cmake -B $build)" >&2; exit 2; }
  # One run: its exit status is the verdict (WarningsAsErrors: '*'), its output the findings.
  if ! out=$(clang-tidy -p "$build" --quiet "${sources[@]}" 2>&1); then
    grep -v "warnings generated" <<<"$out"
    exit 1
  fi
  echo "clang-tidy: ${#sources[@]} files, no findings"
fi
