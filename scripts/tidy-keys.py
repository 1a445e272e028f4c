#!/usr/bin/env python3
"""Which sources clang-tidy must read again: for each source file named, a key for everything
clang-tidy's verdict depends on (the build's flags, and the translation unit as the
preprocessor expands it with them, every header included; the check configuration;
clang-tidy's version). Prints
"KEY FILE" for each file whose key has no mark in CACHE_DIR (a mark is left only after a run
with no findings: scripts/static-checks.sh). The clone's and the build tree's paths are taken
out, so a fresh clone elsewhere finds the marks of the same sources.

    scripts/tidy-keys.py BUILD_DIR CACHE_DIR FILE...
"""
import hashlib
import json
import os
import shlex
import subprocess
import sys


def preprocess_command(entry):
    """The entry's compile command, made to print the expanded unit instead of compiling it."""
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg not in ("-c", "-Werror"):
            out.append(arg)
    return out + ["-E", "-P", "-C"]  # comments kept: NOLINT is one


def main():
    build, cache, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = {}
        for entry in json.load(f):
            entries.setdefault(os.path.realpath(entry["file"]), entry)  # the first, as clang-tidy
    common = hashlib.sha256()
    common.update(subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout)
    with open(os.path.join(source, ".clang-tidy"), "rb") as f:
        common.update(f.read())
    def here(text):
        return text.replace(source.encode(), b"@SOURCE@").replace(
            os.path.realpath(build).encode(), b"@BUILD@")

    for name in files:
        entry = entries.get(os.path.realpath(name))
        if not entry:
            print(f"{'0' * 64} {name}")  # not in the build: always read (clang-tidy will say why)
            continue
        command = preprocess_command(entry)
        unit = subprocess.run(command, cwd=entry["directory"], capture_output=True)
        key = common.copy()
        key.update(os.path.relpath(os.path.realpath(name), source).encode() + b"\0")
        # The flags too (clang-tidy reports the compiler's warnings they turn on).
        key.update(here(" ".join(command).encode()) + b"\0")
        key.update(here(unit.stdout))
        key.update(str(unit.returncode).encode())
        key = key.hexdigest()
        if not os.path.exists(os.path.join(cache, key)):
            print(f"{key} {name}")


if __name__ == "__main__":
    main()
