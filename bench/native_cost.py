#!/usr/bin/env python3
"""The plugin against a dissector of Wireshark's own, per message, side by side in one run:
instructions (callgrind) that each adds to TCP alone, net of start-up.

The peer is Wireshark's Modbus/TCP dissector: a length-prefixed protocol on TCP, with about as
many items per message as ours. Both captures have the same shape, one connection, 16 messages
per client segment, each batch echoed in one server segment that acknowledges it:

  appmsg   appmsg-gen -s merged -k 16 (payloads of 20-120 bytes of JSON)
  modbus   Write Single Register requests (12-byte ADUs, 9 items each), echoed as Modbus
           servers answer them (tests/checks/foreign.py: modbus_write_batches)

Each capture is read over TCP alone (its port decoded as data) and by its dissector: the
plugin with defaults and with payload_as_json off, Modbus/TCP with Wireshark's defaults. Three
ways of reading:

  fields      -T fields -E occurrence=a -e <its type field>: every item built (tshark prints
              from the tree)
  two-pass    the same with -2; its first pass (dissection without a tree, as in every -2
              run, before anything is filtered or printed) is reported as the difference from
              fields: tshark has no way to run the first pass alone (-2 -q dissects nothing)
  gui         -Y <protocol>: the whole capture under a filter, summary lines printed, no tree
              shown: what the GUI does while it reads a capture

Each case runs on two sizes (--small and --large messages); the difference divided by the
difference in messages is the cost of one message, with start-up and the handshake cancelled.
callgrind counts are repeatable for the same binary and input, whatever else the machine does.
The target (issue 27): with defaults, the plugin adds at most what Modbus/TCP adds per ADU.

    bench/native_cost.py [--build build] [--modes fields,two-pass,gui] [--baseline OLD.so]
                         [--keep DIR]   (callgrind's files, for callgrind_annotate --inclusive=yes)
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

from bench_common import DEFAULT_GEN_ARGS, SOURCE, Tshark, callgrind_instructions

from checks import foreign  # noqa: E402  (bench_common put tests/ on the path)

APPMSG_PORT = 65432  # appmsg-gen's default server port
MODES = {
    "fields": lambda field, proto: ["-T", "fields", "-E", "occurrence=a", "-e", field],
    "two-pass": lambda field, proto: ["-2", "-T", "fields", "-E", "occurrence=a", "-e", field],
    "gui": lambda field, proto: ["-Y", proto],
}
JSON_OFF = ["-o", "appmsg.payload_as_json:FALSE"]


def setups(baseline):
    """(name, capture, plugin: 'ours'/'baseline'/None, options, field, filter) per case."""
    tcp_appmsg = ["--disable-protocol", "appmsg", "-d", f"tcp.port=={APPMSG_PORT},data"]
    out = [
        ("appmsg: TCP alone", "appmsg", "ours", tcp_appmsg, "tcp.len", "tcp"),
        ("appmsg: plugin, defaults", "appmsg", "ours", [], "appmsg.type", "appmsg"),
        ("appmsg: plugin, JSON off", "appmsg", "ours", JSON_OFF, "appmsg.type", "appmsg"),
        ("modbus: TCP alone", "modbus", None, ["-d", "tcp.port==502,data"], "tcp.len", "tcp"),
        ("modbus: Modbus/TCP", "modbus", None, [], "modbus.func_code", "mbtcp"),
    ]
    if baseline:
        out.insert(3, ("appmsg: baseline, defaults", "appmsg", "baseline", [], "appmsg.type",
                       "appmsg"))
    return out


def make_captures(build, ts, sizes):
    """{(kind, messages): path readable in the sandbox}."""
    paths = {}
    for n in sizes:
        path = os.path.join(ts.inputs, f"appmsg-{n}.pcap")
        subprocess.run([os.path.join(build, "gen", "appmsg-gen"), "-n", str(n // 2),
                        "--no-manifest", "-w", path] + DEFAULT_GEN_ARGS.split(), check=True)
        paths[("appmsg", n)] = path
        path = os.path.join(ts.inputs, f"modbus-{n}.pcap")
        foreign.write_pcap(path, foreign.modbus_write_batches(n // 2))
        paths[("modbus", n)] = path
    for path in paths.values():
        os.chmod(path, 0o644)
    return paths


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(SOURCE, "build"))
    p.add_argument("--modes", default=",".join(MODES), help="of " + ", ".join(MODES))
    p.add_argument("--small", type=int, default=20000, help="messages in the smaller capture")
    p.add_argument("--large", type=int, default=80000, help="messages in the larger capture")
    p.add_argument("--baseline", help="another appmsg.so measured beside (e.g. before a change)")
    p.add_argument("--keep", help="a folder to keep callgrind's output files in")
    a = p.parse_args()
    modes = a.modes.split(",")
    if not shutil.which("valgrind") or any(m not in MODES for m in modes):
        sys.exit("bench needs valgrind (apt-get install valgrind) and modes among "
                 + ", ".join(MODES))
    if "two-pass" in modes and "fields" not in modes:
        modes.insert(0, "fields")  # the first pass is two-pass less fields
    sandboxes = {"ours": Tshark(os.path.join(a.build, "plugin", "appmsg.so"))}
    if a.baseline:
        sandboxes["baseline"] = Tshark(a.baseline)
    keep = a.keep or sandboxes["ours"].home
    os.makedirs(keep, exist_ok=True)
    os.chmod(keep, 0o777)
    try:
        for ts in sandboxes.values():
            ts.require_plugin()
        captures = make_captures(a.build, sandboxes["ours"], (a.small, a.large))
        cases = setups(a.baseline)
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for mode in modes:
                for name, kind, plugin, opts, field, proto in cases:
                    ts = sandboxes[plugin or "ours"]
                    for n in (a.small, a.large):
                        slug = re.sub(r"[^a-z0-9]+", "-", f"{mode} {name} {n}")
                        out = os.path.join(keep, f"callgrind.{slug}")
                        args = opts + MODES[mode](field, proto)
                        jobs[(mode, name, n)] = pool.submit(
                            callgrind_instructions, ts, ts.readable(captures[(kind, n)]), args, out)
        counts = {k: f.result() for k, f in jobs.items()}
        version = subprocess.run(["tshark", "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
        span = a.large - a.small
        print(f"{version}; instructions per message, slope between {a.small:,} and "
              f"{a.large:,} messages; added = over TCP alone on the same capture")
        verdict = True
        slope = {(mode, name): (counts[(mode, name, a.large)] - counts[(mode, name, a.small)])
                 / span for mode in modes for name, *_ in cases}
        for mode in modes:
            if mode == "two-pass":
                per = {name: slope[(mode, name)] - slope[("fields", name)] for name, *_ in cases}
                mode = "first pass of -2 (two-pass less fields)"
            else:
                per = {name: slope[(mode, name)] for name, *_ in cases}
            print(f"  {mode}:")
            for name, kind, *_ in cases:
                added = per[name] - per[f"{kind}: TCP alone"]
                print(f"    {name:<28} {per[name]:9,.0f}" +
                      ("" if name.endswith("TCP alone") else f"   added {added:8,.0f}"))
            ours = per["appmsg: plugin, defaults"] - per["appmsg: TCP alone"]
            peer = per["modbus: Modbus/TCP"] - per["modbus: TCP alone"]
            print(f"    added, plugin with defaults / Modbus/TCP: {ours / peer:.2f}"
                  + ("   target <= 1 (issue 27)" if mode == "fields" else ""))
            if mode == "fields":
                verdict = ours <= peer
        if a.keep:
            print(f"callgrind files in {a.keep} (callgrind_annotate --inclusive=yes FILE)")
        return 0 if verdict else 1
    finally:
        for ts in sandboxes.values():
            ts.cleanup()


if __name__ == "__main__":
    sys.exit(main())
