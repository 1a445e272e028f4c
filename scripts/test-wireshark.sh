#!/usr/bin/env bash
# The same sources against another Debian suite's Wireshark (bookworm 4.0, trixie 4.4, sid 4.6),
# in that suite's root (scripts/debian-root.sh, cached outside the clone). The cached root is only
# ever the lower layer of an overlay, so each run starts clean and leaves it as it was.
# Inside: a build with -Werror; the whole tshark test set (every CTest test but those needing
# the host's development tools, label host-tools, those that never start Wireshark, no-wireshark,
# and the proofs about the committed captures, capture-proof, whose answers the shared golden
# files carry to every version); the .deb that deb_package built against that
# suite's libwireshark, installed with apt-get and checked as installed (tshark -G plugins,
# tshark -D, golden views); then scripts/quickstart.sh run in a fresh overlay by an ordinary user with
# sudo, as a new user would, and a stale second copy of the plugin that it must name. Needs root
# (debootstrap, chroot, mounts); exits 77 (CTest's "skipped") without it. CTest runs it as
# wireshark_4_4 (trixie) and wireshark_4_6 (sid).
#
#   scripts/test-wireshark.sh SUITE [BUILD_DIR]   (default BUILD_DIR: build)
#   APPMSG_UPDATE_GOLDEN=1 ...                    runs update-golden there (the common files; X.Y/ where kept)
set -euo pipefail
cd "$(dirname "$0")/.."
SOURCE=$(pwd)
SUITE=${1:?usage: test-wireshark.sh SUITE [BUILD_DIR]}
BUILD=$(realpath -m "${2:-build}")
STAGE="$BUILD/wireshark-$SUITE"
start=$(date +%s)
say() { echo "== [$SUITE $(($(date +%s) - start)) s] $*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "test-wireshark.sh: needs root (debootstrap, chroot, mounts): skipped" >&2
  exit 77
fi
ROOT=$(scripts/debian-root.sh "$SUITE")
say "$(chroot "$ROOT" tshark --version | head -1) in $ROOT"

# ---- An overlay on the cached root, with /proc, /dev and the source inside; undone on exit ------
mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  mounts=()
}
trap cleanup EXIT
mount_in() { # mount_in DST mount-args...
  mkdir -p "$1"
  local dst=$1
  shift
  mount "$@" "$dst"
  mounts+=("$dst")
}
# fresh_root NAME: a clean overlay on the cached root, at $STAGE/NAME/root, in $FRESH. (Not
# called in a subshell: the mounts it records must reach cleanup.)
fresh_root() {
  local top="$STAGE/$1" m
  # A run that was killed may have left mounts (/dev, the source) there: never delete through one.
  for m in $(findmnt -rn -o TARGET | grep -F "$top/" | sort -r); do umount -l "$m"; done
  rm -rf --one-file-system "$top"
  mkdir -p "$top/upper" "$top/work"
  FRESH="$top/root"
  mount_in "$FRESH" -t overlay overlay \
    -o "lowerdir=$ROOT,upperdir=$top/upper,workdir=$top/work"
  mount_in "$FRESH/proc" --bind /proc
  mount_in "$FRESH/dev" --bind /dev
  mount_in "$FRESH/dev/pts" --bind /dev/pts # terminals (gen_cli's -w - to a terminal)
  cp /etc/resolv.conf /etc/hosts "$FRESH/etc/" # apt-get and sudo inside (quickstart)
  # The mirror may serve a frozen snapshot: sid's Release file then is past its Valid-Until,
  # and apt-get update (quickstart) would refuse it. Not a user's problem on a live mirror.
  echo 'Acquire::Check-Valid-Until "false";' >"$FRESH/etc/apt/apt.conf.d/99appmsg-snapshot"
}
in_root() { # in_root ROOT COMMAND: runs COMMAND with bash -euo pipefail inside ROOT, as root
  local root=$1
  shift
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive APPMSG_UPDATE_GOLDEN="${APPMSG_UPDATE_GOLDEN:-}" \
    /bin/bash -euo pipefail -c "$1"
}

