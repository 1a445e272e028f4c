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
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

UNPRIVILEGED_USER = "nobody"


class Failure(Exception):
    pass


def tshark_folder(label, folders=None):
    """A folder `tshark -G folders` names (the first of the labels given that it lists): the
    folders moved between versions, so Wireshark is asked, never assumed."""
    folders = folders if folders is not None else run(["tshark", "-G", "folders"]).stdout
    for one in label.split("|"):
        match = re.search(rf"^{re.escape(one)}:\s*(\S+)$", folders, re.M)
        if match:
            return match.group(1)
    raise Failure(f"tshark -G folders names no {label}")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


INSTALLED = "installed"  # --plugin installed: the copy installed in Wireshark's system folders


class Tshark:
    """tshark with only our plugin added, in a sandbox of temporary folders; or, with plugin
    INSTALLED, with the system's plugin and extcap folders as they are (a package's copy)."""

    def __init__(self, plugin, tshark="tshark", env=None):
        self.env = env or {}  # added to every run (a sanitizer build needs its runtime)
        self.tshark = shutil.which(tshark)
        if not self.tshark:
            raise Failure("tshark is not installed")
        self.root = tempfile.mkdtemp(prefix="appmsg-tshark-")
        os.chmod(self.root, 0o755)
        self.as_root = os.geteuid() == 0
        self.home = self._dir("home")
        self.config = self._dir("config")
        self.inputs = self._dir("inputs")
        self.installed = plugin == INSTALLED
        # no installed extcap programs (isolation, and speed), unless the installed copy is tested
        self.extcap = None if self.installed else self._dir("extcap")
        self.plugin_dir = None if self.installed else os.path.join(self.root, "plugins")
        self._install_plugins(plugin)
        profile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile")
        for name in sorted(os.listdir(profile)):
            with open(os.path.join(profile, name)) as f:
                self.write_config(name, f.read())

    def _dir(self, name):
        path = os.path.join(self.root, name)
        os.mkdir(path)
        if self.as_root:
            shutil.chown(path, UNPRIVILEGED_USER)
        return path

    def _install_plugins(self, plugin):
        global_dir = tshark_folder("Global Plugins", run([self.tshark, "-G", "folders"]).stdout)
        # global_dir is .../plugins/<major.minor>
        version = os.path.basename(global_dir)
        self.version = version  # major.minor of the Wireshark under test
        if self.installed:
            self.plugin_path = os.path.join(global_dir, "epan", "appmsg.so")
            return
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

    def command(self, args, wrap=(), extra_env=None, program=None):
        """(command, environment) that runs program (tshark) in the sandbox, unprivileged."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "WIRESHARK_CONFIG_DIR": self.config,
            "TZ": "UTC",
            "LC_ALL": "C.UTF-8",
            **self.env,
            **(extra_env or {}),
        }
        if not self.installed:
            env.update(WIRESHARK_PLUGIN_DIR=self.plugin_dir, WIRESHARK_EXTCAP_DIR=self.extcap)
        cmd = list(wrap) + [program or self.tshark] + list(args)
        if self.as_root:
            cmd = ["runuser", "-u", UNPRIVILEGED_USER, "--", "env", "-i"] + [
                f"{k}={v}" for k, v in env.items()
            ] + cmd
            env = None
        return cmd, env

    def run(self, args, check=True, wrap=(), extra_env=None, timeout=None):
        """tshark with args; wrap: a command to run it under (e.g. GNU time); extra_env: more
        environment (sanitizer settings); timeout: seconds (TimeoutExpired past it)."""
        cmd, env = self.command(args, wrap, extra_env)
        proc = run(cmd, env=env, cwd=self.root, timeout=timeout)
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
        # name, short name, filter name (4.4 adds columns after them)
        if not re.search(r"^AppMsg .*\tAppMsg\tappmsg(\t.*)?$", protocols, re.M):
            raise Failure("protocol 'appmsg' is not registered")
        return line

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


# ---- What tshark shows --------------------------------------------------------------------------

FIELDS = ["frame.number", "tcp.srcport", "appmsg.type", "appmsg.length", "appmsg.payload"]
AGGREGATOR = "|"  # tshark takes one character; payloads are JSON, commas are theirs


def view_fields(ts, capture, opts):
    """One line per frame (one pass): every message it completes, all occurrences."""
    args = ["-r", ts.readable(capture), "-T", "fields", "-E", "header=y", "-E", "occurrence=a",
            "-E", f"aggregator={AGGREGATOR}"] + opts
    for f in FIELDS:
        args += ["-e", f]
    return ts.run(args).stdout


def view_tree(ts, capture, opts):
    """Two passes, packet details with the AppMsg subtrees expanded (-O appmsg)."""
    return ts.run(["-2", "-r", ts.readable(capture), "-O", "appmsg"] + opts).stdout


def view_info(ts, capture, opts):
    """Two passes, the packet list as Wireshark shows it (Protocol and Info columns)."""
    return ts.run(["-2", "-r", ts.readable(capture)] + opts).stdout


def view_stats(ts, capture, opts):
    """The stats tree: tshark -z appmsg,tree."""
    return ts.run(["-2", "-q", "-r", ts.readable(capture), "-z", "appmsg,tree"] + opts).stdout


VIEWS = {"fields": view_fields, "tree": view_tree, "info": view_info, "stats": view_stats}

EXPERTS = ["appmsg.bad_magic", "appmsg.length_too_large", "appmsg.payload.not_utf8",
           "appmsg.payload.not_json", "appmsg.checksum.bad", "appmsg.truncated",
           "appmsg.echo_differs"]


def packets_json(ts, capture, fields, opts, two_pass=True):
    args = (["-2"] if two_pass else []) + ["-r", ts.readable(capture), "-T", "json"] + opts
    for f in fields:
        args += ["-e", f]
    return [p["_source"]["layers"] for p in json.loads(ts.run(args).stdout or "[]")]


class Pairs(list):
    """A JSON object as its (key, value) pairs: tshark repeats keys (one "appmsg" per message)."""

    def get(self, key, default=None):
        return next((v for k, v in self if k == key), default)


def appmsg_items(ts, capture, opts):
    """{frame number: [AppMsg item, ...]} in tree order, from two-pass -T json."""
    out = ts.run(["-2", "-r", ts.readable(capture), "-T", "json", "-J", "frame appmsg"] + opts)
    items = {}
    for packet in json.loads(out.stdout or "[]", object_pairs_hook=Pairs):
        layers = packet.get("_source").get("layers")
        frame = layers.get("frame").get("frame.number")
        items[frame] = [v for k, v in layers if k == "appmsg"]
    return items


def messages_seen(ts, capture, opts):
    """{(tcp stream, 'c2s'|'s2c'): [(type, length, payload), ...]} as the plugin shows them
    (two passes), and the skipped bytes per direction. The client is the side that sent the
    SYN; a truncated message reported in a later frame belongs to the side it started on."""
    clients, frames, seen, skipped = {}, {}, {}, {}
    for layers in packets_json(ts, capture, [
            "frame.number", "tcp.stream", "ip.src", "tcp.srcport", "tcp.flags.syn",
            "tcp.flags.ack", "appmsg.skipped"], opts):
        first = lambda k: layers.get(k, [None])[0]
        stream, endpoint = first("tcp.stream"), (first("ip.src"), first("tcp.srcport"))
        if first("tcp.flags.syn") in ("1", "True") and first("tcp.flags.ack") in ("0", "False"):
            clients[stream] = endpoint
        frames[first("frame.number")] = (stream, endpoint)
        for hexbytes in layers.get("appmsg.skipped", []):
            key = (int(stream), "c2s" if clients.get(stream) == endpoint else "s2c")
            skipped[key] = skipped.get(key, 0) + len(hexbytes.replace(":", "")) // 2
    for frame, items in appmsg_items(ts, capture, opts).items():
        for item in items:
            if item.get("appmsg.type") is None:
                continue  # a truncated header: nothing to compare
            stream, endpoint = frames[item.get("appmsg.truncated.start", frame)]
            if stream not in clients:
                raise Failure(f"tcp.stream {stream}: messages before any SYN")
            key = (int(stream), "c2s" if clients[stream] == endpoint else "s2c")
            seen.setdefault(key, []).append((int(item.get("appmsg.type")),
                                             int(item.get("appmsg.length")),
                                             item.get("appmsg.payload")))
    return seen, skipped


def expert_counts(ts, capture, opts):
    """How often each AppMsg expert info appears (two passes), from the PDML."""
    pdml = ts.run(["-2", "-r", ts.readable(capture), "-T", "pdml"] + opts).stdout
    return {e: len(re.findall(f'<field name="{re.escape(e)}"', pdml)) for e in EXPERTS}


# What a reader shows for a message with an injected error (docs/manifest.md).
HEADER_LEN = {False: 12, True: 16}


def expected_reader_view(manifest_path, checked):
    """From the manifest: the messages a reader shows per (conn, dir) — payload None where it
    is not compared — the bytes it skips, and the expert infos it reports."""
    shown, skipped = {}, {}
    experts = dict.fromkeys(EXPERTS, 0)
    with open(manifest_path, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            key, error = (m["conn"], m["dir"]), m.get("error")
            payload_len = len(m["payload"].encode()) if "payload" in m else None
            skipped[key] = skipped.get(key, 0) + m.get("garbage_before", 0)
            if error == "bad_magic":
                skipped[key] += HEADER_LEN[checked] + (payload_len or 0)
                continue
            if error == "oversize":
                skipped[key] += payload_len or 0
                experts["appmsg.length_too_large"] += 1
                shown.setdefault(key, []).append((m["type"], m["length"], ""))
                continue
            if error == "cut":
                experts["appmsg.truncated"] += 1
                if m["sent"] >= HEADER_LEN[checked]:
                    shown.setdefault(key, []).append((m["type"], m["length"], None))
                continue
            if error == "bad_utf8":
                experts["appmsg.payload.not_utf8"] += 1
                shown.setdefault(key, []).append((m["type"], m["length"], None))
                continue
            # an empty payload frames fine but is no JSON value
            experts["appmsg.payload.not_json"] += error == "bad_json" or m["length"] == 0
            experts["appmsg.checksum.bad"] += error == "bad_checksum"
            experts["appmsg.echo_differs"] += error == "echo_differs"
            shown.setdefault(key, []).append((m["type"], m["length"], m["payload"]))
    experts["appmsg.bad_magic"] = None  # one or more per skipped run: checked by byte count
    return shown, skipped, experts


# ---- Captures ---------------------------------------------------------------------------------------

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


# ---- Commands -------------------------------------------------------------------------------------

def cmd_plugin_loaded(a, ts):
    print(ts.require_plugin(a.expect_version))


# Golden files are Wireshark 4.0's (Debian 12). Where a later version's tshark legitimately shows
# something else (docs/versions.md), its own file sits in tests/golden/<major.minor>/; a version
# without its own file takes the newest earlier version's, then the common one (4.6 → 4.4 → common).
GOLDEN_BASE_VERSION = "4.0"


def version_key(version):
    return tuple(int(n) for n in version.split("."))


def golden_chain(source, name, view, version):
    """The golden files tshark of this version falls back through, newest first."""
    top = os.path.join(source, "tests", "golden")
    versions = sorted((d for d in os.listdir(top) if re.fullmatch(r"\d+\.\d+", d)
                       and version_key(GOLDEN_BASE_VERSION) < version_key(d) <= version_key(version)),
                      key=version_key, reverse=True)
    return [os.path.join(top, v, f"{name}.{view}.txt") for v in versions] + \
        [os.path.join(top, f"{name}.{view}.txt")]


def golden_path(source, name, view, version=GOLDEN_BASE_VERSION):
    """The golden file for this version: the first of its chain that exists."""
    chain = golden_chain(source, name, view, version)
    return next((p for p in chain if os.path.exists(p)), chain[-1])


def check_golden(ts, source, name, view):
    """tshark's view of a canonical capture equals its golden file (this version's, if it has
    one); prints the diff and fails otherwise. Returns the golden file's path and line count."""
    _, _, opts = recipe(source, name)
    actual = VIEWS[view](ts, capture_path(source, name), opts)
    path = golden_path(source, name, view, ts.version)
    if not os.path.exists(path):
        raise Failure(f"no golden file {path}: run `cmake --build build --target update-golden`")
    with open(path, encoding="utf-8") as f:
        golden = f.read()
    if actual != golden:
        diff = difflib.unified_diff(golden.splitlines(True), actual.splitlines(True),
                                    path, "tshark now")
        sys.stdout.writelines(list(diff)[:200])
        raise Failure(f"tshark's {view} view of {name} differs from {path}")
    return path, len(golden.splitlines())


