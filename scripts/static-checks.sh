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
  # Sources whose expanded unit, flags, .clang-tidy and clang-tidy passed before are not read
  # again: their marks are kept outside the clone (scripts/tidy-keys.py), as the Debian roots
  # are. APPMSG_TIDY_CACHE moves the cache; set it empty to read every file.
  if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/appmsg/clang-tidy; else
    default_cache=${XDG_CACHE_HOME:-$HOME/.cache}/appmsg/clang-tidy; fi
  cache=${APPMSG_TIDY_CACHE-$default_cache}
  if [ -n "$cache" ]; then
    mkdir -p "$cache"
    mapfile -t todo < <(scripts/tidy-keys.py "$build" "$cache" "${sources[@]}")
  else
    todo=()
    for f in "${sources[@]}"; do todo+=("- $f"); done
  fi
  files=("${todo[@]#* }")
  # One run: its exit status is the verdict (WarningsAsErrors: '*'), its output the findings.
  if [ ${#todo[@]} -gt 0 ] && ! out=$(clang-tidy -p "$build" --quiet "${files[@]}" 2>&1); then
    grep -v "warnings generated" <<<"$out"
    exit 1
  fi
  if [ -n "$cache" ]; then
    for line in "${todo[@]}"; do
      key=${line%% *}
      [ "$key" = "$(printf '0%.0s' {1..64})" ] || touch "$cache/$key" # no key: never marked
    done
  fi
  echo "clang-tidy: ${#sources[@]} files, no findings (${#todo[@]} read now; the others" \
    "unchanged since they passed${cache:+, marks in $cache})"
fi
