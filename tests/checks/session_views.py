"""The views of whole conversations — Follow → AppMsg Stream, Service Response Time, Conversations
and Endpoints — against answers worked out from the capture's own TCP segments (tshark with AppMsg
disabled) and the generator's manifest, in one pass and in two."""
import json
import re
from collections import defaultdict

from checks.captures import capture_path, manifest_for, recipe
from checks.messages import HEADER_LEN
from checks.sandbox import Failure

PASSES = ((False, "one pass"), (True, "two passes"))

# How Follow writes a payload (plugin/appmsg-follow.c): control bytes escaped, at most this many
# bytes; tshark's ASCII mode then prints every other byte that is not printable ASCII as '.'.
PAYLOAD_SHOWN = 1024


def manifest_messages(capture):
    """{(connection, 'c2s'|'s2c'): [message, ...]} in stream order; no capture with errors."""
    out = defaultdict(list)
    with open(manifest_for(capture), encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            if m.get("error"):
                raise Failure(f"{capture}: these views are checked on captures without errors")
            out[(m["conn"], m["dir"])].append(m)
    return out


def tcp_data_segments(ts, capture):
    """{(tcp.stream, 'c2s'|'s2c'): [(frame, epoch time in µs), ...]} of the data segments, with
    AppMsg disabled; the client is the side that sent the SYN."""
    out = ts.run(["-r", ts.readable(capture), "--disable-protocol", "appmsg", "-T", "fields",
                  "-e", "frame.number", "-e", "frame.time_epoch", "-e", "tcp.stream", "-e",
                  "tcp.srcport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e",
                  "tcp.len"]).stdout
    clients, segments = {}, defaultdict(list)
    for line in out.splitlines():
        frame, epoch, stream, port, syn, ack, length = line.split("\t")
        if syn in ("1", "True") and ack in ("0", "False"):
            clients[stream] = port
        if int(length) > 0:
            secs, _, frac = epoch.partition(".")
            usec = int(secs) * 1000000 + int((frac + "000000")[:6])
            d = "c2s" if clients[stream] == port else "s2c"
            segments[(int(stream), d)].append((int(frame), usec))
    return segments


def tshark_z(ts, capture, opts, view, two_pass):
    return ts.run((["-2"] if two_pass else []) + ["-q", "-r", ts.readable(capture), "-z", view]
                  + opts).stdout


# ---- Service Response Time ---------------------------------------------------------------------

SRT_ROW = re.compile(r"^\s*(\d+)\s+(.*?)\s+(\d+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)$")


def srt_rows(text):
    """{index: (name, calls, min, max, avg, sum)} (times in µs) of -z appmsg,srt."""
    rows = {}
    for line in text.splitlines():
        m = SRT_ROW.match(line)
        if m:
            us = [round(float(v) * 1e6) for v in m.groups()[3:]]
            rows[int(m.group(1))] = (m.group(2), int(m.group(3)), *us)
    return rows


def cmd_srt_times(a, ts):
    """-z appmsg,srt: per request type, the count, min, max, average and sum of the echo times,
    each the time of the server's data segment minus the client's (captures cut one message a
    segment, echoed one segment each)."""
    ts.require_plugin()
    _, args, opts = recipe(a.source, a.name)
    if "whole" not in args:
        raise Failure(f"{a.name}: SRT times are worked out on captures cut one message a segment")
    capture = capture_path(a.source, a.name)
    messages, segments = manifest_messages(capture), tcp_data_segments(ts, capture)
    times = defaultdict(list)
    for (conn, d), msgs in messages.items():
        if d != "c2s":
            continue
        sent, echoed = segments[(conn, "c2s")], segments[(conn, "s2c")]
        for m, (_, t0), (_, t1) in zip(msgs, sent, echoed):
            times[m["type"]].append(t1 - t0)
    want = {t: (len(v), min(v), max(v), sum(v)) for t, v in times.items()}
    for two_pass, passes in PASSES:
        rows = srt_rows(tshark_z(ts, capture, opts, "appmsg,srt", two_pass))
        got = {i: (r[1], r[2], r[3], r[5]) for i, r in rows.items()}
        if got != want:
            raise Failure(f"{a.name} ({passes}): SRT rows (index: calls, min, max, sum in µs) "
                          f"{got}, expected {want}")
        for i, (name, calls, _, _, avg, total) in rows.items():
            if abs(avg - total / calls) > 1 or not re.search(rf"\b{i}\)?$", name):
                raise Failure(f"{a.name} ({passes}): row {i} {name!r}: average {avg} µs of "
                              f"{calls} calls summing to {total} µs, or a name without the type")
    print(f"{a.name}: {sum(v[0] for v in want.values())} echoes in {len(want)} types, SRT counts "
          "and times as the capture's segments say, in one pass and in two")


# ---- Follow → AppMsg Stream --------------------------------------------------------------------

def follow_records(text):
    """Node lines and [(is_server, line), ...] of -z follow,appmsg,ascii,N."""
    nodes, records, lines = {}, [], text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^Node (\d): (.*)$", line)
        if m:
            nodes[int(m.group(1))] = m.group(2)
        elif re.fullmatch(r"\t?\d+", line):
            records.append((line.startswith("\t"), lines[i + 1]))
            i += 1
        i += 1
    return nodes, records


def shown_payload(payload):
    """The payload as Follow's line shows it in tshark's ASCII mode."""
    data = payload.encode()
    out = []
    for b in data[:PAYLOAD_SHOWN]:
        out.append({10: "\\n", 13: "\\r", 9: "\\t"}.get(b) or
                   (f"\\x{b:02x}" if b < 0x20 or b == 0x7f else chr(b) if b < 0x7f else "."))
    more = f"... ({len(data) - PAYLOAD_SHOWN} more bytes)" if len(data) > PAYLOAD_SHOWN else ""
    return "".join(out) + more


FOLLOW_LINE = re.compile(r"^frame (\d+), type (?:.* \()?(\d+)\)?, (\d+) bytes"
                         r"(?:, echo of frame (\d+) after (\d+)\.(\d{6}) s)?: (.*)$")


def cmd_follow_transcript(a, ts):
    """-z follow,appmsg,ascii,N for every connection: Node 0 is the client; a line per message in
    stream order on its sender's side, with the manifest's type, length and payload; every echo
    names its request's frame, and its time is the segments' difference."""
    ts.require_plugin()
    _, args, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    messages, segments = manifest_messages(capture), tcp_data_segments(ts, capture)
    connections = sorted({conn for conn, _ in messages})
    total = 0
    for two_pass, passes in PASSES:
        for conn in connections:
            where = f"{a.name} stream {conn} ({passes})"
            nodes, records = follow_records(
                tshark_z(ts, capture, opts, f"follow,appmsg,ascii,{conn}", two_pass))
            client_port = str(51000 + conn)
            if not nodes.get(0, "").endswith(":" + client_port):
                raise Failure(f"{where}: Node 0 is {nodes.get(0)}, not the client (port "
                              f"{client_port})")
            frame_time = {f: t for d in ("c2s", "s2c") for f, t in segments[(conn, d)]}
            request_frames = []
            for d, is_server in (("c2s", False), ("s2c", True)):
                lines = [line for server, line in records if server == is_server]
                want = messages[(conn, d)]
                if len(lines) != len(want):
                    raise Failure(f"{where} {d}: {len(lines)} lines, {len(want)} messages")
                for n, (line, m) in enumerate(zip(lines, want)):
                    f = FOLLOW_LINE.match(line)
                    if not f or (int(f.group(2)), int(f.group(3)), f.group(7)) != \
                            (m["type"], m["length"], shown_payload(m["payload"])):
                        raise Failure(f"{where} {d} message {n}: {line!r}, expected type "
                                      f"{m['type']}, {m['length']} bytes, "
                                      f"{shown_payload(m['payload'])!r}")
                    if not is_server:
                        request_frames.append(int(f.group(1)))
                        continue
                    if "--no-echo" in args:
                        raise Failure(f"{where}: a server message in a capture without echoes")
                    request, echo = request_frames[n], int(f.group(1))
                    usec = int(f.group(5)) * 1000000 + int(f.group(6))
                    if f.group(4) is None or int(f.group(4)) != request or \
                            usec != frame_time[echo] - frame_time[request]:
                        raise Failure(f"{where}: echo {n} {line!r} is not of frame {request} "
                                      f"after {frame_time[echo] - frame_time[request]} µs")
            if two_pass:
                total += len(records)
    print(f"{a.name}: {len(connections)} connection(s), {total} lines: every message in order "
          "on its side, echoes with their request's frame and time, in one pass and in two")


# ---- Conversations and Endpoints -----------------------------------------------------------------

CONV_ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+(\d+) (\d+) bytes\s+(\d+) (\d+) bytes\s+(\d+) "
                      r"(\d+) bytes")