def cmd_golden(a, ts):
    ts.require_plugin()
    path, lines = check_golden(ts, a.source, a.name, a.view)
    print(f"{a.name}: {a.view} view matches {os.path.relpath(path, a.source)} ({lines} lines)")


def cmd_update_golden(a, ts):
    """Writes this version's views: the common files under 4.0; under a later version only
    the files whose view differs from what it would fall back to (and removes the others)."""
    ts.require_plugin()
    for name, _, opts in recipes(a.source):
        for view, render in VIEWS.items():
            text = render(ts, capture_path(a.source, name), opts)
            path = golden_path(a.source, name, view)
            if ts.version != GOLDEN_BASE_VERSION:
                own = os.path.join(a.source, "tests", "golden", ts.version, f"{name}.{view}.txt")
                fallback = next((p for p in golden_chain(a.source, name, view, ts.version)
                                 if p != own and os.path.exists(p)), None)
                if fallback:
                    with open(fallback, encoding="utf-8") as f:
                        if f.read() == text:
                            if os.path.exists(own):
                                os.remove(own)
                                print("removed", os.path.relpath(own, a.source))
                            continue
                os.makedirs(os.path.dirname(own), exist_ok=True)
                path = own
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print("wrote", os.path.relpath(path, a.source))


def cmd_golden_copies(a, ts):
    """No version's golden file is a copy of what that version would fall back to: per-version
    files hold only what Wireshark itself prints differently."""
    top = os.path.join(a.source, "tests", "golden")
    versions = [d for d in os.listdir(top) if re.fullmatch(r"\d+\.\d+", d)]
    count = 0
    for version in versions:
        for name in sorted(os.listdir(os.path.join(top, version))):
            capture, view, _ = name.rsplit(".", 2)
            own, *earlier = golden_chain(a.source, capture, view, version)
            fallback = next((p for p in earlier if os.path.exists(p)), None)
            if fallback and filecmp.cmp(own, fallback, False):
                raise Failure(f"{os.path.relpath(own, a.source)} is a copy of "
                              f"{os.path.relpath(fallback, a.source)}: remove it")
            count += 1
    print(f"{count} per-version golden files in {sorted(versions)}, none a copy of its fallback")


