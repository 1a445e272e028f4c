"""What tshark shows of a capture: the four golden views, and the messages, skipped bytes and
expert infos read back from its JSON and PDML."""
import json
import re

from checks.sandbox import Failure


FIELDS = ["frame.number", "tcp.srcport", "appmsg.type", "appmsg.length", "appmsg.payload"]


AGGREGATOR = "|"  # tshark takes one character; payloads are JSON, commas are theirs


def view_fields(ts, capture, opts):
    """One line per frame (one pass): every message it completes, all occurrences."""
    args = ["-r", ts.readable(capture), "-T", "fields", "-E", "header=y", "-E", "occurrence=a",
            "-E", f"aggregator={AGGREGATOR}"] + opts
    for f in FIELDS:
        args += ["-e", f]
    return ts.run(args).stdout


def view_tree(ts, capture, opts):
    """Two passes, packet details with the AppMsg subtrees expanded (-O appmsg)."""
    return ts.run(["-2", "-r", ts.readable(capture), "-O", "appmsg"] + opts).stdout


def view_info(ts, capture, opts):
    """Two passes, the packet list as Wireshark shows it (Protocol and Info columns)."""
    return ts.run(["-2", "-r", ts.readable(capture)] + opts).stdout


# Every statistics view tshark offers for AppMsg: the stats tree, Service Response Time,
# Conversations, Endpoints, and Follow → AppMsg Stream of the first connection.
STATS_VIEWS = ["appmsg,tree", "appmsg,srt", "conv,appmsg", "endpoints,appmsg",
               "follow,appmsg,ascii,0"]


def view_stats(ts, capture, opts, two_pass=True):
    """Every -z view of STATS_VIEWS, in one tshark run (two passes unless told)."""
    args = (["-2"] if two_pass else []) + ["-q", "-r", ts.readable(capture)]
    for view in STATS_VIEWS:
        args += ["-z", view]
    return ts.run(args + opts).stdout


def view_stats_one_pass(ts, capture, opts):
    """The same views in one pass, as tshark without -2 shows them: a message cut by the
    capture's very end is only known once the file has been read (docs/dissector.md)."""
    return view_stats(ts, capture, opts, two_pass=False)


# Dict order is the order update-golden writes them: a two-pass view before its one-pass view.
VIEWS = {"fields": view_fields, "tree": view_tree, "info": view_info, "stats": view_stats,
         "stats-1pass": view_stats_one_pass}

# A one-pass view has a golden file of its own only where it differs from its two-pass view:
# elsewhere its golden file is the two-pass one, so one pass must show the same.
ONE_PASS_OF = {"stats-1pass": "stats"}


EXPERTS = ["appmsg.bad_magic", "appmsg.length_too_large", "appmsg.payload.not_utf8",
           "appmsg.payload.not_json", "appmsg.checksum.bad", "appmsg.truncated",
           "appmsg.echo_differs", "appmsg.mistake.little_endian",
           "appmsg.mistake.length_with_header", "appmsg.mistake.length_in_chars",
           "appmsg.mistake.no_header"]


def packets_json(ts, capture, fields, opts, two_pass=True):
    args = (["-2"] if two_pass else []) + ["-r", ts.readable(capture), "-T", "json"] + opts
    for f in fields:
        args += ["-e", f]
    return [p["_source"]["layers"] for p in json.loads(ts.run(args).stdout or "[]")]


class Pairs(list):
    """A JSON object as its (key, value) pairs: tshark repeats keys (one "appmsg" per message)."""

    def get(self, key, default=None):
        return next((v for k, v in self if k == key), default)


def appmsg_items(ts, capture, opts):
    """{frame number: [AppMsg item, ...]} in tree order, from two-pass -T json."""
    out = ts.run(["-2", "-r", ts.readable(capture), "-T", "json", "-J", "frame appmsg"] + opts)
    items = {}
    for packet in json.loads(out.stdout or "[]", object_pairs_hook=Pairs):
        layers = packet.get("_source").get("layers")
        frame = layers.get("frame").get("frame.number")
        items[frame] = [v for k, v in layers if k == "appmsg"]
    return items


def messages_seen(ts, capture, opts):
    """{(tcp stream, 'c2s'|'s2c'): [(type, length, payload), ...]} as the plugin shows them
    (two passes), and the skipped bytes per direction. The client is the side that sent the
    SYN; a truncated message reported in a later frame belongs to the side it started on."""
    clients, frames, seen, skipped = {}, {}, {}, {}
    for layers in packets_json(ts, capture, [
            "frame.number", "tcp.stream", "ip.src", "tcp.srcport", "tcp.flags.syn",
            "tcp.flags.ack", "appmsg.skipped"], opts):
        first = lambda k: layers.get(k, [None])[0]
        stream, endpoint = first("tcp.stream"), (first("ip.src"), first("tcp.srcport"))
        if first("tcp.flags.syn") in ("1", "True") and first("tcp.flags.ack") in ("0", "False"):
            clients[stream] = endpoint
        frames[first("frame.number")] = (stream, endpoint)
        for hexbytes in layers.get("appmsg.skipped", []):
            key = (int(stream), "c2s" if clients.get(stream) == endpoint else "s2c")
            skipped[key] = skipped.get(key, 0) + len(hexbytes.replace(":", "")) // 2
    for frame, items in appmsg_items(ts, capture, opts).items():
        for item in items:
            if item.get("appmsg.type") is None:
                continue  # a truncated header: nothing to compare
            stream, endpoint = frames[item.get("appmsg.truncated.start", frame)]
            if stream not in clients:
                raise Failure(f"tcp.stream {stream}: messages before any SYN")
            key = (int(stream), "c2s" if clients[stream] == endpoint else "s2c")
            seen.setdefault(key, []).append((int(item.get("appmsg.type")),
                                             int(item.get("appmsg.length")),
                                             item.get("appmsg.payload")))
    return seen, skipped


def expert_counts(ts, capture, opts):
    """How often each AppMsg expert info appears (two passes), from the PDML."""
    pdml = ts.run(["-2", "-r", ts.readable(capture), "-T", "pdml"] + opts).stdout
    return {e: len(re.findall(f'<field name="{re.escape(e)}"', pdml)) for e in EXPERTS}
