"""What a single recv() would get of each message (appmsg.segments, appmsg.merged), against the
answer worked out from the capture's own TCP segments and the manifest's message sizes."""
import json

from checks.captures import capture_path, manifest_for, recipe
from checks.messages import HEADER_LEN
from checks.sandbox import Failure


def data_segments(ts, capture):
    """{'c2s'|'s2c': [(seq, end), ...]} of the capture's one connection, AppMsg disabled: the
    client is the side that sent the SYN."""
    out = ts.run(["-r", ts.readable(capture), "--disable-protocol", "appmsg", "-T", "fields",
                  "-e", "tcp.srcport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e",
                  "tcp.seq", "-e", "tcp.len"]).stdout
    client, segments = None, {"c2s": [], "s2c": []}
    for line in out.splitlines():
        port, syn, ack, seq, length = line.split("\t")
        if syn in ("1", "True") and ack in ("0", "False"):
            client = port
        if int(length) > 0:
            segments["c2s" if port == client else "s2c"].append((int(seq), int(seq) + int(length)))
    return segments


def message_ranges(manifest):
    """{'c2s'|'s2c': [(start, end), ...]} in stream bytes from relative sequence number 1."""
    ranges, at = {"c2s": [], "s2c": []}, {"c2s": 1, "s2c": 1}
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            if m.get("error"):
                raise Failure(f"{manifest}: recv counts are checked on captures without errors")
            size = HEADER_LEN[False] + len(m["payload"].encode())
            ranges[m["dir"]].append((at[m["dir"]], at[m["dir"]] + size))
            at[m["dir"]] += size
    return ranges


def expected_counts(segments, messages):
    """[(segments, merged), ...] per message: the segments its bytes are in, and the other
    messages with bytes in its first segment and, if another, in its last."""
    def overlaps(a, b):
        return a[0] < b[1] and b[0] < a[1]

    counts = []
    for i, msg in enumerate(messages):
        mine = [s for s in segments if overlaps(s, msg)]
        ends = {mine[0], mine[-1]}
        merged = sum(1 for seg in ends for j, other in enumerate(messages)
                     if j != i and overlaps(seg, other))
        counts.append((len(mine), merged))
    return counts


def shown_counts(ts, capture, opts, two_pass):
    """{'c2s'|'s2c': [(segments, merged), ...]} as the plugin shows them, in stream order."""
    args = (["-2"] if two_pass else []) + ["-r", ts.readable(capture), "-Y", "appmsg.segments",
                                           "-T", "fields", "-E", "occurrence=a", "-e",
                                           "appmsg.from_client", "-e", "appmsg.segments", "-e",
                                           "appmsg.merged"] + opts
    shown = {"c2s": [], "s2c": []}
    for line in ts.run(args).stdout.splitlines():
        client, segs, merged = (field.split(",") for field in line.split("\t"))
        for c, s, m in zip(client, segs, merged):
            shown["c2s" if c in ("1", "True") else "s2c"].append((int(s), int(m)))
    return shown


def cmd_recv_counts(a, ts):
    """appmsg.segments and appmsg.merged of every message equal the counts worked out from the
    capture's TCP segments, in one pass and in two."""
    ts.require_plugin()
    _, _, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    segments = data_segments(ts, capture)
    messages = message_ranges(manifest_for(capture))
    for two_pass in (False, True):
        shown = shown_counts(ts, capture, opts, two_pass)
        for d in ("c2s", "s2c"):
            want = expected_counts(segments[d], messages[d])
            if shown[d] != want:
                bad = next(i for i, (w, s) in enumerate(zip(want, shown[d] + [None] * len(want)))
                           if w != s)
                raise Failure(f"{a.name} {d}{' (two passes)' if two_pass else ''}: message {bad} "
                              f"shows (segments, merged) {shown[d][bad] if bad < len(shown[d]) else None}, "
                              f"expected {want[bad]}; {len(shown[d])} shown of {len(want)}")
    spanning = sum(s > 1 for s, _ in expected_counts(segments["c2s"], messages["c2s"]))
    print(f"{a.name}: {len(messages['c2s'])} + {len(messages['s2c'])} messages, segments and "
          f"merged as the capture's TCP segments say ({spanning} client messages across segments)")
