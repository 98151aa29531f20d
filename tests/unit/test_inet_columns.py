"""The columnar fast path (parse/inet_columns.py + render/netstat_columns.py) prints exactly what
the careful decoder and NetstatFormatter print, and takes no piece the careful decoder would warn about."""

from __future__ import annotations

import dataclasses
import sys

import pytest
from conftest import examples
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import TcpEntry
from kernel_text import format_table
from kernel_text import format_tcp
from strategies import table_entries

from netread.errors import ParseError
from netread.model import InetSocket
from netread.model import Owner
from netread.model import Owners
from netread.model import Table
from netread.parse import inet_columns
from netread.parse.inet import decode_inet
from netread.parse.inet_columns import kernel_columns
from netread.render.netstat import NetstatFormatter
from netread.render.netstat_columns import detail_suffixes
from netread.render.netstat_columns import numeric_rows
from netread.select import Options
from netread.select import keep_inet

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.parse.inet import ByteOrder

TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")
SPECS = st.sampled_from(TABLES).flatmap(lambda t: st.tuples(st.just(t), table_entries(t, max_rows=12)))
BYTEORDERS = st.sampled_from(["little", "big"])


def careful(table: str, body: bytes, byteorder: ByteOrder, every: bool, listening: bool, wide: bool) -> tuple[bytes, list[ParseError]]:
    """What the careful decoder and the record formatter print for ``body``, and what they warn."""
    opts = Options.resolve(all=every, listening=listening, wide=wide, numeric_hosts=True, numeric_ports=True, numeric_users=True)
    fmt = NetstatFormatter(opts)
    keep = keep_inet(opts)
    lines = body.decode("utf-8", "surrogateescape").split("\n")[:-1]
    decoded = list(decode_inet(lines, path=table, table=table, byteorder=byteorder, first_line=2))
    rows = [r for r in decoded if isinstance(r, InetSocket) and (keep is None or keep(r))]
    text = "".join(fmt.inet_row(r) + "\n" for r in rows).encode("utf-8", "surrogateescape")
    return text, [r for r in decoded if isinstance(r, ParseError)]


def fast(table: str, body: bytes, byteorder: ByteOrder, every: bool, listening: bool, wide: bool) -> bytes | None:
    cols = kernel_columns(body, Table(table), byteorder)
    return None if cols is None else numeric_rows(cols, Table(table), every, listening, wide)


@settings(max_examples=examples(400))
@given(SPECS, BYTEORDERS, st.booleans(), st.booleans(), st.booleans())
def test_columns_equal_the_careful_path_on_kernel_tables(spec, byteorder, every, listening, wide) -> None:  # type: ignore[no-untyped-def]
    """Every row variant (full, TIME_WAIT, request, datagram), both byte orders, -a/-l/neither, -W."""
    table, entries = spec
    body = format_table(table, entries, byteorder).partition("\n")[2].encode("utf-8", "surrogateescape")
    got = fast(table, body, byteorder, every, listening, wide)
    want, warnings = careful(table, body, byteorder, every, listening, wide)
    assert warnings == []
    assert got is not None, "a table in the kernel's format was refused"
    assert got == want


JUNK = ["x", "\t", "a", "F", "  ", "", "-", "0", "9", "\r", ":", " 1", "\x00", "é", "1 2 3 4 5 6 7 8 9"]


@settings(max_examples=examples(600))
@given(SPECS, BYTEORDERS, st.data())
def test_a_piece_the_columns_take_is_one_the_careful_path_takes_without_a_word(spec, byteorder, data) -> None:  # type: ignore[no-untyped-def]
    """One byte of a kernel table changed anywhere: either the fast path refuses the piece, or the
    careful decoder has nothing to say about it and both print the same rows."""
    table, entries = spec
    body = format_table(table, entries, byteorder).partition("\n")[2]
    if not body:
        return
    position = data.draw(st.integers(0, len(body) - 1))
    junk = data.draw(st.sampled_from(JUNK))
    mutated = (body[:position] + junk + body[position + 1 :]).encode("utf-8", "surrogateescape")
    got = fast(table, mutated, byteorder, True, False, False)
    if got is not None:
        want, warnings = careful(table, mutated, byteorder, True, False, False)
        assert warnings == []
        assert got == want


