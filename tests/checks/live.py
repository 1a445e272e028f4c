"""The generator live: serve and send on loopback captured with dumpcap, and the extcap interface
through a fifo."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from checks.captures import generate
from checks.messages import compare_messages, expected_reader_view
from checks.sandbox import Failure, SKIP, run
from checks.views import expert_counts, messages_seen, packets_json


def cmd_live(a, ts):
    """A live exchange on the loopback interface: appmsg-gen serve and send, captured by dumpcap
    on a port of its own; the plugin shows exactly the manifest's messages, and the
    segmentation asked for is what went on the wire. Every wait is bounded."""
    ts.require_plugin()
    send_args = ["-n", "24", "-c", "3", "-s", "partial", "-i", "garbage@2", "-i", "bad-json@4",
                 "-i", "cut@7"]
    tmp = tempfile.mkdtemp(prefix="appmsg-live-")
    procs = []
    try:
        port_file = os.path.join(tmp, "port")
        server = subprocess.Popen([a.gen, "serve", "--listen", "127.0.0.1:0", "--port-file",
                                   port_file, "--connections", "3", "--max-seconds", "30"],
                                  stderr=subprocess.PIPE, text=True)
        procs.append(server)
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if server.poll() is not None:
                raise Failure(f"appmsg-gen serve exited: {server.stderr.read()}")
            time.sleep(0.05)
        port = open(port_file).read().strip()
        capture = os.path.join(tmp, "live.pcapng")
        dumpcap = subprocess.Popen(["dumpcap", "-q", "-i", "lo", "-f", f"tcp port {port}",
                                    "-a", "duration:30", "-w", capture],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        procs.append(dumpcap)
        for _ in range(100):  # dumpcap creates the file once it captures
            if os.path.exists(capture) or dumpcap.poll() is not None:
                break
            time.sleep(0.05)
        if dumpcap.poll() is not None:
            print(f"SKIP: dumpcap cannot capture here: {dumpcap.stderr.read().strip()}")
            return SKIP
        time.sleep(0.5)
        manifest = os.path.join(tmp, "live.manifest.jsonl")
        sent = run([a.gen, "send", *send_args, "--server", f"127.0.0.1:{port}", "-m", manifest],
                   timeout=60)
        if sent.returncode != 0:
            raise Failure(f"appmsg-gen send failed: {sent.stderr}")
        server.wait(timeout=30)
        time.sleep(0.5)
        dumpcap.send_signal(signal.SIGINT)
        dumpcap.wait(timeout=30)
        opts = ["-o", f"appmsg.tcp.port:{port}"]
        expected, _, exp_experts = expected_reader_view(manifest, False)
        seen, skipped = messages_seen(ts, capture, opts)
        compare_messages("live", expected, seen)
        experts = expert_counts(ts, capture, opts)
        for name in ("appmsg.payload.not_json", "appmsg.truncated"):
            if experts[name] != exp_experts[name]:
                raise Failure(f"live: {experts[name]} × {name}, expected {exp_experts[name]}")
        data = [p for p in packets_json(ts, capture, ["tcp.dstport", "tcp.len"], opts)
                if p["tcp.dstport"][0] == port and int(p["tcp.len"][0]) > 0]
        client_msgs = sum(len(v) for k, v in expected.items() if k[1] == "c2s")
        if len(data) <= client_msgs:
            raise Failure(f"partial: {len(data)} client segments for {client_msgs} messages")
        print(f"live on port {port}: {sum(len(v) for v in seen.values())} messages as in the "
              f"manifest, {len(data)} client segments for {client_msgs} messages, "
              f"{sum(skipped.values())} bytes skipped")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def cmd_extcap(a, ts):
    """The generator as Wireshark's extcap interface: the discovery calls, then a capture into a
    fifo that tshark (with the plugin) reads live; it holds exactly the messages of the same
    scenario written to a file."""
    ts.require_plugin()
    interfaces = run([a.gen, "--extcap-interfaces"]).stdout
    if not re.search(r"^extcap \{version=[^}]+\}", interfaces, re.M) or \
            "interface {value=appmsg}{display=AppMsg generator}" not in interfaces:
        raise Failure(f"--extcap-interfaces said:\n{interfaces}")
    dlts = run([a.gen, "--extcap-interface", "appmsg", "--extcap-dlts"]).stdout
    if "dlt {number=1}{name=EN10MB}" not in dlts:
        raise Failure(f"--extcap-dlts said:\n{dlts}")
    config = run([a.gen, "--extcap-interface", "appmsg", "--extcap-config"]).stdout
    calls = re.findall(r"^arg \{number=\d+\}\{call=(--[a-z-]+)\}", config, re.M)
    want_calls = ["--count", "--segment", "--merge", "--errors", "--seed", "--rate", "--checked"]
    if calls != want_calls:
        raise Failure(f"--extcap-config offers {calls}, expected {want_calls}")
    bad = run([a.gen, "--extcap-interface", "nope", "--extcap-dlts"])
    if bad.returncode != 2:
        raise Failure("an unknown extcap interface was accepted")

    fifo = os.path.join(ts.inputs, "extcap.fifo")
    os.mkfifo(fifo, 0o666)
    os.chmod(fifo, 0o666)
    copy = os.path.join(ts.inputs, "extcap.pcap")
    gen = subprocess.Popen([a.gen, "--capture", "--extcap-interface", "appmsg", "--fifo", fifo,
                            "--count", "30", "--segment", "mixed", "--seed", "5",
                            "--errors", "bad-json@4, garbage@9, cut@25", "--rate", "200"],
                           stderr=subprocess.PIPE, text=True)
    try:
        live = ts.run(["-r", fifo, "-w", copy, "-P", "-T", "fields", "-e", "appmsg.type",
                       "-E", "occurrence=a"])
        if gen.wait(timeout=60) != 0:
            raise Failure(f"extcap capture failed: {gen.stderr.read()}")
    finally:
        if gen.poll() is None:
            gen.kill()
    reference = tempfile.mkdtemp(prefix="appmsg-extcap-")
    try:
        _, manifest = generate(a.gen, ["-n", "30", "-s", "mixed", "--seed", "5", "-i", "bad-json@4",
                                       "-i", "garbage@9", "-i", "cut@25", "--rate", "200"],
                               reference, "reference", a.source)
        expected, _, _ = expected_reader_view(manifest, False)
    finally:
        shutil.rmtree(reference, ignore_errors=True)
    seen, _ = messages_seen(ts, copy, [])
    compare_messages("extcap", expected, seen)
    live_count = sum(len(l.split(",")) for l in live.stdout.splitlines() if l.strip())
    print(f"extcap: discovery calls answered; {live_count} messages read live from the fifo, "
          f"{sum(len(v) for v in seen.values())} after both passes, as the same scenario's file")
