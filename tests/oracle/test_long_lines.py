"""README "Differences from netstat": a line too long for any table. netstat's fgets reads it in
8 KiB pieces and warns once a piece; netread skips it whole with one warning naming it. Every other
row is the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeproc import FakeProc
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat

from netread.proc.source import MAX_LINE

pytestmark = pytest.mark.oracle

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
ROW = "   0: 0100007F:{port} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {inode} 1 0000000000000000 100 0 0 10 0\n"


def test_a_line_longer_than_any_table_has_is_one_warning(tmp_path: Path) -> None:
    table = (TCP_HEADER + ROW.format(port="0016", inode=4242)).encode() + b"x" * (1 << 20) + b"\n" + ROW.format(port="0050", inode=4343).encode()
    root = FakeProc(tmp_path).table("tcp", table).root
    want, got = netstat(root, ["-tan"]), netread_snapshot(root, ["-tan"])
    assert_same(want, got)
    assert want.stderr.splitlines() == ["warning, got bogus tcp line."] * 129
    assert got.stderr.splitlines() == [
        f"netread: warning: {root}/net/tcp:3: field line: longer than {MAX_LINE} bytes (no table has such lines): skipped; line: {'x' * 64}",
        "netread: 1 problem in the tables (each named above); every other row is shown",
    ]
