from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

SAMPLE_PROC = ROOT / "sample_proc"
PEER = Path(__file__).resolve().parent / "fixtures" / "peer"


@pytest.fixture
def sample_proc() -> Path:
    return SAMPLE_PROC
