"""Captures of other protocols, built here byte by byte: traffic the plugin must leave as it
found it (tests) and must not slow down (bench/foreign_cost.py). Real TCP as a stack sends it —
handshake, every data segment acknowledged, FIN both ways — so that Wireshark's TCP analysis has
nothing to say and costs what it costs on a real capture.

Each builder returns a list of (seconds, Ethernet frame); write_pcap() stores them."""
import random
import struct

MAGIC = bytes.fromhex("12345678")
MAGIC_COOKIE = bytes.fromhex("63825363")  # DHCP's
MAC_CLIENT = bytes.fromhex("020000000001")
MAC_SERVER = bytes.fromhex("020000000002")


def inet_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 64,
                         proto, 0, bytes(src), bytes(dst))
    header = header[:10] + struct.pack("!H", inet_sum(header)) + header[12:]
    return header + payload


def transport_sum(src, dst, proto, segment):
    pseudo = struct.pack("!4s4sBBH", bytes(src), bytes(dst), 0, proto, len(segment))
    return inet_sum(pseudo + segment)


def ethernet(src_mac, dst_mac, packet):
    return dst_mac + src_mac + b"\x08\x00" + packet


class TcpConnection:
    """One connection from client to server: frames with correct sequence numbers, ACKs and
    checksums, 100 µs apart."""

    SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08

    def __init__(self, frames, t, client, server, cport, sport):
        self.frames, self.t = frames, t
        self.ends = {0: (client, cport, MAC_CLIENT), 1: (server, sport, MAC_SERVER)}
        self.seq = {0: 1000, 1: 5000}
        self.ident = 1

    def _send(self, side, flags, payload=b""):
        (src, sport, smac), (dst, dport, dmac) = self.ends[side], self.ends[1 - side]
        ack = self.seq[1 - side] if flags & self.ACK else 0
        header = struct.pack("!HHIIBBHHH", sport, dport, self.seq[side], ack, 5 << 4, flags, 65535,
                             0, 0)
        segment = header + payload
        csum = transport_sum(src, dst, 6, segment)
        segment = segment[:16] + struct.pack("!H", csum) + segment[18:]
        self.frames.append((self.t, ethernet(smac, dmac, ipv4(src, dst, 6, segment, self.ident))))
        self.ident += 1
        self.t += 0.0001
        self.seq[side] = (self.seq[side] + len(payload) + (1 if flags & (self.SYN | self.FIN) else 0)) \
            & 0xFFFFFFFF

    def open(self):
        self._send(0, self.SYN)
        self._send(1, self.SYN | self.ACK)
        self._send(0, self.ACK)

    def data(self, side, payload):
        """One data segment, then the other side's ACK of it."""
        self.send(side, payload)
        self._send(1 - side, self.ACK)

    def send(self, side, payload):
        """One data segment, acknowledging what the other side sent (its ACK rides on its next
        data segment, as an echo server's does)."""
        self._send(side, self.PSH | self.ACK, payload)

    def ack(self, side):
        self._send(side, self.ACK)

    def close(self):
        self._send(0, self.FIN | self.ACK)
        self._send(1, self.FIN | self.ACK)
        self._send(0, self.ACK)


def conversation(frames, t, n, sport, exchanges, cport=None):
    """A TCP connection (the nth, for its addresses) carrying exchanges: (side, payload) pairs,
    side 0 the client; returns the time after it."""
    client = (10, 0, (n >> 8) & 0xFF, n & 0xFF)
    server = (10, 1, 0, 1)
    c = TcpConnection(frames, t, client, server, cport or 40000 + n % 20000, sport)
    c.open()
    for side, payload in exchanges:
        c.data(side, payload)
    c.close()
    return c.t + 0.001


def modbus_exchanges(count, stray_at=None, rng=None):
    """Read Holding Registers requests and their responses (Modbus/TCP, MBAP header); with
    stray_at, that request is replaced by a segment that starts with the AppMsg magic and a
    plausible length (the bytes of a misbehaving client, or of a tunnelled payload)."""
    rng = rng or random.Random(1)
    out = []
    for i in range(count):
        tid = i + 1
        if i == stray_at:
            out.append((0, MAGIC + struct.pack("!II", 1, 16) + bytes(rng.randrange(256) for _ in range(16))))
        else:
            out.append((0, struct.pack("!HHHBBHH", tid, 0, 6, 1, 3, 100 + i, 4)))
        regs = struct.pack("!4H", *(rng.randrange(65536) for _ in range(4)))
        out.append((1, struct.pack("!HHHBBB", tid, 0, 3 + len(regs), 1, 3, len(regs)) + regs))
    return out


def modbus_write_batches(adus, per_segment=16):
    """Modbus/TCP as a bench peer for AppMsg (bench/native_cost.py): Write Single Register
    requests (12-byte ADUs, MBAP header), per_segment of them in each client segment, every
    batch echoed in one server segment, as a Modbus server answers this function. One
    connection, adus requests in all; the same shape as appmsg-gen -s merged -k 16."""
    frames = []
    c = TcpConnection(frames, 0.0, (192, 0, 2, 10), (192, 0, 2, 20), 51000, 502)
    c.open()
    for first in range(0, adus, per_segment):
        batch = b"".join(struct.pack("!HHHBBHH", (i + 1) & 0xFFFF, 0, 6, 1, 6, i % 100, i & 0xFFFF)
                         for i in range(first, min(adus, first + per_segment)))
        c.send(0, batch)
        c.send(1, batch)  # the server's echo acknowledges the request
    c.ack(0)
    c.close()
    return frames


