"""The real Wireshark window under Xvfb, with the plugin and the AppMsg profile: screenshots."""
import os
import re
import shutil
import subprocess
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
]

# The dialogs the pictures show: (window title, size, position).
GUI_DIALOGS = {
    "statistics": ("AppMsg", (1000, 560), (200, 300)),
    "srt": ("AppMsg Service Response Time", (900, 420), (250, 420)),
    "conversations": ("Conversations", (1300, 420), (50, 420)),
}


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
    in the profile, whose colouring rules must paint its error rows; then Statistics → AppMsg,
    Service Response Time → AppMsg, and Conversations on the profile's AppMsg tab.
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
                elif open_what in GUI_DIALOGS:
                    # Statistics → AppMsg and → Conversations from the menu (4.0's GUI takes no
                    # -z for them); the SRT dialog is open already.
                    menu_item = {"statistics": "688", "conversations": "109"}.get(open_what)
                    if menu_item:
                        x_run(display, "xdotool", "mousemove", "325", "10", "click", "1")
                        time.sleep(1)
                        x_run(display, "xdotool", "mousemove", "346", menu_item, "click", "1")
                    title, size, place = GUI_DIALOGS[open_what]
                    dialog = wait_for_window(display, title, 20)
                    x_run(display, "xdotool", "windowsize", dialog, *map(str, size))
                    x_run(display, "xdotool", "windowmove", dialog, *map(str, place))
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
