"""One pipeline under every output: the bugs that several pipelines made, each pinned.

- --explain keeps exactly the rows the filters keep; --explain --format json carries findings.
- the API names programs as the JSON does, and lists every holder of a shared socket.
- bare -4/-6/-A inet on a /proc without some tables is netstat's (tests/oracle/test_bare_families.py).
- JSON/NDJSON are valid UTF-8 whatever bytes a path or program holds; CSV writes them alike.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from conftest import PEER
from conftest import SAMPLE_PROC
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_snapshot
from peers import SNAPSHOTS

import netread

PEERS = SNAPSHOTS


def _rows(text: bytes) -> list[str]:
    return [line for line in text.decode("utf-8", "surrogateescape").split("\n") if not line.startswith("#")]


# -- --explain and the filters ------------------------------------------------------

FILTERS = [
    ["--state", "LISTEN"],
    ["--state", "ESTABLISHED,CLOSE_WAIT"],
    ["--port", "80"],
    ["--port", "http"],
    ["--sport", "8081"],
    ["--dport", "8081"],
    ["--pid", "9090"],
    ["--program", "demo-web"],
    ["--user", "0"],
    ["--user", "root"],
]


@pytest.mark.parametrize("flags", [["-tuwxan"], ["-tanp"], ["-xa"]])
@pytest.mark.parametrize("chosen", FILTERS, ids=lambda f: " ".join(f))
def test_explain_keeps_exactly_the_filtered_rows(flags: list[str], chosen: list[str]) -> None:
    plain = netread_snapshot(SAMPLE_PROC, [*flags, *chosen])
    explained = netread_snapshot(SAMPLE_PROC, [*flags, *chosen, "--explain"])
    assert plain.status == explained.status == 0, explained.stderr
    assert _rows(explained.stdout) == _rows(plain.stdout)
    unfiltered = netread_snapshot(SAMPLE_PROC, [*flags, "--explain"])
    if "-xa" not in flags and "--user" not in chosen:  # every inet socket of sample_proc is root's
        assert _rows(explained.stdout) != _rows(unfiltered.stdout), "the filter keeps fewer rows than the listing"


def test_a_port_filter_takes_a_service_name() -> None:
    by_name = netread_snapshot(SAMPLE_PROC, ["-tan", "--port", "http"])
    by_number = netread_snapshot(SAMPLE_PROC, ["-tan", "--port", "80"])
    assert by_name.stdout == by_number.stdout and b":80 " in by_name.stdout
    bad = netread_snapshot(SAMPLE_PROC, ["-tan", "--port", "no-such-service-here"])
    assert bad.status == 2 and "not in /etc/services" in bad.stderr


def test_explain_json_is_a_document_with_findings() -> None:
    got = netread_snapshot(SAMPLE_PROC, ["-tuwxanp", "--explain", "--format", "json"])
    assert got.status == 0, got.stderr
    document = json.loads(got.stdout)
    plain = json.loads(netread_snapshot(SAMPLE_PROC, ["-tuwxanp", "--format", "json"]).stdout)
    assert document["sockets"] == plain["sockets"] and "findings" not in plain
    findings = document["findings"]
    assert findings and {"close-wait", "accept-queue"} <= {f["rule"] for f in findings}
    for finding in findings:
        assert set(finding) == {"host", "taken_at", "netns", "rule", "severity", "summary", "evidence", "more", "why", "next"}
        assert (finding["host"], finding["taken_at"], finding["netns"]) == ("vm", "2026-12-02T06:13:57Z", None)  # sample_proc's manifest
        assert finding["severity"] in ("warning", "note") and finding["summary"] and finding["why"]
        assert all(isinstance(row, dict) and row for row in finding["evidence"])
    close_wait = next(f for f in findings if f["rule"] == "close-wait")
    assert close_wait["summary"].startswith("2 TCP connections in CLOSE_WAIT")
    assert {row["program"] for row in close_wait["evidence"]} == {"9089/demo-web"}


def test_explain_json_findings_follow_the_filters() -> None:
    document = json.loads(netread_snapshot(SAMPLE_PROC, ["-tuwxanp", "--explain", "--format", "json", "--state", "LISTEN"]).stdout)
    assert {s["state"] for s in document["sockets"]} <= {"LISTEN", "LISTENING"}
    assert "close-wait" not in {f["rule"] for f in document["findings"]}


@pytest.mark.parametrize("output", ["ndjson", "csv"])
def test_explain_with_ndjson_or_csv_is_a_usage_error(output: str) -> None:
    got = netread_snapshot(SAMPLE_PROC, ["-tan", "--explain", "--format", output])
    assert got.status == 2 and got.stdout == b""
    assert f"--explain goes with --format netstat or json, not {output}" in got.stderr


# -- the API and the JSON agree --------------------------------------------------------


@pytest.mark.parametrize("snapshot", ["sample_proc", *PEERS])
def test_api_says_what_the_json_says(snapshot: str) -> None:
    root = SAMPLE_PROC if snapshot == "sample_proc" else PEER / snapshot
    api = netread.connections("all", proc=root)
    got = netread_snapshot(root, ["-anp", "--format", "json"])  # every table, absent ones skipped, as the API
    sockets = json.loads(got.stdout)["sockets"]
    assert len(api) == len(sockets)
    for conn, record in zip(api, sockets):
        assert (conn.proto, conn.inode, conn.state, conn.pid, list(conn.pids)) == (
            record["proto"], record["inode"], record["state"], record["pid"], record["pids"],
        )  # fmt: skip
        assert conn.program == record["program"]
        if conn.proto == "unix":
            assert conn.local_address == (record["path"] or "")
        else:
            assert (conn.local_address, conn.local_port, conn.remote_address, conn.remote_port, conn.uid) == (
                record["local_address"], record["local_port"], record["remote_address"], record["remote_port"], record["uid"],
            )  # fmt: skip


def test_api_program_is_argv0_whole() -> None:
    programs = {c.program for c in netread.connections("all", proc=SAMPLE_PROC) if c.program}
    assert "./relname-worker" in programs and "./relname-wor" not in programs


def test_api_kinds() -> None:
    unix = netread.connections("unix", proc=SAMPLE_PROC)
    assert unix and {c.proto for c in unix} == {"unix"} and all(c.local_port is None and c.family == 1 for c in unix)
    everything = netread.connections("all", proc=SAMPLE_PROC)
    assert {c.proto for c in everything} == {"tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix"}
    assert [c for c in everything if c.proto != "unix"] == netread.connections("all", proc=SAMPLE_PROC)[: len(everything) - len(unix)]


# -- a socket several processes hold ---------------------------------------------------

TCP = (
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
)


def _prefork(root: Path) -> None:
    """A prefork server: the parent (pid 100) and two workers hold the listening socket 777."""
    fake = FakeProc(root).table("tcp", TCP)
    for pid, argv0 in ((100, b"/usr/sbin/apache2"), (101, b"apache2: worker"), (102, b"apache2: worker")):
        fake.process(pid, argv0 + b"\0-k\0start\0", {4: "socket:[777]"}).file(f"{pid}/comm", b"apache2\n")


def test_a_shared_socket_lists_every_holder(tmp_path: Path) -> None:
    _prefork(tmp_path)
    order = [int(e.name) for e in os.scandir(tmp_path) if e.name.isdigit()]
    [record] = json.loads(netread_snapshot(tmp_path, ["-tlnp", "--format", "json"]).stdout)["sockets"]
    assert record["pids"] == order and record["pid"] == order[0]
    [conn] = netread.connections("tcp", proc=tmp_path)
    assert conn.pids == tuple(order) and conn.pid == order[0]
    text = netread_snapshot(tmp_path, ["-tlnp"]).stdout.decode()
    label = f"{order[0]}/" + ("apache2" if order[0] == 100 else "apache2: worker")[: 19 - len(f"{order[0]}/")]
    assert f" {label}" in text  # netstat's first pid, cut to 19 bytes
    for pid in (100, 101, 102):  # --pid matches any holder
        assert b"0.0.0.0:*" in netread_snapshot(tmp_path, ["-tlnp", "--pid", str(pid)]).stdout
    assert b"0.0.0.0:*" not in netread_snapshot(tmp_path, ["-tlnp", "--pid", "103"]).stdout
    # --program matches argv[0] as netstat names it, or comm as ps shows it
    for name in ("apache2", "apache2: worker"):
        assert b"0.0.0.0:*" in netread_snapshot(tmp_path, ["-tln", "--program", name]).stdout
    assert b"0.0.0.0:*" not in netread_snapshot(tmp_path, ["-tln", "--program", "apache"]).stdout


# -- valid UTF-8, the same bytes in JSON and CSV -----------------------------------------

UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"


def _strict_strings(value: object) -> None:
    """Every string in a parsed JSON value is valid Unicode text (no lone surrogates)."""
    if isinstance(value, str):
        value.encode("utf-8", "strict")
    elif isinstance(value, dict):
        for key, inner in value.items():
            _strict_strings(key)
            _strict_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            _strict_strings(inner)


def _odd_snapshot(root: Path, path: bytes, program: bytes) -> None:
    fake = FakeProc(root).table("unix", UNIX_HEADER.encode() + b"0000000000000000: 00000002 00000000 00010000 0001 01 4242 " + path + b"\n")
    fake.table("tcp", TCP.replace(" 777 ", " 4243 ")).owner(9, program + b"\0", [4242, 4243])


NAME_BYTES = st.binary(min_size=1, max_size=40).map(lambda b: b.replace(b"\n", b"").replace(b"\0", b"") or b"x")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAME_BYTES, NAME_BYTES)
def test_json_ndjson_csv_are_valid_utf8_and_agree(path: bytes, program: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _odd_snapshot(root, b"/tmp/" + path, program)
        document = netread_snapshot(root, ["-anp", "--format", "json"]).stdout
        lines = netread_snapshot(root, ["-anp", "--format", "ndjson"]).stdout
        table = netread_snapshot(root, ["-anp", "--format", "csv"]).stdout
    for data in (document, lines, table):
        data.decode("utf-8", "strict")
    parsed = json.loads(document)
    _strict_strings(parsed)
    for line in lines.splitlines():
        _strict_strings(json.loads(line))
    [unix] = [s for s in parsed["sockets"] if s["proto"] == "unix"]
    [tcp] = [s for s in parsed["sockets"] if s["proto"] == "tcp"]
    rows = {r["proto"]: r for r in csv.DictReader(io.StringIO(table.decode("utf-8")))}
    # an undecodable byte is \xNN in both; CSV further escapes control characters as netstat text does
    from netread.escape import escape_text

    assert rows["unix"]["path"] == escape_text(unix["path"])
    assert rows["tcp"]["program"] == escape_text(tcp["program"])
    if b"\xff" in path:
        assert "\\xff" in unix["path"]


def test_a_strict_parser_reads_the_ndjson(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extras")
    _odd_snapshot(tmp_path / "snap", b"/tmp/\xff\xfe bad \x9b[31m", b"/opt/\xc3\x28prog")
    out = tmp_path / "sockets.ndjson"
    out.write_bytes(netread_snapshot(tmp_path / "snap", ["-anp", "--format", "ndjson"]).stdout)
    rows = duckdb.sql(f"select proto, path, program from read_json('{out}', format='newline_delimited')").fetchall()
    assert ("unix", "/tmp/\\xff\\xfe bad \\x9b[31m", "\\xc3(prog") in rows  # 0x9b alone is no UTF-8
