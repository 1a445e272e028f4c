"""The heuristic takes AppMsg where the stream is awkward and nothing else: other protocols'
captures look the same with the plugin as without it; AppMsg on an unregistered port is found
when the capture starts mid-stream or the client writes its header in pieces."""
import os
import struct
import subprocess

from checks import foreign
from checks.sandbox import Failure, Tshark, run
from checks.views import packets_json

# Other protocols' traffic, each with and without the magic in it (tests/checks/foreign.py).
FOREIGN = ("modbus-stray", "binary-stray", "le-stray", "http-body-stray", "http", "modbus",
           "tls", "binary", "dhcp")


def shown(ts, capture, two_pass):
    """The packet list (summary lines), one pass or two."""
    return ts.run((["-2"] if two_pass else []) + ["-r", capture]).stdout


def cmd_foreign_untouched(a, ts):
    """Captures of other protocols, some with a segment that starts with the magic and a
    plausible length, look exactly as they do without the plugin: packet list in one pass and
    two, and every field of the frames with the magic."""
    ts.require_plugin()
    bare = Tshark(None, memo=a.memo)
    try:
        bare.require_no_plugin()
        for name in FOREIGN:
            path = os.path.join(ts.inputs, f"{name}.pcap")
            foreign.write_pcap(path, foreign.build(name))
            os.chmod(path, 0o644)
            capture, plain = ts.readable(path), bare.readable(path)
            for two_pass in (False, True):
                ours, theirs = shown(ts, capture, two_pass), shown(bare, plain, two_pass)
                if ours != theirs:
                    diff = [f"- {t}\n+ {o}" for o, t in zip(ours.splitlines(), theirs.splitlines())
                            if o != t]
                    raise Failure(f"{name} ({'two passes' if two_pass else 'one pass'}) changed "
                                  f"with the plugin, {len(diff)} lines:\n" + "\n".join(diff[:6]))
            if name.endswith("-stray"):
                ours = ts.run(["-2", "-r", capture, "-V", "-Y", "tcp.len > 0"]).stdout
                theirs = bare.run(["-2", "-r", plain, "-V", "-Y", "tcp.len > 0"]).stdout
                if ours != theirs:
                    raise Failure(f"{name}: packet details differ with the plugin")
            print(f"{name}: {len(ours.splitlines())} lines, the same with and without the plugin")
    finally:
        bare.cleanup()


def messages_by_frame(ts, capture, opts):
    """[(frame, type, length)] for every message tshark shows (two passes)."""
    found = []
    for layers in packets_json(ts, capture, ["frame.number", "appmsg.type", "appmsg.length"], opts):
        frame = int(layers["frame.number"][0])
        found += [(frame, int(t), int(l))
                  for t, l in zip(layers.get("appmsg.type", []), layers.get("appmsg.length", []))]
    return found


def check_found(name, ts, capture, port, lost_at_most):
    """The heuristic shows what the port preference shows, from the frame it took the
    connection on (nothing before it), losing at most lost_at_most messages."""
    truth = messages_by_frame(ts, capture, ["--disable-heuristic", "appmsg_tcp", "-o",
                                            f"appmsg.tcp.port:{port}"])
    got = messages_by_frame(ts, capture, [])
    if not got:
        raise Failure(f"{name}: the heuristic found nothing ({len(truth)} messages there)")
    start = got[0][0]
    # Nothing before the frame it took the connection on. From there, every frame shows what the
    # port shows, but a message that began before that frame (its start was not taken) is
    # missing at the head of the first frame of each direction: per frame, a suffix.
    for frame in sorted({m[0] for m in truth if m[0] >= start}):
        ours = [m for m in got if m[0] == frame]
        port = [m for m in truth if m[0] == frame]
        if port[len(port) - len(ours):] != ours or (len(ours) < len(port) and frame > start + 1):
            raise Failure(f"{name}: frame {frame} shows {ours} with the heuristic, {port} with "
                          f"the port (taken from frame {start})")
    if len(truth) - len(got) > lost_at_most:
        raise Failure(f"{name}: {len(truth) - len(got)} of {len(truth)} messages not found "
                      f"(taken from frame {start})")
    print(f"{name}: {len(got)} of {len(truth)} messages, from frame {start}")


def cut_before(capture, first_frame, out):
    proc = run(["editcap", "-r", capture, out, f"{first_frame}-1000000"])
    if proc.returncode != 0:
        raise Failure(f"editcap failed: {proc.stderr}")
    os.chmod(out, 0o644)


def appmsg(type_, payload, order="!"):
    body = payload.encode()
    return struct.pack(order + "III", 0x12345678, type_, len(body)) + body


def written_in_pieces(ts, port, name, piece, order="!"):
    """A client that writes each header in pieces of piece bytes, then the payload; the server
    echoes whole messages."""
    frames, exchanges = [], []
    for i in range(8):
        msg = appmsg(1 + i % 3, '{"n": %d, "text": "written in pieces"}' % i, order)
        exchanges += [(0, msg[j:j + piece]) for j in range(0, 12, piece)] + [(0, msg[12:]), (1, msg)]
    foreign.conversation(frames, 0.0, 1, port, exchanges)
    path = os.path.join(ts.inputs, f"{name}.pcap")
    foreign.write_pcap(path, frames)
    os.chmod(path, 0o644)
    return ts.readable(path)


def cmd_heuristic_awkward(a, ts):
    """AppMsg on an unregistered port: captures that start mid-stream (whole, partial, mixed
    and merged segments), a client that writes each header in pieces of 7, 3 or 1 bytes, and
    little-endian headers."""
    ts.require_plugin()
    port = 47002
    for shape in ("whole", "partial", "mixed", "merged"):
        full = os.path.join(ts.inputs, f"mid-{shape}-full.pcap")
        proc = subprocess.run([a.gen, "-n", "20", "-s", shape, "-p", str(port), "--seed", "3",
                               "--no-manifest", "-w", full], stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise Failure(f"appmsg-gen: {proc.stderr}")
        os.chmod(full, 0o644)
        check_found(f"{shape}, whole capture", ts, ts.readable(full), port, 0)
        mid = os.path.join(ts.inputs, f"mid-{shape}.pcap")
        cut_before(full, 10, mid)  # inside the fourth exchange: no SYN, no first bytes
        # Lost: the messages before the first evidence; with partial segments one per direction
        # (its header is evidence only when the next one follows it).
        check_found(f"{shape}, from frame 10 on", ts, ts.readable(mid), port, 4)
    for piece in (7, 3, 1):
        check_found(f"a client writing {piece}-byte header pieces", ts,
                    written_in_pieces(ts, port, f"header-in-{piece}", piece), port, 0)
    # A little-endian header (docs/debugging.md): the heuristic finds it as it is.
    for piece in (12, 7):
        check_found(f"little-endian headers in {piece}-byte pieces", ts,
                    written_in_pieces(ts, port, f"le-header-in-{piece}", piece, "<"), port, 0)
