"""Golden files: tshark's views against tests/golden/ (per-version files where Wireshark prints
differently, newest first), and the only way they change (update-golden)."""
import difflib
import filecmp
import os
import re
import sys

from checks.captures import capture_path, recipe, recipes
from checks.sandbox import Failure, run
from checks.views import ONE_PASS_OF, VIEWS


def cmd_plugin_loaded(a, ts):
    print(ts.require_plugin(a.expect_version))


# Golden files are Wireshark 4.0's (Debian 12). Where a later version's tshark legitimately shows
# something else (docs/versions.md), its own file sits in tests/golden/<major.minor>/; a version
# without its own file takes the newest earlier version's, then the common one (4.6 → 4.4 → common).
# A one-pass view (ONE_PASS_OF) without a file of its own at a level takes that level's two-pass
# file before looking further down.
GOLDEN_BASE_VERSION = "4.0"


def version_key(version):
    return tuple(int(n) for n in version.split("."))


def golden_chain(source, name, view, version):
    """The golden files tshark of this version falls back through, newest first."""
    top = os.path.join(source, "tests", "golden")
    versions = sorted((d for d in os.listdir(top) if re.fullmatch(r"\d+\.\d+", d)
                       and version_key(GOLDEN_BASE_VERSION) < version_key(d) <= version_key(version)),
                      key=version_key, reverse=True)
    levels = [os.path.join(top, v) for v in versions] + [top]
    views = [view] + ([ONE_PASS_OF[view]] if view in ONE_PASS_OF else [])
    return [os.path.join(level, f"{name}.{v}.txt") for level in levels for v in views]


def golden_path(source, name, view, version=GOLDEN_BASE_VERSION):
    """The golden file for this version: the first of its chain that exists."""
    chain = golden_chain(source, name, view, version)
    return next((p for p in chain if os.path.exists(p)), chain[-1])


def check_golden(ts, source, name, view):
    """tshark's view of a canonical capture equals its golden file (this version's, if it has
    one); prints the diff and fails otherwise. Returns the golden file's path and line count."""
    _, _, opts = recipe(source, name)
    actual = VIEWS[view](ts, capture_path(source, name), opts)
    path = golden_path(source, name, view, ts.version)
    if not os.path.exists(path):
        raise Failure(f"no golden file {path}: run `cmake --build build --target update-golden`")
    with open(path, encoding="utf-8") as f:
        golden = f.read()
    if actual != golden:
        diff = difflib.unified_diff(golden.splitlines(True), actual.splitlines(True),
                                    path, "tshark now")
        sys.stdout.writelines(list(diff)[:200])
        raise Failure(f"tshark's {view} view of {name} differs from {path}")
    return path, len(golden.splitlines())


def cmd_golden(a, ts):
    ts.require_plugin()
    path, lines = check_golden(ts, a.source, a.name, a.view)
    print(f"{a.name}: {a.view} view matches {os.path.relpath(path, a.source)} ({lines} lines)")


def cmd_update_golden(a, ts):
    """Writes this version's views: the common files under 4.0, under a later version its own
    folder; in either, only the files whose view differs from what it would fall back to (and
    removes the others). A one-pass view falls back to its two-pass view, written just before."""
    ts.require_plugin()
    top = os.path.join(a.source, "tests", "golden")
    level = top if ts.version == GOLDEN_BASE_VERSION else os.path.join(top, ts.version)
    for name, _, opts in recipes(a.source):
        for view, render in VIEWS.items():
            text = render(ts, capture_path(a.source, name), opts)
            own = os.path.join(level, f"{name}.{view}.txt")
            fallback = next((p for p in golden_chain(a.source, name, view, ts.version)
                             if p != own and os.path.exists(p)), None)
            if fallback:
                with open(fallback, encoding="utf-8") as f:
                    if f.read() == text:
                        if os.path.exists(own):
                            os.remove(own)
                            print("removed", os.path.relpath(own, a.source))
                        continue
            os.makedirs(level, exist_ok=True)
            with open(own, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote", os.path.relpath(own, a.source))


def cmd_golden_copies(a, ts):
    """No version's golden file is a copy of what that version would fall back to: per-version
    files hold only what Wireshark itself prints differently, one-pass files only what one pass
    shows differently."""
    top = os.path.join(a.source, "tests", "golden")
    versions = [d for d in os.listdir(top) if re.fullmatch(r"\d+\.\d+", d)]
    count = 0
    for version, folder in [(v, os.path.join(top, v)) for v in versions] + \
            [(GOLDEN_BASE_VERSION, top)]:
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            capture, view, _ = name.rsplit(".", 2)
            own, *earlier = golden_chain(a.source, capture, view, version)
            if not earlier:
                continue  # a common two-pass file: nothing to fall back to
            fallback = next((p for p in earlier if os.path.exists(p)), None)
            if fallback and filecmp.cmp(own, fallback, False):
                raise Failure(f"{os.path.relpath(own, a.source)} is a copy of "
                              f"{os.path.relpath(fallback, a.source)}: remove it")
            count += 1
    print(f"{count} per-version or one-pass golden files ({sorted(versions)} and common), none a "
          "copy of its fallback")
