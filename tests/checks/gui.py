"""The real Wireshark window under Xvfb, with the plugin and the AppMsg profile: screenshots."""
import os
import re
import select
import shutil
import subprocess
import tempfile
import time

from checks.captures import capture_path
from checks.docs import PROFILE_APPMSG_COLOUR, install_profile
from checks.sandbox import Failure, run


GUI_SIZE = (1400, 1000)


# (name, capture, Wireshark options, what to open once the window is up)
GUI_PICTURES = [
    ("wireshark-appmsg", "whole", ["-C", "AppMsg", "-Y", "appmsg", "-g", "7"], "message"),
    ("wireshark-appmsg-profile", "errors", ["-C", "AppMsg"], "list"),
    ("wireshark-appmsg-stats", "errors", [], "statistics"),
    # Statistics → Service Response Time → AppMsg, opened by -z as tshark takes it.
    ("wireshark-appmsg-srt", "echo-times", ["-z", "appmsg,srt"], "srt"),
    # Statistics → Conversations: the profile opens it on its AppMsg tab (its "recent" file).
    ("wireshark-appmsg-conversations", "echo-times", ["-C", "AppMsg"], "conversations"),
    # Analyze → Follow → AppMsg Stream, with an AppMsg frame selected (the menu needs one).
    ("wireshark-appmsg-follow", "errors", ["-g", "6"], "follow"),
]

# The dialogs the pictures show: (window title, size, position).
GUI_DIALOGS = {
    "statistics": ("AppMsg", (1000, 560), (200, 300)),
    "srt": ("AppMsg Service Response Time", (900, 420), (250, 420)),
    "conversations": ("Conversations", (1300, 420), (50, 420)),
    "follow": ("Follow AppMsg Stream", (1300, 700), (50, 250)),
}

# The Wireshark versions each picture is taken on (default: the host's 4.0). Follow → AppMsg
# Stream on 4.4 and 4.6: 4.0's Follow menu lists only Wireshark's own protocols. The dialogs' code
# is the same in every version (tshark's goldens check it there); what differs is the menus.
GUI_TAKEN_ON = {"wireshark-appmsg-follow": ("4.4", "4.6")}

# Where to click, per Wireshark version, in the window at GUI_SIZE under Xvfb (no window
# manager): the first AppMsg item of the details pane, and for each dialog opened from the menus,
# the menu bar's title then each item in turn. Measured on screenshots: every version lays its
# menus out differently.
GUI_CLICKS = {
    "4.0": {"message": [(200, 613)],
            "statistics": [(325, 10), (346, 688)],
            "conversations": [(325, 10), (346, 109)]},
    "4.4": {"follow": [(242, 8), (261, 277), (618, 277)]},
    "4.6": {"follow": [(242, 8), (261, 277), (618, 277)]},
}

# The version whose picture README.md shows (docs/images/, written by --update there): the
# host's 4.0, but Follow, which 4.0 cannot show, from the newest version.
GUI_PUBLISHED_FROM = {"wireshark-appmsg-follow": "4.6"}


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


# Follow's backgrounds: the client's lines and the server's, each in its own colour (Wireshark's
# defaults), on errors.pcap's first screen (pixels at least).
GUI_FOLLOW_SIDES = {"#fbeded": 20000, "#ededfb": 20000}


def distinct_colours(path):
    out = run(["identify", "-format", "%k", path]).stdout.strip()
    return int(out) if out.isdigit() else 0


def click(display, points):
    """Clicks at each (x, y) in turn, a second apart (menus open, then their items)."""
    for x, y in points:
        x_run(display, "xdotool", "mousemove", str(x), str(y), "click", "1")
        time.sleep(1)


def start_xvfb(seconds=60):
    """Xvfb on a display it picks itself (-displayfd: the first free one, so that two GUI tests
    side by side, in two version roots that share the host's abstract X sockets, never meet), and
    that display once it accepts connections."""
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                             f"{GUI_SIZE[0]}x{GUI_SIZE[1]}x24", "-nolisten", "tcp"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    os.close(write_end)
    # One line, the display's number, written when it is ready; end of file if Xvfb died.
    deadline, number = time.time() + seconds, ""
    try:
        while not number.endswith("\n"):
            left = deadline - time.time()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                break
            chunk = os.read(read_end, 16).decode()
            if not chunk:
                break
            number += chunk
    finally:
        os.close(read_end)
    if not number.strip().isdigit():
        xvfb.kill()
        raise Failure(f"Xvfb did not start (exit {xvfb.poll()})")
    return xvfb, f":{number.strip()}"


