"""A short read() of a live table is its end (proc/source.py SEQ_SHORT): no row is lost at any size.

The live reader stops at a read() shorter than a page by more than the
longest record, instead of making the read() that returns 0 (which walks the
whole tcp hash again).  Here tables of every size around the page boundaries
(a tcp line is 150 bytes: 27 to a page; unix lines with 108-byte names are the
longest the kernel writes) are listed by netread and netstat in one fresh
network namespace, and must be equal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parent.parent

INNER = r"""
import json, os, socket, subprocess, sys
from scripts.netns import bring_lo_up
bring_lo_up()
out = {}
held = []
for count in [int(c) for c in sys.argv[1].split(",")]:
    while len(held) < count:
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(1)
        six = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        six.bind(("::1", 0))
        six.listen(1)
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind(("\0%05d" % len(held)).ljust(108, "x"))  # the longest name: 108 bytes
        unix.listen(1)
        held.append((tcp, six, unix))
    env = {**os.environ, "LC_ALL": "C"}
    want = subprocess.run(["netstat", "-tlnx"], capture_output=True, env=env).stdout.decode()
    got = subprocess.run([sys.executable, "-m", "netread", "-tlnx"], capture_output=True, env=env).stdout.decode()
    out[count] = [want, got]
print(json.dumps(out))
"""


def test_tables_of_every_size_around_a_page_are_read_whole() -> None:
    counts = "0,1,20,25,26,27,28,29,36,37,38,53,54,55,56,300"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", INNER, counts], capture_output=True, env=env, cwd=ROOT, timeout=300)
    if proc.returncode != 0 and b"unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for count, (want, got) in json.loads(proc.stdout).items():
        assert got == want, f"{count} sockets"
        assert got.count("LISTEN") == 3 * int(count), count