# 4.6 writes "bytes" after each byte count, 4.0 and 4.4 do not.
ENDPOINT_ROW = re.compile(r"^(\S+)\s+(\d+)\s+(\d+)(?: bytes)?\s+(\d+)\s+(\d+)(?: bytes)?\s+(\d+)"
                          r"\s+(\d+)(?: bytes)?\s*$")


def cmd_conv_counts(a, ts):
    """-z conv,appmsg and -z endpoints,appmsg: a row per connection, whose messages and bytes
    each way are the manifest's (header and payload); per host, the sums."""
    ts.require_plugin()
    _, args, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    messages = manifest_messages(capture)
    header = HEADER_LEN["--checked" in args]
    per_conn = defaultdict(dict)
    for (conn, d), msgs in messages.items():
        per_conn[conn][d] = (len(msgs), sum(header + len(m["payload"].encode()) for m in msgs))
    # The table does not say which side is A: compare each row as an unordered pair.
    want = sorted(sorted(c.get(d, (0, 0)) for d in ("c2s", "s2c")) for c in per_conn.values())
    for two_pass, passes in PASSES:
        text = tshark_z(ts, capture, opts, "conv,appmsg", two_pass)
        rows = [CONV_ROW.match(line) for line in text.splitlines()]
        got = sorted(sorted(((int(r.group(3)), int(r.group(4))), (int(r.group(5)),
                                                                   int(r.group(6)))))
                     for r in rows if r)
        if got != want:
            raise Failure(f"{a.name} ({passes}): conversations (messages, bytes) each way {got}, "
                          f"expected {want}")
        for r in filter(None, rows):
            if int(r.group(7)) != int(r.group(3)) + int(r.group(5)):
                raise Failure(f"{a.name} ({passes}): {r.group(0)!r}: total is not the sum")
        # Endpoints are host and port (tshark prints the host alone): each client port has its
        # connection's messages, the server's one port all of them.
        text = tshark_z(ts, capture, opts, "endpoints,appmsg", two_pass)
        endpoints = sorted(tuple(map(int, m.groups()[1:3]))
                           for m in map(ENDPOINT_ROW.match, text.splitlines()) if m)
        conn_totals = [tuple(map(sum, zip(*c.values()))) for c in per_conn.values()]
        want_endpoints = sorted(conn_totals + [tuple(map(sum, zip(*conn_totals)))])
        if endpoints != want_endpoints:
            raise Failure(f"{a.name} ({passes}): endpoints (messages, bytes) {endpoints}, "
                          f"expected {want_endpoints}")
    print(f"{a.name}: {len(want)} conversation(s), messages and bytes each way as the manifest "
          "says; endpoints their sums; in one pass and in two")
