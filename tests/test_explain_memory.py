"""--explain streams like the listing (issue 14's bound): the rows are written a piece at a time,
and the states and findings are made from counts and a few rows of evidence, so a child's peak RSS
stays under 64 MiB however big the table (it held every row: 920 MiB for 1M tcp rows in text,
5.7 GB in JSON).  Small enough tables to run in well under a minute, big enough that holding
them would pass the bound."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_unix_big import BOUND_KIB
from test_unix_big import _netread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.snapshots import write

#: Rows of each table: netread before this change peaked at 85 to 150 MiB on them (a few MiB more
#: or less with the load), so each test fails on it.
TCP_ROWS = 80_000
JSON_ROWS = 20_000
UNIX_ROWS = 100_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("explain-big")
    write(where / "json", JSON_ROWS, 4, seed=14)
    root = write(where / "snap", TCP_ROWS, 4, seed=14)
    with open(root / "net" / "unix", "w") as out:
        out.write("Num       RefCount Protocol Flags    Type St Inode Path\n")
        for start in range(0, UNIX_ROWS, 50_000):
            out.write("".join(
                f"ffff8880{i:08x}: 00000002 00000000 {'00010000' if i % 7 == 0 else '00000000'} 0001 {'01' if i % 3 else '03'} {1000 + i:5d} /run/s{i % 5000}\n"
                for i in range(start, min(UNIX_ROWS, start + 50_000))
            ))  # fmt: skip
    return root


@pytest.mark.parametrize("flags", [["-tan", "--explain"], ["-tan", "--explain", "--format", "json"], ["-xa", "--explain"]], ids=" ".join)
def test_explain_over_a_big_table_stays_under_64_mib(big: Path, tmp_path: Path, flags: list[str]) -> None:
    out = tmp_path / "out"
    status, rss, err = _netread(big.parent / "json" if "json" in flags else big, flags, out)
    assert status == 0, err
    assert rss < BOUND_KIB, f"{flags}: peak RSS {rss} KiB"
    text = out.read_bytes()
    if "json" in flags:
        document = json.loads(text)
        assert len(document["sockets"]) == JSON_ROWS
        assert [f["rule"] for f in document["findings"]] == ["close-wait", "big-queues", "accept-queue", "syn-sent"]
    else:
        rows = [line for line in text.splitlines() if line.startswith((b"tcp ", b"unix "))]
        assert len(rows) == (TCP_ROWS if "-tan" in flags else UNIX_ROWS)
        assert b"# Findings (" in text and b"# States in this table:" in text
