"""Property tests: encode→decode round trips, and junk never crashes and is always reported."""

from __future__ import annotations

import ipaddress
import re

from conftest import examples
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import HEADERS
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import encode_endpoint
from kernel_text import format_entry
from strategies import dgram_entry
from strategies import ip_strategy
from strategies import tcp_entry
from strategies import unix_entry

from netread.errors import ParseError
from netread.escape import escape_text
from netread.model import Ambiguous
from netread.model import InetSocket
from netread.model import UnixSocket
from netread.parse.inet import decode_endpoint
from netread.parse.inet import decode_inet
from netread.parse.unix import decode_unix

BYTEORDERS = st.sampled_from(["little", "big"])


@given(st.one_of(ip_strategy(4), ip_strategy(6)), st.integers(0, 0xFFFF), BYTEORDERS)
@example("127.0.0.1", 22, "little")
@example("2a00:1450:4001:814::200e", 80, "little")
@example("::ffff:127.0.0.1", 40521, "big")
def test_endpoint_round_trip(ip: str, port: int, byteorder: str) -> None:
    got = decode_endpoint(encode_endpoint(ip, port, byteorder), byteorder)  # type: ignore[arg-type]
    assert (got.address, got.port) == (ipaddress.ip_address(ip), port)


@given(st.one_of(tcp_entry(4), tcp_entry(6)), BYTEORDERS)
def test_tcp_row_round_trip(entry: TcpEntry, byteorder: str) -> None:
    lines = [HEADERS[entry.table], format_entry(entry, byteorder).rstrip("\n")]  # type: ignore[arg-type]
    (row,) = decode_inet(lines, path="net/" + entry.table, table=entry.table, byteorder=byteorder)  # type: ignore[arg-type]
    assert isinstance(row, InetSocket)
    assert (
        row.sl,
        row.local.address,
        row.local.port,
        row.remote.address,
        row.remote.port,
        row.st,
        row.tx_queue,
        row.rx_queue,
        row.timer,
        row.when,
        row.retrnsmt,
        row.uid,
        row.timeout,
        row.inode,
    ) == (
        entry.sl,
        ipaddress.ip_address(entry.local_ip),
        entry.local_port,
        ipaddress.ip_address(entry.remote_ip),
        entry.remote_port,
        entry.st,
        entry.tx_queue,
        entry.rx_queue,
        entry.tr,
        entry.when,
        entry.retrnsmt,
        entry.uid,
        entry.timeout,
        entry.inode,
    )


@given(st.sampled_from(["udp", "udp6", "udplite", "udplite6", "raw", "raw6"]).flatmap(dgram_entry), BYTEORDERS)
def test_datagram_row_round_trip(entry: DgramEntry, byteorder: str) -> None:
    lines = [HEADERS[entry.table], format_entry(entry, byteorder).rstrip("\n")]  # type: ignore[arg-type]
    (row,) = decode_inet(lines, path="net/" + entry.table, table=entry.table, byteorder=byteorder)  # type: ignore[arg-type]
    assert isinstance(row, InetSocket)
    assert (row.sl, row.local.address, row.local.port, row.remote.address, row.remote.port) == (
        entry.sl,
        ipaddress.ip_address(entry.local_ip),
        entry.local_port,
        ipaddress.ip_address(entry.remote_ip),
        entry.remote_port,
    )
    assert (row.st, row.tx_queue, row.rx_queue, row.uid, row.inode) == (
        entry.st,
        entry.tx_queue,
        entry.rx_queue,
        entry.uid,
        entry.inode,
    )


@given(unix_entry())
def test_unix_row_round_trip(entry: UnixEntry) -> None:
    (row,) = decode_unix([HEADERS["unix"], format_entry(entry).rstrip("\n")], path="net/unix")
    assert isinstance(row, UnixSocket)
    assert (row.refcount, row.flags, row.type, row.st, row.inode, row.path) == (
        entry.refcount,
        entry.flags,
        entry.type,
        entry.st,
        entry.inode,
        entry.path,
    )


JUNK_LINE = st.one_of(
    st.text(max_size=200).map(lambda s: s.replace("\n", " ")),
    st.lists(st.sampled_from(["0:", "0100007F:0016", "0A", "00000000:00000000", "00:00000000", "00000000", "0", "-1", "x", "::", ":"]), max_size=18).map(" ".join),
)


