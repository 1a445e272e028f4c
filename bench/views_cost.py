#!/usr/bin/env python3
"""What the conversation views cost (Follow → AppMsg Stream, Service Response Time,
Conversations), side by side in one run, on one 1,000,000-message capture:

  (b)  this plugin, no view open          -q -Y appmsg (every packet dissected, nothing printed)
  (o)  an older plugin (--baseline), the same: the views' cost to a user who opens none
  (s)  this plugin with -z appmsg,srt
  (v)  this plugin with -z conv,appmsg
  (f)  this plugin with -z follow,appmsg,ascii,0 (one line a message, printed)

Prints each one's time and peak RSS, and the ratios: (b)/(o) should be 1 within the noise
(nothing runs for a view nobody opened); each view's ratio to (b) is what opening it costs.

    bench/views_cost.py --baseline OLD_BUILD [--build build] [--messages 1000000] [--runs 3]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests"))
from checks.sandbox import Tshark  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(SOURCE, "build"))
    p.add_argument("--baseline", required=True, help="build folder of the plugin to compare with")
    p.add_argument("--messages", type=int, default=1000000)
    p.add_argument("--runs", type=int, default=3, help="best of N for each case")
    p.add_argument("--gen-args", default="-s merged -k 16",
                   help="appmsg-gen options for the capture's shape (default: %(default)s)")
    a = p.parse_args()
    if not shutil.which("/usr/bin/time"):
        sys.exit("bench needs GNU time: apt-get install time")
    new = Tshark(os.path.join(a.build, "plugin", "appmsg.so"))
    old = Tshark(os.path.join(a.baseline, "plugin", "appmsg.so"))
    tmp = tempfile.mkdtemp(prefix="appmsg-bench-")
    try:
        capture = os.path.join(tmp, "bench.pcap")
        subprocess.run([os.path.join(a.build, "gen", "appmsg-gen"), "-n", str(a.messages // 2),
                        "--no-manifest", "-w", capture] + a.gen_args.split(), check=True)
        new.require_plugin()
        old.require_plugin()
        cases = [("b", "this plugin", new, []),
                 ("o", "baseline plugin", old, []),
                 ("s", "-z appmsg,srt", new, ["-z", "appmsg,srt"]),
                 ("v", "-z conv,appmsg", new, ["-z", "conv,appmsg"]),
                 ("f", "-z follow,appmsg", new, ["-z", "follow,appmsg,ascii,0"])]
        results = {}
        for _ in range(a.runs):  # interleaved: the machine's noise hits every case alike
            for key, name, ts, args in cases:
                stats = os.path.join(ts.inputs, "time.txt")
                # -Y makes tshark dissect every packet; -q alone would skip dissection.
                ts.run(["-q", "-Y", "appmsg", "-r", ts.readable(capture)] + args,
                       wrap=["/usr/bin/time", "-f", "%e %M", "-o", stats])
                with open(stats) as f:
                    secs, kb = f.read().split()[-2:]
                best = results.get(key)
                if not best or float(secs) < best[1]:
                    results[key] = (name, float(secs), int(kb) / 1024)
        version = subprocess.run(["tshark", "--version"], capture_output=True,
                                 text=True).stdout.split("\n")[0]
        print(f"{version}, {a.messages} messages, appmsg-gen {a.gen_args}, best of {a.runs}")
        for key, name, _, _ in cases:
            _, secs, mb = results[key]
            print(f"  ({key}) {name:<18} {secs:7.2f} s  {mb:8.1f} MB peak RSS")
        b = results["b"]
        print(f"  (b)/(o) time {b[1] / results['o'][1]:5.2f}  RSS {b[2] / results['o'][2]:5.2f}"
              "   no view open: this plugin against the baseline")
        for key in "svf":
            r = results[key]
            print(f"  ({key})/(b) time {r[1] / b[1]:5.2f}  RSS {r[2] / b[2]:5.2f}   {r[0]}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        new.cleanup()
        old.cleanup()


if __name__ == "__main__":
    sys.exit(main())
