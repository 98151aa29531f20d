"""parse/sctp.py and the -S listing on junk: known vectors, one case per malformed field, the
round trip through the kernel's layout, and "never raises, always reports" on any text."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_snapshot
from sctp_text import ASSOCS_HEADER
from sctp_text import EPS_HEADER
from sctp_text import assoc_line
from sctp_text import assocs_text
from sctp_text import eps_line
from sctp_text import eps_text

from netread.errors import ParseError
from netread.model import SctpSocket
from netread.parse.sctp import ASSOC_FIELDS
from netread.parse.sctp import EPS_FIELDS
from netread.parse.sctp import decode_sctp
from netread.render.netstat_sctp import state_text

IP = ipaddress.ip_address
GOOD_EPS = eps_line(10, 22, 0, 123, ["10.0.0.1", "fe80::1"])
GOOD_ASSOC = assoc_line(1, 22, 40000, ["10.0.0.1", "10.0.0.2"], ["192.168.1.9"], tx=3, rx=7, uid=1000, inode=127)


def test_endpoint_vector() -> None:
    (got,) = decode_sctp([EPS_HEADER, GOOD_EPS], path="net/sctp/eps", association=False)
    assert got == SctpSocket(False, 10, 22, 0, (IP("10.0.0.1"), IP("fe80::1")), (), 0, 0, 0, 123)


def test_association_vector_drops_the_primary_mark() -> None:
    (got,) = decode_sctp([ASSOCS_HEADER, GOOD_ASSOC], path="net/sctp/assocs", association=True)
    assert got == SctpSocket(True, 1, 22, 40000, (IP("10.0.0.1"), IP("10.0.0.2")), (IP("192.168.1.9"),), 3, 7, 1000, 127)
    assert "*10.0.0.1" in GOOD_ASSOC and "*192.168.1.9" in GOOD_ASSOC


def test_the_header_is_skipped_unread_as_netstat_skips_it() -> None:
    (got,) = decode_sctp(["junk that is no header", GOOD_EPS], path="eps", association=False)
    assert isinstance(got, SctpSocket) and got.inode == 123


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("", "ENDPT"),
        ("a b c", "SST"),
        ("a b 2 10 12 22 0", "INODE"),
        ("a b 2 x 12 22 0 5 10.0.0.1", "SST"),
        ("a b 2 10 12 2x 0 5 10.0.0.1", "LPORT"),
        ("a b 2 10 12 22 -1 5 10.0.0.1", "UID"),
        ("a b 2 10 12 22 4294967296 5 10.0.0.1", "UID"),
        ("a b 2 10 12 22 0 0x5 10.0.0.1", "INODE"),
        ("a b 2 10 12 22 0 5 10.0.0.256", "LADDRS"),
        ("a b 2 10 12 22 0 5 ::1", "LADDRS"),
        ("a b 2 10 12 22 0 5 10.0.0.1 fe80:0:0:0:0:0:0:1:2", "LADDRS"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isupper() else None,
)
def test_each_malformed_endpoint_field_is_named(line: str, field: str) -> None:
    (got,) = decode_sctp(["h", line], path="net/sctp/eps", association=False)
    assert isinstance(got, ParseError) and (got.path, got.lineno, got.field) == ("net/sctp/eps", 2, field)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("a b 2 1 4 0 1 3 7 0 127 22", "RPORT"),
        ("a b 2 1 4 0 1 x 7 0 127 22 4 10.0.0.1 <-> 10.0.0.2 \t", "TX_QUEUE"),
        ("a b 2 1 4 0 1 3 4294967296 0 127 22 4 10.0.0.1 <-> 10.0.0.2 \t", "RX_QUEUE"),
        ("a b 2 1 4 0 1 3 7 0 127 22 4", "LADDRS"),
        ("a b 2 1 4 0 1 3 7 0 127 22 4 10.0.0.1", "RADDRS"),
        ("a b 2 1 4 0 1 3 7 0 127 22 4 10.0.0.1 <-> *10.0.0.x \t 1 2", "RADDRS"),
        ("a b 2 1 4 0 1 3 7 0 127 22 4 **10.0.0.1 <-> 10.0.0.2 \t", "LADDRS"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isupper() else None,
)
def test_each_malformed_association_field_is_named(line: str, field: str) -> None:
    (got,) = decode_sctp(["h", line], path="net/sctp/assocs", association=True)
    assert isinstance(got, ParseError) and got.field == field


ADDRESSES = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))


@given(
    st.integers(0, 2**31 - 1), st.integers(0, 65535), st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1), st.lists(ADDRESSES, max_size=5)
)
def test_endpoint_round_trip(state: int, port: int, uid: int, inode: int, addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> None:
    (got,) = decode_sctp(["h", eps_line(state, port, uid, inode, [str(a) for a in addresses])], path="eps", association=False)
    assert got == SctpSocket(False, state, port, 0, tuple(addresses), (), 0, 0, uid, inode)


@given(st.lists(ADDRESSES, max_size=4), st.lists(ADDRESSES, max_size=4), st.integers(0, 2**32 - 1), st.one_of(st.none(), st.integers(0, 4)))
def test_association_round_trip(local: list[ipaddress.IPv4Address], remote: list[ipaddress.IPv4Address], queue: int, primary: int | None) -> None:
    line = assoc_line(8, 1, 2, [str(a) for a in local], [str(a) for a in remote], tx=queue, rx=queue // 2, inode=9, primary=primary)
    (got,) = decode_sctp(["h", line], path="assocs", association=True)
    assert got == SctpSocket(True, 8, 1, 2, tuple(local), tuple(remote), queue, queue // 2, 0, 9)


def test_state_names_are_netstats_tcp_state_table() -> None:
    assert [state_text(n) for n in (0, 1, 7, 10, 11, 12, 99)] == ["", "ESTABLISHED", "CLOSE", "LISTEN", "CLOSING", "UNKNOWN(12)", "UNKNOWN(99)"]


# -- junk: never raises, always reports ----------------------------------------------------------

JUNK_LINE = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(["0", "1", "10", "-3", "99999999999999999999", "*10.0.0.1", "::1", "<->", "\t", "<", "-", "fe80:0:0:0:0:0:0:1", "x", "255.255.255.255", "*"]), max_size=20).map(" ".join),
)  # fmt: skip


@given(st.lists(JUNK_LINE, max_size=8), st.booleans())
def test_decoder_never_raises_and_answers_each_line(lines: list[str], association: bool) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    got = list(decode_sctp(["h", *lines], path="p", association=association))
    assert len(got) == len(lines)
    fields = ASSOC_FIELDS if association else EPS_FIELDS
    for lineno, item in enumerate(got, 2):
        assert isinstance(item, SctpSocket) or (item.lineno == lineno and item.field in (*fields, "LADDRS", "RADDRS"))


@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(eps=st.lists(JUNK_LINE, max_size=5), assocs=st.lists(JUNK_LINE, max_size=5), flags=st.sampled_from(["-San", "-Sae", "-Slnp", "-an"]))
def test_cli_on_junk_reports_each_bad_line_and_keeps_the_good_ones(tmp_path_factory: pytest.TempPathFactory, eps: list[str], assocs: list[str], flags: str) -> None:
    eps = [line.replace("\n", " ") + "\n" for line in eps]
    assocs = [line.replace("\n", " ") + "\n" for line in assocs]
    fake = FakeProc(tmp_path_factory.mktemp("junk")).net()
    fake.file("net/sctp/eps", eps_text([*eps, GOOD_EPS])).file("net/sctp/assocs", assocs_text([*assocs, GOOD_ASSOC]))
    got = netread_snapshot(fake.root, flags.split())
    assert got.status == 0 and "Traceback" not in got.stderr
    bad = [
        (name, n)
        for name, lines, association in (("eps", eps, False), ("assocs", assocs, True))
        for n, item in enumerate(decode_sctp(["h", *(line[:-1] for line in lines)], path=name, association=association), 2)
        if isinstance(item, ParseError)
    ]
    listed = {"eps": "a" in flags or "l" in flags, "assocs": "a" in flags or "l" not in flags}
    for name, n in bad:
        if listed[name]:
            assert f"/net/sctp/{name}:{n}: field " in got.stderr
    out = got.stdout.decode("utf-8", "surrogateescape")
    if listed["eps"] and "n" in flags:
        assert "fe80::1:22 " in out
    if listed["assocs"] and "n" in flags:
        assert "sctp       7      3 10.0.0.1:22             192.168.1.9:40000       ESTABLISHED" in out


def test_control_bytes_in_a_file_never_reach_the_terminal(tmp_path: Path) -> None:
    fake = FakeProc(tmp_path).net().file("net/sctp/eps", EPS_HEADER + "a b 2 10 12 22 0 5 10.0.0.1\x1b[2J\n" + GOOD_EPS)
    got = netread_snapshot(fake.root, ["-Sln"])
    assert b"\x1b" not in got.stdout and "\x1b" not in got.stderr and "field LADDRS" in got.stderr


@pytest.mark.parametrize("how", ["dir", "tar"])
def test_capture_saves_the_sctp_files_and_their_owners(tmp_path: Path, how: str) -> None:
    from netread.proc.capture import collect
    from netread.proc.capture import write_dir
    from netread.proc.capture import write_tar

    source = FakeProc(tmp_path / "src").net().file("net/sctp/eps", eps_text([GOOD_EPS])).file("net/sctp/assocs", assocs_text([GOOD_ASSOC]))
    source.owner(4242, b"/usr/sbin/sctpd\0", [123, 127]).owner(4343, b"/usr/bin/other\0", [999])
    where = tmp_path / ("snap" if how == "dir" else "snap.tar")
    (write_dir if how == "dir" else write_tar)(collect(source.root), where)
    for flags in (["-Sanp"], ["-Sanpe"], ["-Sl"]):
        want = netread_snapshot(source.root, flags)
        got = netread_snapshot(where, flags)
        assert (got.status, got.stdout) == (want.status, want.stdout)
    assert netread_snapshot(where, ["-Sanp"]).stdout.count(b"4242/sctpd") == 2
    if how == "dir":
        assert not (where / "4343").exists()  # a process holding no listed socket is not saved


# -- --format json/ndjson/csv ------------------------------------------------------------------


@pytest.mark.parametrize("flags", ["-San", "-tuwxSanp", "-Sl", "-an"])
def test_records_follow_the_schema_in_netstats_order(tmp_path: Path, flags: str) -> None:
    import csv
    import io
    import json

    import jsonschema
    from conftest import ROOT
    from conftest import SAMPLE_PROC

    schema = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
    fake = FakeProc(tmp_path).net()
    for name in ("tcp", "tcp6", "udp", "unix"):
        fake.table(name, (SAMPLE_PROC / "net" / name).read_bytes())
    fake.file("net/sctp/eps", eps_text([GOOD_EPS])).file("net/sctp/assocs", assocs_text([GOOD_ASSOC])).owner(4242, b"/usr/sbin/sctpd\0", [123, 127])
    document = json.loads(netread_snapshot(fake.root, [*flags.split(), "--format", "json"]).stdout)
    jsonschema.validate(document, schema)
    protos = [r["proto"] for r in document["sockets"]]
    sctp = [r for r in document["sockets"] if r["proto"] == "sctp"]
    text = netread_snapshot(fake.root, flags.split()).stdout.decode()
    assert len(sctp) == text.count("\nsctp ")
    assert protos == sorted(protos, key=lambda p: ("tcp", "tcp6", "sctp", "udp", "udp6", "unix").index(p))
    for record in sctp:
        if record["type"] == "association":
            assert record == {**record, "local_address": ["10.0.0.1", "10.0.0.2"], "remote_address": ["192.168.1.9"], "remote_port": 40000,
                              "state": "ESTABLISHED", "recv_q": 7, "send_q": 3, "uid": 1000, "inode": 127}  # fmt: skip
        else:
            assert record == {**record, "local_address": ["10.0.0.1", "fe80::1"], "family": "inet6", "remote_port": None, "state": "LISTEN", "inode": 123}
        if "p" in flags:
            assert record["pids"] == [4242] and record["program"] == "sctpd"
    lines = netread_snapshot(fake.root, [*flags.split(), "--format", "ndjson"]).stdout.decode().splitlines()
    assert [json.loads(line) for line in lines] == document["sockets"]
    rows = list(csv.DictReader(io.StringIO(netread_snapshot(fake.root, [*flags.split(), "--format", "csv"]).stdout.decode())))
    assert [row["proto"] for row in rows] == protos
    assert [row["local_address"] for row in rows if row["proto"] == "sctp"] == ["|".join(r["local_address"]) for r in sctp]


def test_records_without_the_files_stop_as_the_text_does(tmp_path: Path) -> None:
    import json

    from conftest import SAMPLE_PROC

    fake = FakeProc(tmp_path).table("tcp", (SAMPLE_PROC / "net" / "tcp").read_bytes()).table("udp", (SAMPLE_PROC / "net" / "udp").read_bytes())
    got = netread_snapshot(fake.root, ["-tuSan", "--format", "json"])
    protos = {r["proto"] for r in json.loads(got.stdout)["sockets"]}
    assert got.status == 1 and protos == {"tcp"} and "no support for `AF INET (sctp)'" in got.stderr


@pytest.mark.parametrize(
    ("filters", "endpoint", "association"),
    [
        (["--state", "LISTEN"], True, False),
        (["--state", "established"], False, True),
        (["--port", "40000"], False, True),
        (["--port", "22"], True, True),
        (["--sport", "22"], True, True),
        (["--dport", "40000"], False, True),
        (["--dport", "22"], False, False),
        (["--pid", "4242"], True, False),
        (["--program", "sctpd"], True, False),
        (["--user", "1000"], False, True),
        (["--user", "0"], True, False),
    ],
)
def test_filters_keep_sctp_rows_as_they_keep_the_others(tmp_path: Path, filters: list[str], endpoint: bool, association: bool) -> None:
    import json

    fake = FakeProc(tmp_path).net().file("net/sctp/eps", eps_text([GOOD_EPS])).file("net/sctp/assocs", assocs_text([GOOD_ASSOC]))
    fake.owner(4242, b"/usr/sbin/sctpd\0", [123])
    text = netread_snapshot(fake.root, ["-San", *filters]).stdout.decode()
    assert ("sctp                10.0.0.1:22" in text) == endpoint and ("192.168.1.9:40000" in text) == association
    records = json.loads(netread_snapshot(fake.root, ["-San", "--format", "json", *filters]).stdout)["sockets"]
    assert sorted(r["type"] for r in records) == [t for t, kept in (("association", association), ("endpoint", endpoint)) if kept]
