"""The Debian package: built, its Depends, unpacked (deb) and installed in a version stage's root
(installed)."""
import os
import re
import shutil

from checks.captures import recipe
from checks.golden import check_golden
from checks.sandbox import Failure, Tshark, run, tshark_folder
from checks.views import VIEWS


def cmd_deb(a, ts):
    """The Debian package: built from the sources with CPack, it depends on the exact
    libwireshark package, and unpacked into a scratch root (dpkg -x) its plugin and its
    appmsg-gen work with the system's tshark; it carries the Lua edition for other systems."""
    work = os.path.join(os.getcwd(), "deb-check")
    shutil.rmtree(work, ignore_errors=True)
    build, root = os.path.join(work, "build"), os.path.join(work, "root")
    for cmd in (["cmake", "-S", a.source, "-B", build, "-DAPPMSG_INSTALL_SYSTEM=ON"],
                ["cmake", "--build", build, "-j", str(os.cpu_count() or 2), "--target", "appmsg",
                 "appmsg-gen", "appmsg_lua"],
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
    lua = os.path.join(root, "usr", "share", "wireshark-appmsg", "appmsg.lua")
    # 4.0 says "Extcap path", later versions "Global Extcap path"
    extcap = os.path.join(root, tshark_folder("Global Extcap path|Extcap path", folders).lstrip("/"),
                          "appmsg-gen")
    for path in (plugin, gen, extcap, lua):
        if not os.path.exists(path):
            raise Failure(f"{deb} has no {os.path.relpath(path, root)}")
    packaged = Tshark(plugin, memo=a.memo)
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


# The captures the installed package is checked on: every kind of error, and several IPv6
# connections in pcapng. The same plugin binary passed every capture in the test sandbox.
INSTALLED_CAPTURES = ["errors", "ipv6-connections"]


def cmd_installed(a, ts):
    """The package as a user installs it (apt-get install ./wireshark-appmsg_….deb, in a
    version stage's root): tshark loads appmsg.so from Wireshark's system plugin folder, lists
    the "AppMsg generator" among its interfaces (the system extcap folder), and shows
    INSTALLED_CAPTURES as the golden files say, every view."""
    line = ts.require_plugin(a.expect_version)
    listed = ts.run(["-D"], check=False)
    if "(AppMsg generator)" not in listed.stdout:
        raise Failure(f"tshark -D does not list the AppMsg generator:\n{listed.stdout}{listed.stderr}")
    views = 0
    for name in INSTALLED_CAPTURES:
        recipe(a.source, name)  # a capture that exists
        for view in VIEWS:
            check_golden(ts, a.source, name, view)
            views += 1
    print(f"installed: {line.split(chr(9))[-1]} loaded, AppMsg generator listed by tshark -D, "
          f"{views} golden views of {views // len(VIEWS)} captures equal")
