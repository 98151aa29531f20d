"""Each netstat golden of sample_proc/ (tests/golden/sample_proc/) is real netstat's output on the
same files, but for the documented whole unix path with a space (README "Differences from netstat")."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from oracle import Run
from oracle import assert_same
from oracle import netstat

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "sample_proc"
FLAGS = sorted(p.name[len("netstat") : -len(".txt")] for p in GOLDEN.glob("netstat-*.txt"))


@pytest.mark.oracle
@pytest.mark.parametrize("flags", FLAGS)
def test_the_golden_is_netstats(flags: str) -> None:
    golden = Run(0, (GOLDEN / f"netstat{flags}.txt").read_bytes(), "")
    cut = SPACE_PATH.split(" ")[0]
    assert_same(
        netstat(SAMPLE_PROC, [flags]),
        golden,
        netread_only=lambda line: line.startswith("unix ") and line.endswith(SPACE_PATH),
        netstat_only=lambda line: line.startswith("unix ") and line.endswith(cut),
    )
