"""The tables in docs/ that list the kinds of problem and of injected error, against
core/appmsg_kinds.h (as tests/tools/kinds_table prints it): the one list they come from."""
import os
import re
import subprocess

from checks.sandbox import Failure

SEVERITY = {"ERROR": "Error", "WARN": "Warning", "NOTE": "Note", "CHAT": "Chat"}
GROUP = {"MALFORMED": "Malformed", "CHECKSUM": "Checksum", "SEQUENCE": "Sequence",
         "PROTOCOL": "Protocol", "RESPONSE_CODE": "Response code", "UNDECODED": "Undecoded"}

BEGIN = "<!-- {name}: printed from core/appmsg_kinds.h; doc_kinds checks it, update-docs writes it -->\n"
END = "<!-- end of {name} -->\n"


def read_kinds(tool):
    """(problems, injections) as lists of dicts, in the table's order."""
    problems, injections = [], []
    for line in subprocess.run([tool], check=True, capture_output=True, text=True).stdout.splitlines():
        kind, *cols = line.split("\t")
        if kind == "problem":
            problems.append(dict(zip(("expert", "group", "severity", "summary", "label", "row"), cols)))
        else:
            injections.append(dict(zip(("name", "manifest", "expert", "description"), cols)))
    return problems, injections


def severity(p):
    return f"{SEVERITY[p['severity']]} ({GROUP[p['group']]})"


def made_by(p, injections):
    return ", ".join(f"`{i['name']}`" for i in injections if i["expert"] == p["expert"])


def problems_table(problems, injections):
    """docs/protocol.md: every problem the dissector names."""
    rows = ["| expert info | severity | summary | `appmsg-gen --inject` kinds that make it |",
            "|-------------|----------|---------|-------------------------------------------|"]
    rows += [f"| `{p['expert']}` | {severity(p)} | {p['summary']} | {made_by(p, injections) or '—'} |"
             for p in problems]
    return "\n".join(rows) + "\n"


def mistakes_table(problems, injections):
    """docs/debugging.md: the sender's mistakes, and how to make a capture with each."""
    rows = ["| mistake | expert info | a capture with it |",
            "|---------|-------------|-------------------|"]
    for p in problems:
        if p["group"] == "PROTOCOL":
            make = " or ".join(f"`appmsg-gen -i {i['name']}@N`" for i in injections
                               if i["expert"] == p["expert"])
            rows.append(f"| {p['summary']} | `{p['expert']}` | {make} |")
    return "\n".join(rows) + "\n"


GENERATED = [("docs/protocol.md", "problems table", problems_table),
             ("docs/debugging.md", "mistakes table", mistakes_table)]


def generated_blocks(source, problems, injections, update):
    """Each generated block as it is and as it should be; rewrites it with update."""
    stale = []
    for name, block, make in GENERATED:
        path = os.path.join(source, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        begin, end = BEGIN.format(name=block), END.format(name=block)
        if begin not in text or end not in text:
            raise Failure(f"{name}: no {block} (between {begin.strip()!r} and {end.strip()!r})")
        head, rest = text.split(begin, 1)
        old, tail = rest.split(end, 1)
        new = make(problems, injections)
        if old != new:
            stale.append(f"{name}: {block}")
            if update:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(head + begin + new + end + tail)
    return stale


def table_rows(source, name, header):
    """The cells of each row of the table in docs/NAME whose header line starts with header."""
    with open(os.path.join(source, name), encoding="utf-8") as f:
        text = f.read()
    if header not in text:
        raise Failure(f"{name}: no table starting {header!r}")
    lines = text.split(header, 1)[1].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def cmd_doc_kinds(a, ts):
    """docs/protocol.md's and docs/debugging.md's generated tables are what core/appmsg_kinds.h
    makes of them (--update rewrites them); docs/dissector.md's expert table names every problem
    with its severity, in order; docs/manifest.md's error table has a row for what the manifest
    says of every injection, naming the expert info a reader shows; appmsg-gen --list-kinds
    prints every injection."""
    if not a.kinds:
        raise Failure("doc-kinds needs --kinds (the kinds_table tool)")
    problems, injections = read_kinds(a.kinds)
    stale = generated_blocks(a.source, problems, injections, a.update)
    wrong = []

    got = [(r[0], r[1]) for r in table_rows(a.source, "docs/dissector.md", "| expert | severity | when |")]
    want = [(f"`{p['expert']}`", severity(p)) for p in problems]
    if got != want:
        wrong.append(f"docs/dissector.md's expert table: {got}, expected {want}")

    manifest = {re.sub(r"[`()]", "", r[0]): r for r in
                table_rows(a.source, "docs/manifest.md", "| `error` | on the wire |")}
    for i in injections:
        row = manifest.get(i["manifest"])
        if not row:
            wrong.append(f"docs/manifest.md: no row for {i['manifest']!r} (--inject {i['name']})")
        elif f"`{i['expert']}`" not in row[-1]:
            wrong.append(f"docs/manifest.md: the row of {i['manifest']!r} does not name {i['expert']}")

    listed = subprocess.run([a.gen, "--list-kinds"], check=True, capture_output=True,
                            text=True).stdout.splitlines()
    got = [tuple(re.split(r"\s{2,}", line.strip(), maxsplit=2)) for line in listed]
    want = [(i["name"], i["expert"], i["description"]) for i in injections]
    if got != want:
        wrong.append(f"appmsg-gen --list-kinds prints {got}, expected {want}")

    if wrong or (stale and not a.update):
        raise Failure("kinds in docs differ from core/appmsg_kinds.h: " + "; ".join(wrong + [
            f"{s} (cmake --build build --target update-docs)" for s in stale]))
    print(f"{len(problems)} problems, {len(injections)} injections: docs/protocol.md, "
          "debugging.md, dissector.md, manifest.md and --list-kinds agree with them"
          + (f" (rewrote {', '.join(stale)})" if stale else ""))