@pytest.mark.skipif(sys.version_info < (3, 11), reason="possessive quantifiers are Python 3.11's")
@settings(max_examples=examples(300))
@given(SPECS, BYTEORDERS, st.data())
def test_the_possessive_pattern_takes_the_pieces_the_plain_one_takes(spec, byteorder, data) -> None:  # type: ignore[no-untyped-def]
    table, entries = spec
    body = format_table(table, entries, byteorder).partition("\n")[2]
    if body:
        position = data.draw(st.integers(0, len(body) - 1))
        body = body[:position] + data.draw(st.sampled_from(JUNK)) + body[position + 1 :]
    piece = body.encode("utf-8", "surrogateescape")
    a = 32 if Table(table).ip_version == 6 else 8
    extra = 3 if Table(table).datagram else 7
    sl = max(piece.find(b": "), 1)
    plain = inet_columns._fixed_pattern(a, extra, sl, possessive=False).fullmatch(piece)
    possessive = inet_columns._fixed_pattern(a, extra, sl, possessive=True).fullmatch(piece)
    assert (plain is None) == (possessive is None)


def _tcp(sl: int, **changes: object) -> TcpEntry:
    entry = TcpEntry("tcp", "full", sl, "10.1.2.3", 40000 + sl % 1000, "192.0.2.7", 443, 1, 5, 7, 0, 0, 0, 1000, 0, 5000 + sl, 1, "0000000000000000", 20, 4, 30, 10, -1)
    return dataclasses.replace(entry, **changes)  # type: ignore[arg-type]


def _body(entries: list[TcpEntry]) -> bytes:
    return "".join(format_tcp(e) for e in entries).encode()


def test_rows_9999_and_10000_in_one_piece() -> None:
    """sl grows a digit at row 10,000: the head moves one column, the lines stay 150 bytes."""
    body = _body([_tcp(sl) for sl in range(9990, 10010)])
    assert fast("tcp", body, "little", True, False, False) == careful("tcp", body, "little", True, False, False)[0]


def test_lines_longer_than_the_padding_go_by_the_line_pattern() -> None:
    """A uid of 10 digits (a user namespace's), a long inode and big TCP fields push a line past 149 bytes."""
    big = {"rto": 4_294_967_295, "ato": 4_294_967_295, "cwnd": 4_294_967_295, "ssthresh": -2_147_483_648}
    entries = [_tcp(0), _tcp(1, uid=4_000_000_000, inode=18_000_000_000_000_000_000, **big), _tcp(2)]
    body = _body(entries)
    assert [len(line) for line in body.split(b"\n")[:-1]] == [149, 183, 149]
    got = fast("tcp", body, "little", True, False, False)
    assert got is not None and got == careful("tcp", body, "little", True, False, False)[0]


def test_what_the_columns_refuse() -> None:
    line = _body([_tcp(0)])
    assert fast("tcp", line, "little", True, False, False) is not None
    refused = {
        "a field too many": line.replace(b" -1 ", b" -1 7 ", 1) if b" -1 " in line else line.rstrip() + b" 7 8\n",
        "CRLF": line.rstrip(b"\n") + b"\r\n",
        "a tab": line.replace(b" 1000 ", b"\t1000 ", 1),
        "a letter in the uid": line.replace(b" 1000 ", b" 10a0 ", 1),
        "no inode": line[: line.index(b" 5000 ")] + b"\n",
    }
    for what, text in refused.items():
        assert fast("tcp", text, "little", True, False, False) is None, what


def test_lowercase_hex_is_taken_as_the_careful_path_takes_it() -> None:
    line = _body([_tcp(0, local_ip="10.171.205.239")])
    lower = line.replace(b"EFCDAB0A", b"efcdab0a")
    assert lower != line
    assert fast("tcp", lower, "little", True, False, False) == careful("tcp", lower, "little", True, False, False)[0]


