"""netread equals real netstat on hypothesis-generated, well-formed /proc tables.

tests/strategies.py writes tables exactly as the kernel does (all TCP states,
full/TIME_WAIT/request rows, v4/v6/mapped/long IPv6 addresses, queues up to
2**32-1, 5-digit sl, every unix type/state/flag/path shape); any table may be
absent or header-only, which also exercises netstat's stop-on-missing-family rule.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import TABLE_NAMES
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_snapshot
from oracle import netstat
from strategies import snapshot_tables
from strategies import table_text

pytestmark = pytest.mark.oracle

FLAGS = ["-tuwxan", "-tuwan", "-tuwxln", "-tuwxanW", "-tn", "-xn", "-tuwan -4", "-tuwan -6", "-tuwaUn", "-an", "-lnW"]
ALL_TABLES = st.fixed_dictionaries({name: table_text(name) for name in TABLE_NAMES})


def compare(tables: dict[str, str], flags: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).tables(tables)
        assert_same(netstat(root, flags.split()), netread_snapshot(root, flags.split()))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ALL_TABLES, st.sampled_from(FLAGS))
def test_generated_complete_snapshot_equals_netstat(tables: dict[str, str], flags: str) -> None:
    need_oracle()
    compare(tables, flags)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot_tables(), st.sampled_from(FLAGS))
def test_generated_partial_snapshot_equals_netstat(tables: dict[str, str], flags: str) -> None:
    need_oracle()
    compare(tables, flags)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot_tables(byteorder="big", names=("tcp", "tcp6", "udp", "unix")), st.sampled_from(["-tuxan", "-an"]))
def test_generated_big_endian_text_is_read_as_netstat_reads_it(tables: dict[str, str], flags: str) -> None:
    """Without a manifest both read the hex in this host's order, whatever wrote it."""
    need_oracle()
    compare(tables, flags)
