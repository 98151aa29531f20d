"""-4, -6, -A inet without a protocol flag: netstat's flag_noprot, on every snapshot.

netstat 2.10 skips an absent table silently there, goes on to the next family
(unix included when asked for), and exits 0; with a protocol flag (-4u) an
absent table is "no support" and status 1.  netread used to treat both alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PEER
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from fakeproc import FakeProc
from oracle import Allowed
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat
from peers import DELIBERATE
from peers import SNAPSHOTS

pytestmark = pytest.mark.oracle

TCP = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
)
BARE = [["-4"], ["-6"], ["-A", "inet"], ["-A", "inet6"], ["-4", "-a"], ["-6", "-l"], ["-4", "-x"], ["-A", "inet,unix"], ["-46", "-v"]]


def _allowed(snapshot: str) -> tuple[Allowed | None, Allowed | None]:
    """(lines only netread prints, lines only netstat prints) of the documented differences."""
    if snapshot == "sample_proc":  # netstat cuts the unix path at its blank
        cut = SPACE_PATH.split(" ")[0]
        return (lambda line: line.startswith("unix ") and line.endswith(SPACE_PATH)), (lambda line: line.startswith("unix ") and line.endswith(cut))
    _, netread_only, netstat_only = DELIBERATE.get(snapshot, ("", None, None))
    return netread_only, netstat_only


@pytest.mark.parametrize("flags", BARE, ids=lambda f: " ".join(f))
@pytest.mark.parametrize("snapshot", ["sample_proc", *SNAPSHOTS])
def test_bare_family_flags_equal_netstat(snapshot: str, flags: list[str]) -> None:
    root = SAMPLE_PROC if snapshot == "sample_proc" else PEER / snapshot
    netread_only, netstat_only = _allowed(snapshot)
    for numeric in (["-n"], ["-n", "-p", "-e"]):
        want = netstat(root, [*flags, *numeric])
        got = netread_snapshot(root, [*flags, *numeric])
        assert_same(want, got, netread_only=netread_only, netstat_only=netstat_only)
        assert "no support" not in got.stderr


def test_bare_family_flags_on_a_tcp_only_proc(tmp_path: Path) -> None:
    FakeProc(tmp_path).table("tcp", TCP)
    got = netread_snapshot(tmp_path, ["-4", "-x", "-l", "-n"])
    assert got.status == 0 and got.stderr == ""
    assert got.stdout.decode().splitlines()[2].startswith("tcp        0      0 127.0.0.1:80")
    assert b"Active UNIX domain sockets (only servers)" in got.stdout
    assert_same(netstat(tmp_path, ["-4", "-x", "-l", "-n"]), got)
    explicit = netread_snapshot(tmp_path, ["-4", "-u", "-n"])
    assert explicit.status == 1 and "no support for `AF INET (udp)'" in explicit.stderr
    assert_same(netstat(tmp_path, ["-4", "-u", "-n"]), explicit)
