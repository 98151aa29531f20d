"""netread equals real netstat on other projects' real /proc captures.

The snapshots under tests/fixtures/peer/ are copied verbatim from the peer
projects named in tests/fixtures/peer/SOURCES.md (all MIT, Apache-2.0 or BSD).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PEER
from oracle import Allowed
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat

pytestmark = pytest.mark.oracle

SNAPSHOTS = sorted(p.name for p in PEER.iterdir() if (p / "net").is_dir())
FLAGS = ["-tuwxan", "-tuwan", "-tuwxln", "-tuwxanW", "-tn", "-xn", "-tuwan -4", "-tuwan -6", "-tuwaUn", "-tuwxanpeo", "-xap"]

# Deliberate differences (README "Differences from netstat"), by snapshot:
# (why, lines only netread prints, lines only netstat prints).
_OLD_LAYOUT_GARBAGE = re.compile(r"^unix .* -        (-                    )?\d*$")
DELIBERATE: dict[str, tuple[str, Allowed | None, Allowed | None]] = {
    "scylla-operator": (
        "headerless file: netstat eats the first row as a header, netread shows it and warns",
        lambda line: line.startswith("tcp        0      0 0.0.0.0:8043 "),
        None,
    ),
    "prometheus_procfs-unix_without_inode": (
        "old unix layout: netstat prints an uninitialised inode as the path, netread the path",
        lambda line: re.match(r"^unix .* -        (-                    )?(/.*)?$", line) is not None,
        lambda line: _OLD_LAYOUT_GARBAGE.match(line) is not None,
    ),
    "psutil-emulate_unix": (
        "headerless unix file: netstat takes it for the old layout and prints inodes as paths",
        lambda line: re.match(r"^unix .* \d+ +(-                    )?@/tmp/dbus-", line) is not None,
        lambda line: _OLD_LAYOUT_GARBAGE.match(line) is not None,
    ),
}


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
