"""One canonical form for what tshark prints, whatever its version: the golden files hold it,
and a view is put into it before it is compared. Each rule rewrites only how Wireshark itself
prints something that changed between versions (never what AppMsg says), names the versions
that print each form, and is tested alone on both forms and on lines it must leave as they are
(canonical-rules). The list, with the reasons, is in docs/versions.md."""
import re
from decimal import Decimal


def _frame_line(line):
    # 4.0, 4.4: "Frame 1: 58 bytes on wire ..."; 4.6: "Frame 1: Packet, 58 bytes on wire ...".
    return re.sub(r"^(Frame \d+: )Packet, ", r"\1", line)


_UNITS = {"milliseconds": Decimal("0.001"), "microseconds": Decimal("0.000001"),
          "nanoseconds": Decimal("0.000000001")}


def _relative_time(line):
    # A generated relative time, such as "[Time since request: 0.000150000 seconds]" on 4.0 and
    # 4.4; 4.6 picks a unit: "150.000 microseconds", "2.321000 milliseconds". Both print to the
    # nanosecond, so the seconds form is exact.
    m = re.match(r"^(\s*\[[A-Za-z ]+: )(\d+\.\d+) (milliseconds|microseconds|nanoseconds)\]$",
                 line)
    if not m:
        return line
    return f"{m.group(1)}{Decimal(m.group(2)) * _UNITS[m.group(3)]:.9f} seconds]"


TRUNCATED_TEXT = 100  # characters of a cut item text that every version shows


def _truncated_label(line):
    # An item text longer than Wireshark's label: 4.0 and 4.4 print "Name [truncated]: " and
    # the text cut at 240 bytes, 4.6 "Name […]: " and cut elsewhere. Canonical: the 4.0 marker
    # and the first TRUNCATED_TEXT characters.
    m = re.match(r"^(\s*[^:\[]*?) (?:\[truncated\]|\[\u2026\]): (.*)$", line)
    if not m:
        return line
    return f"{m.group(1)} [truncated]: {m.group(2)[:TRUNCATED_TEXT]}"


SHOWN_BYTES = 36  # bytes of a long byte string that every version shows
BYTES_ITEMS = ("Skipped bytes",)  # AppMsg's bytes fields (appmsg.skipped), by their names


def _long_bytes(line):
    # A bytes field's item: 4.0 shows its first 36 bytes and "…", 4.4 and 4.6 show them all.
    # Canonical: the first SHOWN_BYTES bytes and "…".
    m = re.match(r"^(\s*([^:]+): )([0-9a-f]+)(\u2026?)$", line)
    if not m or m.group(2).strip() not in BYTES_ITEMS or \
            (len(m.group(3)) <= 2 * SHOWN_BYTES and not m.group(4)):
        return line
    return f"{m.group(1)}{m.group(3)[:2 * SHOWN_BYTES]}\u2026"


def _reassembly_note(line):
    # TCP's own Info note on a segment whose bytes go on in a later one: "[TCP segment of a
    # reassembled PDU]" on 4.0, "[TCP PDU reassembled in N]" or nothing on 4.4 and 4.6.
    return re.sub(r" \[TCP (?:segment of a reassembled PDU|PDU reassembled in \d+)\]$", "", line)


def _field_escapes(line):
    # -T fields: 4.4 and 4.6 escape a backslash in a value ("\\u00e9"), 4.0 prints it as it is.
    return line.replace("\\\\", "\\")


def _si_bytes(n):
    # Wireshark's format_size (SI prefixes) as 4.6 prints a byte count: whole units, truncated.
    for unit, scale in (("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)):
        if n // scale >= 10:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def _endpoint_row(line):
    # The endpoints table: 4.0 and 4.4 print the byte columns as numbers in wide columns, 4.6
    # with units ("1790 bytes", "30 kB") in narrower ones. Canonical: single spaces, 4.6's units.
    cells = re.findall(r"(\d+)(?: (bytes|kB|MB|GB|TB))?", line.split(None, 1)[1]) \
        if len(line.split(None, 1)) == 2 else []
    if len(cells) != 6:
        return line
    out = []
    for i, (number, unit) in enumerate(cells):
        out.append(number if i % 2 == 0 else f"{number} {unit}" if unit else _si_bytes(int(number)))
    return " ".join([line.split(None, 1)[0]] + out)


def _endpoints_table(text):
    lines, inside = text.split("\n"), False
    for i, line in enumerate(lines):
        if line.endswith(" Endpoints"):
            inside = True
        elif line.startswith("="):
            inside = False
        elif inside and line.lstrip().startswith("|"):
            lines[i] = " ".join(line.replace("|  Packets  |", "| Packets |").split())
        elif inside and not line.startswith("Filter:"):
            lines[i] = _endpoint_row(line)
    return "\n".join(lines)


# (name, versions that print the non-canonical form, views it applies to, line rule or None)
LINE_RULES = [
    ("frame line", "4.6", ("tree",), _frame_line),
    ("relative time", "4.6", ("tree",), _relative_time),
    ("truncated item text", "4.6", ("tree",), _truncated_label),
    ("long byte strings", "4.4, 4.6", ("tree",), _long_bytes),
    ("TCP reassembly note", "4.4, 4.6", ("info",), _reassembly_note),
    ("backslash in a field value", "4.4, 4.6", ("fields",), _field_escapes),
]
TEXT_RULES = [
    ("endpoints table", "4.6", ("stats", "stats-1pass"), _endpoints_table),
]
RULES = [r[:3] for r in LINE_RULES + TEXT_RULES]


def canonical(text, view):
    """text (tshark's view of one capture, or a golden file) in the canonical form."""
    rules = [r for _, _, views, r in LINE_RULES if view in views]
    if rules:
        lines = text.split("\n")
        for rule in rules:
            lines = [rule(line) for line in lines]
        text = "\n".join(lines)
    for _, _, views, rule in TEXT_RULES:
        if view in views:
            text = rule(text)
    return text