# ---- Build with -Werror, then the whole tshark test set ----------------------------------------
fresh_root test
TREE=$FRESH
mount_in "$TREE/src" --bind "$SOURCE"
if [ -z "${APPMSG_UPDATE_GOLDEN:-}" ]; then mount -o remount,bind,ro "$TREE/src"; fi
say "building and testing"
in_root "$TREE" '
  cmake -S /src -B /build >/dev/null
  cmake --build /build -j "$(nproc)" 2>&1 | grep -E "warning|error" && exit 1
  test -f /build/plugin/appmsg.so
  if [ -n "$APPMSG_UPDATE_GOLDEN" ]; then
    cmake --build /build --target update-golden
    cmake --build /build --target screenshots # the pictures README takes from this version
  fi
  cd /build
  # All of it when a test fails; otherwise the summary.
  ctest -j "$(nproc)" --output-on-failure -LE "host-tools|version-stage|no-wireshark|capture-proof" >/tmp/ctest.log 2>&1 ||
    { cat /tmp/ctest.log; exit 1; }
  grep -E "tests passed|Total Test time" /tmp/ctest.log
'

# ---- The .deb, installed with apt-get --------------------------------------------------------
# deb_package (above) built it as docs/install.md says, and checked its Depends and contents.
say "the Debian package, installed"
in_root "$TREE" '
  apt-get install -y -q /build/tests/deb-check/wireshark-appmsg_*.deb >/tmp/apt.log 2>&1 ||
    { cat /tmp/apt.log; exit 1; }
  python3 /src/tests/appmsg_check.py --plugin installed --gen /usr/bin/appmsg-gen --source /src \
    installed
'
cleanup

# ---- quickstart.sh as a new user would run it: an ordinary user with sudo, a fresh root -------
say "scripts/quickstart.sh as an ordinary user with sudo"
fresh_root quickstart
QS=$FRESH
mkdir -p "$QS/home/newuser/appmsg"
tar -C "$SOURCE" --exclude=./.git --exclude="./$(realpath --relative-to="$SOURCE" "$BUILD")" \
  --exclude='./build*' -cf - . | tar -C "$QS/home/newuser/appmsg" -xf -
in_root "$QS" '
  useradd --shell /bin/bash --home-dir /home/newuser newuser
  cp -rT /etc/skel /home/newuser
  chown -R newuser: /home/newuser
  echo "newuser ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/newuser
  # A login shell, as a terminal gives: ~/.local/bin is not on PATH yet (it did not exist).
  su - newuser -c "cd appmsg && scripts/quickstart.sh" > /tmp/quickstart.log 2>&1 ||
    { cat /tmp/quickstart.log; exit 1; }
  cat /tmp/quickstart.log
  # What quickstart promised, asked of the Wireshark the new user runs.
  global=$(su - newuser -c "tshark -G folders" | sed -n "s|^Global Plugins:[[:space:]]*||p")
  version=${global##*/}
  want="/home/newuser/.local/lib/wireshark/plugins/$version/epan/appmsg.so"
  su - newuser -c "tshark -G plugins" | grep -q "	$want\$" ||
    { echo "FAIL: tshark does not load $want"; exit 1; }
  su - newuser -c "tshark -D" 2>&1 | grep -q "(AppMsg generator)" ||
    { echo "FAIL: tshark -D does not list the AppMsg generator"; exit 1; }
  grep -q "is not on your PATH" /tmp/quickstart.log ||
    { echo "FAIL: quickstart did not say that ~/.local/bin is not on PATH"; exit 1; }
  echo "quickstart as newuser: $want loaded, AppMsg generator listed by tshark -D"
  # A stale copy in the system folder (an old .deb, a root install): the check must name it.
  cp "$want" "$global/epan/appmsg.so"
  if su - newuser -c "appmsg/scripts/check-installed.sh $want" > /tmp/stale.log 2>&1; then
    cat /tmp/stale.log; echo "FAIL: check-installed.sh passed with a second copy installed"; exit 1
  fi
  grep -q "another appmsg.so is in a folder Wireshark reads: $global/epan/appmsg.so" /tmp/stale.log &&
    grep -q "Remove it: sudo rm $global/epan/appmsg.so" /tmp/stale.log ||
    { cat /tmp/stale.log; echo "FAIL: check-installed.sh did not name the stale copy"; exit 1; }
  echo "stale copy: check-installed.sh names it and how to remove it; tshark -G plugins then lists:"
  su - newuser -c "tshark -G plugins" 2>&1 | grep appmsg
'
cleanup
say "passed"
