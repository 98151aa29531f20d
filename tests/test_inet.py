"""Decoder for the inet tables: pinned kernel vectors, one case per malformed field."""

from __future__ import annotations

import ipaddress

import pytest

from netread.errors import ParseError
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import TcpState
from netread.parse.inet import decode_address
from netread.parse.inet import decode_endpoint
from netread.parse.inet import decode_inet

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
FULL = (
    "   0: 0100007F:0016 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 4242 1 "
    "0000000000000000 100 0 0 10 0"
)


def v4(text: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(text)


def v6(text: str) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(text)


@pytest.mark.parametrize(
    ("token", "byteorder", "want"),
    [
        # psutil _pslinux.decode_address docstring (BSD-3-Clause)
        ("0500000A:0016", "little", Endpoint(v4("10.0.0.5"), 22)),
        ("0000000000000000FFFF00000100007F:9E49", "little", Endpoint(v6("::ffff:127.0.0.1"), 40521)),
        # eminence/procfs net.rs test_parse_ipaddr (MIT/Apache-2.0)
        ("0100007F:1234", "little", Endpoint(v4("127.0.0.1"), 0x1234)),
        ("5014002A14080140000000000E200000:0050", "little", Endpoint(v6("2a00:1450:4001:814::200e"), 80)),
        ("B80D01200000000067452301EFCDAB89:0", "little", Endpoint(v6("2001:db8::123:4567:89ab:cdef"), 0)),
        ("00000000000000000000000001000000:0277", "little", Endpoint(v6("::1"), 631)),
        # big-endian hosts print the address bytes in network order
        ("7F000001:0050", "big", Endpoint(v4("127.0.0.1"), 80)),
        ("C0A80101:0017", "big", Endpoint(v4("192.168.1.1"), 23)),
        ("00000000000000000000000000000001:0016", "big", Endpoint(v6("::1"), 22)),
    ],
    ids=lambda v: str(v),
)
def test_decode_endpoint_vectors(token: str, byteorder: str, want: Endpoint) -> None:
    assert decode_endpoint(token, byteorder) == want  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("0100007F", "want HEXADDRESS:HEXPORT"),
        ("0100007G:0016", "want HEXADDRESS:HEXPORT"),
        ("0100007F:10000", "above 0xFFFF"),
        ("01007F:0016", "6 hex digits"),
        ("0x0100007F:0016", "want HEXADDRESS:HEXPORT"),
        ("0100_007F:0016", "want HEXADDRESS:HEXPORT"),
    ],
)
def test_decode_endpoint_rejects(token: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode_endpoint(token, "little")


def test_decode_address_rejects_odd_lengths() -> None:
    with pytest.raises(ValueError, match="want 8"):
        decode_address("0" * 16, "little")


def decode(*lines: str, table: str = "tcp") -> list[InetSocket | ParseError]:
    return list(decode_inet([TCP_HEADER, *lines], path=f"net/{table}", table=table, byteorder="little"))


def test_full_tcp_row() -> None:
    assert decode(FULL) == [
        InetSocket(
            table="tcp",
            lineno=2,
            sl=0,
            local=Endpoint(v4("127.0.0.1"), 22),
            remote=Endpoint(v4("0.0.0.0"), 0),
            st=TcpState.LISTEN,
            tx_queue=0,
            rx_queue=2,
            timer=0,
            when=0,
            retrnsmt=0,
            uid=0,
            timeout=0,
            inode=4242,
        )
    ]


def test_time_wait_row_has_twelve_fields() -> None:
    (row,) = decode(
        "  11: 0100007F:A6B6 0100007F:2710 06 00000000:00000000 03:000016E6 00000000     0        0 0 3 0000000000000000"
    )
    assert isinstance(row, InetSocket)
    assert (row.state, row.timer, row.when, row.uid, row.inode) == (TcpState.TIME_WAIT, 3, 0x16E6, 0, 0)


def test_five_digit_sl_padding_and_tab() -> None:
    rows = decode(
        "10083: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7 1 0 100 0 0 10 0"
        + " " * 30,
        "\t0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8 1 0 100 0 0 10 0",
    )
    assert [(r.sl, r.uid, r.inode) for r in rows if isinstance(r, InetSocket)] == [(10083, 1000, 7), (0, 0, 8)]


def test_unknown_state_is_kept_as_data() -> None:
    (row,) = decode(FULL.replace(" 0A ", " 0D ").replace(" 0A ", " 0D "))
    assert isinstance(row, InetSocket)
    assert (row.st, row.state) == (0x0D, TcpState.BOUND_INACTIVE)
    (row,) = decode(FULL.replace(" 0A ", " 2F "))
    assert isinstance(row, InetSocket)
    assert (row.st, row.state) == (0x2F, None)


def test_queues_up_to_u32() -> None:
    (row,) = decode(FULL.replace("00000000:00000002", "FFFFFFFF:80000000"))
    assert isinstance(row, InetSocket)
    assert (row.tx_queue, row.rx_queue) == (2**32 - 1, 2**31)


def test_headerless_file_reports_and_keeps_first_row() -> None:
    rows = list(decode_inet([FULL], path="net/tcp", table="tcp", byteorder="little"))
    assert isinstance(rows[0], ParseError) and rows[0].field == "header"
    assert isinstance(rows[1], InetSocket) and rows[1].inode == 4242


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("", "line"),
        ("   x: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1", "sl"),
        ("   0: 0100007G:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1", "local_address"),
        ("   0: 0100007F:0016 00000000:10000 0A 00000000:00000000 00:00000000 00000000 0 0 1", "rem_address"),
        ("   0: 0100007F:0016 00000000:0000 0Z 00000000:00000000 00:00000000 00000000 0 0 1", "st"),
        ("   0: 0100007F:0016 00000000:0000 0A 0000000000000000 00:00000000 00000000 0 0 1", "tx_queue:rx_queue"),
        ("   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00-00000000 00000000 0 0 1", "tr:tm->when"),
        ("   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000", "retrnsmt"),
        ("   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 0000000X 0 0 1", "retrnsmt"),
        ("   0: 0100007F:0016", "rem_address"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_malformed_row_names_the_field(line: str, field: str) -> None:
    rows = decode(line, FULL)
    assert isinstance(rows[0], ParseError)
    assert (rows[0].path, rows[0].lineno, rows[0].field, rows[0].raw) == ("net/tcp", 2, field, line)
    assert isinstance(rows[1], InetSocket), "the rest of the table is still decoded"


@pytest.mark.parametrize(
    ("tail", "field", "kept"),
    [
        ("00000000", "uid", (0, None, None, None)),
        ("00000000  1000", "timeout", (0, 1000, None, None)),
        ("00000000  1000 0", "inode", (0, 1000, 0, None)),
        ("00000000  -5 0 1", "uid", (0, (1 << 32) - 5, 0, 1)),  # netstat's %d reads -5 and goes on
        ("00000000  12x 0 1", "uid", (0, 12, None, None)),  # and stops after what it could read
        ("00000000  4294967296 0 1", "uid", (0, 0, 0, 1)),  # a C int: the low 32 bits, as printed
        ("00000000  1000 0 -1", "inode", (0, 1000, 0, None)),
    ],
)
def test_row_cut_after_retrnsmt_is_reported_and_kept(tail: str, field: str, kept: tuple[object, ...]) -> None:
    """netstat shows a tcp row once it has 11 fields; so do we, and we say what is missing."""
    rows = decode("   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 " + tail)
    assert isinstance(rows[0], ParseError) and rows[0].field == field
    assert isinstance(rows[1], InetSocket)
    assert (rows[1].retrnsmt, rows[1].uid, rows[1].timeout, rows[1].inode) == kept


def test_udp_rows_need_only_the_timer() -> None:
    rows = decode("  94: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000", table="udp")
    assert isinstance(rows[0], ParseError) and rows[0].field == "retrnsmt"
    assert isinstance(rows[1], InetSocket) and rows[1].local.port == 68
    tcp_rows = decode("  94: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000", table="tcp")
    assert len(tcp_rows) == 1 and isinstance(tcp_rows[0], ParseError)


def test_family_follows_the_address_length_not_the_file_name() -> None:
    """netstat decides IPv4/IPv6 by the hex length; a tcp6-shaped row in net/tcp stays IPv6."""
    (row,) = decode(
        "   0: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A "
        "00000000:00000000 00:00000000 00000000     0        0 9 1 0"
    )
    assert isinstance(row, InetSocket)
    assert row.local.address == v6("::ffff:127.0.0.1")
