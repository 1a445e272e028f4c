"""Messages against the generator's manifest: every message found, errors reported, echoes
paired, JSON members as Python's parser sees them, finding on another port, the maximum length."""
import json
import os

from checks.captures import capture_path, manifest_for, recipe
from checks.sandbox import Failure, run
from checks.views import EXPERTS, Pairs, appmsg_items, expert_counts, messages_seen, packets_json


# What a reader shows for a message with an injected error (docs/manifest.md).
HEADER_LEN = {False: 12, True: 16}


def expected_reader_view(manifest_path, checked):
    """From the manifest: the messages a reader shows per (conn, dir) — payload None where it
    is not compared — the bytes it skips per (conn, dir) as a (least, most) range, and the expert
    infos it reports: a count, None for "one or more where bytes were skipped", or (least, None)
    for "at least least"."""
    shown, skipped = {}, {}
    experts = dict.fromkeys(EXPERTS, 0)
    searched = False  # bytes without a magic that only a bad-magic search names

    def skip(key, least, most=None):
        lo, hi = skipped.get(key, (0, 0))
        skipped[key] = (lo + least, hi + (least if most is None else most))

    with open(manifest_path, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            key, error = (m["conn"], m["dir"]), m.get("error")
            payload_len = len(m["payload"].encode()) if "payload" in m else None
            skip(key, m.get("garbage_before", 0))
            searched |= m.get("garbage_before", 0) > 0
            if error == "bad_magic":
                skip(key, HEADER_LEN[checked] + (payload_len or 0))
                searched = True
                continue
            if error == "oversize":
                skip(key, payload_len or 0)
                experts["appmsg.length_too_large"] += 1
                shown.setdefault(key, []).append((m["type"], m["length"], ""))
                continue
            if error == "cut":
                experts["appmsg.truncated"] += 1
                if m["sent"] >= HEADER_LEN[checked]:
                    shown.setdefault(key, []).append((m["type"], m["length"], None))
                continue
            if error == "bad_utf8":
                experts["appmsg.payload.not_utf8"] += 1
                shown.setdefault(key, []).append((m["type"], m["length"], None))
                continue
            # The sender's mistakes (docs/debugging.md): named, and the message still found.
            if error == "no_header":
                skip(key, payload_len)
                experts["appmsg.mistake.no_header"] += 1
                continue
            if error == "length_in_chars":
                # Whole in one segment, the message is read to its real end; cut by segments,
                # the reader frames the counted bytes and names the rest, skipped, in one or
                # more runs.
                skip(key, 0, payload_len - m["length"])
                experts["appmsg.mistake.length_in_chars"] = (1, None)
                shown.setdefault(key, []).append((m["type"], m["length"], None))
                continue
            if error in ("le_header", "le_length"):
                experts["appmsg.mistake.little_endian"] += 1
            experts["appmsg.mistake.length_with_header"] += error == "length_with_header"
            # an empty payload frames fine but is no JSON value
            experts["appmsg.payload.not_json"] += error == "bad_json" or m["length"] == 0
            experts["appmsg.checksum.bad"] += error == "bad_checksum"
            experts["appmsg.echo_differs"] += error == "echo_differs"
            shown.setdefault(key, []).append((m["type"], m["length"], m["payload"]))
    # One or more per search for a magic; a cut-short length in characters may leave one too.
    experts["appmsg.bad_magic"] = None if searched else (0, None)
    if experts["appmsg.mistake.length_in_chars"]:
        experts["appmsg.payload.not_json"] = (experts["appmsg.payload.not_json"], None)
    return shown, skipped, experts


def compare_messages(name, expected, seen):
    for key in sorted(set(expected) | set(seen)):
        exp, got = expected.get(key, []), seen.get(key, [])
        for i, (e, g) in enumerate(zip(exp, got)):
            if e[:2] != g[:2] or (e[2] is not None and e[2] != g[2]):
                raise Failure(f"{name} {key} message {i}: expected {e}, tshark shows {g}")
        if len(exp) != len(got):
            raise Failure(f"{name} {key}: expected {len(exp)} messages, tshark shows {len(got)}")


def cmd_manifest(a, ts):
    """tshark (two passes) shows exactly the manifest's messages, skips exactly the injected
    bytes and reports exactly the injected errors."""
    ts.require_plugin()
    _, gen_args, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    expected, exp_skipped, exp_experts = expected_reader_view(
        manifest_for(capture), "--checked" in gen_args)
    seen, skipped = messages_seen(ts, capture, opts)
    compare_messages(a.name, expected, seen)
    for key in sorted(set(exp_skipped) | set(skipped)):
        least, most = exp_skipped.get(key, (0, 0))
        if not least <= skipped.get(key, 0) <= most:
            raise Failure(f"{a.name} {key}: {skipped.get(key, 0)} bytes skipped, expected "
                          f"{least if least == most else f'{least} to {most}'}")
    experts = expert_counts(ts, capture, opts)
    for name, count in exp_experts.items():
        want_some = sum(least for least, _ in exp_skipped.values()) > 0
        if count is None and (experts[name] > 0) != want_some:
            raise Failure(f"{a.name}: {experts[name]} × {name}, expected {'some' if want_some else 'none'}")
        if isinstance(count, tuple) and experts[name] < count[0]:
            raise Failure(f"{a.name}: {experts[name]} × {name}, expected at least {count[0]}")
        if isinstance(count, int) and experts[name] != count:
            raise Failure(f"{a.name}: {experts[name]} × {name}, expected {count}")
    counts = ", ".join(f"conn {k[0]} {k[1]}: {len(v)}" for k, v in sorted(seen.items()))
    reported = ", ".join(f"{k.split('appmsg.')[1]} {v}" for k, v in experts.items() if v)
    print(f"{a.name}: tshark shows exactly the manifest's messages ({counts}); "
          f"skipped {sum(skipped.values())} bytes; experts: {reported or 'none'}")


JSON_TREE_MAX_TOKENS = 4096  # core/appmsg_json.h


def expected_members(payload):
    """The appmsg.json.member / .element values the member list should show for payload, in
    tree order, from Python's own JSON parser: ("member", "key:value") for a scalar member,
    ("member", "key") for an object or array member, ("element", value) for a scalar element.
    Numbers as written, strings unescaped. None where the plugin keeps a string as written (a
    NUL or a lone surrogate, which wsutil will not unescape): then nothing is compared."""
    try:
        value = json.loads(payload, object_pairs_hook=lambda pairs: ("obj", pairs),
                           parse_int=str, parse_float=str)
    except ValueError:
        return []
    out, tokens, raw = [], [0], [False]

    def text(v):
        if v is True or v is False or v is None:
            return {True: "true", False: "false", None: "null"}[v]
        if "\0" in v:
            raw[0] = True
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raw[0] = True
        return v

    def walk(v):
        tokens[0] += 1
        if isinstance(v, tuple):
            for key, child in v[1]:
                tokens[0] += 1
                if isinstance(child, (tuple, list)):
                    out.append(("member", text(key)))
                    walk(child)
                else:
                    out.append(("member", f"{text(key)}:{text(child)}"))
                    tokens[0] += 1
        elif isinstance(v, list):
            for child in v:
                if isinstance(child, (tuple, list)):
                    walk(child)
                else:
                    out.append(("element", text(child)))
                    tokens[0] += 1

    if not isinstance(value, (tuple, list)):
        return []
    walk(value)
    if tokens[0] > JSON_TREE_MAX_TOKENS:
        return []
    return None if raw[0] else out


def shown_members(node):
    """The member and element values under an appmsg item of -T json, in tree order."""
    out = []
    for key, value in node if isinstance(node, Pairs) else []:
        if key in ("appmsg.json.member", "appmsg.json.element"):
            out.append((key.split(".")[-1], value))
        out.extend(shown_members(value))
    return out


def cmd_json_members(a, ts):
    """The payload member list shows what Python's JSON parser finds in each payload."""
    ts.require_plugin()
    _, _, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    checked = members = 0
    for frame, items in appmsg_items(ts, capture, opts).items():
        for item in items:
            payload = item.get("appmsg.payload")
            if payload is None or "\ufffd" in payload:
                continue  # none, or not UTF-8 (tshark shows replacement characters)
            want = expected_members(payload)
            if want is None:
                continue
            got = shown_members(item)
            if got != want:
                raise Failure(f"frame {frame}: members {got[:6]}..., expected {want[:6]}...")
            checked += 1
            members += len(got)
    if not checked:
        raise Failure(f"{a.name}: no payload to check")
    print(f"{a.name}: {checked} payloads, {members} members and elements, as Python parses them")


def cmd_pairing(a, ts):
    """Echo pairing is the same in one pass and in two: response_to and time at once,
    response_in (the forward link) once the echo has been seen, and the links agree."""
    ts.require_plugin()
    _, _, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    fields = ["frame.number", "appmsg.response_in", "appmsg.response_to", "appmsg.time"]
    one = {p["frame.number"][0]: p for p in packets_json(ts, capture, fields, opts, False)}
    two = {p["frame.number"][0]: p for p in packets_json(ts, capture, fields, opts, True)}
    pairs = 0
    for frame, p in two.items():
        for k in ("appmsg.response_to", "appmsg.time"):
            if p.get(k) != one[frame].get(k):
                raise Failure(f"frame {frame}: {k} {one[frame].get(k)} in one pass, "
                              f"{p.get(k)} in two")
        for request in p.get("appmsg.response_to", []):
            if frame not in two[request].get("appmsg.response_in", []):
                raise Failure(f"frame {frame} echoes frame {request}, "
                              f"which does not point back")
            pairs += 1
    if not pairs:
        raise Failure(f"{a.name}: no echo pairs at all")
    print(f"{a.name}: {pairs} echo pairs, the same in one and two passes")


def count_messages(ts, capture, opts):
    return sum(len(p.get("appmsg.type", [])) for p in packets_json(ts, capture, ["appmsg.type"], opts))


def cmd_finding(a, ts):
    """A stream on another port is found by the heuristic, the port preference or Decode As;
    with none of them, not at all; and a stream that merely contains the magic is not taken."""
    ts.require_plugin()
    capture = capture_path(a.source, a.name)
    want = sum(1 for _ in open(manifest_for(capture)))
    gen_args = recipe(a.source, a.name)[1]
    port = gen_args[gen_args.index("-p") + 1]
    off = ["--disable-heuristic", "appmsg_tcp"]
    cases = [("heuristic (default)", [], want),
             ("no heuristic", off, 0),
             ("port preference", off + ["-o", f"appmsg.tcp.port:{port}"], want),
             ("Decode As", off + ["-d", f"tcp.port=={port},appmsg"], want)]
    for what, opts, n in cases:
        got = count_messages(ts, capture, opts)
        if got != n:
            raise Failure(f"{what}: {got} messages, expected {n}")
        print(f"{what}: {got} messages")
    # The magic in the middle of another protocol's segment is not a reason to claim it.
    hexdump = os.path.join(ts.inputs, "magic-inside.txt")
    with open(hexdump, "w") as f:
        data = b"HELLO there, not AppMsg: " + bytes.fromhex("12345678000000010000000a") + b" bye"
        f.write("0000  " + " ".join(f"{b:02x}" for b in data) + "\n")
    pcap = os.path.join(ts.inputs, "magic-inside.pcap")
    proc = run(["text2pcap", "-q", "-T", "40000,7002", hexdump, pcap])
    if proc.returncode != 0:
        raise Failure(f"text2pcap failed: {proc.stderr}")
    os.chmod(pcap, 0o644)
    got = count_messages(ts, pcap, [])
    if got != 0:
        raise Failure(f"the heuristic claimed a stream that only contains the magic ({got})")
    print("a segment with the magic inside, not at its start: not claimed")


def cmd_max_length(a, ts):
    """A lower maximum length preference: longer messages are reported and skipped, never
    waited for, and every shorter one is still found."""
    ts.require_plugin()
    capture = capture_path(a.source, a.name)
    limit = 60
    opts = ["-o", f"appmsg.max_length:{limit}"]
    expected, _, _ = expected_reader_view(manifest_for(capture), False)
    seen, _ = messages_seen(ts, capture, opts)
    too_long = 0
    for key, msgs in expected.items():
        expected[key] = [(t, l, p if l <= limit else "") for t, l, p in msgs]
        too_long += sum(1 for m in msgs if m[1] > limit)
    compare_messages(a.name, expected, seen)
    got = expert_counts(ts, capture, opts)["appmsg.length_too_large"]
    if got != too_long:
        raise Failure(f"{got} × length_too_large, expected {too_long}")
    print(f"max_length {limit}: {too_long} messages reported as too long, all others found")
