#!/usr/bin/env bash
# Is the appmsg.so just installed the one Wireshark loads? Asks the installed tshark (as the user
# who runs this, the way Wireshark will run for them) which copy it loads and whether it found
# more than one — Wireshark then loads only one of them, and the GUI stops on a dialog saying so.
# Names every other copy and how to remove it. Exit 0: ours is loaded and alone; 1: not.
#
#   scripts/check-installed.sh INSTALLED_PLUGIN_PATH
set -euo pipefail
want=${1:?usage: check-installed.sh INSTALLED_PLUGIN_PATH}
if ! command -v tshark >/dev/null; then
  echo "check-installed: tshark is not installed, so nothing can say which appmsg.so it loads" >&2
  exit 1
fi
plugins=$(tshark -G plugins 2>&1)
loaded=$(printf '%s\n' "$plugins" | awk -F'\t' '$1 ~ /^appmsg\.so *$/ { print $NF; exit }')
folders=$(tshark -G folders 2>/dev/null)
folder() { printf '%s\n' "$folders" | sed -n "s/^$1:[[:space:]]*//p"; }

# Every copy in a folder this Wireshark reads (as root it ignores the personal one).
copies=()
dirs=("$(folder 'Global Plugins')/epan")
if [ "$(id -u)" -ne 0 ]; then dirs+=("$(folder 'Personal Plugins')/epan"); fi
for dir in "${dirs[@]}"; do
  if [ -e "$dir/appmsg.so" ]; then copies+=("$dir/appmsg.so"); fi
done

status=0
for copy in "${copies[@]}"; do
  [ "$copy" -ef "$want" ] && continue
  if owner=$(dpkg-query -S "$copy" 2>/dev/null); then
    how="sudo apt remove ${owner%%:*}"
  elif [ -w "$(dirname "$copy")" ]; then
    how="rm $copy"
  else
    how="sudo rm $copy"
  fi
  echo "check-installed: another appmsg.so is in a folder Wireshark reads: $copy" >&2
  echo "  Wireshark loads only one copy (the GUI says \"found in multiple directories\")." >&2
  echo "  Remove it: $how" >&2
  status=1
done
if [ -z "$loaded" ]; then
  echo "check-installed: tshark does not load appmsg.so (built for another Wireshark? see" \
    "'tshark -G folders'); it said:" >&2
  printf '%s\n' "$plugins" | grep -i appmsg >&2 || true
  exit 1
fi
if [ ! "$loaded" -ef "$want" ]; then
  echo "check-installed: tshark loads $loaded, not $want, the copy just installed" >&2
  exit 1
fi
if [ "$status" -eq 0 ]; then echo "tshark loads $loaded"; fi
exit "$status"
