"""netread on the live /proc equals netstat read at the same moment.

Both run inside a fresh ``unshare -n`` network namespace holding only the
loopback sockets that tests/live_sockets.py opens, so nothing else on the host
can move the tables between the two reads.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DROP
from conftest import Unprivileged

pytestmark = pytest.mark.live

HERE = Path(__file__).resolve().parent


def run_in_netns(args: list[str], tmp_path: Path) -> dict[str, object]:
    env = {**os.environ, "NETREAD_LIVE_TMP": str(tmp_path), "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.run(
        ["unshare", "-n", sys.executable, str(HERE / "live_sockets.py"), *args],
        capture_output=True,
        env=env,
        timeout=120,
    )
    if proc.returncode != 0 and b"unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    result: dict[str, object] = json.loads(proc.stdout)
    return result


#: A timer's seconds run on between the two reads; the rest of the column must match.
_TIMER_SECONDS = re.compile(r"\((\d+\.\d\d)/")


@pytest.mark.parametrize("flags", ["-tuwxan", "-tuwan", "-xan", "-tuwxln", "-tuwxanpeo", "-tuwxa", "-tuwxaep"])
def test_live_listing_equals_netstat(flags: str, tmp_path: Path) -> None:
    result = run_in_netns(flags.split(), tmp_path)
    assert result["netread_status"] == result["netstat_status"], result["netread_stderr"]
    want = str(result["netstat"]).split("\n")
    got = str(result["netread"]).split("\n")
    # The unix path with a space is a deliberate difference: netstat cuts it.
    space_path = str(tmp_path / "live space.sock")
    want = [line.replace(space_path.split(" ")[0], "<SPACE-PATH>") if line.endswith(space_path.split(" ")[0]) else line for line in want]
    got = [line.replace(space_path, "<SPACE-PATH>") for line in got]
    if "o" in flags:
        want = [_TIMER_SECONDS.sub("(secs/", line) for line in want]
        got = [_TIMER_SECONDS.sub("(secs/", line) for line in got]
    assert got == want
    if flags == "-tuwxanpeo":
        assert "/python" in str(result["netread"]) and " off (0.00/0/0)" in str(result["netread"])
    elif "n" not in flags:
        assert "[::]:*" in str(result["netread"])
    elif flags != "-xan":
        assert "127.0.0.1" in str(result["netread"])


_FORGER = r"""
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
inode = os.fstat(s.fileno()).st_ino
name = "\n0000000000000000: 00000002 00000000 00010000 0001 01 %d @evil" % inode
s.bind(b"\0" + name.encode())
s.listen(1)
print(inode, flush=True)
sys.stdin.read()
"""

_DRIVER = r"""
import json, subprocess, sys
forger = subprocess.Popen(json.loads(sys.argv[1]), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
inode = int(forger.stdout.readline())
out = {"inode": inode}
for key, args in (("text", ["-xan"]), ("json", ["-xan", "--format", "json"]), ("explain", ["-xanp", "--explain"])):
    proc = subprocess.run([sys.executable, "-m", "netread", *args], capture_output=True)
    out[key], out[key + "_err"] = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
forger.stdin.close()
forger.wait()
print(json.dumps(out))
"""


def test_live_forged_abstract_name_is_marked(unprivileged: Unprivileged) -> None:
    """An unprivileged process binds the abstract name "\\n<a whole record>" naming its own inode:
    netstat shows a second socket; netread marks it [forged] in text, JSON and --explain."""
    forger = [*DROP, unprivileged.python, "-s", "-c", _FORGER]
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", _DRIVER, json.dumps(forger)], capture_output=True, env=env, timeout=120)
    if proc.returncode != 0 and b"unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    got = json.loads(proc.stdout)
    inode = got["inode"]
    rows = got["text"].split("\n")
    assert rows[2] == "unix  2      [ ACC ]     STREAM     LISTENING     %-8d @" % inode
    assert rows[3] == "unix  2      [ ACC ]     STREAM     LISTENING     %-8d [forged] @evil" % inode
    assert "marked [forged]" in got["text_err"]
    unix = [r for r in json.loads(got["json"])["sockets"] if r["proto"] == "unix"]
    assert [(r["inode"], r["path"], r["suspect"]) for r in unix] == [(inode, "@", None), (inode, "@evil", "forged")]
    assert "[warning] 1 unix row that may be part of the previous socket's name, not a socket (1 shown forged by the table itself)" in got["explain"]
