#!/usr/bin/env bash
# Installs what appmsg needs from the distribution's packages (Debian 12, 13 or sid: the package
# names are the same; each brings its own Wireshark, 4.0, 4.4 or 4.6). Through sudo unless root.
#
#   scripts/install-deps.sh            to build, install and use (scripts/quickstart.sh)
#   scripts/install-deps.sh --tests    and to run the whole test suite (scripts/test.sh)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config python3
  libwireshark-dev libwiretap-dev libwsutil-dev libglib2.0-dev libpcap-dev zlib1g-dev
  tshark
)
if [ "${1:-}" = --tests ]; then
  PACKAGES+=(
    clang libclang-rt-dev clang-tidy cppcheck             # fuzzer, sanitizers, static checks
    debootstrap                                          # the Wireshark 4.4 and 4.6 stages
    wireshark-qt xvfb xdotool x11-apps imagemagick       # the GUI test and its screenshots
  )
elif [ -n "${1:-}" ]; then
  echo "install-deps.sh: unknown argument '$1' (try --tests)" >&2
  exit 2
fi

# sudo resets the environment: DEBIAN_FRONTEND goes on its command line (tshark asks a question).
APT=(env DEBIAN_FRONTEND=noninteractive apt-get)
if [ "$(id -u)" -ne 0 ]; then APT=(sudo "${APT[@]}"); fi
echo "== installing Debian packages: ${PACKAGES[*]}"
"${APT[@]}" update -qq
"${APT[@]}" install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
