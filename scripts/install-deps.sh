#!/usr/bin/env bash
# Installs what appmsg needs to build and test on Debian 12 (Wireshark 4.0 from Debian).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config python3 clang libclang-rt-dev clang-tidy cppcheck
  libwireshark-dev libwiretap-dev libwsutil-dev libglib2.0-dev libpcap-dev zlib1g-dev
  tshark
  debootstrap                                          # the Wireshark 4.4 stage (trixie root)
  wireshark-qt xvfb xdotool x11-apps imagemagick       # the GUI test and its screenshots
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "== installing Debian packages: ${PACKAGES[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