def compare_messages(name, expected, seen):
    for key in sorted(set(expected) | set(seen)):
        exp, got = expected.get(key, []), seen.get(key, [])
        for i, (e, g) in enumerate(zip(exp, got)):
            if e[:2] != g[:2] or (e[2] is not None and e[2] != g[2]):
                raise Failure(f"{name} {key} message {i}: expected {e}, tshark shows {g}")
        if len(exp) != len(got):
            raise Failure(f"{name} {key}: expected {len(exp)} messages, tshark shows {len(got)}")


def cmd_manifest(a, ts):
    """tshark (two passes) shows exactly the manifest's messages, skips exactly the injected
    bytes and reports exactly the injected errors."""
    ts.require_plugin()
    _, gen_args, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    expected, exp_skipped, exp_experts = expected_reader_view(
        manifest_for(capture), "--checked" in gen_args)
    seen, skipped = messages_seen(ts, capture, opts)
    compare_messages(a.name, expected, seen)
    for key in sorted(set(exp_skipped) | set(skipped)):
        if exp_skipped.get(key, 0) != skipped.get(key, 0):
            raise Failure(f"{a.name} {key}: {skipped.get(key, 0)} bytes skipped, "
                          f"expected {exp_skipped.get(key, 0)}")
    experts = expert_counts(ts, capture, opts)
    for name, count in exp_experts.items():
        want_some = sum(exp_skipped.values()) > 0
        if count is None and (experts[name] > 0) != want_some:
            raise Failure(f"{a.name}: {experts[name]} × {name}, expected {'some' if want_some else 'none'}")
        if count is not None and experts[name] != count:
            raise Failure(f"{a.name}: {experts[name]} × {name}, expected {count}")
    counts = ", ".join(f"conn {k[0]} {k[1]}: {len(v)}" for k, v in sorted(seen.items()))
    reported = ", ".join(f"{k.split('appmsg.')[1]} {v}" for k, v in experts.items() if v)
    print(f"{a.name}: tshark shows exactly the manifest's messages ({counts}); "
          f"skipped {sum(skipped.values())} bytes; experts: {reported or 'none'}")


