"""The canonical captures: captures/recipes.txt, the generator that makes them, and checks that
the committed ones are current and are TCP a real stack would send."""
import filecmp
import os
import re
import shutil
import tempfile

from checks.sandbox import Failure, run


def recipes(source):
    """captures/recipes.txt: 'name: generator arguments [| tshark options]' lines."""
    out = []
    with open(os.path.join(source, "captures", "recipes.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, rest = line.split(":", 1)
                gen_args, _, tshark_opts = rest.partition("|")
                out.append((name.strip(), gen_args.split(), tshark_opts.split()))
    return out


def recipe(source, name):
    for r in recipes(source):
        if r[0] == name:
            return r
    raise Failure(f"no capture {name} in captures/recipes.txt")


def capture_file(name, args):
    """NAME.pcap, or NAME.pcapng for a recipe that asks for pcapng."""
    pcapng = "-F" in args and args[args.index("-F") + 1] == "pcapng"
    return name + (".pcapng" if pcapng else ".pcap")


def manifest_for(capture):
    return capture + ".manifest.jsonl"


def generate(gen, args, directory, name, source):
    """Runs the generator from the source tree, so recipes may name files in it."""
    capture = os.path.abspath(os.path.join(directory, capture_file(name, args)))
    proc = run([gen] + args + ["-w", capture], cwd=source)
    if proc.returncode != 0:
        raise Failure(f"appmsg-gen {' '.join(args)} failed: {proc.stderr}")
    return capture, manifest_for(capture)


def capture_path(source, name):
    path = os.path.join(source, "captures", capture_file(name, recipe(source, name)[1]))
    if not os.path.exists(path):
        raise Failure(f"{path} is missing: run `cmake --build build --target captures`")
    return path


def cmd_tcp_valid(a, ts):
    """The generator's TCP/IP is what a real stack sends: no analysis warnings, good checksums."""
    # AppMsg disabled: its own Malformed expert infos (a truncated message) would match too.
    bad = ts.run(["-r", ts.readable(capture_path(a.source, a.name)), "--disable-protocol", "appmsg",
                  "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                  "-Y", "tcp.analysis.flags || tcp.checksum.status != 1 || "
                        "ip.checksum.status != 1 || _ws.malformed"]).stdout
    if bad.strip():
        raise Failure(f"{a.name}: frames a real TCP stack would not send:\n{bad}")
    # capinfos reads it too, and counts the frames tshark does.
    capture = capture_path(a.source, a.name)
    info = run(["capinfos", "-c", "-t", capture])
    frames = len(ts.run(["-r", ts.readable(capture), "--disable-protocol", "appmsg"]).stdout.splitlines())
    count = re.search(r"Number of packets:\s*(\d+)", info.stdout)
    if info.returncode != 0 or not count or int(count.group(1)) != frames:
        raise Failure(f"capinfos disagrees with tshark ({frames} frames):\n{info.stdout}{info.stderr}")
    kind = re.search(r"File type:\s*(.*)", info.stdout).group(1).strip()
    print(f"{a.name}: checksums good, no TCP analysis flags; capinfos: {kind}, {frames} frames")


def cmd_make_captures(a, ts):
    out = os.path.join(a.source, "captures")
    for name, args, _ in recipes(a.source):
        capture, manifest = generate(a.gen, args, out, name, a.source)
        print("wrote", os.path.relpath(capture, a.source), "and", os.path.basename(manifest))


def cmd_captures_current(a, ts):
    """A fresh generation is byte-identical to the committed captures and manifests."""
    tmp = tempfile.mkdtemp(prefix="appmsg-captures-")
    try:
        for name, args, _ in recipes(a.source):
            for fresh in generate(a.gen, args, tmp, name, a.source):
                committed = os.path.join(a.source, "captures", os.path.basename(fresh))
                if not os.path.exists(committed) or not filecmp.cmp(fresh, committed, False):
                    raise Failure(f"{committed} is not what appmsg-gen {' '.join(args)} makes "
                                  "now: run `cmake --build build --target captures`")
            print(f"{name}: committed capture and manifest are current")
    finally:
        shutil.rmtree(tmp)
