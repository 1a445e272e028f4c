#!/usr/bin/env python3
"""appmsg checks: tshark with the freshly built plugin against golden files and manifests.

Every tshark run is isolated from the user's own Wireshark: a throwaway HOME and
WIRESHARK_CONFIG_DIR, and a WIRESHARK_PLUGIN_DIR holding our plugin beside links to the system's
other plugins (stats_tree among them). Wireshark ignores plugin folders when it runs as root, so as
root tshark runs as the unprivileged user 'nobody', on copies of the inputs it can read.

Golden files change only through `update-golden` (the CMake target of that name), never in a test.
"""
import argparse
import difflib
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

UNPRIVILEGED_USER = "nobody"


class Failure(Exception):
    pass


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


class Tshark:
    """tshark with only our plugin added, in a sandbox of temporary folders."""

    def __init__(self, plugin, tshark="tshark"):
        self.tshark = shutil.which(tshark)
        if not self.tshark:
            raise Failure("tshark is not installed")
        self.root = tempfile.mkdtemp(prefix="appmsg-tshark-")
        os.chmod(self.root, 0o755)
        self.as_root = os.geteuid() == 0
        self.home = self._dir("home")
        self.config = self._dir("config")
        self.inputs = self._dir("inputs")
        self.plugin_dir = os.path.join(self.root, "plugins")
        self._install_plugins(plugin)

    def _dir(self, name):
        path = os.path.join(self.root, name)
        os.mkdir(path)
        if self.as_root:
            shutil.chown(path, UNPRIVILEGED_USER)
        return path

    def _install_plugins(self, plugin):
        folders = run([self.tshark, "-G", "folders"]).stdout
        match = re.search(r"^Global Plugins:\s*(\S+)$", folders, re.M)
        if not match:
            raise Failure("tshark -G folders names no global plugin folder")
        global_dir = match.group(1)  # .../plugins/<major.minor>
        version = os.path.basename(global_dir)
        for kind in ("epan", "wiretap", "codecs"):
            ours = os.path.join(self.plugin_dir, version, kind)
            os.makedirs(ours)
            system = os.path.join(global_dir, kind)
            for name in sorted(os.listdir(system)) if os.path.isdir(system) else []:
                path = os.path.join(system, name)
                # An installed appmsg.so must not shadow the one under test, nor load twice.
                if name != "appmsg.so" and not os.path.samefile(path, plugin):
                    os.symlink(path, os.path.join(ours, name))
        self.plugin_path = os.path.join(self.plugin_dir, version, "epan", "appmsg.so")
        shutil.copy(plugin, self.plugin_path)
        for dirpath, dirnames, filenames in os.walk(self.plugin_dir):
            os.chmod(dirpath, 0o755)
        os.chmod(self.plugin_path, 0o644)

    def readable(self, path):
        """A copy of path that the unprivileged user can read."""
        copy = os.path.join(self.inputs, os.path.basename(path))
        if not os.path.exists(copy):
            shutil.copy(path, copy)
            os.chmod(copy, 0o644)
        return copy

    def write_config(self, name, text):
        path = os.path.join(self.config, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)

    def run(self, args, check=True):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "WIRESHARK_CONFIG_DIR": self.config,
            "WIRESHARK_PLUGIN_DIR": self.plugin_dir,
            "TZ": "UTC",
            "LC_ALL": "C.UTF-8",
        }
        cmd = [self.tshark] + list(args)
        if self.as_root:
            cmd = ["runuser", "-u", UNPRIVILEGED_USER, "--", "env", "-i"] + [
                f"{k}={v}" for k, v in env.items()
            ] + cmd
            env = None
        proc = run(cmd, env=env, cwd=self.root)
        if check and proc.returncode != 0:
            raise Failure(f"tshark {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
        return proc

    def require_plugin(self, version=None):
        """Fails unless tshark loaded our copy of the plugin (and, if given, at this version)."""
        plugins = self.run(["-G", "plugins"]).stdout
        line = next((l for l in plugins.splitlines() if l.startswith("appmsg.so")), None)
        if line is None:
            raise Failure("tshark did not load appmsg.so; tshark -G plugins said:\n" + plugins)
        fields = line.split("\t")
        if fields[-1].strip() != self.plugin_path:
            raise Failure(f"tshark loaded appmsg.so from {fields[-1]}, not {self.plugin_path}")
        if version and fields[1].strip() != version:
            raise Failure(f"appmsg.so reports version {fields[1].strip()}, expected {version}")
        protocols = self.run(["-G", "protocols"]).stdout
        if not re.search(r"^AppMsg .*\tAppMsg\tappmsg$", protocols, re.M):
            raise Failure("protocol 'appmsg' is not registered")
        return line

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


# ---- What tshark shows --------------------------------------------------------------------------

FIELDS = ["frame.number", "tcp.srcport", "appmsg.type", "appmsg.length", "appmsg.payload"]
AGGREGATOR = "|"  # tshark takes one character; payloads are JSON, commas are theirs


def view_fields(ts, capture):
    """One line per frame: the fields of every message it completes, all occurrences."""
    args = ["-r", ts.readable(capture), "-T", "fields", "-E", "header=y", "-E", "occurrence=a",
            "-E", f"aggregator={AGGREGATOR}"]
    for f in FIELDS:
        args += ["-e", f]
    return ts.run(args).stdout


def view_tree(ts, capture):
    """Packet summaries and the AppMsg subtrees expanded (-O appmsg)."""
    return ts.run(["-r", ts.readable(capture), "-O", "appmsg"]).stdout


VIEWS = {"fields": view_fields, "tree": view_tree}


def messages_seen(ts, capture):
    """{(tcp stream, 'c2s'|'s2c'): [(type, length, payload), ...]} as the plugin dissects them.

    The client is the side that sent the SYN."""
    args = ["-r", ts.readable(capture), "-T", "json"]
    for f in ["tcp.stream", "ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack",
              "appmsg.type", "appmsg.length", "appmsg.payload"]:
        args += ["-e", f]
    packets = json.loads(ts.run(args).stdout or "[]")
    clients, seen = {}, {}
    for p in packets:
        layers = p["_source"]["layers"]
        first = lambda k: layers.get(k, [None])[0]
        stream, endpoint = first("tcp.stream"), (first("ip.src"), first("tcp.srcport"))
        if first("tcp.flags.syn") in ("1", "True") and first("tcp.flags.ack") in ("0", "False"):
            clients[stream] = endpoint
        types = layers.get("appmsg.type", [])
        lengths = layers.get("appmsg.length", [])
        payloads = layers.get("appmsg.payload", [])
        if not (len(types) == len(lengths) == len(payloads)):
            raise Failure(f"frame fields do not line up: {layers}")
        if types and stream not in clients:
            raise Failure(f"tcp.stream {stream}: messages before any SYN")
        direction = "c2s" if clients.get(stream) == endpoint else "s2c"
        for t, l, pl in zip(types, lengths, payloads):
            seen.setdefault((int(stream), direction), []).append((int(t), int(l), pl))
    return seen


def messages_expected(manifest_path):
    expected = {}
    with open(manifest_path, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            payload = m.get("payload")
            expected.setdefault((m["conn"], m["dir"]), []).append(
                (m["type"], m["length"], payload))
    return expected


# ---- Captures ---------------------------------------------------------------------------------------

def recipes(source):
    """captures/recipes.txt: 'name: generator arguments' lines."""
    out = []
    with open(os.path.join(source, "captures", "recipes.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, args = line.split(":", 1)
                out.append((name.strip(), args.split()))
    return out


def generate(gen, args, directory, name):
    capture = os.path.join(directory, name + ".pcap")
    proc = run([gen] + args + ["-w", capture])
    if proc.returncode != 0:
        raise Failure(f"appmsg-gen {' '.join(args)} failed: {proc.stderr}")
    return capture, os.path.join(directory, name + ".manifest.jsonl")


def capture_path(source, name):
    path = os.path.join(source, "captures", name + ".pcap")
    if not os.path.exists(path):
        raise Failure(f"{path} is missing: run `cmake --build build --target captures`")
    return path


# ---- Commands -------------------------------------------------------------------------------------

def cmd_plugin_loaded(a, ts):
    print(ts.require_plugin(a.expect_version))


def golden_path(source, name, view):
    return os.path.join(source, "tests", "golden", f"{name}.{view}.txt")


def cmd_golden(a, ts):
    ts.require_plugin()
    actual = VIEWS[a.view](ts, capture_path(a.source, a.name))
    path = golden_path(a.source, a.name, a.view)
    if not os.path.exists(path):
        raise Failure(f"no golden file {path}: run `cmake --build build --target update-golden`")
    with open(path, encoding="utf-8") as f:
        golden = f.read()
    if actual != golden:
        diff = difflib.unified_diff(golden.splitlines(True), actual.splitlines(True),
                                    path, "tshark now")
        sys.stdout.writelines(list(diff)[:200])
        raise Failure(f"tshark's {a.view} view of {a.name} differs from {path}")
    print(f"{a.name}: {a.view} view matches {os.path.relpath(path, a.source)} "
          f"({len(golden.splitlines())} lines)")


def cmd_update_golden(a, ts):
    ts.require_plugin()
    for name, _ in recipes(a.source):
        for view, render in VIEWS.items():
            path = golden_path(a.source, name, view)
            with open(path, "w", encoding="utf-8") as f:
                f.write(render(ts, capture_path(a.source, name)))
            print("wrote", os.path.relpath(path, a.source))


def cmd_manifest(a, ts):
    ts.require_plugin()
    capture = capture_path(a.source, a.name)
    expected = messages_expected(capture.replace(".pcap", ".manifest.jsonl"))
    seen = messages_seen(ts, capture)
    for key in sorted(set(expected) | set(seen)):
        exp, got = expected.get(key, []), seen.get(key, [])
        for i, (e, g) in enumerate(zip(exp, got)):
            if e != g:
                raise Failure(f"{a.name} {key} message {i}: manifest {e}, tshark {g}")
        if len(exp) != len(got):
            raise Failure(f"{a.name} {key}: manifest has {len(exp)} messages, tshark {len(got)}")
    counts = ", ".join(f"conn {k[0]} {k[1]}: {len(v)}" for k, v in sorted(seen.items()))
    print(f"{a.name}: tshark shows exactly the manifest's messages ({counts})")


def cmd_tcp_valid(a, ts):
    """The generator's TCP/IP is what a real stack sends: no analysis warnings, good checksums."""
    bad = ts.run(["-r", ts.readable(capture_path(a.source, a.name)),
                  "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                  "-Y", "tcp.analysis.flags || tcp.checksum.status != 1 || "
                        "ip.checksum.status != 1 || _ws.malformed"]).stdout
    if bad.strip():
        raise Failure(f"{a.name}: frames a real TCP stack would not send:\n{bad}")
    print(f"{a.name}: checksums good, no TCP analysis flags")


def cmd_make_captures(a, ts):
    out = os.path.join(a.source, "captures")
    for name, args in recipes(a.source):
        capture, manifest = generate(a.gen, args, out, name)
        print("wrote", os.path.relpath(capture, a.source), "and", os.path.basename(manifest))


def cmd_captures_current(a, ts):
    """A fresh generation is byte-identical to the committed captures and manifests."""
    tmp = tempfile.mkdtemp(prefix="appmsg-captures-")
    try:
        for name, args in recipes(a.source):
            for fresh in generate(a.gen, args, tmp, name):
                committed = os.path.join(a.source, "captures", os.path.basename(fresh))
                if not os.path.exists(committed) or not filecmp.cmp(fresh, committed, False):
                    raise Failure(f"{committed} is not what appmsg-gen {' '.join(args)} makes "
                                  "now: run `cmake --build build --target captures`")
            print(f"{name}: committed capture and manifest are current")
    finally:
        shutil.rmtree(tmp)


COMMANDS = {
    "plugin-loaded": (cmd_plugin_loaded, True),
    "golden": (cmd_golden, True),
    "update-golden": (cmd_update_golden, True),
    "manifest": (cmd_manifest, True),
    "tcp-valid": (cmd_tcp_valid, True),
    "make-captures": (cmd_make_captures, False),
    "captures-current": (cmd_captures_current, False),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plugin", required=True, help="the freshly built appmsg.so")
    p.add_argument("--gen", required=True, help="the freshly built appmsg-gen")
    p.add_argument("--source", required=True, help="the source tree")
    p.add_argument("--expect-version", help="version the plugin must report")
    p.add_argument("command", choices=sorted(COMMANDS))
    p.add_argument("name", nargs="?", help="canonical capture name")
    p.add_argument("view", nargs="?", choices=sorted(VIEWS), help="golden view")
    a = p.parse_args()
    func, needs_tshark = COMMANDS[a.command]
    ts = Tshark(a.plugin) if needs_tshark else None
    try:
        func(a, ts)
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    finally:
        if ts:
            ts.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