JSON_TREE_MAX_TOKENS = 4096  # plugin/appmsg-json-tree.h


def expected_members(payload):
    """The appmsg.json.member / .element values the member list should show for payload, in
    tree order, from Python's own JSON parser: ("member", "key:value") for a scalar member,
    ("member", "key") for an object or array member, ("element", value) for a scalar element.
    Numbers as written, strings unescaped. None where the plugin keeps a string as written (a
    NUL or a lone surrogate, which wsutil will not unescape): then nothing is compared."""
    try:
        value = json.loads(payload, object_pairs_hook=lambda pairs: ("obj", pairs),
                           parse_int=str, parse_float=str)
    except ValueError:
        return []
    out, tokens, raw = [], [0], [False]

    def text(v):
        if v is True or v is False or v is None:
            return {True: "true", False: "false", None: "null"}[v]
        if "\0" in v:
            raw[0] = True
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raw[0] = True
        return v

    def walk(v):
        tokens[0] += 1
        if isinstance(v, tuple):
            for key, child in v[1]:
                tokens[0] += 1
                if isinstance(child, (tuple, list)):
                    out.append(("member", text(key)))
                    walk(child)
                else:
                    out.append(("member", f"{text(key)}:{text(child)}"))
                    tokens[0] += 1
        elif isinstance(v, list):
            for child in v:
                if isinstance(child, (tuple, list)):
                    walk(child)
                else:
                    out.append(("element", text(child)))
                    tokens[0] += 1

    if not isinstance(value, (tuple, list)):
        return []
    walk(value)
    if tokens[0] > JSON_TREE_MAX_TOKENS:
        return []
    return None if raw[0] else out


def shown_members(node):
    """The member and element values under an appmsg item of -T json, in tree order."""
    out = []
    for key, value in node if isinstance(node, Pairs) else []:
        if key in ("appmsg.json.member", "appmsg.json.element"):
            out.append((key.split(".")[-1], value))
        out.extend(shown_members(value))
    return out


def cmd_json_members(a, ts):
    """The payload member list shows what Python's JSON parser finds in each payload."""
    ts.require_plugin()
    _, _, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    checked = members = 0
    for frame, items in appmsg_items(ts, capture, opts).items():
        for item in items:
            payload = item.get("appmsg.payload")
            if payload is None or "\ufffd" in payload:
                continue  # none, or not UTF-8 (tshark shows replacement characters)
            want = expected_members(payload)
            if want is None:
                continue
            got = shown_members(item)
            if got != want:
                raise Failure(f"frame {frame}: members {got[:6]}..., expected {want[:6]}...")
            checked += 1
            members += len(got)
    if not checked:
        raise Failure(f"{a.name}: no payload to check")
    print(f"{a.name}: {checked} payloads, {members} members and elements, as Python parses them")


def cmd_pairing(a, ts):
    """Echo pairing is the same in one pass and in two: response_to and time at once,
    response_in (the forward link) once the echo has been seen, and the links agree."""
    ts.require_plugin()
    _, _, opts = recipe(a.source, a.name)
    capture = capture_path(a.source, a.name)
    fields = ["frame.number", "appmsg.response_in", "appmsg.response_to", "appmsg.time"]
    one = {p["frame.number"][0]: p for p in packets_json(ts, capture, fields, opts, False)}
    two = {p["frame.number"][0]: p for p in packets_json(ts, capture, fields, opts, True)}
    pairs = 0
    for frame, p in two.items():
        for k in ("appmsg.response_to", "appmsg.time"):
            if p.get(k) != one[frame].get(k):
                raise Failure(f"frame {frame}: {k} {one[frame].get(k)} in one pass, "
                              f"{p.get(k)} in two")
        for request in p.get("appmsg.response_to", []):
            if frame not in two[request].get("appmsg.response_in", []):
                raise Failure(f"frame {frame} echoes frame {request}, "
                              f"which does not point back")
            pairs += 1
    if not pairs:
        raise Failure(f"{a.name}: no echo pairs at all")
    print(f"{a.name}: {pairs} echo pairs, the same in one and two passes")


def count_messages(ts, capture, opts):
    return sum(len(p.get("appmsg.type", [])) for p in packets_json(ts, capture, ["appmsg.type"], opts))


