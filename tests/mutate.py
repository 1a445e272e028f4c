#!/usr/bin/env python3
"""Broken captures through the whole dissector: no crash, no hang, no memory error.

Runs every canonical capture as it is, then makes N broken captures — editcap -E bit errors, editcap -s cut frames, frames dropped and
reordered — from the canonical captures and from fresh generator output with random injected
errors, and runs tshark over each (two passes with -V and every -z view: the stats tree,
Service Response Time, Conversations, Endpoints and Follow of the first two connections; then the
views alone in one pass, since a view sees a stream differently in each) with the AddressSanitizer
+ UBSan build of the plugin, libasan preloaded and wmem's simple allocator (as Wireshark's own
tools/fuzz-test.sh does), each run bounded in time. Any sanitizer report, crash, timeout,
"Dissector bug" or exception inside AppMsg ("Malformed Packet: AppMsg") fails the run; the
failing capture is kept.

    tests/mutate.py --plugin build/plugin/asan/appmsg.so --gen build/gen/appmsg-gen --count 400
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks.captures import capture_path, recipes  # noqa: E402
from checks.sandbox import Tshark, run  # noqa: E402
from checks.views import STATS_VIEWS  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 120
# Every tap listener of the plugin: each reads the tap records of broken messages. The golden
# files' views, and Follow of a second connection in another mode.
TAPS = [arg for view in STATS_VIEWS + ["follow,appmsg,hex,1"] for arg in ("-z", view)]
# Two passes with every tree printed and the taps in the same run (a tshark start under ASan
# costs a second: one run for both halves the time), then one pass with the taps alone.
RUNS = (["-2", "-V"] + TAPS, ["-q"] + TAPS)


def libasan():
    path = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                          text=True).stdout.strip()
    return os.path.realpath(path)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    header, records, off = data[:24], [], 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        records.append(data[off:off + 16 + incl])
        off += 16 + incl
    return header, records


def shuffle_frames(src, dst, rng):
    """Drops a few frames and swaps a few neighbours: lost and reordered segments."""
    header, records = read_pcap(src)
    keep = [r for r in records if rng.random() > 0.05]
    for _ in range(max(1, len(keep) // 20)):
        i = rng.randrange(max(1, len(keep) - 1))
        keep[i:i + 2] = keep[i:i + 2][::-1]
    with open(dst, "wb") as f:
        f.write(header + b"".join(keep))


def canonical_captures():
    """The committed captures, one per recipe of captures/recipes.txt."""
    return [capture_path(SOURCE, name) for name, _, _ in recipes(SOURCE)]


def make_inputs(gen, workdir, rng, fresh):
    """Canonical captures (as pcap) and fresh ones with random errors."""
    inputs = []
    for path in canonical_captures():
        out = os.path.join(workdir, os.path.basename(path).split(".")[0] + ".pcap")
        run(["editcap", "-F", "pcap", path, out])
        inputs.append(out)
    kinds = ["bad-magic", "oversize", "bad-utf8", "bad-json", "garbage", "cut", "echo-payload",
             "echo-type"]
    for i in range(fresh):
        count = rng.randrange(5, 60)
        args = ["-n", str(count), "-s", rng.choice(["whole", "merged", "partial", "mixed"]),
                "--seed", str(rng.randrange(1 << 30)), "--no-manifest"]
        for _ in range(rng.randrange(0, 5)):
            args += ["-i", f"{rng.choice(kinds)}@{rng.randrange(count)}"]
        if rng.random() < 0.3:
            args += ["--checked", "-i", f"bad-checksum@{rng.randrange(count)}"]
        if rng.random() < 0.3:
            args += ["-c", str(rng.randrange(2, 4))]
        if rng.random() < 0.2:
            args += ["-6"]
        out = os.path.join(workdir, f"fresh{i}.pcap")
        proc = run([gen] + args + ["-w", out])
        if proc.returncode != 0:
            raise SystemExit(f"appmsg-gen {' '.join(args)}: {proc.stderr}")
        inputs.append(out)
    return inputs


def mutate(src, dst, rng):
    how = rng.choice(["bits", "bits", "cut", "shuffle"])
    if how == "bits":
        run(["editcap", "-E", f"{rng.uniform(0.002, 0.05):.4f}", "--seed",
             str(rng.randrange(1 << 30)), src, dst])
    elif how == "cut":
        run(["editcap", "-s", str(rng.randrange(40, 200)), src, dst])
    else:
        shuffle_frames(src, dst, rng)
    return how


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plugin", required=True, help="the ASan build of appmsg.so")
    p.add_argument("--gen", required=True)
    p.add_argument("--count", type=int, default=24, help="broken captures to make")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--keep", default=None, help="folder for the captures that fail")
    a = p.parse_args()

    rng = random.Random(a.seed)
    env = {"LD_PRELOAD": libasan(),
           "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1:allocator_may_return_null=1",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
           "WIRESHARK_DEBUG_WMEM_OVERRIDE": "simple", "G_SLICE": "always-malloc"}
    ts = Tshark(a.plugin, env=env)
    ts.require_plugin()
    work = tempfile.mkdtemp(prefix="appmsg-mutate-")
    try:
        inputs = make_inputs(a.gen, work, rng, max(4, a.count // 6))
        # The canonical captures as they are first: each known case under the sanitizers.
        canonical = len(canonical_captures())
        jobs = [(path, "as is") for path in inputs[:canonical]]
        for i in range(a.count):
            src = rng.choice(inputs)
            dst = os.path.join(work, f"mut{i:04d}.pcap")
            jobs.append((dst, f"{mutate(src, dst, rng)} of {os.path.basename(src)}"))

        def check(job):
            capture, what = job
            path = ts.readable(capture)
            problems = []
            for args in RUNS:
                try:
                    proc = ts.run(["-r", path] + args, check=False, timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    problems.append(f"{' '.join(args)}: no answer in {TIMEOUT} s")
                    continue
                text = proc.stdout + proc.stderr
                for sign in ("AddressSanitizer", "runtime error:", "Dissector bug",
                             "Malformed Packet: AppMsg", "Segmentation fault"):
                    if sign in text:
                        line = next(l for l in text.splitlines() if sign in l)
                        problems.append(f"{' '.join(args)}: {line.strip()}")
                if proc.returncode not in (0, 2):  # 2: tshark's own "capture file damaged"
                    problems.append(f"{' '.join(args)}: exit {proc.returncode}")
            return capture, what, problems

        failures = 0
        with ThreadPoolExecutor(max_workers=a.jobs) as pool:
            for capture, what, problems in pool.map(check, jobs):
                if problems:
                    failures += 1
                    print(f"FAIL {os.path.basename(capture)} ({what}):", *problems, sep="\n    ")
                    if a.keep:
                        os.makedirs(a.keep, exist_ok=True)
                        shutil.copy(capture, a.keep)
        print(f"{canonical} canonical and {a.count} broken captures (from {len(inputs)} inputs), "
              f"{len(RUNS)} tshark runs each "
              f"under ASan+UBSan: {failures} failed")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ts.cleanup()


if __name__ == "__main__":
    sys.exit(main())
