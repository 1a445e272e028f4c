"""tshark in a sandbox: only our plugin added (or the installed one), a throwaway HOME and
WIRESHARK_CONFIG_DIR, run as an unprivileged user when we are root (Wireshark ignores plugin
folders for root)."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile


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
    INSTALLED, with the system's plugin and extcap folders as they are (a package's copy); or,
    with plugin None, without ours at all (what a capture looks like to a user who never
    installed it)."""

    def __init__(self, plugin, tshark="tshark", env=None, memo=None):
        """memo: a folder (appmsg_check.py gives one in the build tree) that keeps, from one
        test to the next, what tshark answered about itself and about this sandbox: its folders,
        and that a sandbox built this way loads this very plugin file and registers 'appmsg'.
        Each answer is keyed by the plugin's bytes and by the identity (path, size, time) of
        tshark and of the system plugins, so another build, another plugin or another Wireshark
        is asked anew. Every tshark start costs about half a second of CPU; three per test
        were a quarter of the whole suite's time."""
        self.env = env or {}  # added to every run (a sanitizer build needs its runtime)
        self.memo = memo
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
        profile = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "profile")  # tests/profile
        for name in sorted(os.listdir(profile)):
            with open(os.path.join(profile, name)) as f:
                self.write_config(name, f.read())

    def _dir(self, name):
        path = os.path.join(self.root, name)
        os.mkdir(path)
        if self.as_root:
            shutil.chown(path, UNPRIVILEGED_USER)
        return path

    def _memo_key(self, *parts):
        """A key over parts and tshark's own identity, or None without a memo folder."""
        if not self.memo:
            return None
        st = os.stat(self.tshark)
        h = hashlib.sha256(json.dumps([os.path.realpath(self.tshark), st.st_size, st.st_mtime_ns,
                                       self.env, self.as_root, parts]).encode())
        return os.path.join(self.memo, h.hexdigest()[:32])

    def _memo_get(self, key):
        if key and os.path.exists(key):
            with open(key, encoding="utf-8") as f:
                return f.read()
        return None

    def _memo_put(self, key, text):
        if key:
            os.makedirs(self.memo, exist_ok=True)
            tmp = f"{key}.{os.getpid()}"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, key)  # tests run side by side: a whole file or none

    def _install_plugins(self, plugin):
        key = self._memo_key("folders")
        folders = self._memo_get(key)
        if folders is None:
            folders = run([self.tshark, "-G", "folders"]).stdout
            self._memo_put(key, folders)
        global_dir = tshark_folder("Global Plugins", folders)
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
                if name != "appmsg.so" and not (plugin and os.path.samefile(path, plugin)):
                    os.symlink(path, os.path.join(ours, name))
        self.plugin_path = None
        # What the sandbox is made of: the plugin's bytes and the system plugins linked in.
        linked = sorted((name, os.stat(os.path.join(self.plugin_dir, version, kind, name)).st_size,
                         os.stat(os.path.join(self.plugin_dir, version, kind, name)).st_mtime_ns)
                        for kind in ("epan", "wiretap", "codecs")
                        for name in os.listdir(os.path.join(self.plugin_dir, version, kind)))
        digest = hashlib.sha256(open(plugin, "rb").read()).hexdigest() if plugin else None
        self.sandbox_key = (digest, linked)
        if plugin:
            self.plugin_path = os.path.join(self.plugin_dir, version, "epan", "appmsg.so")
            shutil.copy(plugin, self.plugin_path)
        for dirpath, dirnames, filenames in os.walk(self.plugin_dir):
            os.chmod(dirpath, 0o755)
        if self.plugin_path:
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
        """Fails unless tshark loaded our copy of the plugin (and, if given, at this version).
        Returns its line of `tshark -G plugins`. A sandbox made of the same plugin bytes and
        the same tshark that passed before (the memo) passes without asking again."""
        key = None if self.installed else self._memo_key("plugin", self.sandbox_key, version)
        known = self._memo_get(key)
        if known is not None:
            return known.replace("{plugin_path}", self.plugin_path)
        line = self._check_plugin(version)
        self._memo_put(key, line.replace(self.plugin_path, "{plugin_path}"))
        return line

    def _check_plugin(self, version):
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

    def require_no_plugin(self):
        """Fails if tshark loaded any appmsg.so (the sandbox without ours); remembered as
        require_plugin's answer is."""
        key = self._memo_key("no plugin", self.sandbox_key)
        if self._memo_get(key) is not None:
            return
        plugins = self.run(["-G", "plugins"]).stdout
        if any(l.startswith("appmsg.so") for l in plugins.splitlines()):
            raise Failure("the sandbox without the plugin loaded appmsg.so:\n" + plugins)
        self._memo_put(key, "no appmsg.so")

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


SKIP = 77  # CTest's SKIP_RETURN_CODE for the live test
