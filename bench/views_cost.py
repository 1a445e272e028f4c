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

from bench_common import (DEFAULT_GEN_ARGS, SOURCE, Tshark, make_capture, need_gnu_time,
                          timed_run)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(SOURCE, "build"))
    p.add_argument("--baseline", required=True, help="build folder of the plugin to compare with")
    p.add_argument("--messages", type=int, default=1000000)
    p.add_argument("--runs", type=int, default=3, help="best of N for each case")
    p.add_argument("--gen-args", default=DEFAULT_GEN_ARGS,
                   help="appmsg-gen options for the capture's shape (default: %(default)s)")
    a = p.parse_args()
    need_gnu_time()
    new = Tshark(os.path.join(a.build, "plugin", "appmsg.so"))
    old = Tshark(os.path.join(a.baseline, "plugin", "appmsg.so"))
    tmp, capture = make_capture(a.build, a.messages, a.gen_args)
    try:
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
                # -Y makes tshark dissect every packet; -q alone would skip dissection.
                _, secs, mb = timed_run(ts, ["-q", "-Y", "appmsg", "-r", ts.readable(capture)]
                                        + args)
                best = results.get(key)
                if not best or secs < best[1]:
                    results[key] = (name, secs, mb)
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
