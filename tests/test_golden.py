"""netstat goldens for sample_proc/: what netread prints, byte for byte (no root, no netstat needed).

tests/golden/sample_proc/netstat<flags>.txt holds netread's output;
tests/oracle/test_golden_netstat.py holds each golden equal to real netstat.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_PROC
from oracle import netread_snapshot

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample_proc"
FLAGS = sorted(p.name[len("netstat") : -len(".txt")] for p in GOLDEN.glob("netstat-*.txt"))


@pytest.mark.parametrize("flags", FLAGS)
def test_netread_prints_the_golden(flags: str) -> None:
    got = netread_snapshot(SAMPLE_PROC, [flags])
    assert got.status == 0, got.stderr
    assert got.stdout == (GOLDEN / f"netstat{flags}.txt").read_bytes()
