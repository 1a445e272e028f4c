"""Golden files: tshark's views against tests/golden/ (per-version files where Wireshark prints
differently, newest first), and the only way they change (update-golden)."""
import difflib
import os
import re
import sys

from checks.canonical import canonical
from checks.captures import capture_path, recipe, recipes
from checks.sandbox import Failure, run
from checks.views import ONE_PASS_OF, VIEWS


def cmd_plugin_loaded(a, ts):
    print(ts.require_plugin(a.expect_version))


# Golden files hold a view in its canonical form (checks/canonical.py: how Wireshark itself prints
# things, put one way for every version), and one file serves every version. Only where a later
# version's tshark shows something else that no rule covers (docs/versions.md) does its own file
# sit in tests/golden/<major.minor>/; a version without its own file takes the newest earlier
# version's, then the common one (4.6 → 4.4 → common). A one-pass view (ONE_PASS_OF) without a
# file of its own at a level takes that level's two-pass file before looking further down.
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
    actual = canonical(VIEWS[view](ts, capture_path(source, name), opts), view)
    path = golden_path(source, name, view, ts.version)
    if not os.path.exists(path):
        raise Failure(f"no golden file {path}: run `cmake --build build --target update-golden`")
    with open(path, encoding="utf-8") as f:
        golden = f.read()
    if canonical(golden, view) != golden:
        raise Failure(f"{path} is not in the canonical form (checks/canonical.py): run "
                      "`cmake --build build --target update-golden`")
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
    """Writes this version's views, in the canonical form, to the common files; to this
    version's own file only where one is kept already (docs/versions.md lists them), removed
    when it has become what the version would fall back to. A one-pass view equal to its
    two-pass file needs no file. Says what it wrote and where."""
    ts.require_plugin()
    top = os.path.join(a.source, "tests", "golden")
    for name, _, opts in recipes(a.source):
        for view, render in VIEWS.items():
            text = canonical(render(ts, capture_path(a.source, name), opts), view)
            if read(golden_path(a.source, name, view, ts.version)) == text:
                continue
            own = os.path.join(top, ts.version, f"{name}.{view}.txt")
            if not os.path.exists(own):
                own = os.path.join(top, f"{name}.{view}.txt")
            below = next((p for p in golden_chain(a.source, name, view, ts.version)
                          if os.path.exists(p) and p != own and
                          (os.path.dirname(own) != top or view in ONE_PASS_OF)), None)
            if below and read(below) == text:
                os.remove(own)
                print("removed", os.path.relpath(own, a.source), "(the same as",
                      os.path.relpath(below, a.source) + ")")
                continue
            with open(own, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote", os.path.relpath(own, a.source),
                  "(common)" if os.path.dirname(own) == top else f"(Wireshark {ts.version} only)")