@settings(max_examples=examples(300))
@given(st.sampled_from(["tcp", "tcp6", "udp", "raw6"]), st.lists(JUNK_LINE, max_size=12), BYTEORDERS)
def test_inet_junk_never_crashes_and_every_line_is_accounted_for(table: str, lines: list[str], byteorder: str) -> None:
    out = list(decode_inet(lines, path="net/x", table=table, byteorder=byteorder))  # type: ignore[arg-type]
    seen = {item.lineno for item in out}
    for lineno in range(2, len(lines) + 1):
        assert lineno in seen, f"line {lineno} was silently dropped"
    for item in out:
        if isinstance(item, ParseError):
            assert item.path == "net/x" and item.field and item.reason
            assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in item.message())


@settings(max_examples=examples(300))
@given(st.lists(st.one_of(JUNK_LINE, st.sampled_from([
    "0000000000000000: 00000002 00000000 00010000 0001 01 7 /a b", "0: 1 0 0 1 1 2", "0: 1 0 0 1 1", "0: 1 0 0 1 1\xa02 /b",
    "0:\x1c1 0 0 1 1 2 /c", "0000000000000000: 00000002 00000000 00010000 0001 01 8 @",
])), max_size=12))
def test_unix_junk_never_crashes_and_every_line_is_accounted_for(lines: list[str]) -> None:
    out = list(decode_unix(lines, path="net/unix"))
    covered: set[int] = set()
    rows = [r for r in out if isinstance(r, UnixSocket)]
    for item in out:
        if isinstance(item, Ambiguous):  # a note naming records, each one a row marked ambiguous
            assert {n for n, _ in item.records} <= {r.lineno for r in rows if r.suspect == "ambiguous"}
            continue
        covered.add(item.lineno)
    by_line = {r.lineno: r for r in rows}
    for lineno, line in enumerate(lines, start=1):  # a good record is never altered by the lines after it
        if lineno > 1 and "Inode" in lines[0] and line.startswith("0000000000000000: ") and line.endswith(" 7 /a b"):
            assert by_line[lineno].path == "/a b" and by_line[lineno].inode == 7
    for row in rows:  # continuation lines belong to the row before them
        if row.path is not None:
            covered.update(range(row.lineno, row.lineno + row.path.count("\n") + 1))
    for lineno in range(2, len(lines) + 1):
        assert lineno in covered, f"line {lineno} was silently dropped"


@given(st.text())
def test_escape_leaves_no_control_characters(text: str) -> None:
    shown = escape_text(text)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xDC80 <= ord(ch) <= 0xDCFF for ch in shown)
    if text.isprintable():
        assert shown == text


@settings(max_examples=examples(300))
@given(st.lists(st.one_of(JUNK_LINE, st.sampled_from([
    "0000000000000000: 00000002 00000000 00010000 0001 01 7 /a b", "0: 1 0 0 1 1 2", "0: 1 0 0 1 1", "0: 1 0 0 1 1\xa02 /b",
    "0:\x1c1 0 0 1 1 2 /c", "0000000000000000: 00000002 00000000 00010000 0001 01 8 @", "1: 2 0 10000 1 1 9 /x\u2003y",
])), max_size=12))
def test_no_line_alters_a_good_unix_record(lines: list[str]) -> None:
    """Whatever follows a good record (junk, a malformed record, a record cut short, odd white
    space), the record keeps its own inode and name; a line taken as the rest of a name never
    starts as a record does."""
    out = list(decode_unix(["Num       RefCount Protocol Flags    Type St Inode Path", *lines], path="net/unix"))
    rows = {r.lineno: r for r in out if isinstance(r, UnixSocket)}
    for lineno, line in enumerate(lines, start=2):
        if line == "0000000000000000: 00000002 00000000 00010000 0001 01 7 /a b":
            row = rows[lineno]
            assert row.inode == 7 and row.path is not None
            k = row.path.count("\n")  # the name's own newlines: the next k lines, none starting as a record does
            assert row.path == "\n".join(["/a b", *lines[lineno - 1 : lineno - 1 + k]])
    for row in rows.values():
        for rest in (row.path or "").split("\n")[1:]:
            assert not re.match(r"[ \t\n\v\f\r]*[0-9A-Fa-f]+:", rest)
