"""netread equals real netstat on other projects' real /proc captures.

The snapshots under tests/fixtures/peer/ are copied verbatim from the peer
projects named in tests/fixtures/peer/SOURCES.md (all MIT, Apache-2.0 or BSD).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PEER
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat
from peers import DELIBERATE
from peers import SNAPSHOTS

pytestmark = pytest.mark.oracle

FLAGS = ["-tuwxan", "-tuwan", "-tuwxln", "-tuwxanW", "-tn", "-xn", "-tuwan -4", "-tuwan -6", "-tuwaUn", "-tuwxanpeo", "-xap"]


@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("snapshot", SNAPSHOTS)
def test_peer_snapshot_equals_netstat(snapshot: str, flags: str) -> None:
    root = PEER / snapshot
    want = netstat(root, flags.split())
    got = netread_snapshot(root, flags.split())
    _, netread_only, netstat_only = DELIBERATE.get(snapshot, ("", None, None))
    assert_same(want, got, netread_only=netread_only, netstat_only=netstat_only)


def test_deliberate_differences_are_real() -> None:
    """Each named difference does show up, so none of the allowances is dead."""
    for snapshot, (why, netread_only, netstat_only) in DELIBERATE.items():
        root = PEER / snapshot
        flags = ["-xan"] if "unix" in snapshot else ["-tan"]
        got = netread_snapshot(root, flags)
        want = netstat(root, flags)
        assert want.stdout != got.stdout, why
        if netread_only is not None:
            assert any(netread_only(line) for line in got.lines), why


def test_headerless_file_warns_and_shows_first_row() -> None:
    got = netread_snapshot(PEER / "scylla-operator", ["-tan"])
    assert "net/tcp:1: field header: missing" in got.stderr
    assert got.lines[2].startswith("tcp        0      0 0.0.0.0:8043            0.0.0.0:*               LISTEN")


def test_bogus_lines_are_reported_by_file_line_and_field(tmp_path: Path) -> None:
    got = netread_snapshot(PEER / "scope-TestTransportNonsense", ["-tan"])
    assert got.status == 0
    assert "scope-TestTransportNonsense/net/tcp:2: field tx_queue:rx_queue: bad value '000000'" in got.stderr
    assert "scope-TestTransportNonsense/net/tcp:3: field sl: bad value 'broken'" in got.stderr