def _owners(inodes: list[int]) -> Owners:
    """Each inode held by a process of its own, pid = inode % 99991 + 1, program ``prog-<pid>``."""
    return Owners({i: (i % 99991 + 1,) for i in inodes}, {i % 99991 + 1: Owner(i % 99991 + 1, f"prog-{i % 99991 + 1}") for i in inodes})


@settings(max_examples=examples(300))
@given(SPECS, BYTEORDERS, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_detailed_columns_equal_the_careful_path(spec, byteorder, every, wide, extend, programs, timers, data) -> None:  # type: ignore[no-untyped-def]
    """-e, -p and -o (any of them) from the detailed columns, with owners and user names."""
    table, entries = spec
    body = format_table(table, entries, byteorder).partition("\n")[2].encode("utf-8", "surrogateescape")
    owners = _owners([e.inode for e in entries if data.draw(st.booleans())])
    opts = Options.resolve(all=every, wide=wide, extend=extend, programs=programs, timers=timers or not (extend or programs), numeric_hosts=True, numeric_ports=True)

    def formatter() -> NetstatFormatter:
        return NetstatFormatter(opts, owners=owners, user_name=lambda uid: None if uid % 2 else f"u{uid}")

    cols = kernel_columns(body, Table(table), byteorder, detail=True)
    lines = body.decode().split("\n")[:-1]
    decoded = list(decode_inet(lines, path=table, table=table, byteorder=byteorder, first_line=2))
    if any(e.inode >= 10**19 for e in entries):
        assert cols is None  # 20-digit inodes are the careful path's
        return
    assert cols is not None
    fmt = formatter()
    got = numeric_rows(cols, Table(table), opts.all, opts.listening, opts.wide, detail_suffixes(cols, Table(table), fmt))
    keep = keep_inet(opts)
    careful_fmt = formatter()
    want = "".join(careful_fmt.inet_row(r) + "\n" for r in decoded if isinstance(r, InetSocket) and (keep is None or keep(r)))
    assert got == want.encode()


def test_a_line_whose_sl_sits_elsewhere_is_not_cut_at_the_first_line_s_columns() -> None:
    """Found by review: a crafted line of the same length whose ``sl:`` is 9 columns further left
    passed the column checks, and bytes of its tail were read as its head (a row printed twice,
    no warning)."""
    head = b"0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
    tail = b"     0        0 1234 1 0000000000000000 100 0 0 10 0"
    line0 = b" " * 20 + b"0: " + head + tail
    crafted = b" " * 11 + b"1: " + b"ZZZZZZZ:Z" + head[:60] + b" 12345678" + tail[6:]
    crafted = crafted[: len(line0)].ljust(len(line0))
    body = line0 + b"\n" + crafted + b"\n"
    want, warnings = careful("tcp", body, "little", True, False, False)
    assert [w.field for w in warnings] == ["local_address"]
    got = fast("tcp", body, "little", True, False, False)
    assert got is None or got == want


@pytest.mark.parametrize("uid", ["4294967296", "9294967294", "9999999999", "00001"])
def test_a_uid_past_32_bits_goes_to_the_careful_path(uid: str) -> None:
    """Found by hypothesis: a 10-digit uid past 2**32-1 was taken by the columns (and the
    regular-expression fast path) while the careful decoder reports it."""
    from netread.parse.inet_fast import kernel_rows

    line = f"   0: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 {uid}        0 1 1 0000000000000000 0\n"
    for detail in (True, False):
        assert kernel_columns(line.encode(), Table.UDP, "little", detail=detail) is None
        assert kernel_rows(line, detail=detail, datagram=True) is None
    good = line.replace(uid, "4294967295")
    assert kernel_columns(good.encode(), Table.UDP, "little", detail=True) is not None
    assert kernel_rows(good, detail=True, datagram=True) is not None
