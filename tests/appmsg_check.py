#!/usr/bin/env python3
"""appmsg checks: tshark with the freshly built plugin against golden files and manifests.

Every tshark run is isolated from the user's own Wireshark: a throwaway HOME and
WIRESHARK_CONFIG_DIR, and a WIRESHARK_PLUGIN_DIR holding our plugin beside links to the system's
other plugins (stats_tree among them). Wireshark ignores plugin folders when it runs as root, so as
root tshark runs as the unprivileged user 'nobody', on copies of the inputs it can read.

Golden files change only through `update-golden` (the CMake target of that name), never in a test.
The checks live in tests/checks/, one module per concern.
"""
import argparse
import sys

from checks.captures import cmd_captures_current, cmd_make_captures, cmd_tcp_valid
from checks.docs import (cmd_doc_filters, cmd_doc_layout, cmd_doc_links, cmd_doc_samples,
                         cmd_profile)
from checks.golden import (cmd_canonical_rules, cmd_golden, cmd_golden_copies, cmd_golden_mutation,
                           cmd_plugin_loaded, cmd_update_golden)
from checks.gui import cmd_gui
from checks.kinds import cmd_doc_kinds
from checks.lua import (cmd_lua_equal, cmd_lua_heuristic, cmd_lua_json, cmd_lua_registration,
                        cmd_lua_views)
from checks.heuristic import cmd_foreign_untouched, cmd_heuristic_awkward
from checks.live import cmd_extcap, cmd_live
from checks.live_servers import (cmd_send_checks, cmd_serve_connect_burst, cmd_serve_fd_limit,
                                 cmd_serve_idle, cmd_serve_stall)
from checks.messages import cmd_finding, cmd_json_members, cmd_manifest, cmd_max_length, cmd_pairing
from checks.recv import cmd_recv_counts
from checks.package import cmd_deb, cmd_installed
from checks.sandbox import Failure, Tshark
from checks.session_views import cmd_conv_counts, cmd_follow_transcript, cmd_srt_times
from checks.views import VIEWS


COMMANDS = {
    "plugin-loaded": (cmd_plugin_loaded, True),
    "pairing": (cmd_pairing, True),
    "json-members": (cmd_json_members, True),
    "finding": (cmd_finding, True),
    "foreign-untouched": (cmd_foreign_untouched, True),
    "heuristic-awkward": (cmd_heuristic_awkward, True),
    "recv-counts": (cmd_recv_counts, True),
    "srt-times": (cmd_srt_times, True),
    "follow-transcript": (cmd_follow_transcript, True),
    "conv-counts": (cmd_conv_counts, True),
    "max-length": (cmd_max_length, True),
    "live": (cmd_live, True),
    "extcap": (cmd_extcap, True),
    "serve-stall": (cmd_serve_stall, False),
    "serve-connect-burst": (cmd_serve_connect_burst, False),
    "serve-fd-limit": (cmd_serve_fd_limit, False),
    "serve-idle": (cmd_serve_idle, False),
    "send-checks": (cmd_send_checks, False),
    "gui": (cmd_gui, True),
    "deb": (cmd_deb, True),
    "golden": (cmd_golden, True),
    "update-golden": (cmd_update_golden, True),
    "golden-copies": (cmd_golden_copies, False),
    "golden-mutation": (cmd_golden_mutation, True),
    "canonical-rules": (cmd_canonical_rules, False),
    "manifest": (cmd_manifest, True),
    "tcp-valid": (cmd_tcp_valid, True),
    "make-captures": (cmd_make_captures, False),
    "captures-current": (cmd_captures_current, False),
    "installed": (cmd_installed, True),
    "doc-filters": (cmd_doc_filters, True),
    "doc-samples": (cmd_doc_samples, True),
    "doc-links": (cmd_doc_links, False),
    "doc-kinds": (cmd_doc_kinds, False),
    "doc-layout": (cmd_doc_layout, False),
    "lua-registration": (cmd_lua_registration, False),
    "lua-equal": (cmd_lua_equal, False),
    "lua-json": (cmd_lua_json, False),
    "lua-heuristic": (cmd_lua_heuristic, False),
    "lua-views": (cmd_lua_views, False),
    "profile": (cmd_profile, True),
}
def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plugin", required=True, help="the freshly built appmsg.so")
    p.add_argument("--gen", required=True, help="the freshly built appmsg-gen")
    p.add_argument("--source", required=True, help="the source tree")
    p.add_argument("--expect-version", help="version the plugin must report")
    p.add_argument("--memo", help="a folder for what tshark answered about itself and a sandbox "
                                  "like this one, kept from one test to the next (sandbox.py)")
    p.add_argument("--lua", help="the Lua edition (build/lua/appmsg.lua)")
    p.add_argument("--kinds", help="doc-kinds: the kinds_table tool (core/appmsg_kinds.h's lists)")
    p.add_argument("--update", action="store_true",
                   help="gui: write docs/images/; doc-samples: rewrite the sample outputs; "
                        "doc-kinds: the kinds tables")
    p.add_argument("command", choices=sorted(COMMANDS))
    p.add_argument("name", nargs="?", help="canonical capture name")
    p.add_argument("view", nargs="?", choices=sorted(VIEWS), help="golden view")
    a = p.parse_args()
    func, needs_tshark = COMMANDS[a.command]
    ts = Tshark(a.plugin, memo=a.memo) if needs_tshark else None
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