def read(path):
    """A golden file's text, or None when there is none."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read()


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
            if fallback and canonical(read(own), view) == canonical(read(fallback), view):
                raise Failure(f"{os.path.relpath(own, a.source)} is a copy of "
                              f"{os.path.relpath(fallback, a.source)}: remove it")
            count += 1
    print(f"{count} per-version or one-pass golden files ({sorted(versions)} and common), none a "
          "copy of its fallback")


# Each rule of checks/canonical.py on both forms of what it rewrites, and on lines it must
# leave alone: AppMsg's own lines that look like its targets.
RULE_CASES = {
    "frame line": (
        ["Frame 7: Packet, 58 bytes on wire (464 bits), 58 bytes captured (464 bits)"],
        "Frame 7: 58 bytes on wire (464 bits), 58 bytes captured (464 bits)",
        ["Frame 7: 58 bytes on wire (464 bits)", '    Payload: "Frame 7: Packet, 58"']),
    "relative time": (
        ["    [Time since request: 150.000 microseconds]",
         "    [Time since request: 0.150000 milliseconds]"],
        "    [Time since request: 0.000150000 seconds]",
        ['        [0]: "150.000 microseconds]"', '    Payload: "2.5 milliseconds"',
         "    [Time since request: 0.000151000 seconds]"]),
    "truncated item text": (
        ["    Payload [\u2026]: " + "x" * 230, "    Payload [truncated]: " + "x" * 200],
        "    Payload [truncated]: " + "x" * 100,
        ["    Payload: " + "x" * 230, '        text: "[truncated]: x"']),
    "long byte strings": (
        ["    Skipped bytes: " + "ab" * 50, "    Skipped bytes: " + "ab" * 36 + "\u2026"],
        "    Skipped bytes: " + "ab" * 36 + "\u2026",
        ["    Skipped bytes: " + "ab" * 36, "    Payload: " + "ab" * 50]),
    "TCP reassembly note": (
        ["    4   0.001080   192.0.2.10 → 192.0.2.20   TCP 60 51000 → 65432 [PSH, ACK] Len=6 "
         "[TCP segment of a reassembled PDU]",
         "    4   0.001080   192.0.2.10 → 192.0.2.20   TCP 60 51000 → 65432 [PSH, ACK] Len=6 "
         "[TCP PDU reassembled in 6]"],
        "    4   0.001080   192.0.2.10 → 192.0.2.20   TCP 60 51000 → 65432 [PSH, ACK] Len=6",
        ["    6   0.002230   192.0.2.10 → 192.0.2.20   AppMsg 77 type login (1): 11 B"]),
    "backslash in a field value": (
        ['11\t51000\t3\t52\t{"text": "caf\\\\u00e9"}', '11\t51000\t3\t52\t{"text": "caf\\u00e9"}'],
        '11\t51000\t3\t52\t{"text": "caf\\u00e9"}',
        ['11\t51000\t3\t52\t{"text": "caf\u00e9"}']),
    "endpoints table": (
        ["AppMsg Endpoints\nFilter:<No Filter>\n                       | Packets | |  Bytes  |"
         " | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n192.0.2.10           "
         "           8   30 kB               4      15 kB                4      15 kB       \n"
         "=====",
         "AppMsg Endpoints\nFilter:<No Filter>\n                       |  Packets  | |  Bytes  |"
         " | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n192.0.2.10           "
         "          8         30856          4           15428           4           15428   \n"
         "====="],
        "AppMsg Endpoints\nFilter:<No Filter>\n| Packets | | Bytes | | Tx Packets | | Tx Bytes |"
        " | Rx Packets | | Rx Bytes |\n192.0.2.10 8 30 kB 4 15 kB 4 15 kB\n=====",
        ["AppMsg Conversations\n192.0.2.10  <-> 192.0.2.20   12 895 bytes   12 895 bytes",
         "frame 22, type logout (3), 52 bytes: 8 30856 4 15428 4 15428"]),
}


def cmd_canonical_rules(a, ts):
    """Each canonical-form rule rewrites both forms of its target to one, and leaves alone the
    lines it must not touch; every golden file is already in the canonical form."""
    from checks import canonical as c
    rules = {name: (views, rule) for name, _, views, rule in c.LINE_RULES + c.TEXT_RULES}
    wrong = [f"{name}: no cases" for name in rules if name not in RULE_CASES]
    for name, (forms, want, alone) in RULE_CASES.items():
        _, rule = rules[name]
        wrong += [f"{name}: {form!r} became {rule(form)!r}, not {want!r}" for form in forms
                  if rule(form) != want]
        wrong += [f"{name}: changed {line!r}" for line in alone + [want] if rule(line) != line]
    top = os.path.join(a.source, "tests", "golden")
    files = [os.path.join(d, n) for d in [top] + [os.path.join(top, v) for v in os.listdir(top)
                                                    if os.path.isdir(os.path.join(top, v))]
             for n in os.listdir(d) if n.endswith(".txt")]
    wrong += [f"{os.path.relpath(p, a.source)} is not in the canonical form" for p in files
              if canonical(read(p), os.path.basename(p).rsplit(".", 2)[1]) != read(p)]
    if wrong:
        raise Failure("canonical form:\n  " + "\n  ".join(wrong))
    print(f"{len(rules)} rules, each on both forms and on {sum(len(v[2]) for v in RULE_CASES.values())}"
          f" lines it leaves alone; {len(files)} golden files in the canonical form")


# One AppMsg thing changed in tshark's output must still fail the comparison after the rules:
# (capture, view, what, the line's pattern, its replacement).
MUTATIONS = [
    ("errors", "fields", "a field value (appmsg.length)", r"^(\d+\t\d+\t\d+\t)(\d+)", r"\g<1>9\2"),
    ("errors", "tree", "an expert info", r"(Bad magic: )(\d+)", r"\g<1>9\2"),
    ("errors", "tree", "a relative time (appmsg.time)",
     r"(\[Time since request: )(\d)", r"\g<1>9"),
    ("errors", "tree", "skipped bytes (appmsg.skipped)", r"(Skipped bytes: )(..)", r"\g<1>ff"),
    ("errors", "info", "an Info column text", r"(type \w+ \(\d\): )(\d+)", r"\g<1>9\2"),
    ("large", "tree", "a long payload's shown text", r"(Payload \[(?:truncated|\u2026)\]: )(.)",
     r"\g<1>#"),
    ("large", "stats", "a stats tree count", r"^(Messages\s+)(\d+)", r"\g<1>9\2"),
]


def cmd_golden_mutation(a, ts):
    """MUTATIONS: with any one of them, this version's view no longer matches its golden file
    (and without, it does)."""
    ts.require_plugin()
    done = []
    for capture, view, what, pattern, replacement in MUTATIONS:
        _, _, opts = recipe(a.source, capture)
        text = VIEWS[view](ts, capture_path(a.source, capture), opts)
        golden = read(golden_path(a.source, capture, view, ts.version))
        if canonical(text, view) != golden:
            raise Failure(f"{capture} {view}: differs from its golden file before any mutation")
        mutated, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if not n:
            raise Failure(f"{capture} {view}: nothing to mutate for {what} ({pattern})")
        if canonical(mutated, view) == golden:
            raise Failure(f"{capture} {view}: {what} changed, and the comparison still passes")
        done.append(what)
    print(f"Wireshark {ts.version}: each of {len(done)} mutations fails its golden comparison "
          f"({'; '.join(done)})")
