"""explain/findings.Watch: the rules take the rows one at a time and keep counts, the first rows of
evidence and at most GROUPS groups, so --explain's memory does not grow with the table."""

from __future__ import annotations

import ipaddress
import json

import jsonschema
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from netread.explain import findings
from netread.explain.findings import Listing
from netread.explain.findings import Watch
from netread.explain.findings import find_all
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Table
from netread.model import TcpState
from netread.model import UnixSocket
from netread.render.records import finding_record


def _tcp(st: int, local_port: int, remote: str = "10.0.0.9", remote_port: int = 80, rx: int = 0, tx: int = 0, inode: int = 77, table: Table = Table.TCP) -> InetSocket:
    return InetSocket(table, 2, 0, Endpoint(ipaddress.ip_address("10.0.0.1"), local_port), Endpoint(ipaddress.ip_address(remote), remote_port),
                      st, tx, rx, 0, 0, 0, 0, 0, inode, 0 if table is Table.UDP else None)  # fmt: skip


def _endpoints(row: InetSocket) -> tuple[str, str]:
    return f"{row.local.address}:{row.local.port}", f"{row.remote.address}:{row.remote.port}"


def _shown(found: list[findings.Finding]) -> list[tuple[object, ...]]:
    """Every field of each finding but its two fixed paragraphs of prose."""
    return [(f.rule, f.severity, f.title, f.header, f.rows, f.more, f.others) for f in found]


def test_groups_past_the_cap_are_counted_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(findings, "GROUPS", 3)
    ports = [1, 2, 2, 3, 4, 4, 4, 5, 5, 1]  # 4 and 5 are first seen after three groups
    found = find_all(Listing(inet=[_tcp(TcpState.CLOSE_WAIT, port) for port in ports], endpoints=_endpoints))
    assert _shown(found) == [(
        "close-wait", "warning", "10 TCP connections in CLOSE_WAIT: the peer closed, the program has not",
        ("program", "local address", "count", "peers"),
        (("(use -p)", "10.0.0.1:1", "2", "10.0.0.9:80, 10.0.0.9:80"), ("(use -p)", "10.0.0.1:2", "2", "10.0.0.9:80, 10.0.0.9:80"),
         ("(use -p)", "10.0.0.1:3", "1", "10.0.0.9:80")),
        0, 5,
    )]  # fmt: skip
    record = finding_record(found[0])
    assert (record["more"], record["others"]) == (0, 5)
    schema = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
    jsonschema.validate(record, {**schema["$defs"]["finding"], "$defs": schema["$defs"]})
    assert "others" not in finding_record(find_all(Listing(inet=[_tcp(TcpState.CLOSE_WAIT, 1)], endpoints=_endpoints))[0])


def test_the_accept_queue_evidence_is_the_longest_queues_the_first_seen_first() -> None:
    queues = [5, 9, 1, 9, 0, 3, 7, 7, 2, 8, 6, 9, 4, 1]
    rows = [_tcp(TcpState.LISTEN, port, rx=rx) for port, rx in enumerate(queues, start=1)]
    found = find_all(Listing(inet=rows, endpoints=_endpoints))
    longest = sorted((r for r in rows if r.rx_queue), key=lambda r: -r.rx_queue)[:8]
    assert _shown(found) == [(
        "accept-queue", "note", "13 listeners with connections waiting for accept()", ("listener", "waiting (Recv-Q)", "somaxconn", "program"),
        tuple((f"10.0.0.1:{r.local.port}", str(r.rx_queue), "?", "(use -p)") for r in longest), 5, 0,
    )]  # fmt: skip
    assert [r[0] for r in found[0].rows] == ["10.0.0.1:2", "10.0.0.1:4", "10.0.0.1:12", "10.0.0.1:10", "10.0.0.1:7", "10.0.0.1:8", "10.0.0.1:11", "10.0.0.1:1"]


def test_a_rule_keeps_only_its_first_evidence_rows_and_counts_the_rest() -> None:
    rows = [_tcp(TcpState.ESTABLISHED, port, rx=1 << 20) for port in range(1, 100_001)]
    watch = Watch(Listing(endpoints=_endpoints))
    watch.inet(rows)
    big = next(rule for rule in watch.rules if isinstance(rule, findings.BigQueues))
    assert (big.rows.count, len(big.rows.rows)) == (100_000, findings.EVIDENCE_ROWS)
    assert _shown(watch.findings())[0][2:6:3] == ("100000 established connections with 64 KiB or more queued", 99_992)


STATES = st.sampled_from([int(s) for s in TcpState])
INET = st.lists(
    st.builds(_tcp, STATES, st.sampled_from([22, 80, 40000, 50000]), st.sampled_from(["10.0.0.9", "10.0.0.8", "0.0.0.0"]), st.sampled_from([0, 80]),
              st.sampled_from([0, 1, 70000]), st.sampled_from([0, 2, 70000]), st.sampled_from([0, 77, 78]), st.sampled_from([Table.TCP, Table.UDP])),
    max_size=60,
)  # fmt: skip
UNIX = st.lists(
    st.builds(UnixSocket, st.just(2), st.just(0), st.just(2), st.just(0), st.sampled_from([0, 0x10000]), st.just(1), st.sampled_from([1, 2, 3]),
              st.sampled_from([0, 5, 6]), st.sampled_from([None, "/run/a", "@b", "/x\ny"]), st.sampled_from([None, "ambiguous", "forged"])),
    max_size=40,
)  # fmt: skip


@given(INET, UNIX, st.lists(st.integers(1, 7), min_size=1, max_size=8))
def test_rows_given_in_pieces_give_the_findings_of_the_whole(inet: list[InetSocket], unix: list[UnixSocket], cuts: list[int]) -> None:
    listing = Listing(inet=inet, unix=unix, endpoints=_endpoints)
    watch = Watch(Listing(endpoints=_endpoints))
    for rows, feed in ((inet, watch.inet), (unix, watch.unix)):
        at = 0
        for size in cuts * len(rows):
            if at >= len(rows):
                break
            feed(rows[at : at + size])  # type: ignore[operator]
            at += size
    assert watch.findings() == find_all(listing)


def test_the_text_says_how_many_rows_were_counted_together() -> None:
    from netread.render.explain import Explainer

    finding = findings.Finding("r", "note", "t", ("a",), (("x",),), "why", "next", more=2, others=7)
    assert Explainer().findings([finding], 1) == (
        "# Findings (1):\n#\n# [note] t\n# a\n# ---\n# x\n# ... and 2 more\n"
        "# ... and 7 rows more in the groups past the first 10000, counted together\n# Why: why\n# Next: next\n"
    )
