"""What the docs promise: each documented filter on captures with known answers, each sample
output as tshark prints it, and the AppMsg profile (columns, colours, filter buttons)."""
import difflib
import os
import re
import shlex
import shutil
import sys

from checks.captures import capture_path, recipe
from checks.golden import GOLDEN_BASE_VERSION
from checks.sandbox import Failure, SKIP, run


def documented_filters(source):
    """The filters of docs/dissector.md's "Filters worth knowing" table and of
    docs/debugging.md's "**Filter:**" lines, as written there."""
    with open(os.path.join(source, "docs", "dissector.md"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("## Filters worth knowing", 1)[1].split("\n## ", 1)[0]
    filters = re.findall(r"^\| `([^`]+)` \|", table, re.M)
    with open(os.path.join(source, "docs", "debugging.md"), encoding="utf-8") as f:
        filters += re.findall(r"^\*\*Filter:\*\* `([^`]+)`$", f.read(), re.M)
    return list(dict.fromkeys(filters))


def filter_frames(ts, a, capture, filters):
    """The frames (as text) each filter matches in two passes, as -Y shows them; all filters in
    one tshark run (tests/tools/filter_frames.lua)."""
    listed = os.path.join(ts.root, f"filters-{capture}.txt")
    with open(listed, "w", encoding="utf-8") as f:
        f.write("".join(flt + "\n" for flt in filters))
    os.chmod(listed, 0o644)
    script = ts.readable(os.path.join(a.source, "tests", "tools", "filter_frames.lua"))
    _, _, opts = recipe(a.source, capture)
    out = ts.run(["-q", "-2", "-r", ts.readable(capture_path(a.source, capture)),
                  "-X", f"lua_script:{script}", "-X", f"lua_script1:{listed}"] + opts)
    lines = dict(line.split("\t", 1) for line in out.stdout.splitlines() if "\t" in line)
    if sorted(lines, key=int) != [str(n) for n in range(1, len(filters) + 1)]:
        raise Failure(f"filter_frames.lua answered for {sorted(lines)} of {len(filters)} filters "
                      f"on {capture}:\n{out.stdout}{out.stderr}")
    return [lines[str(n)].split() for n in range(1, len(filters) + 1)]


def cmd_doc_filters(a, ts):
    """Every documented filter gives, on captures with a known answer (tests/doc_filters.txt),
    exactly the frames it promises; a documented filter without a known answer fails. One
    tshark run per capture answers for all its filters."""
    ts.require_plugin()
    answers = {}
    with open(os.path.join(a.source, "tests", "doc_filters.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                flt, capture, frames = (part.strip() for part in line.rsplit("|", 2))
                answers.setdefault(flt, []).append((capture, frames.split()))
    documented = documented_filters(a.source)
    missing = [flt for flt in documented if flt not in answers]
    if missing:
        raise Failure(f"documented filters without a known answer in tests/doc_filters.txt: {missing}")
    by_capture = {}
    for flt in documented:
        for capture, want in answers[flt]:
            by_capture.setdefault(capture, []).append((flt, want))
    checked = 0
    for capture, cases in by_capture.items():
        for (flt, want), got in zip(cases, filter_frames(ts, a, capture, [f for f, _ in cases])):
            if got != want:
                raise Failure(f"{flt!r} on {capture}: frames {' '.join(got) or '(none)'}, "
                              f"expected {' '.join(want) or '(none)'}")
            checked += 1
    print(f"{len(documented)} documented filters, {checked} known answers, all as promised")


DOC_FILES = ["README.md", "docs/dissector.md", "docs/debugging.md"]


def doc_samples(text):
    """The sample outputs of a Markdown text: fenced blocks whose first line is `$ tshark …`,
    as (start, end, command) character spans of the output lines that follow the command."""
    for m in re.finditer(r"^```\n\$ (tshark [^\n]*)\n(.*?)^```$", text, re.M | re.S):
        yield m.start(2), m.end(2), m.group(1)


def run_sample(ts, source, command):
    """What a new user sees for a documented tshark command: run in the source tree's place
    (captures/…), without the test profile's type names (the command gives its own with -o)."""
    args = shlex.split(command)[1:]
    args = [ts.readable(os.path.join(source, arg)) if arg.startswith("captures/") else arg
            for arg in args]
    return ts.run(args).stdout


def cmd_doc_samples(a, ts):
    """Sample outputs in README.md and docs/ are what tshark prints for their command, on the
    Wireshark the docs describe (4.0); --update rewrites them (target update-docs)."""
    ts.require_plugin()
    if ts.version != GOLDEN_BASE_VERSION:
        print(f"SKIP: the docs show Wireshark {GOLDEN_BASE_VERSION}'s output, this is {ts.version}")
        return SKIP
    os.remove(os.path.join(ts.config, "appmsg_types"))
    stale, count = [], 0
    for name in DOC_FILES:
        path = os.path.join(a.source, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new, last = [], 0
        for start, end, command in doc_samples(text):
            output = run_sample(ts, a.source, command)
            if text[start:end] != output:
                stale.append(f"{name}: $ {command}")
                if not a.update:
                    sys.stdout.writelines(list(difflib.unified_diff(
                        text[start:end].splitlines(True), output.splitlines(True),
                        f"{name}: $ {command}", "tshark now"))[:60])
            new += [text[last:start], output]
            last = end
            count += 1
        if a.update and stale:
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(new) + text[last:])
    if stale and not a.update:
        raise Failure(f"{len(stale)} sample outputs differ from what tshark prints "
                      "(cmake --build build --target update-docs): " + "; ".join(stale))
    print(f"{count} sample outputs in {', '.join(DOC_FILES)}: "
          + (f"rewrote {len(stale)}" if a.update else "all as tshark prints them"))


# What the AppMsg profile's colouring rules must make of errors.pcap (tests/doc_filters.txt says
# which frames carry which problem): background colour by frame.
PROFILE_COLOURS = {"#ffc000": "45 47",  # echo differs
                   "#800080": "50 52",  # truncated
                   "#c00000": "6 7 8 9 10 11 12 13 14 15 16 17 22 23 24 25 30 31 36 37"}  # errors


PROFILE_APPMSG_COLOUR = "#d0e7ff"  # every other AppMsg frame


PROFILE_COLUMNS = ["Type", "Bytes", "Echo time"]


def install_profile(ts, source):
    """The shipped profile (profiles/AppMsg) into the sandbox's configuration folder."""
    dst = os.path.join(ts.config, "profiles", "AppMsg")
    shutil.copytree(os.path.join(source, "profiles", "AppMsg"), dst)
    for dirpath, _, filenames in os.walk(os.path.join(ts.config, "profiles")):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def cmd_profile(a, ts):
    """The AppMsg profile (tshark -C AppMsg, as wireshark -C AppMsg): its columns, its colouring
    rules on errors.pcap (PSML with --color carries each row's colours), and its filter buttons
    (each a documented filter)."""
    ts.require_plugin()
    install_profile(ts, a.source)
    capture = ts.readable(capture_path(a.source, "errors"))
    psml = ts.run(["-C", "AppMsg", "-2", "-r", capture, "--color", "-T", "psml"]).stdout
    columns = re.findall(r"<section>([^<]*)</section>", psml.split("</structure>")[0])
    if [c for c in PROFILE_COLUMNS if c not in columns]:
        raise Failure(f"the profile's columns are {columns}, expected {PROFILE_COLUMNS} among them")
    appmsg = set(ts.run(["-2", "-r", capture, "-Y", "appmsg", "-T", "fields", "-e",
                         "frame.number"]).stdout.split())
    want = {frame: colour for colour, frames in PROFILE_COLOURS.items() for frame in frames.split()}
    rows = re.findall(r"<packet foreground='[^']*' background='([^']*)'>\s*<section>(\d+)</section>",
                      psml)
    if not rows:
        raise Failure("tshark --color -T psml gave no colours")
    for background, frame in rows:
        expected = want.get(frame, PROFILE_APPMSG_COLOUR if frame in appmsg else None)
        if expected and background != expected:
            raise Failure(f"frame {frame} is coloured {background}, expected {expected}")
    with open(os.path.join(a.source, "profiles", "AppMsg", "dfilter_buttons"), encoding="utf-8") as f:
        buttons = re.findall(r'^"TRUE","([^"]+)","([^"]+)"', f.read(), re.M)
    undocumented = [b for b in buttons if b[1] not in documented_filters(a.source)]
    if undocumented or len(buttons) < 5:
        raise Failure(f"filter buttons that docs/dissector.md does not list: {undocumented}")
    print(f"profile AppMsg: columns {PROFILE_COLUMNS}, {len(rows)} rows coloured as the rules say, "
          f"{len(buttons)} filter buttons, all documented")


def cmd_doc_links(a, ts):
    """Every relative link in README.md and docs/*.md names a file of this repository: a clone
    has no ../shared/ (PROTOCOL.md), so the docs must not send a reader there."""
    names = ["README.md"] + [os.path.join("docs", n) for n in sorted(os.listdir(
        os.path.join(a.source, "docs"))) if n.endswith(".md")]
    broken, count, root = [], 0, os.path.abspath(a.source)
    for name in names:
        with open(os.path.join(a.source, name), encoding="utf-8") as f:
            text = f.read()
        targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
        targets += re.findall(r"`(\.\./[^`]+)`", text)  # paths outside the clone, in code spans
        for target in targets:
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            count += 1
            path = os.path.normpath(os.path.join(root, os.path.dirname(name), target))
            if not path.startswith(root + os.sep) or not os.path.exists(path):
                broken.append(f"{name}: {target}")
    if broken:
        raise Failure("links to files that a clone does not have: " + "; ".join(broken))
    print(f"{count} links in {len(names)} documents, each to a file of the repository")


# The folders whose files README's layout table must each name, in the row of their folder.
LAYOUT_FOLDERS = {"core/": (".c", ".h"), "plugin/": (".c", ".h"), "gen/": (".c", ".h"),
                  "gen/capture/": (".c", ".h"), "gen/sinks/": (".c", ".h"),
                  "gen/live/": (".c", ".h"), "gen/extcap/": (".c", ".h"), "scripts/": (".sh",),
                  "bench/": (".py", ".sh"), "docs/": (".md",), "lua/": (".c", ".lua")}

REPO_PATH = re.compile(r"`((?:core|plugin|gen|tests|scripts|docs|bench|captures|cmake|compat|"
                       r"profiles)/[\w./-]*)`")


def layout_rows(source):
    """README's layout table: {first cell's path: the row's text}."""
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("## Layout", 1)[1].split("\n\n", 2)[1]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `([^`]+)` \|.*$", table, re.M)}


def cmd_doc_layout(a, ts):
    """README's layout table names every file of the source folders in its folder's row, and
    every name in a row is a file there; every repository path README.md and docs/design.md
    name exists."""
    root = a.source
    rows, wrong, named = layout_rows(root), [], 0
    for folder, endings in LAYOUT_FOLDERS.items():
        row = rows.get(folder)
        if row is None:
            wrong.append(f"no row for {folder}")
            continue
        files = sorted(n for n in os.listdir(os.path.join(root, folder))
                       if n.endswith(endings) and os.path.isfile(os.path.join(root, folder, n)))
        for name in files:
            named += 1
            if f"`{name}`" not in row and not re.search(rf"`{re.escape(name.rsplit('.', 1)[0])}[`/.]", row):
                wrong.append(f"{folder}{name} is not in the layout table's row {folder}")
        for token in re.findall(r"`([\w.-]+\.(?:c|h|sh|py|md))`", row):
            if not os.path.exists(os.path.join(root, folder, token)) and \
                    not os.path.exists(os.path.join(root, token)):
                wrong.append(f"the layout table's row {folder} names {token}, which is not there")
    paths = 0
    for name in ("README.md", "docs/design.md"):
        with open(os.path.join(root, name), encoding="utf-8") as f:
            for path in REPO_PATH.findall(f.read()):
                if re.search(r"[A-Z]{2,}", path):
                    continue  # a pattern: tests/golden/NAME.VIEW.txt
                paths += 1
                if not os.path.exists(os.path.join(root, path.split(" ")[0])):
                    wrong.append(f"{name} names {path}, which is not there")
    if wrong:
        raise Failure("README's layout or docs/design.md differ from the tree: " + "; ".join(wrong))
    print(f"layout table: {named} files, each in its folder's row; {paths} paths in README.md "
          "and docs/design.md, all there")