def cmd_finding(a, ts):
    """A stream on another port is found by the heuristic, the port preference or Decode As;
    with none of them, not at all; and a stream that merely contains the magic is not taken."""
    ts.require_plugin()
    capture = capture_path(a.source, a.name)
    want = sum(1 for _ in open(manifest_for(capture)))
    gen_args = recipe(a.source, a.name)[1]
    port = gen_args[gen_args.index("-p") + 1]
    off = ["--disable-heuristic", "appmsg_tcp"]
    cases = [("heuristic (default)", [], want),
             ("no heuristic", off, 0),
             ("port preference", off + ["-o", f"appmsg.tcp.port:{port}"], want),
             ("Decode As", off + ["-d", f"tcp.port=={port},appmsg"], want)]
    for what, opts, n in cases:
        got = count_messages(ts, capture, opts)
        if got != n:
            raise Failure(f"{what}: {got} messages, expected {n}")
        print(f"{what}: {got} messages")
    # The magic in the middle of another protocol's segment is not a reason to claim it.
    hexdump = os.path.join(ts.inputs, "magic-inside.txt")
    with open(hexdump, "w") as f:
        data = b"HELLO there, not AppMsg: " + bytes.fromhex("12345678000000010000000a") + b" bye"
        f.write("0000  " + " ".join(f"{b:02x}" for b in data) + "\n")
    pcap = os.path.join(ts.inputs, "magic-inside.pcap")
    proc = run(["text2pcap", "-q", "-T", "40000,7002", hexdump, pcap])
    if proc.returncode != 0:
        raise Failure(f"text2pcap failed: {proc.stderr}")
    os.chmod(pcap, 0o644)
    got = count_messages(ts, pcap, [])
    if got != 0:
        raise Failure(f"the heuristic claimed a stream that only contains the magic ({got})")
    print("a segment with the magic inside, not at its start: not claimed")


def cmd_max_length(a, ts):
    """A lower maximum length preference: longer messages are reported and skipped, never
    waited for, and every shorter one is still found."""
    ts.require_plugin()
    capture = capture_path(a.source, a.name)
    limit = 60
    opts = ["-o", f"appmsg.max_length:{limit}"]
    expected, _, _ = expected_reader_view(manifest_for(capture), False)
    seen, _ = messages_seen(ts, capture, opts)
    too_long = 0
    for key, msgs in expected.items():
        expected[key] = [(t, l, p if l <= limit else "") for t, l, p in msgs]
        too_long += sum(1 for m in msgs if m[1] > limit)
    compare_messages(a.name, expected, seen)
    got = expert_counts(ts, capture, opts)["appmsg.length_too_large"]
    if got != too_long:
        raise Failure(f"{got} × length_too_large, expected {too_long}")
    print(f"max_length {limit}: {too_long} messages reported as too long, all others found")


SKIP = 77  # CTest's SKIP_RETURN_CODE for the live test


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


def cmd_deb(a, ts):
    """The Debian package: built from the sources with CPack, it depends on the exact
    libwireshark package, and unpacked into a scratch root (dpkg -x) its plugin and its
    appmsg-gen work with the system's tshark."""
    work = os.path.join(os.getcwd(), "deb-check")
    shutil.rmtree(work, ignore_errors=True)
    build, root = os.path.join(work, "build"), os.path.join(work, "root")
    for cmd in (["cmake", "-S", a.source, "-B", build, "-DAPPMSG_INSTALL_SYSTEM=ON"],
                ["cmake", "--build", build, "-j", str(os.cpu_count() or 2), "--target", "appmsg",
                 "appmsg-gen"],
                ["cpack", "-G", "DEB", "-B", work]):
        proc = run(cmd, cwd=build if cmd[0] == "cpack" else None)
        if proc.returncode != 0:
            raise Failure(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                          f"{proc.stderr[-2000:]}")
    debs = [f for f in os.listdir(work) if f.endswith(".deb")]
    if len(debs) != 1:
        raise Failure(f"cpack made {debs}, expected one .deb")
    deb = os.path.join(work, debs[0])
    depends = run(["dpkg-deb", "-f", deb, "Depends"]).stdout.strip()
    owner = run(["dpkg-query", "-S", os.path.realpath(
        run(["pkg-config", "--variable=libdir", "wireshark"]).stdout.strip() +
        "/libwireshark.so")]).stdout.split(":")[0]
    if not re.search(rf"\b{re.escape(owner)} \(>= [^)]+\), {re.escape(owner)} \(<< [0-9.]+~\)",
                     depends):
        raise Failure(f"Depends does not pin {owner} to this minor version: {depends}")
    run(["dpkg", "-x", deb, root], check=True)
    folders = run(["tshark", "-G", "folders"]).stdout
    plugin = os.path.join(root, tshark_folder("Global Plugins", folders).lstrip("/"), "epan",
                          "appmsg.so")
    gen = os.path.join(root, "usr", "bin", "appmsg-gen")
    # 4.0 says "Extcap path", later versions "Global Extcap path"
    extcap = os.path.join(root, tshark_folder("Global Extcap path|Extcap path", folders).lstrip("/"),
                          "appmsg-gen")
    for path in (plugin, gen, extcap):
        if not os.path.exists(path):
            raise Failure(f"{deb} has no {os.path.relpath(path, root)}")
    packaged = Tshark(plugin)
    try:
        packaged.require_plugin(a.expect_version)
        check_golden(packaged, a.source, "whole", "fields")
        made = os.path.join(work, "made.pcap")
        run([gen, "-n", "5", "--no-manifest", "-w", made], check=True)
        types = packaged.run(["-r", packaged.readable(made), "-T", "fields", "-E",
                              "occurrence=a", "-e", "appmsg.type"]).stdout.split()
        count = sum(len(t.split(",")) for t in types)
        if count != 10:
            raise Failure(f"tshark shows {count} messages in the packaged appmsg-gen's capture")
    finally:
        packaged.cleanup()
    print(f"{debs[0]}: Depends: {depends}; unpacked, its plugin shows whole.pcap as the golden "
          f"file says and its appmsg-gen's 5 echoed messages (10 on the wire)")


