"""What the tshark benches share: the capture they read, and one timed tshark run."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests"))
from checks.sandbox import Tshark  # noqa: E402,F401  (the benches' tshark sandbox)

# A client that writes its messages in batches of 16 (about 1.3 kB a segment, under one MSS):
# per-message work shows, not per-packet work, which is the same for every case.
DEFAULT_GEN_ARGS = "-s merged -k 16"


def need_gnu_time():
    if not shutil.which("/usr/bin/time"):
        sys.exit("bench needs GNU time: apt-get install time")


def make_capture(build, messages, gen_args):
    """(temporary folder, capture): messages in all, half of them the client's, each echoed."""
    tmp = tempfile.mkdtemp(prefix="appmsg-bench-")
    capture = os.path.join(tmp, "bench.pcap")
    subprocess.run([os.path.join(build, "gen", "appmsg-gen"), "-n", str(messages // 2),
                    "--no-manifest", "-w", capture] + gen_args.split(), check=True)
    return tmp, capture


def timed_run(ts, args):
    """tshark args in the sandbox ts: (stdout, seconds, peak RSS in MB)."""
    stats = os.path.join(ts.inputs, "time.txt")
    out = ts.run(args, wrap=["/usr/bin/time", "-f", "%e %M", "-o", stats]).stdout
    with open(stats) as f:
        secs, kb = f.read().split()[-2:]
    return out, float(secs), int(kb) / 1024


def callgrind_instructions(ts, capture, args, out_file):
    """Instructions callgrind counted for tshark args on capture, in the sandbox ts (its
    output file: out_file, where %p is the process id)."""
    proc = ts.run(args + ["-r", capture], check=False,
                  wrap=["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}"])
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not match:
        sys.exit(f"tshark under callgrind failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return int(match.group(1))
