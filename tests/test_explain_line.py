"""``--explain-line``: one /proc/net line explained field by field.

Real lines from a frozen sample capture (tests/fixtures/sample_proc_2026-11-30a, little-endian
x86_64 host), hand-written lines for each row variant and byte order, junk
that must be reported and never raise, and round trips through the kernel
formats of tests/strategies.py.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Literal

import pytest
from conftest import ROOT
from conftest import examples
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import format_dgram
from kernel_text import format_tcp
from kernel_text import format_unix
from strategies import dgram_entry
from strategies import tcp_entry
from strategies import unix_entry
from strategies import unix_path_hostile

from netread.explain.line import NOT_DECODED
from netread.explain.line import TABLES
from netread.explain.line import FieldExplanation
from netread.explain.line import LineExplanation
from netread.explain.line import explain_line
from netread.model import TcpState
from netread.render.explain_line import render_explanation

#: The first sample_proc capture, frozen: these tests check exact values of its rows.
FROZEN_SAMPLE = ROOT / "tests" / "fixtures" / "sample_proc_2026-11-30a"

ByteOrder = Literal["little", "big"]
BYTEORDERS: st.SearchStrategy[ByteOrder] = st.sampled_from(["little", "big"])
FAST = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])

PTR = "0000000000000000"
LISTEN_Q = (
    "   0: 00000000:0050 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 4242 1"
    " 0000000000000000 100 0 0 10 0"
)
TIME_WAIT = (
    "  16: 0100007F:AC9E 0100007F:0050 06 00000000:00000000 03:00001770 00000000     0        0 0 3"
    " 0000000000000000"
)
REQUEST = (
    "1863: 0100007F:ADA3 0100007F:86EE 03 00000000:00000000 01:00000084 00000001  1000        0 0 0"
    " 0000000000000000"
)
UDP_DROPS = (
    "  172: 0100007F:0035 00000000:0000 07 00000000:00000680 00:00000000 00000000   101        0 555 2"
    " 0000000000000000 42"
)
RAW_ICMP = (
    "  89: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 146524 2"
    " 0000000000000000 0"
)


def tcp_line(local: str, remote: str = "00000000:0000", st_: str = "01", rest: str = "") -> str:
    tail = rest or "00000000:00000000 00:00000000 00000000     0        0 77 1 0000000000000000 20 0 0 10 -1"
    return f"   0: {local} {remote} {st_} {tail}"


def sample_lines(table: str) -> list[str]:
    text = (FROZEN_SAMPLE / "net" / table).read_text(encoding="utf-8", errors="surrogateescape")
    return text.splitlines()[1:]


def fld(e: LineExplanation, name: str) -> FieldExplanation:
    f = e.field(name)
    assert f is not None, f"no field {name!r} in {[x.name for x in e.fields]}"
    return f


def value(e: LineExplanation, name: str) -> str:
    return fld(e, name).value


def meaning(e: LineExplanation, name: str) -> str:
    return fld(e, name).meaning


def address_of(e: LineExplanation, name: str) -> str:
    """The inet_ntop text at the end of an address value."""
    return value(e, name).rsplit("→ ", 1)[1]


def leading_int(text: str) -> int:
    return int(text.split()[0])


def control_chars(text: str) -> list[str]:
    """Characters a terminal may obey, or that cannot even be encoded (lone surrogates)."""
    return [
        ch
        for ch in text
        if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF
    ]


def assert_safe_render(e: LineExplanation) -> str:
    text = render_explanation(e)
    assert text.endswith("\n")
    assert control_chars(text) == []
    return text


# ---------------------------------------------------------------------------
# Real lines from the sample capture
# ---------------------------------------------------------------------------

SAMPLE_TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix")
SAMPLE = [(table, line) for table in SAMPLE_TABLES for line in sample_lines(table)]


@pytest.mark.parametrize(("table", "line"), SAMPLE, ids=[f"{t}-{i}" for i, (t, _) in enumerate(SAMPLE)])
def test_every_sample_line_decodes_given_or_guessed(table: str, line: str) -> None:
    given_ = explain_line(line, table=table, byteorder="little")
    assert (given_.table, given_.guessed, given_.problems) == (table, False, ())
    assert all(f.value != NOT_DECODED for f in given_.fields)
    guessed = explain_line(line, byteorder="little")
    assert guessed.guessed and guessed.problems == ()
    # udplite and raw print udp's format: a guess can only say udp (and notes so).
    expected = {"udplite": "udp", "udplite6": "udp6", "raw": "udp", "raw6": "udp6"}.get(table, table)
    assert guessed.table == expected
    if expected != table:
        assert any("udplite" in n and "raw" in n for n in guessed.notes)
    assert_safe_render(guessed)


def test_sample_tcp_listen_with_accept_queue() -> None:
    line = sample_lines("tcp")[0]
    e = explain_line(line, byteorder="little")
    assert (e.table, e.guessed) == ("tcp", True)
    assert value(e, "local_address") == "word 0x0100007F, little-endian bytes 7F 00 00 01 → 127.0.0.1"
    assert value(e, "local_port") == "8081"
    assert address_of(e, "rem_address") == "0.0.0.0"
    assert value(e, "rem_port") == "0" and "*" in meaning(e, "rem_port")
    assert value(e, "st") == "LISTEN"
    assert (value(e, "tx_queue"), value(e, "rx_queue")) == ("0 bytes", "1 connection")
    assert "accept()" in meaning(e, "rx_queue") and "Recv-Q" in meaning(e, "rx_queue")
    assert "Recv-Q" in meaning(e, "tx_queue") and "first" in meaning(e, "tx_queue")
    assert value(e, "inode") == "23834"
    assert value(e, "rto") == "100 ticks = 1.00 s"
    assert "Fast Open" in meaning(e, "ssthresh")
    assert [f.name for f in e.fields] == [
        "sl", "local_address", "local_port", "rem_address", "rem_port", "st", "tx_queue", "rx_queue",
        "tr", "tm->when", "retrnsmt", "uid", "timeout", "inode",
        "ref", "pointer", "rto", "ato", "quick/pingpong", "cwnd", "ssthresh",
    ]  # fmt: skip
    assert any("17 fields" in n for n in e.notes)


def test_sample_tcp_time_wait_row() -> None:
    line = next(x for x in sample_lines("tcp") if x.split()[3] == "06")
    e = explain_line(line, byteorder="little")
    assert (e.table, e.problems) == ("tcp", ())
    assert value(e, "st") == "TIME_WAIT"
    assert value(e, "tr") == "3 (timewait)"
    assert value(e, "tm->when") == "5716 ticks = 57.16 s"  # 0x1654
    assert (value(e, "uid"), value(e, "inode")) == ("0", "0")
    assert "root" in meaning(e, "uid")
    assert "TIME_WAIT" in meaning(e, "inode")
    assert e.fields[-1].name == "pointer" and e.field("rto") is None
    assert any("get_timewait4_sock" in n for n in e.notes)


def test_sample_tcp_request_socket_row() -> None:
    line = next(x for x in sample_lines("tcp") if x.split()[3] == "03")
    e = explain_line(line, byteorder="little")
    assert e.problems == ()
    assert value(e, "st") == "SYN_RECV"
    assert value(e, "tr") == "1 (retransmit)" and "SYN-ACK" in meaning(e, "tr")
    assert value(e, "tm->when") == "185 ticks = 1.85 s"  # 0xB9
    assert value(e, "retrnsmt") == "1" and "SYN-ACK" in meaning(e, "retrnsmt")
    assert value(e, "inode") == "0"
    assert any("get_openreq4" in n for n in e.notes)


def test_sample_tcp_last_ack_queues_probe_timer_and_clk_tck() -> None:
    line = next(x for x in sample_lines("tcp") if x.split()[3] == "09")
    e = explain_line(line, byteorder="little")
    assert value(e, "st") == "LAST_ACK"
    assert (value(e, "tx_queue"), value(e, "rx_queue")) == ("58369 bytes", "1 bytes")  # 0xE401, 0x1
    assert value(e, "tr") == "4 (zero-window probe)" and "probe" in meaning(e, "tr")
    assert value(e, "tm->when") == "110 ticks = 1.10 s"  # 0x6E
    assert (value(e, "rto"), value(e, "ato")) == ("20 ticks = 0.20 s", "4 ticks = 0.04 s")
    assert value(e, "quick/pingpong") == "0 = quick 0, pingpong 0"
    assert value(e, "cwnd") == "17 segments" and value(e, "ssthresh") == "-1 (initial slow start)"
    fast = explain_line(line, byteorder="little", clk_tck=1000)
    assert value(fast, "tm->when") == "110 ticks = 0.11 s"
    assert value(fast, "rto") == "20 ticks = 0.02 s"


def test_sample_tcp_keepalive_timer() -> None:
    line = next(x for x in sample_lines("tcp") if x.split()[5].startswith("02:"))
    e = explain_line(line, byteorder="little")
    assert value(e, "tr") == "2 (keepalive)"
    assert value(e, "tm->when") == "59691 ticks = 596.91 s"  # 0xE92B


def test_sample_tcp6_mapped_listener() -> None:
    e = explain_line(sample_lines("tcp6")[0], byteorder="little")
    assert (e.table, e.problems) == ("tcp6", ())
    assert value(e, "local_address") == (
        "words 00000000 00000000 FFFF0000 0100007F, little-endian bytes"
        " 00 00 00 00 | 00 00 00 00 | 00 00 FF FF | 7F 00 00 01 → ::ffff:127.0.0.1"
    )
    assert "plain 127.0.0.1" in meaning(e, "local_address") and "tcp6" in meaning(e, "local_address")
    assert value(e, "local_port") == "9090"
    assert address_of(e, "remote_address") == "::"
    assert e.field("rem_address") is None  # tcp6 calls it remote_address


def test_sample_udp_truesize_queue() -> None:
    line = next(x for x in sample_lines("udp") if "000009C0" in x)
    e = explain_line(line, byteorder="little")
    assert value(e, "rx_queue") == "2496 bytes" and "truesize" in meaning(e, "rx_queue")
    assert value(e, "st") == "CLOSE (unconnected)" and "empty State" in meaning(e, "st")
    assert value(e, "uid") == "65534" and "nobody" in meaning(e, "uid")
    assert value(e, "sl") == "633" and "bucket" in meaning(e, "sl")


def test_sample_raw_connected_icmp() -> None:
    line = sample_lines("raw")[1]
    e = explain_line(line, table="raw", byteorder="little")
    assert value(e, "local_port") == "1 = IP protocol icmp"
    assert "protocol number" in meaning(e, "local_port")
    assert value(e, "rem_port") == "0"
    assert value(e, "st") == "ESTABLISHED (connected)" and "bare number 1" in meaning(e, "st")
    guessed = explain_line(line, byteorder="little")
    assert guessed.table == "udp"
    assert any("raw is likely" in n for n in guessed.notes)
    assert any("icmp" in n for n in guessed.notes)


def test_sample_raw6_icmpv6() -> None:
    e = explain_line(sample_lines("raw6")[0], table="raw6", byteorder="little")
    assert address_of(e, "local_address") == "::1"
    assert value(e, "local_port") == "58 = IP protocol ipv6-icmp"
    assert value(e, "rx_queue") == "1664 bytes"


@pytest.mark.parametrize(
    ("needle", "want"),
    [
        (
            " 0001 02     0 /tmp/netread-sample/web.sock",
            ("STREAM", "CONNECTING", "0", "/tmp/netread-sample/web.sock"),
        ),
        ("with space.sock", ("STREAM", "UNCONNECTED", "23878", "/tmp/netread-sample/with space.sock")),
        (" 23875 @netread-abstract", ("STREAM", "UNCONNECTED", "23875", "abstract name 'netread-abstract'")),
        ("@netread@embedded-nul", ("DGRAM", "UNCONNECTED", "23888", "abstract name 'netread@embedded-nul'")),
        ("@14a30", ("DGRAM", "UNCONNECTED", "23889", "autobind name 14a30")),
        ("0005 01 23881", ("SEQPACKET", "UNCONNECTED", "23881", "/tmp/netread-sample/seq.sock")),
    ],
)
def test_sample_unix_records(needle: str, want: tuple[str, str, str, str]) -> None:
    line = next(x for x in sample_lines("unix") if needle in x)
    e = explain_line(line)
    assert (e.table, e.guessed, e.problems) == ("unix", True, ())
    assert (value(e, "Type"), value(e, "St"), value(e, "Inode"), value(e, "Path")) == want


def test_sample_unix_details() -> None:
    lines = sample_lines("unix")
    listening = explain_line(next(x for x in lines if "00010000 0001 01 23871" in x))
    assert value(listening, "Flags") == "__SO_ACCEPTCON (listening)"
    assert "ACC" in meaning(listening, "Flags")
    embryo = explain_line(next(x for x in lines if " 02     0 " in x))
    assert "accept()" in meaning(embryo, "St") and "listener" in meaning(embryo, "St")
    assert "accept()" in meaning(embryo, "Inode")
    unnamed = explain_line(lines[0])
    assert (value(unnamed, "Path"), fld(unnamed, "Path").raw) == ("(none)", "")
    nul = explain_line(next(x for x in lines if "embedded-nul" in x))
    assert "ambiguous" in meaning(nul, "Path")
    spaced = explain_line(next(x for x in lines if "with space" in x))
    assert "spaces" in meaning(spaced, "Path")
    assert value(spaced, "RefCount") == "2" and value(spaced, "Num") == "0x00000000E84CBEC8"


# ---------------------------------------------------------------------------
# Hand-written lines
# ---------------------------------------------------------------------------


def test_ipv4_little_and_big_endian() -> None:
    little = explain_line(tcp_line("0100007F:0016"), byteorder="little")
    assert value(little, "local_address") == "word 0x0100007F, little-endian bytes 7F 00 00 01 → 127.0.0.1"
    big = explain_line(tcp_line("7F000001:0016"), byteorder="big")
    assert value(big, "local_address") == "word 0x7F000001, big-endian bytes 7F 00 00 01 → 127.0.0.1"
    assert value(big, "local_port") == "22"
    # The same text read in the wrong byte order: decoded, and the likely mix-up noted.
    swapped = explain_line(tcp_line("7F000001:0016"), byteorder="little")
    assert address_of(swapped, "local_address") == "1.0.0.127"
    assert any("big-endian" in n and "127.0.0.1" in n for n in swapped.notes)
    assert swapped.problems == ()


def test_ipv6_loopback_both_byte_orders() -> None:
    v6 = "00000000000000000000000001000000:1F90"
    e = explain_line(tcp_line(v6, "00000000000000000000000000000000:0000", "0A"), byteorder="little")
    assert e.table == "tcp6"
    assert value(e, "local_address") == (
        "words 00000000 00000000 00000000 01000000, little-endian bytes"
        " 00 00 00 00 | 00 00 00 00 | 00 00 00 00 | 00 00 00 01 → ::1"
    )
    assert value(e, "local_port") == "8080"
    big = explain_line(tcp_line("00000000000000000000000000000001:1F90"), byteorder="big")
    assert address_of(big, "local_address") == "::1"


def test_ipv4_mapped_and_compatible_use_inet_ntop_text() -> None:
    mapped = explain_line(tcp_line("0000000000000000FFFF00000100007F:2382"), byteorder="little")
    assert address_of(mapped, "local_address") == "::ffff:127.0.0.1"
    assert "plain 127.0.0.1" in meaning(mapped, "local_address")
    # ::127.0.0.1: inet_ntop (and netstat) write it dotted; ipaddress would write ::7f00:1.
    compat = explain_line(tcp_line("000000000000000000000000" + "0100007F:0016"), byteorder="little")
    assert address_of(compat, "local_address") == "::127.0.0.1"
    assert "::7f00:1" in meaning(compat, "local_address")


def test_listen_with_accept_queue() -> None:
    e = explain_line(LISTEN_Q, byteorder="little")
    assert (e.table, e.problems) == ("tcp", ())
    assert (address_of(e, "local_address"), value(e, "local_port"), value(e, "st")) == (
        "0.0.0.0",
        "80",
        "LISTEN",
    )
    assert value(e, "rx_queue") == "3 connections" and "accept()" in meaning(e, "rx_queue")
    assert value(e, "tx_queue") == "0 bytes" and "listening" in meaning(e, "tx_queue")
    assert "any local address" in meaning(e, "local_address")


def test_time_wait_and_orphaned_fin_wait2_rows() -> None:
    e = explain_line(TIME_WAIT, byteorder="little")
    assert e.problems == ()
    assert value(e, "tm->when") == "6000 ticks = 60.00 s"
    assert any("TIME_WAIT row" in n and "hard-coded 0" in n for n in e.notes)
    fw2 = explain_line(TIME_WAIT.replace(" 06 ", " 05 "), byteorder="little")
    assert value(fw2, "st") == "FIN_WAIT2" and fw2.problems == ()
    assert any("orphaned FIN_WAIT2" in n for n in fw2.notes)


def test_request_socket_row() -> None:
    e = explain_line(REQUEST, byteorder="little")
    assert e.problems == ()
    assert (value(e, "sl"), value(e, "st"), value(e, "uid"), value(e, "inode")) == (
        "1863",
        "SYN_RECV",
        "1000",
        "0",
    )
    assert "listening socket" in meaning(e, "uid")
    assert value(e, "tm->when") == "132 ticks = 1.32 s"
    assert value(e, "ref") == "0"


def test_retrnsmt_is_hex_and_uid_decimal() -> None:
    rest = "00000000:00000000 01:00000010 00000010  1000        3 77 1 0000000000000000 20 0 0 10 -1"
    e = explain_line(tcp_line("0100007F:0016", "0100007F:D431", "01", rest), byteorder="little")
    assert (value(e, "retrnsmt"), value(e, "uid"), value(e, "timeout")) == ("16", "1000", "3")
    assert "HEX" in meaning(e, "retrnsmt")


def test_udp_with_drops() -> None:
    e = explain_line(UDP_DROPS, byteorder="little")
    assert (e.table, e.problems) == ("udp", ())
    assert value(e, "drops") == "42" and "dropped" in meaning(e, "drops")
    assert value(e, "rx_queue") == "1664 bytes"
    assert (value(e, "local_port"), value(e, "uid")) == ("53", "101")
    assert any("udplite" in n and "raw" in n for n in e.notes)
    assert e.fields[-3:] == (
        e.field("ref"),
        e.field("pointer"),
        FieldExplanation("drops", "42", "42", meaning(e, "drops")),
    )


def test_raw_with_protocol_1() -> None:
    e = explain_line(RAW_ICMP, table="raw", byteorder="little")
    assert (e.table, e.guessed, e.problems) == ("raw", False, ())
    assert value(e, "local_port") == "1 = IP protocol icmp"
    assert value(e, "st") == "CLOSE (unconnected)" and "bare number 7" in meaning(e, "st")
    guessed = explain_line(RAW_ICMP, byteorder="little")
    assert guessed.table == "udp"
    assert any('"port" 1 is the IP protocol number (icmp)' in n for n in guessed.notes)


def test_unix_abstract_embryo_and_path_with_space() -> None:
    abstract = explain_line(f"{PTR}: 00000011 00000000 00000000 0002 03 272158 @refcnt-test\n")
    assert (value(abstract, "RefCount"), value(abstract, "Type"), value(abstract, "St")) == (
        "17",
        "DGRAM",
        "CONNECTED",
    )
    assert value(abstract, "Path") == "abstract name 'refcnt-test'"
    assert "decimal (17)" in meaning(abstract, "RefCount")
    embryo = explain_line(f"{PTR}: 00000003 00000000 00000000 0001 02     0 /tmp/s/listen.sock")
    assert (value(embryo, "St"), value(embryo, "Inode"), value(embryo, "Path")) == (
        "CONNECTING",
        "0",
        "/tmp/s/listen.sock",
    )
    spaced = explain_line(f"{PTR}: 00000002 00000000 00010000 0001 01 9 /tmp/a  b .sock \n")
    assert fld(spaced, "Path").raw == "/tmp/a  b .sock "
    assert "blanks" in meaning(spaced, "Path")
    autobind = explain_line(f"{PTR}: 00000002 00000000 00000000 0001 01 9 @12dba", table="unix")
    assert value(autobind, "Path") == "autobind name 12dba"


def test_inference_notes() -> None:
    tcp = explain_line(LISTEN_Q, byteorder="little")
    assert tcp.guessed and any("8 hex digits" in n for n in tcp.notes)
    dgram = explain_line(UDP_DROPS, byteorder="little")
    assert any("13 fields" in n for n in dgram.notes)
    unix = explain_line(f"{PTR}: 00000002 00000000 00000000 0002 01 146535")
    assert unix.guessed and any("/proc/net/unix" in n for n in unix.notes)
    given_ = explain_line(LISTEN_Q, table="tcp", byteorder="little")
    assert not given_.guessed and not any("8 hex digits" in n for n in given_.notes)
    cut = explain_line(" ".join(TIME_WAIT.split()[:9]), byteorder="little")
    assert cut.table == "tcp" and any("TCP rows" in n for n in cut.notes)
    assert any("missing" in p and "inode" in p for p in cut.problems)


def test_given_table_is_trusted_and_misfits_reported() -> None:
    as_udp = explain_line(LISTEN_Q, table="udp", byteorder="little")
    assert (as_udp.table, as_udp.guessed) == ("udp", False)
    assert any(p.startswith("table:") and "tcp" in p for p in as_udp.problems)
    assert value(as_udp, "local_port") == "80"  # what decodes is still explained
    as_unix = explain_line(LISTEN_Q, table="unix", byteorder="little")
    assert as_unix.table == "unix" and any(p.startswith("table:") for p in as_unix.problems)
    v6_in_v4 = explain_line(sample_lines("tcp6")[1], table="tcp", byteorder="little")
    assert any(p.startswith("local_address:") and "32 hex digits" in p for p in v6_in_v4.problems)
    assert address_of(v6_in_v4, "local_address") == "::1"
    bogus = explain_line(LISTEN_Q, table="sctp", byteorder="little")
    assert (bogus.table, bogus.guessed) == ("tcp", True)
    assert any("sctp" in p for p in bogus.problems)


# ---------------------------------------------------------------------------
# Bad input: reported, never raised
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field", "why"),
    [
        ("", "line", "empty"),
        ("   \t ", "line", "empty"),
        ("hello world", "line", "not a socket row"),
        (LISTEN_Q.replace("00000000:0050", "00000000:10050"), "local_port", "above 0xFFFF"),
        (LISTEN_Q.replace(" 0A ", " ZZ "), "st", "not hex"),
        (LISTEN_Q.replace("00000000     0 ", "00000000    -5 "), "uid", "not a decimal"),
        (LISTEN_Q.replace("00000000:0050", "0000000:0050"), "local_address", "7 hex digits"),
        (LISTEN_Q.replace("00000000:0050", "000000000050"), "local_address", "no ':'"),
        (LISTEN_Q.replace(" 00:00000000 ", " 0000000000 "), "tr:tm->when", "no ':'"),
        (LISTEN_Q.replace(" 4242 ", " 42\x1b[2J42 "), "inode", "not a decimal"),
        (LISTEN_Q.replace(" 4242 ", " 42\udcff "), "inode", "not a decimal"),
        (LISTEN_Q.replace(" 4242 ", " ٤٢ "), "inode", "not a decimal"),  # Arabic-Indic digits
        (LISTEN_Q.replace(" 4242 ", " " + "9" * 5000 + " "), "inode", "too long"),
        (" ".join(LISTEN_Q.split()[:5]), "tr:tm->when", "missing"),
        (LISTEN_Q + " 7 8", "(extra)", "2 field(s)"),
        (f"{PTR}: 0000000G 00000000 00000000 0001 01 9", "RefCount", "not hex"),
        (f"{PTR}: 00000002 00000000 00000000 0001", "St", "missing"),
        (f"{PTR}: 00000002 00000001 00000000 0001 01 9", "Protocol", "not 0"),
        (f"{PTR}: 00000002 00000000 00000000 0001 01 x9", "Inode", "not a decimal"),
    ],
)
def test_bad_input_names_the_field(line: str, field: str, why: str) -> None:
    e = explain_line(line, byteorder="little")
    assert any(field in p.split(": ", 1)[0].split(", ") and why in p for p in e.problems), e.problems
    assert_safe_render(e)


def test_bad_field_keeps_the_rest() -> None:
    e = explain_line(LISTEN_Q.replace("00000000:0050", "00000000:10050"), byteorder="little")
    assert value(e, "local_port") == NOT_DECODED
    assert (value(e, "st"), value(e, "rx_queue"), value(e, "inode")) == ("LISTEN", "3 connections", "4242")


def test_control_bytes_and_bad_utf8_are_escaped_in_render() -> None:
    path = "/tmp/a\x1b]0;pwned\x07\x9b31m" + b"caf\xc3".decode("utf-8", "surrogateescape")
    e = explain_line(f"{PTR}: 00000002 00000000 00000000 0001 01 9 {path}")
    assert e.problems == () and value(e, "Path") == path
    assert "control bytes" in meaning(e, "Path")
    text = assert_safe_render(e)
    assert "\\x1b]0;pwned\\x07" in text and "\\xc2\\x9b31m" in text and "caf\\xc3" in text


def test_bad_parameters_are_problems() -> None:
    e = explain_line(LISTEN_Q, clk_tck=0, byteorder="middle")  # type: ignore[arg-type]
    assert any(p.startswith("clk_tck:") for p in e.problems)
    assert any(p.startswith("byteorder:") for p in e.problems)
    assert value(e, "st") == "LISTEN"


def test_unknown_states_and_codes() -> None:
    e = explain_line(LISTEN_Q.replace(" 0A ", " 0C "), byteorder="little")
    assert value(e, "st") == "NEW_SYN_RECV" and any(p.startswith("st:") for p in e.problems)
    e = explain_line(
        LISTEN_Q.replace(" 0A ", " 4F ").replace(" 00:00000000 ", " 09:00000000 "), byteorder="little"
    )
    assert value(e, "st") == "unknown (79)" and value(e, "tr") == "9 (unknown)"
    assert {p.split(":")[0] for p in e.problems} == {"st", "tr"}
    u = explain_line(UDP_DROPS.replace(" 07 ", " 0A "), table="udp", byteorder="little")
    assert value(u, "st") == "unknown (10)" and any(p.startswith("st:") for p in u.problems)
    x = explain_line(f"{PTR}: 00000002 00000000 00060000 0009 07 9")
    assert {p.split(":")[0] for p in x.problems} == {"Type", "St"}
    assert value(x, "Flags").startswith("SO_WAITDATA (") and "SO_NOSPACE (" in value(x, "Flags")


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def test_render_layout() -> None:
    text = render_explanation(explain_line(sample_lines("tcp6")[0], byteorder="little"))
    lines = text.splitlines()
    assert lines[0] == "Line from /proc/net/tcp6 (table guessed from the line)"
    header = next(x for x in lines if x.startswith("field"))
    assert header.split() == ["field", "raw", "value", "meaning"]
    assert "→ ::ffff:127.0.0.1" in text
    assert max(len(x) for x in lines) <= 150
    given_ = render_explanation(explain_line(TIME_WAIT, table="tcp", byteorder="little"))
    assert given_.splitlines()[0] == "Line from /proc/net/tcp"
    bad = render_explanation(explain_line("junk"))
    assert bad.splitlines()[0] == "Line from an unknown /proc/net table" and "Problems:" in bad


def test_render_does_not_parse_numbers() -> None:
    text = render_explanation(explain_line(LISTEN_Q, byteorder="little"))
    assert "0000000000000000" in text and "00000003" in text


def test_import_does_not_load_tabulate() -> None:
    code = "import sys, netread.explain.line, netread.render.explain_line; print('tabulate' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

TABLE_ARG = st.sampled_from([None, *TABLES, "bogus"])


def check_never_breaks(line: str, table: str | None, byteorder: ByteOrder) -> None:
    e = explain_line(line, table=table, byteorder=byteorder)
    assert isinstance(e, LineExplanation)
    assert all(isinstance(x, str) for f in e.fields for x in (f.name, f.raw, f.value, f.meaning))
    assert e.guessed == (table not in TABLES)
    if e.fields and any(f.value == NOT_DECODED for f in e.fields):
        assert e.problems
    assert_safe_render(e)


@FAST
@given(
    st.one_of(st.text(), st.binary().map(lambda b: b.decode("utf-8", "surrogateescape"))),
    TABLE_ARG,
    BYTEORDERS,
)
def test_arbitrary_text_never_raises(line: str, table: str | None, byteorder: ByteOrder) -> None:
    check_never_breaks(line, table, byteorder)


_MUTANTS = list("0123456789ABCDEFabcdef:-@/ \t\x00\x1b\x7f\x85\x9b\u2028\u0663\n") + ["\udc80", "\udcff"]


@st.composite
def mutated_line(draw: st.DrawFn) -> tuple[str, str]:
    table, line = draw(st.sampled_from(SAMPLE))
    chars = list(line)
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["replace", "insert", "delete", "cut"]))
        at = draw(st.integers(0, max(len(chars) - 1, 0)))
        if op == "replace" and chars:
            chars[at] = draw(st.sampled_from(_MUTANTS))
        elif op == "insert":
            chars.insert(at, draw(st.sampled_from(_MUTANTS)))
        elif op == "delete" and chars:
            del chars[at]
        else:
            chars = chars[:at]
    return table, "".join(chars)


@FAST
@given(mutated_line(), st.booleans(), BYTEORDERS)
def test_mutated_real_lines_never_raise(
    case: tuple[str, str], give_table: bool, byteorder: ByteOrder
) -> None:
    table, line = case
    check_never_breaks(line, table if give_table else None, byteorder)


def check_inet_fields(e: LineExplanation, entry: TcpEntry | DgramEntry) -> None:
    remote = "remote" if entry.table.endswith("6") else "rem"
    assert e.problems == (), e.problems
    assert value(e, "sl") == str(entry.sl)
    assert address_of(e, "local_address") == entry.local_ip
    assert address_of(e, f"{remote}_address") == entry.remote_ip
    assert leading_int(value(e, "local_port")) == entry.local_port
    assert leading_int(value(e, f"{remote}_port")) == entry.remote_port
    assert leading_int(value(e, "tx_queue")) == entry.tx_queue
    assert leading_int(value(e, "rx_queue")) == entry.rx_queue
    assert value(e, "uid") == str(entry.uid)
    assert value(e, "inode") == str(entry.inode)
    assert value(e, "pointer") == "0x" + entry.pointer.upper()


@FAST
@given(st.sampled_from([4, 6]).flatmap(tcp_entry), BYTEORDERS)
def test_tcp_round_trip(entry: TcpEntry, byteorder: ByteOrder) -> None:
    e = explain_line(format_tcp(entry, byteorder), byteorder=byteorder)
    assert (e.table, e.guessed) == (entry.table, True)
    check_inet_fields(e, entry)
    assert value(e, "st") == TcpState(entry.st).name
    assert leading_int(value(e, "tr")) == entry.tr
    assert value(e, "tm->when").startswith(f"{entry.when} ticks = ")
    assert value(e, "retrnsmt") == str(entry.retrnsmt)
    assert value(e, "timeout") == str(entry.timeout)
    assert len(e.fields) == (21 if entry.kind == "full" else 16)
    if entry.kind == "full":
        assert leading_int(value(e, "cwnd")) == entry.cwnd
        assert leading_int(value(e, "ssthresh")) == entry.ssthresh
        assert leading_int(value(e, "rto")) == entry.rto
    else:
        assert any(("TIME_WAIT row" if entry.kind == "timewait" else "request-socket") in n for n in e.notes)


DGRAM_TABLES = ("udp", "udp6", "udplite", "udplite6", "raw", "raw6")


@FAST
@given(st.sampled_from(DGRAM_TABLES).flatmap(dgram_entry), BYTEORDERS)
def test_dgram_round_trip(entry: DgramEntry, byteorder: ByteOrder) -> None:
    line = format_dgram(entry, byteorder)
    e = explain_line(line, table=entry.table, byteorder=byteorder)
    assert (e.table, e.guessed) == (entry.table, False)
    check_inet_fields(e, entry)
    assert value(e, "st").split()[0] == ("ESTABLISHED" if entry.st == 1 else "CLOSE")
    assert value(e, "drops") == str(entry.drops)
    guessed = explain_line(line, byteorder=byteorder)
    assert guessed.table == ("udp6" if entry.table.endswith("6") else "udp")
    assert [f.value for f in guessed.fields if f.name != "local_port"] == [
        f.value for f in e.fields if f.name != "local_port"
    ] or entry.table.startswith("raw")


@FAST
@given(unix_entry(st.one_of(st.none(), unix_path_hostile())))
def test_unix_round_trip(entry: UnixEntry) -> None:
    e = explain_line(format_unix(entry))
    assert (e.table, e.guessed, e.problems) == ("unix", True, ())
    assert value(e, "Num") == "0x" + entry.num.upper()
    assert value(e, "RefCount") == str(entry.refcount)
    assert value(e, "Type").startswith(("STREAM", "DGRAM", "RAW", "RDM", "SEQPACKET"))
    assert (value(e, "St"), value(e, "Inode")) == (
        ["FREE", "UNCONNECTED", "CONNECTING", "CONNECTED", "DISCONNECTING"][entry.st],
        str(entry.inode),
    )
    assert ("LISTEN" in value(e, "Flags").upper()) == bool(entry.flags)
    path = e.field("Path")
    assert path is not None
    assert path.raw == ("" if entry.path is None else entry.path)
    assert_safe_render(e)


@FAST
@given(unix_entry())
def test_unix_round_trip_plain_paths(entry: UnixEntry) -> None:
    e = explain_line(format_unix(entry), table="unix")
    assert e.problems == ()
    got = value(e, "Path")
    if entry.path is None:
        assert got == "(none)"
    elif entry.path.startswith("@"):
        assert got.startswith(("abstract name", "autobind name"))
    else:
        assert got == entry.path


_TCP_LINE = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0"
_UNIX_LINE = "0000000000000000: 00000002 00000000 00010000 0001 01 42 /run/a.sock"


@pytest.mark.parametrize("sep", ["\x1c", "\x1f", "\x85", "\xa0", "\u2003", "\u2028", "\u3000", "\t", "\v", "\f"], ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("line", [_TCP_LINE, _UNIX_LINE], ids=["tcp", "unix"])
def test_explain_line_splits_only_on_c_isspace(sep: str, line: str) -> None:
    """--explain-line splits fields where netstat's sscanf does: \\t, \\v, \\f read as a space; any other
    white space (Python's str.split() takes \\x1c, NBSP, U+2000...) is part of a field, and said."""
    plain = explain_line(line, byteorder="little")
    odd = explain_line(line.replace(" ", sep, 3), byteorder="little")
    if sep in "\t\v\f":
        assert (odd.table, odd.problems, [f.value for f in odd.fields]) == (plain.table, plain.problems, [f.value for f in plain.fields])
    else:
        [said] = [p for p in odd.problems if "netstat does not take as a separator" in p]
        assert f"U+{ord(sep):04X}" in said