def documented_filters(source):
    """The filters of docs/dissector.md's "Filters worth knowing" table, as written there."""
    with open(os.path.join(source, "docs", "dissector.md"), encoding="utf-8") as f:
        text = f.read()
    table = text.split("## Filters worth knowing", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", table, re.M)


def cmd_doc_filters(a, ts):
    """Every documented filter gives, on captures with a known answer (tests/doc_filters.txt),
    exactly the frames it promises; a documented filter without a known answer fails."""
    ts.require_plugin()
    answers = {}
    with open(os.path.join(a.source, "tests", "doc_filters.txt"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                flt, capture, frames = (part.strip() for part in line.rsplit("|", 2))
                answers.setdefault(flt, []).append((capture, frames.split()))
    documented = documented_filters(a.source)
    missing = [flt for flt in documented if flt not in answers]
    if missing:
        raise Failure(f"documented filters without a known answer in tests/doc_filters.txt: {missing}")
    checked = 0
    for flt in documented:
        for capture, want in answers[flt]:
            _, _, opts = recipe(a.source, capture)
            got = ts.run(["-2", "-r", ts.readable(capture_path(a.source, capture)), "-Y", flt,
                          "-T", "fields", "-e", "frame.number"] + opts).stdout.split()
            if got != want:
                raise Failure(f"{flt!r} on {capture}: frames {' '.join(got) or '(none)'}, "
                              f"expected {' '.join(want) or '(none)'}")
            checked += 1
    print(f"{len(documented)} documented filters, {checked} known answers, all as promised")


DOC_FILES = ["README.md", "docs/dissector.md"]


def doc_samples(text):
    """The sample outputs of a Markdown text: fenced blocks whose first line is `$ tshark …`,
    as (start, end, command) character spans of the output lines that follow the command."""
    for m in re.finditer(r"^```\n\$ (tshark [^\n]*)\n(.*?)^```$", text, re.M | re.S):
        yield m.start(2), m.end(2), m.group(1)


def run_sample(ts, source, command):
    """What a new user sees for a documented tshark command: run in the source tree's place
    (captures/…), without the test profile's type names (the command gives its own with -o)."""
    args = shlex.split(command)[1:]
    args = [ts.readable(os.path.join(source, arg)) if arg.startswith("captures/") else arg
            for arg in args]
    return ts.run(args).stdout


def cmd_doc_samples(a, ts):
    """Sample outputs in README.md and docs/ are what tshark prints for their command, on the
    Wireshark the docs describe (4.0); --update rewrites them (target update-docs)."""
    ts.require_plugin()
    if ts.version != GOLDEN_BASE_VERSION:
        print(f"SKIP: the docs show Wireshark {GOLDEN_BASE_VERSION}'s output, this is {ts.version}")
        return SKIP
    os.remove(os.path.join(ts.config, "appmsg_types"))
    stale, count = [], 0
    for name in DOC_FILES:
        path = os.path.join(a.source, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        new, last = [], 0
        for start, end, command in doc_samples(text):
            output = run_sample(ts, a.source, command)
            if text[start:end] != output:
                stale.append(f"{name}: $ {command}")
                if not a.update:
                    sys.stdout.writelines(list(difflib.unified_diff(
                        text[start:end].splitlines(True), output.splitlines(True),
                        f"{name}: $ {command}", "tshark now"))[:60])
            new += [text[last:start], output]
            last = end
            count += 1
        if a.update and stale:
            with open(path, "w", encoding="utf-8") as f:
                f.write("".join(new) + text[last:])
    if stale and not a.update:
        raise Failure(f"{len(stale)} sample outputs differ from what tshark prints "
                      "(cmake --build build --target update-docs): " + "; ".join(stale))
    print(f"{count} sample outputs in {', '.join(DOC_FILES)}: "
          + (f"rewrote {len(stale)}" if a.update else "all as tshark prints them"))


# What the AppMsg profile's colouring rules must make of errors.pcap (tests/doc_filters.txt says
# which frames carry which problem): background colour by frame.
PROFILE_COLOURS = {"#ffc000": "45 47",  # echo differs
                   "#800080": "50 52",  # truncated
                   "#c00000": "6 7 8 9 10 11 12 13 14 15 16 17 22 23 24 25 30 31 36 37"}  # errors
PROFILE_APPMSG_COLOUR = "#d0e7ff"  # every other AppMsg frame
PROFILE_COLUMNS = ["Type", "Bytes", "Echo time"]


def install_profile(ts, source):
    """The shipped profile (profiles/AppMsg) into the sandbox's configuration folder."""
    dst = os.path.join(ts.config, "profiles", "AppMsg")
    shutil.copytree(os.path.join(source, "profiles", "AppMsg"), dst)
    for dirpath, _, filenames in os.walk(os.path.join(ts.config, "profiles")):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def cmd_profile(a, ts):
    """The AppMsg profile (tshark -C AppMsg, as wireshark -C AppMsg): its columns, its colouring
    rules on errors.pcap (PSML with --color carries each row's colours), and its filter buttons
    (each a documented filter)."""
    ts.require_plugin()
    install_profile(ts, a.source)
    capture = ts.readable(capture_path(a.source, "errors"))
    psml = ts.run(["-C", "AppMsg", "-2", "-r", capture, "--color", "-T", "psml"]).stdout
    columns = re.findall(r"<section>([^<]*)</section>", psml.split("</structure>")[0])
    if [c for c in PROFILE_COLUMNS if c not in columns]:
        raise Failure(f"the profile's columns are {columns}, expected {PROFILE_COLUMNS} among them")
    appmsg = set(ts.run(["-2", "-r", capture, "-Y", "appmsg", "-T", "fields", "-e",
                         "frame.number"]).stdout.split())
    want = {frame: colour for colour, frames in PROFILE_COLOURS.items() for frame in frames.split()}
    rows = re.findall(r"<packet foreground='[^']*' background='([^']*)'>\s*<section>(\d+)</section>",
                      psml)
    if not rows:
        raise Failure("tshark --color -T psml gave no colours")
    for background, frame in rows:
        expected = want.get(frame, PROFILE_APPMSG_COLOUR if frame in appmsg else None)
        if expected and background != expected:
            raise Failure(f"frame {frame} is coloured {background}, expected {expected}")
    with open(os.path.join(a.source, "profiles", "AppMsg", "dfilter_buttons"), encoding="utf-8") as f:
        buttons = re.findall(r'^"TRUE","([^"]+)","([^"]+)"', f.read(), re.M)
    undocumented = [b for b in buttons if b[1] not in documented_filters(a.source)]
    if undocumented or len(buttons) < 5:
        raise Failure(f"filter buttons that docs/dissector.md does not list: {undocumented}")
    print(f"profile AppMsg: columns {PROFILE_COLUMNS}, {len(rows)} rows coloured as the rules say, "
          f"{len(buttons)} filter buttons, all documented")


def cmd_installed(a, ts):
    """The package as a user installs it (apt-get install ./wireshark-appmsg_….deb, in a
    version stage's root): tshark loads appmsg.so from Wireshark's system plugin folder, lists
    the "AppMsg generator" among its interfaces (the system extcap folder), and shows every
    canonical capture as the golden files say."""
    line = ts.require_plugin(a.expect_version)
    listed = ts.run(["-D"], check=False)
    if "(AppMsg generator)" not in listed.stdout:
        raise Failure(f"tshark -D does not list the AppMsg generator:\n{listed.stdout}{listed.stderr}")
    views = 0
    for name, _, _ in recipes(a.source):
        for view in VIEWS:
            check_golden(ts, a.source, name, view)
            views += 1
    print(f"installed: {line.split(chr(9))[-1]} loaded, AppMsg generator listed by tshark -D, "
          f"{views} golden views of {views // len(VIEWS)} captures equal")


# ---- The Wireshark window ---------------------------------------------------------------------------

GUI_SIZE = (1400, 1000)
# (name, capture, Wireshark options, what to open once the window is up)
GUI_PICTURES = [
    ("wireshark-appmsg", "whole", ["-C", "AppMsg", "-Y", "appmsg", "-g", "7"], "message"),
    ("wireshark-appmsg-profile", "errors", ["-C", "AppMsg"], "list"),
    ("wireshark-appmsg-stats", "errors", [], "statistics"),
]


def x_run(display, *args, **kw):
    return run(list(args), env={**os.environ, "DISPLAY": display}, **kw)


def screenshot(display, path):
    """The whole screen as PNG (xwd, then ImageMagick)."""
    xwd = subprocess.run(["xwd", "-root", "-silent", "-display", display], stdout=subprocess.PIPE,
                         check=True).stdout
    subprocess.run(["convert", "xwd:-", f"png:{path}"], input=xwd, check=True)


def colour_pixels(path, colour):
    """How many pixels of the picture have exactly this colour ("#rrggbb")."""
    histogram = run(["convert", path, "-format", "%c", "histogram:info:-"]).stdout
    return sum(int(m.group(1)) for m in re.finditer(rf"^\s*(\d+):.*{re.escape(colour)}\b",
                                                   histogram, re.M | re.I))


# The AppMsg profile's rows in the packet list of errors.pcap's first screen: the colouring
# rules' error red on its 14 rows with problems, the AppMsg blue on the others (pixels at least).
GUI_PROFILE_ROWS = {"#c00000": 100000, PROFILE_APPMSG_COLOUR: 10000}


def distinct_colours(path):
    out = run(["identify", "-format", "%k", path]).stdout.strip()
    return int(out) if out.isdigit() else 0


def wait_for_window(display, title, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        ids = x_run(display, "xdotool", "search", "--name", title).stdout.split()
        if ids:
            return ids[0]
        time.sleep(0.5)
    raise Failure(f"no window titled {title!r} after {seconds} s")


def cmd_gui(a, ts):
    """The real Wireshark GUI under Xvfb, with the freshly built plugin and the AppMsg profile
    (-C AppMsg): the window comes up with the capture, a message's subtree is opened; errors.pcap
    in the profile, whose colouring rules must paint its error rows; then Statistics → AppMsg.
    A screenshot of each (build/screenshots/, or docs/images/ with --update) must not be blank.
    Needs wireshark-qt, xvfb, xdotool, x11-apps, imagemagick."""
    line = ts.require_plugin()  # the same sandbox (plugin folder, profile) that Wireshark gets
    install_profile(ts, a.source)  # the AppMsg profile, as quickstart installs it (-C AppMsg)
    for tool in ("wireshark", "Xvfb", "xdotool", "xwd", "convert", "identify"):
        if not shutil.which(tool):
            raise Failure(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    out_dir = os.path.join(a.source, "docs", "images") if a.update else \
        os.path.join(os.getcwd(), "screenshots")
    os.makedirs(out_dir, exist_ok=True)
    display = f":{100 + os.getpid() % 400}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{GUI_SIZE[0]}x{GUI_SIZE[1]}x24",
                             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        for name, capture, options, open_what in GUI_PICTURES:
            cap = ts.readable(capture_path(a.source, capture))
            cmd, env = ts.command(["-r", cap, "-o", "gui.layout_content_3:NONE"] + options,
                                  extra_env={"DISPLAY": display},
                                  program=shutil.which("wireshark"))
            gui = subprocess.Popen(cmd, env=env, cwd=ts.root, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            try:
                window = wait_for_window(display, os.path.basename(cap))
                x_run(display, "xdotool", "windowsize", window, *map(str, GUI_SIZE))
                x_run(display, "xdotool", "windowmove", window, "0", "0")
                time.sleep(3)  # the capture is read and the dialogs drawn
                if open_what == "message":
                    # The first message item of the details pane, then all its subtrees.
                    x_run(display, "xdotool", "mousemove", "200", "613", "click", "1")
                    time.sleep(0.5)
                    x_run(display, "xdotool", "key", "shift+Right")
                    time.sleep(1)
                elif open_what == "statistics":
                    # Statistics → AppMsg (the GUI takes no -z for stats trees).
                    x_run(display, "xdotool", "mousemove", "325", "10", "click", "1")
                    time.sleep(1)
                    x_run(display, "xdotool", "mousemove", "346", "688", "click", "1")
                    dialog = wait_for_window(display, "AppMsg", 20)
                    x_run(display, "xdotool", "windowsize", dialog, "1000", "560")
                    x_run(display, "xdotool", "windowmove", dialog, "200", "300")
                    time.sleep(3)
                path = os.path.join(out_dir, f"{name}.png")
                screenshot(display, path)
                colours = distinct_colours(path)
                if gui.poll() is not None:
                    raise Failure(f"wireshark exited ({gui.returncode}) while showing {capture}")
                if colours < 16:
                    raise Failure(f"{path}: {colours} colours, the window looks blank")
                if open_what == "list":  # the profile's colouring rules at work
                    for colour, least in GUI_PROFILE_ROWS.items():
                        if colour_pixels(path, colour) < least:
                            raise Failure(f"{path}: fewer than {least} pixels of {colour}: the "
                                          "AppMsg profile's colouring rules are not applied")
                print(f"{name}: Wireshark showed {capture} with {line.split(chr(9))[0]} loaded; "
                      f"screenshot {path} ({colours} colours)")
            finally:
                gui.terminate()
                try:
                    gui.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    gui.kill()
    finally:
        xvfb.terminate()
        xvfb.wait()


COMMANDS = {
    "plugin-loaded": (cmd_plugin_loaded, True),
    "pairing": (cmd_pairing, True),
    "json-members": (cmd_json_members, True),
    "finding": (cmd_finding, True),
    "max-length": (cmd_max_length, True),
    "live": (cmd_live, True),
    "extcap": (cmd_extcap, True),
    "gui": (cmd_gui, True),
    "deb": (cmd_deb, True),
    "golden": (cmd_golden, True),
    "update-golden": (cmd_update_golden, True),
    "golden-copies": (cmd_golden_copies, False),
    "manifest": (cmd_manifest, True),
    "tcp-valid": (cmd_tcp_valid, True),
    "make-captures": (cmd_make_captures, False),
    "captures-current": (cmd_captures_current, False),
    "installed": (cmd_installed, True),
    "doc-filters": (cmd_doc_filters, True),
    "doc-samples": (cmd_doc_samples, True),
    "profile": (cmd_profile, True),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plugin", required=True, help="the freshly built appmsg.so")
    p.add_argument("--gen", required=True, help="the freshly built appmsg-gen")
    p.add_argument("--source", required=True, help="the source tree")
    p.add_argument("--expect-version", help="version the plugin must report")
    p.add_argument("--update", action="store_true",
                   help="gui: write docs/images/; doc-samples: rewrite the sample outputs")
    p.add_argument("command", choices=sorted(COMMANDS))
    p.add_argument("name", nargs="?", help="canonical capture name")
    p.add_argument("view", nargs="?", choices=sorted(VIEWS), help="golden view")
    a = p.parse_args()
    func, needs_tshark = COMMANDS[a.command]
    ts = Tshark(a.plugin) if needs_tshark else None
    try:
        rc = func(a, ts)
        if rc:
            return rc
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    finally:
        if ts:
            ts.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
