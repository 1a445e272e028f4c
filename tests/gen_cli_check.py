#!/usr/bin/env python3
"""appmsg-gen's command line: bad input gets one line and exit code 2 and leaves no file behind;
the same arguments give byte-identical output."""
import os
import re
import subprocess
import sys
import tempfile
import time

GEN = os.path.abspath(sys.argv[1])
failures = []


def gen(*args, cwd):
    return subprocess.run([GEN, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def read(path):
    with open(path, "rb") as f:
        return f.read()


BAD = [
    ([], "no output file"),
    (["-w", "x.pcap", "-n", "abc"], "--count"),
    (["-w", "x.pcap", "-n", "-1"], "--count"),
    (["-w", "x.pcap", "-n", "99999999999999"], "--count"),
    (["-w", "x.pcap", "-s", "sliced"], "--segment"),
    (["-w", "x.pcap", "-k", "0"], "--merge"),
    (["-w", "x.pcap", "--mixed-max", "5000"], "--mixed-max"),
    (["-w", "x.pcap", "--size", "50-10"], "--size"),
    (["-w", "x.pcap", "--size", "99999999"], "--size"),
    (["-w", "x.pcap", "--types", "1-2-3"], "--types"),
    (["-w", "x.pcap", "--port", "0"], "--port"),
    (["-w", "x.pcap", "--echo-delay", "900-100"], "--echo-delay"),
    (["-w", "x.pcap", "--echo-delay", "20000000"], "--echo-delay"),
    (["-w", "x.pcap", "--seed", "x"], "--seed"),
    (["-w", "x.pcap", "--bogus"], "unknown option '--bogus'"),
    (["-w", "x.pcap", "extra"], "unexpected argument 'extra'"),
    (["-w"], "-w needs a value"),
    (["-w", "x.pcap", "--manifest", "m", "--no-manifest"], "contradict"),
    (["-w", "no-such-dir/x.pcap"], "cannot write 'no-such-dir/x.pcap'"),
    (["-w", "x.pcap", "-m", "no-such-dir/m.jsonl"], "cannot write 'no-such-dir/m.jsonl'"),
    (["-w", "/dev/full", "-n", "100"], "cannot write '/dev/full'"),
    (["-w", "x.pcap", "-F", "pcapng2"], "--format"),
    (["-w", "x.pcap", "-c", "0"], "--connections"),
    (["-w", "x.pcap", "--client", "10.0.0.1", "--server", "[2001:db8::1]:80"], "both be IPv4 or both IPv6"),
    (["-w", "x.pcap", "--server", "300.1.1.1"], "--server"),
    (["-w", "x.pcap", "--server", ":0"], "port 0"),
    (["-w", "x.pcap", "--payloads", "no-such-file"], "cannot read payload file 'no-such-file'"),
    (["-w", "x.pcap", "-i", "bad-checksum@1"], "needs --checked"),
    (["-w", "x.pcap", "-i", "sideways@1"], "--inject"),
    (["-w", "x.pcap", "--cut-with", "smoke"], "--cut-with"),
    (["-w", "x.pcap", "-n", "5", "-i", "cut@20"], "there is no message 20"),
    (["-w", "x.pcap", "-n", "5", "-i", "bad-json@5"], "messages count from 0: -n 5 makes 0 to 4"),
    (["-w", "x.pcap", "-n", "0", "-i", "garbage@0"], "-n 0 makes no message"),
    (["send", "-w", "x.pcap"], "send writes no capture"),
    (["send", "-i", "echo-type@1"], "only in a capture file"),
    (["send", "--server", "127.0.0.1:9", "-n", "1"], "cannot connect to 127.0.0.1:9"),
    (["serve", "--listen", "nowhere"], "--listen"),
    (["serve", "--max-seconds", "x"], "--max-seconds"),
]

with tempfile.TemporaryDirectory() as d:
    for args, needle in BAD:
        p = gen(*args, cwd=d)
        err = p.stderr.decode()
        check(p.returncode == 2 and err.count("\n") == 1 and err.startswith("appmsg-gen: ")
              and needle in err, f"{args}: exit 2, one line naming {needle!r} (got {p.returncode}: {err.strip()!r})")
        check(os.listdir(d) == [], f"{args}: no file left behind ({os.listdir(d)})")

    p = gen("--help", cwd=d)
    check(p.returncode == 0 and b"Usage: appmsg-gen" in p.stdout and b"Examples:" in p.stdout,
          "--help prints usage with examples, exit 0")
    check(b"--port-file" in p.stdout and b"(one, or -c N)" in p.stdout,
          "--help: serve's --port-file, and -c in the summary")
    for flag in ("--help", "-h"):
        p = gen("serve", flag, cwd=d)
        check(p.returncode == 0 and p.stdout.startswith(b"Usage: appmsg-gen serve") and
              b"--port-file" in p.stdout, f"serve {flag}: its usage, exit 0 ({p.returncode})")
    p = gen("-w", "x.pcap", "--payloads", "no-such-file", cwd=d)
    check(p.stderr.count(b"no-such-file") == 1, f"a missing payload file is named once: {p.stderr!r}")
    p = gen("--version", cwd=d)
    check(p.returncode == 0 and p.stdout.startswith(b"appmsg-gen "), "--version")

    # Deterministic: same arguments, same bytes; another seed, other bytes.
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        p = gen("-n", "50", "-s", "mixed", "--seed", seed, "-w", f"{name}.pcap", cwd=d)
        check(p.returncode == 0, f"generate {name}.pcap")
    check(read(f"{d}/a.pcap") == read(f"{d}/b.pcap"), "same seed: identical capture")
    check(read(f"{d}/a.pcap.manifest.jsonl") == read(f"{d}/b.pcap.manifest.jsonl"),
          "same seed: identical manifest")
    check(read(f"{d}/a.pcap") != read(f"{d}/c.pcap"), "other seed: other capture")
    check(sorted(os.listdir(d)) == ["a.pcap", "a.pcap.manifest.jsonl", "b.pcap",
                                    "b.pcap.manifest.jsonl", "c.pcap", "c.pcap.manifest.jsonl"],
          "no temporary files remain")

    # Standard output carries the same capture as a file; no manifest unless asked.
    p = gen("-n", "50", "-s", "mixed", "--seed", "5", "-w", "-", cwd=d)
    check(p.returncode == 0 and p.stdout == read(f"{d}/a.pcap"), "-w - writes the same capture")
    check(len(os.listdir(d)) == 6, "-w - writes no manifest")

    # A manifest is named after the whole output name: two formats of one name keep apart.
    for out in ("p.pcap", "p.pcapng"):
        check(gen("-n", "3", "--seed", "7", "-w", out, cwd=d).returncode == 0, f"generate {out}")
    check(os.path.exists(f"{d}/p.pcap.manifest.jsonl") and
          os.path.exists(f"{d}/p.pcapng.manifest.jsonl"), "p.pcap and p.pcapng: a manifest each")

# Not a regular file (a device, a fifo, a pipe): the capture goes there, no default manifest
# beside it (which would land in /dev, or fail there for an ordinary user).
with tempfile.TemporaryDirectory() as d:
    fifo = os.path.join(d, "capture.fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    p = gen("-n", "2", "-w", fifo, cwd=d)
    data = reader.communicate(timeout=30)[0]
    check(p.returncode == 0 and len(data) > 24 and os.listdir(d) == ["capture.fifo"],
          f"-w FIFO: the capture through it, no manifest beside it ({p.returncode}, {os.listdir(d)})")
    p = gen("-n", "2", "-w", "/dev/stdout", cwd=d)
    check(p.returncode == 0 and len(p.stdout) > 24 and
          not os.path.exists("/dev/stdout.manifest.jsonl"),
          f"-w /dev/stdout: the capture, no manifest in /dev ({p.returncode}: {p.stderr!r})")

# /dev/stdout on a regular file (a shell's `> out`): written through, never renamed over — as
# root that would replace the system's /dev/stdout link with a file (it did, for --port-file).
with tempfile.TemporaryDirectory() as d:
    def dev_stdout_intact(what):
        if not os.path.islink("/dev/stdout"):
            if os.geteuid() == 0:  # repair the machine before failing
                os.remove("/dev/stdout")
                os.symlink("/proc/self/fd/1", "/dev/stdout")
            check(False, f"{what} replaced the /dev/stdout link with a file")
    with open(f"{d}/out", "wb") as out:
        p = subprocess.run([GEN, "-n", "2", "-w", "/dev/stdout"], cwd=d, stdout=out,
                           stderr=subprocess.PIPE)
    check(p.returncode == 0 and os.path.getsize(f"{d}/out") > 24,
          f"-w /dev/stdout into a file: the capture is in the file ({p.stderr!r})")
    dev_stdout_intact("-w /dev/stdout")
    check(not os.path.exists("/dev/stdout.manifest.jsonl"), "-w /dev/stdout into a file: no "
          "manifest in /dev")
    if os.path.exists("/dev/stdout.manifest.jsonl") and os.geteuid() == 0:
        os.remove("/dev/stdout.manifest.jsonl")
    with open(f"{d}/port", "wb") as out:
        p = subprocess.run([GEN, "serve", "--listen", "127.0.0.1:0", "--port-file", "/dev/stdout",
                            "--max-seconds", "1", "-q"], cwd=d, stdout=out, stderr=subprocess.PIPE)
    check(p.returncode == 0 and re.fullmatch(rb"\d+\n", open(f"{d}/port", "rb").read()),
          f"serve --port-file /dev/stdout into a file: the port is in the file ({p.stderr!r})")
    dev_stdout_intact("serve --port-file /dev/stdout")
    with open(f"{d}/target", "w") as f:
        f.write("old")
    os.symlink("target", f"{d}/link")
    p = gen("-n", "1", "--no-manifest", "-w", "link", cwd=d)
    check(p.returncode == 0 and os.path.islink(f"{d}/link") and
          os.path.getsize(f"{d}/target") > 24, "-w LINK: the file it names is written, the link stays")

# A binary capture is not written to a terminal (as gzip refuses to).
with tempfile.TemporaryDirectory() as d:
    try:
        main_fd, term_fd = os.openpty()
    except OSError as e:
        check(False, f"-w - on a terminal: no terminal to test with ({e})")
    else:
        p = subprocess.run([GEN, "-n", "1", "-w", "-"], cwd=d, stdout=term_fd,
                           stderr=subprocess.PIPE)
        os.close(term_fd)
        os.close(main_fd)
        check(p.returncode == 2 and b"terminal" in p.stderr,
              f"-w - on a terminal: refused, exit 2 ({p.returncode}: {p.stderr!r})")

# serve counts what it served in words that fit the number.
with tempfile.TemporaryDirectory() as d:
    port_file = os.path.join(d, "port")
    server = subprocess.Popen([GEN, "serve", "--listen", "127.0.0.1:0", "--port-file", port_file,
                               "--connections", "1", "--max-seconds", "30"],
                              stderr=subprocess.PIPE)
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    port = open(port_file).read().strip()
    sent = gen("send", "-n", "2", "--server", f"127.0.0.1:{port}", cwd=d)
    served = server.communicate(timeout=30)[1].decode()
    check(sent.returncode == 0 and re.fullmatch(
          r"appmsg-gen: 1 connection: 1 closed by the client, 0 reset, 0 idle timeout, 0 open at "
          r"exit; (\d+) bytes in, \1 bytes out", served.splitlines()[-1]),
          f"serve after one connection: {served.strip()!r}")
    said = sent.stderr.decode()
    check(re.fullmatch(r"appmsg-gen: sent 2 messages \(\d+ bytes\) on 1 connection to "
                       r"127\.0\.0\.1:\d+; every echo exact; echo latency p50 [\d.]+ ms, "
                       r"p99 [\d.]+ ms, max [\d.]+ ms\n", said),
          f"send says what it sent and that every echo was exact: {said!r}")
    for args, problem in ((["--timeout", "0"], "--timeout: expected seconds from 0.1 to 3600"),
                          (["--timeout", "x"], "--timeout: expected seconds"),
                          (["--timeout", "1", "-w", "f.pcap"], "send writes no capture")):
        p = gen("send", *args, cwd=d)
        check(p.returncode == 2 and problem in p.stderr.decode(), f"send {args}: {p.stderr!r}")
    p = gen("--timeout", "1", "-w", "f.pcap", cwd=d)
    check(p.returncode == 2 and b"--timeout is for send" in p.stderr, f"--timeout in file mode: "
          f"{p.stderr!r}")
    for args in (["--idle-timeout", "-1"], ["--idle-timeout"], ["--bogus"]):
        p = gen("serve", *args, cwd=d)
        check(p.returncode == 2 and len(p.stderr.splitlines()) == 1, f"serve {args}: {p.stderr!r}")

print(f"{len(failures)} failed" if failures else "all generator command-line checks passed")
sys.exit(1 if failures else 0)