def wait_for_window(display, title, program, log, seconds=120):
    """The window's id, once it shows; fails at once, with the end of what it wrote to log (its
    stderr), if the program exits first: a loaded machine may take long, a dead one never comes."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        ids = x_run(display, "xdotool", "search", "--name", title).stdout.split()
        if ids:
            return ids[0]
        if program.poll() is not None:
            log.seek(0)
            said = log.read().decode(errors="replace").strip().splitlines()[-5:]
            raise Failure(f"wireshark exited ({program.returncode}) before its window "
                          f"{title!r} showed: " + " | ".join(said))
        time.sleep(0.5)
    raise Failure(f"no window titled {title!r} after {seconds} s")


def cmd_gui(a, ts):
    """The real Wireshark GUI under Xvfb, with the freshly built plugin and the AppMsg profile
    (-C AppMsg): the window comes up with the capture, a message's subtree is opened; errors.pcap
    in the profile, whose colouring rules must paint its error rows; then Statistics → AppMsg,
    Service Response Time → AppMsg, Conversations on the profile's AppMsg tab; and in 4.4 and 4.6
    Analyze → Follow → AppMsg Stream, whose client and server lines must show in their colours.
    A screenshot of each (build/screenshots/, or docs/images/ with --update) must not be blank.
    Needs wireshark-qt, xvfb, xdotool, x11-apps, imagemagick."""
    line = ts.require_plugin()  # the same sandbox (plugin folder, profile) that Wireshark gets
    install_profile(ts, a.source)  # the AppMsg profile, as quickstart installs it (-C AppMsg)
    for tool in ("wireshark", "Xvfb", "xdotool", "xwd", "convert", "identify"):
        if not shutil.which(tool):
            raise Failure(f"{tool} is not installed (scripts/install-deps.sh installs it)")
    clicks = GUI_CLICKS.get(ts.version)
    if clicks is None:
        raise Failure(f"no menu positions for Wireshark {ts.version} in GUI_CLICKS")
    pictures = [p for p in GUI_PICTURES if ts.version in GUI_TAKEN_ON.get(p[0], ("4.0",))]
    for name, _, _, _ in GUI_PICTURES:
        if not any(p[0] == name for p in pictures):
            print(f"{name}: taken on Wireshark {', '.join(GUI_TAKEN_ON.get(name, ('4.0',)))}, "
                  f"not {ts.version}")
    shots_dir = os.path.join(os.getcwd(), "screenshots")
    os.makedirs(shots_dir, exist_ok=True)
    xvfb, display = start_xvfb()
    try:
        for name, capture, options, open_what in pictures:
            cap = ts.readable(capture_path(a.source, capture))
            cmd, env = ts.command(["-r", cap, "-o", "gui.layout_content_3:NONE"] + options,
                                  extra_env={"DISPLAY": display},
                                  program=shutil.which("wireshark"))
            log = tempfile.TemporaryFile()
            gui = subprocess.Popen(cmd, env=env, cwd=ts.root, stdout=subprocess.DEVNULL,
                                   stderr=log)
            try:
                window = wait_for_window(display, os.path.basename(cap), gui, log)
                x_run(display, "xdotool", "windowsize", window, *map(str, GUI_SIZE))
                x_run(display, "xdotool", "windowmove", window, "0", "0")
                time.sleep(3)  # the capture is read and the dialogs drawn
                if open_what == "message":
                    # The first message item of the details pane, then all its subtrees.
                    click(display, clicks["message"])
                    x_run(display, "xdotool", "key", "shift+Right")
                    time.sleep(1)
                elif open_what in GUI_DIALOGS:
                    # The SRT dialog is open already (-z); the others from the menus (4.0's GUI
                    # takes no -z for them, and none takes it for Follow).
                    click(display, clicks.get(open_what, []))
                    title, size, place = GUI_DIALOGS[open_what]
                    dialog = wait_for_window(display, title, gui, log, 30)
                    x_run(display, "xdotool", "windowsize", dialog, *map(str, size))
                    x_run(display, "xdotool", "windowmove", dialog, *map(str, place))
                    time.sleep(3)
                published = a.update and GUI_PUBLISHED_FROM.get(name, "4.0") == ts.version
                out_dir = os.path.join(a.source, "docs", "images") if published else shots_dir
                path = os.path.join(out_dir, f"{name}.png")
                screenshot(display, path)
                colours = distinct_colours(path)
                if gui.poll() is not None:
                    raise Failure(f"wireshark exited ({gui.returncode}) while showing {capture}")
                if colours < 16:
                    raise Failure(f"{path}: {colours} colours, the window looks blank")
                wanted, why = {"list": (GUI_PROFILE_ROWS, "the AppMsg profile's colouring "
                                                          "rules are not applied"),
                               "follow": (GUI_FOLLOW_SIDES, "Follow does not show the client's "
                                                            "and the server's lines")
                               }.get(open_what, ({}, ""))
                for colour, least in wanted.items():
                    if colour_pixels(path, colour) < least:
                        raise Failure(f"{path}: fewer than {least} pixels of {colour}: {why}")
                print(f"{name}: Wireshark showed {capture} with {line.split(chr(9))[0]} loaded; "
                      f"screenshot {path} ({colours} colours)")
            finally:
                log.close()
                gui.terminate()
                try:
                    gui.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    gui.kill()
    finally:
        xvfb.terminate()
        xvfb.wait()
