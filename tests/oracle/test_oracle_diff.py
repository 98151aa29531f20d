"""netread diff's rows are real netstat's rows: on hypothesis-generated snapshot pairs (B is A with
rows dropped, moved to another state, their receive queue grown, and rows added), every ``+``/``~``
row is a row of netstat on B and every ``-`` row one of netstat on A (the row's trailing padding
aside), and they are exactly the rows the two listings do not share."""

from __future__ import annotations

import dataclasses
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import TABLE_NAMES
from kernel_text import Entry
from kernel_text import TcpEntry
from kernel_text import format_table
from oracle import need_oracle
from oracle import netread
from oracle import netstat
from strategies import table_entries

pytestmark = pytest.mark.oracle

#: -e shows the inode and uid, so that a row's text tells its socket apart as the diff's key does.
FLAGS = ["-tuwxane", "-tuwxlne", "-tne", "-xne", "-tuwaneW"]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
    a = {name: list(draw(table_entries(name, max_rows=10))) for name in TABLE_NAMES}
    b: dict[str, list[Entry]] = {}
    for name, entries in a.items():
        kept: list[Entry] = []
        for entry in entries:
            what = draw(st.sampled_from(["keep", "keep", "drop", "state", "queue"]))
            if isinstance(entry, TcpEntry) and entry.kind == "full" and what == "state":
                kept.append(dataclasses.replace(entry, st=draw(st.sampled_from([s for s in (1, 2, 4, 5, 7, 8, 9, 10, 11) if s != entry.st]))))
            elif isinstance(entry, TcpEntry) and entry.kind == "full" and what == "queue":
                kept.append(dataclasses.replace(entry, rx_queue=entry.rx_queue ^ draw(st.integers(1, 1000))))
            elif what != "drop":
                kept.append(entry)
        b[name] = kept + list(draw(table_entries(name, max_rows=3)))
    return a, b


def _rows(text: bytes) -> list[str]:
    """A listing's rows, without its section titles and headers, the trailing padding stripped."""
    lines = text.decode("utf-8", "surrogateescape").splitlines()
    return [line.rstrip() for line in lines if line and not line.startswith(("Active ", "Proto "))]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pairs(), st.sampled_from(FLAGS))
def test_diff_rows_are_netstats_rows(pair: tuple[dict[str, list[Entry]], dict[str, list[Entry]]], flags: str) -> None:
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp, "a"), Path(tmp, "b")
        for root, tables in zip((a, b), pair):
            FakeProc(root).tables({name: format_table(name, entries) for name, entries in tables.items()})
        want_a, want_b = Counter(_rows(netstat(a, flags.split()).stdout)), Counter(_rows(netstat(b, flags.split()).stdout))
        got = netread(["diff", str(a), str(b), *flags.split()])
    assert got.status == 0, got.stderr
    marked: dict[str, Counter[str]] = {"+ ": Counter(), "- ": Counter(), "~ ": Counter()}
    for line in got.stdout.decode("utf-8", "surrogateescape").splitlines():
        mark, row = line[:2], line[2:]
        if mark == "~ ":
            row = row.rsplit(" [", 1)[0].rstrip()  # the row as it is now, then [what changed]
        if mark in marked:  # a forged unix record is marked in netread's row (README "What netread does with bad input")
            marked[mark][row.replace(" [forged] ", " ", 1)] += 1
    assert marked["+ "] + marked["~ "] == want_b - want_a
    assert marked["- "] <= want_a - want_b
    assert sum(marked["- "].values()) + sum(marked["~ "].values()) == sum((want_a - want_b).values())