def http_body_stray_exchanges(count, rng=None):
    """HTTP on an unregistered port, whose responses send their body in a segment of its own;
    one body starts with the magic and a plausible length, another with the little-endian
    magic: text, not one JSON value."""
    rng = rng or random.Random(6)
    out = []
    for i in range(count):
        out.append((0, f"GET /blob/{i} HTTP/1.1\r\nHost: example.test\r\n\r\n".encode()))
        text = b"<html><body>blob %d, %d</body></html>" % (i, rng.randrange(10**6))
        if i == 3:
            body = MAGIC + struct.pack("!II", 2, len(text)) + text
        elif i == 5:
            body = MAGIC[::-1] + struct.pack("<II", 2, len(text)) + text
        else:
            body = text
        out.append((1, b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode()
                    + b"\r\n\r\n"))
        out.append((1, body))
    return out


def binary_exchanges(count, stray_at=None, rng=None, magic=MAGIC):
    """An unknown binary protocol (type, length, random body) on an unregistered port; with
    stray_at, that record starts with the magic (big- or little-endian), a plausible length
    and a body that is not JSON."""
    rng = rng or random.Random(2)
    out = []
    for i in range(count):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(8, 64)))
        if i == stray_at:
            order = "!" if magic == MAGIC else "<"
            record = magic + struct.pack(order + "II", 7, len(body)) + body
        else:
            record = struct.pack("!BH", 0xA5, len(body)) + body
        out.append((i % 2, record))
    return out


def http_exchanges(count, rng=None):
    rng = rng or random.Random(3)
    out = []
    for i in range(count):
        out.append((0, f"GET /item/{i} HTTP/1.1\r\nHost: example.test\r\nUser-Agent: appmsg-bench"
                       f"\r\nAccept: */*\r\n\r\n".encode()))
        body = ("{\"item\": %d, \"value\": %d}" % (i, rng.randrange(10**6))).encode()
        out.append((1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                       + str(len(body)).encode() + b"\r\n\r\n" + body))
    return out


def tls_exchanges(count, rng=None):
    """TLS 1.2 application-data records (opaque to Wireshark without keys, as most TLS is)."""
    rng = rng or random.Random(4)
    out = []
    for i in range(count):
        for side in (0, 1):
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(40, 400)))
            out.append((side, struct.pack("!BHH", 23, 0x0303, len(body)) + body))
    return out


def dhcp_frames(count, rng=None):
    """DHCP DISCOVER and OFFER datagrams: no TCP at all."""
    rng = rng or random.Random(5)
    frames, t = [], 0.0
    for i in range(count):
        xid = rng.randrange(1 << 32)
        mac = bytes([2, 0, 0, 0, (i >> 8) & 0xFF, i & 0xFF])
        for op, (src, dst, sp, dp, msg) in enumerate([((0, 0, 0, 0), (255, 255, 255, 255), 68, 67, 1),
                                                      ((10, 1, 0, 1), (255, 255, 255, 255), 67, 68, 2)]):
            bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op + 1, 1, 6, 0, xid, 0, 0x8000,
                                bytes(4), bytes((10, 0, 9, i % 250 + 1)) if op else bytes(4),
                                bytes(4), bytes(4), mac + bytes(10), b"", b"")
            options = MAGIC_COOKIE + bytes((53, 1, msg, 255))
            payload = bootp + options
            udp = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
            udp = udp[:6] + struct.pack("!H", transport_sum(src, dst, 17, udp) or 0xFFFF) + udp[8:]
            frames.append((t, ethernet(mac if op == 0 else MAC_SERVER, b"\xff" * 6,
                                       ipv4(src, dst, 17, udp, i))))
            t += 0.0001
    return frames



def tcp_capture(exchanges_per_conn, connections, port, make):
    frames, t = [], 0.0
    for n in range(connections):
        t = conversation(frames, t, n, port, make(exchanges_per_conn, rng=random.Random(n)))
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, frame in frames:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)


# The captures the bench and the tests use, by name: what they are made of.
def build(name, scale=1):
    if name == "modbus-stray":
        frames = []
        conversation(frames, 0.0, 1, 502, modbus_exchanges(12, stray_at=5))
        return frames
    if name == "binary-stray":
        frames = []
        conversation(frames, 0.0, 1, 38999, binary_exchanges(12, stray_at=5))
        return frames
    if name == "le-stray":
        frames = []
        conversation(frames, 0.0, 1, 38998, binary_exchanges(12, stray_at=5, magic=MAGIC[::-1]))
        return frames
    if name == "http-body-stray":
        frames = []
        conversation(frames, 0.0, 1, 39001, http_body_stray_exchanges(8))
        return frames
    if name == "http":
        return tcp_capture(10, 100 * scale, 80, http_exchanges)
    if name == "modbus":
        return tcp_capture(20, 50 * scale, 502, modbus_exchanges)
    if name == "tls":
        return tcp_capture(10, 100 * scale, 443, tls_exchanges)
    if name == "binary":
        return tcp_capture(20, 50 * scale, 38999, binary_exchanges)
    if name == "dhcp":
        return dhcp_frames(2500 * scale)
    raise KeyError(name)


NAMES = ("modbus-stray", "binary-stray", "le-stray", "http-body-stray", "http", "modbus", "tls",
         "binary", "dhcp")
