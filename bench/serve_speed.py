#!/usr/bin/env python3
"""appmsg-gen serve beside an asyncio echo server (bench/asyncio_echo.py), side by side in one
run: the same load from `appmsg-gen send` (which checks every echo) at 100 and 1000 connections,
then serve's peak RSS from 100 to 5000 connections.

For each server and connection count: messages per second (client messages echoed, wall
clock), the server's CPU per message, its peak RSS. With two CPUs or more, the server runs on
CPU 0 and the client on CPU 1, so they do not take turns on one. Runs alternate between the
servers, best of --runs. Prints the ratios the project targets: serve >= 2x asyncio's
messages/s at 100 and 1000 connections; serve's RSS flat (within 1.5x) from 100 to 5000
connections; and, beside them, the ratio of CPU per message (asyncio / serve).

On loopback the client's kernel work per message is about the server's (a send and a recv
each), so messages/s is bounded by the client as soon as the server is cheaper than it: the
CPU ratio then says more about the server than the messages/s ratio.

    bench/serve_speed.py [--build build] [--messages 200000] [--runs 3]
"""
import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def proc_stat(pid):
    """(CPU seconds, peak RSS in MB) of a running process."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    hwm = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
    return cpu, hwm / 1024


def on_cpu(cpu):
    """preexec_fn: run on that CPU alone (when the machine has more than one)."""
    if os.cpu_count() and os.cpu_count() > 1:
        return lambda: os.sched_setaffinity(0, {cpu})
    return None


def start(kind, gen):
    if kind == "serve":
        cmd = [gen, "serve", "--listen", "127.0.0.1:0", "--port-file", "/dev/stdout", "-q"]
    else:
        cmd = [sys.executable, os.path.join(HERE, "asyncio_echo.py")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         preexec_fn=on_cpu(0))
    return p, int(p.stdout.readline())


def measure(kind, gen, connections, messages):
    server, port = start(kind, gen)
    try:
        cpu0, _ = proc_stat(server.pid)
        t = time.monotonic()
        sent = subprocess.run([gen, "send", "-n", str(messages), "-c", str(connections),
                               "--rate", "1000000", "--timeout", "30", "--server",
                               f"127.0.0.1:{port}"], stderr=subprocess.PIPE, text=True,
                              preexec_fn=on_cpu(1))
        wall = time.monotonic() - t
        cpu1, rss = proc_stat(server.pid)
    finally:
        server.terminate()
        server.wait()
    if sent.returncode != 0:
        sys.exit(f"send against {kind} at {connections} connections failed:\n{sent.stderr}")
    return {"rate": messages / wall, "cpu_us": (cpu1 - cpu0) / messages * 1e6, "rss": rss}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=os.path.join(SOURCE, "build"))
    p.add_argument("--messages", type=int, default=200000)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args()
    gen = os.path.join(a.build, "gen", "appmsg-gen")
    if not os.access(gen, os.X_OK):
        sys.exit(f"no {gen}: build first (cmake --build build)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    print(f"{a.messages} client messages per run (default scenario sizes), each echoed and "
          f"checked by appmsg-gen send; best of {a.runs}, servers alternating")
    ratios = {}
    for conns in (100, 1000):
        best = {}
        for _ in range(a.runs):
            for kind in ("serve", "asyncio"):
                r = measure(kind, gen, conns, a.messages)
                if kind not in best or r["rate"] > best[kind]["rate"]:
                    best[kind] = r
        for kind in ("serve", "asyncio"):
            r = best[kind]
            print(f"  {conns:5d} connections  {kind:8s} {r['rate']:9.0f} messages/s  "
                  f"{r['cpu_us']:6.2f} µs CPU/message  peak RSS {r['rss']:6.1f} MB")
        ratios[conns] = best["serve"]["rate"] / best["asyncio"]["rate"]
        print(f"  {conns:5d} connections  ratio serve / asyncio: messages/s {ratios[conns]:.2f} "
              f"(target >= 2); CPU per message {best['asyncio']['cpu_us'] / best['serve']['cpu_us']:.2f}")

    rss = {}
    for conns in (100, 1000, 5000):
        rss[conns] = measure("serve", gen, conns, max(a.messages // 10, conns))["rss"]
    print("serve peak RSS: " + ", ".join(f"{c} connections {r:.1f} MB" for c, r in rss.items())
          + f" (ratio 5000/100: {rss[5000] / rss[100]:.2f}, target <= 1.5)")
    ok = all(r >= 2 for r in ratios.values()) and rss[5000] / rss[100] <= 1.5
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
