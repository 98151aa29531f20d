"""-g and -M without the oracle: the parsers' pinned vectors, one case per malformed field, the
records and their schema, --explain, and "never raises, always reports" on junk."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from igmp_text import IGMP_HEADER
from igmp_text import group_word
from igmp_text import hex6
from igmp_text import igmp6_text
from igmp_text import igmp_files
from igmp_text import igmp_text
from oracle import netread_snapshot

from netread.errors import ParseError
from netread.parse.igmp import Membership
from netread.parse.igmp import parse_groups
from netread.parse.masquerade import parse_masquerade
from netread.parse.scanf import Scan

SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
MEMBERSHIP = {**SCHEMA["$defs"]["membership"], "$defs": SCHEMA["$defs"]}
V4 = ipaddress.IPv4Address
V6 = ipaddress.IPv6Address


def _rows(igmp: str | None, igmp6: str | None = None, byteorder: str = "little") -> list[tuple[str, int, str]]:
    got = parse_groups(None if igmp is None else igmp.split("\n")[:-1], None if igmp6 is None else igmp6.split("\n")[:-1], byteorder=byteorder)  # type: ignore[arg-type]
    return [(m.device.rstrip(), m.users, str(m.group)) for m in got.memberships]


def test_kernel_lines_decode() -> None:
    igmp = igmp_text([(1, "lo", 1, "V3", [(group_word("224.0.0.1"), 1)]), (4, "eth0", 2, "V2", [(group_word("239.1.2.3"), 3), (group_word("224.0.0.251"), 1)])])
    igmp6 = igmp6_text([(1, "lo", hex6("ff02::1"), 1, 12, 0), (4, "eth0", hex6("ff02::1:ff00:2"), 2, 4, 0)])
    got = parse_groups(igmp.split("\n")[:-1], igmp6.split("\n")[:-1], byteorder="little")
    assert got.problems == []
    assert got.memberships == [
        Membership("igmp", 3, "lo        ", 1, V4("224.0.0.1"), 1),
        Membership("igmp", 5, "eth0      ", 3, V4("239.1.2.3"), 4),
        Membership("igmp", 6, "eth0      ", 1, V4("224.0.0.251"), 4),
        Membership("igmp6", 1, "lo", 1, V6("ff02::1"), 1),
        Membership("igmp6", 2, "eth0", 2, V6("ff02::1:ff00:2"), 4),
    ]


def test_a_big_endian_writer_s_group_word() -> None:
    igmp = igmp_text([(1, "eth0", 1, "V3", [(group_word("224.0.0.1", "big"), 1)])])
    assert _rows(igmp, byteorder="big") == [("eth0", 1, "224.0.0.1")]


# (name, lines of net/igmp after its header, what netstat shows: (device, users, group))
QUIRKS4 = [
    ("a short name keeps the previous name's tail", ["1\tverylongname12345: 1 V3", "\t\t\t\t010000E0 1", "2\tab", "\t\t\t\t010000E0 2"],
     [("verylongname123", 1, "224.0.0.1"), ("ab\nylongname123", 2, "224.0.0.1")]),
    ("cut at the last colon", ["1\ta:b:c      :     1 V3", "\t\t\t\t010000E0 1"], [("a:b:c", 1, "224.0.0.1")]),
    ("a group before any device line", ["\t\t\t\t010000E0 1"], [("", 1, "224.0.0.1")]),
    ("short hex", ["1\tlo: 1", "\t\t\t\tE0 7"], [("lo", 7, "224.0.0.0")]),
    ("a ninth hex digit is the users", ["1\tlo: 1", "\t\t\t\t010000E01 8"], [("lo", 1, "224.0.0.1")]),
    ("users wrap as a C int", ["1\tlo: 1", "\t\t\t\t010000E0 4294967297", "\t\t\t\t010000E0 99999999999999999999", "\t\t\t\t010000E0 -5"],
     [("lo", 1, "224.0.0.1"), ("lo", -1, "224.0.0.1"), ("lo", -5, "224.0.0.1")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "lines", "want"), QUIRKS4, ids=[q[0] for q in QUIRKS4])
def test_igmp_lines_read_as_netstat_reads_them(name: str, lines: list[str], want: list[tuple[str, int, str]]) -> None:
    got = parse_groups([IGMP_HEADER, *lines], None, byteorder="little")
    assert [(m.device.rstrip(" "), m.users, str(m.group)) for m in got.memberships] == want
    assert got.problems == []


def test_the_2_0_layout_has_no_index() -> None:
    got = parse_groups(["Device    : Count Group    Users Timer", "lo        :     1", "\t\t\t\t010000E0 1"], None, byteorder="little")
    assert [(m.device.rstrip(), m.ifindex, str(m.group)) for m in got.memberships] == [("lo", None, "224.0.0.1")]


def test_igmp_without_a_header_is_read_as_igmp6_from_then_on() -> None:
    """netstat's sticky mark (reference 6.2): a line 0 without ``Device`` makes both files igmp6."""
    igmp = "1 lo ff020000000000000000000000000001 1 0 0\n"
    igmp6 = igmp6_text([(2, "eth0", hex6("ff02::2"), 1, 0, 0)])
    assert _rows(igmp, igmp6) == [("lo", 1, "ff02::1"), ("eth0", 1, "ff02::2")]


def test_an_igmp6_whose_first_line_says_device_is_read_as_igmp() -> None:
    igmp6 = f"{IGMP_HEADER}\n1\tlo: 1\n\t\t\t\t010000E0 1\n"
    assert _rows(None, igmp6) == [("lo", 1, "224.0.0.1")]


# (name, the bad line, the field named)
BAD4 = [
    ("non-hex group", "\t\t\t\tzz 1", "Group"),
    ("no users", "\t\t\t\t010000E0", "Users"),
    ("a sign alone", "\t\t\t\t010000E0 -", "Users"),
    ("no index", "lo: 1 V3", "Idx"),
    ("an index and nothing", "5\t", "Device"),
    ("NUL first", "\x00junk", "Idx"),
]
BAD6 = [
    ("no index", "x lo ff020000000000000000000000000001 1", "ifindex"),
    ("no device", "1", "device"),
    ("non-hex group", "1 lo zz 1", "group"),
    ("no users", "1 lo ff020000000000000000000000000001", "users"),
    ("a name past 15 bytes runs into the group", "1 averyveryverylongname ff020000000000000000000000000001 1", "group"),
    ("24 hex digits: netstat reads uninitialised memory", "1 lo ff0200000000000000000001 1", "group"),
]


@pytest.mark.parametrize(("name", "bad", "field"), BAD4, ids=[c[0] for c in BAD4])
def test_a_bogus_igmp_line_is_one_problem_naming_its_field(name: str, bad: str, field: str) -> None:
    lines = [IGMP_HEADER, "1\tlo        :     1      V3", "\t\t\t\t010000E0     1 0:00000000\t\t0", bad, "\t\t\t\t020000E0     2 0:00000000\t\t0"]
    got = parse_groups(lines, None, byteorder="little", igmp_path="snap/net/igmp")
    assert got.problems == [ParseError("snap/net/igmp", 4, field, got.problems[0].reason, bad)]
    assert [str(m.group) for m in got.memberships] == ["224.0.0.1", "224.0.0.2"]


@pytest.mark.parametrize(("name", "bad", "field"), BAD6, ids=[c[0] for c in BAD6])
def test_a_bogus_igmp6_line_is_one_problem_naming_its_field(name: str, bad: str, field: str) -> None:
    good = igmp6_text([(1, "lo", hex6("ff02::1"), 1, 0, 0)]).rstrip("\n")
    got = parse_groups(None, [good, bad, good], byteorder="little", igmp6_path="snap/net/igmp6")
    assert [(p.path, p.lineno, p.field) for p in got.problems] == [("snap/net/igmp6", 2, field)]
    assert [m.lineno for m in got.memberships] == [1, 3]


def test_igmp6_hex_of_25_to_31_digits_is_read_as_netstat_reads_it_and_reported() -> None:
    got = parse_groups(None, ["3 x ff0200000000000000000001ff00000 3 0 0"], byteorder="little")
    assert [str(m.group) for m in got.memberships] == ["ff02::1:ff0:0"]
    assert [p.field for p in got.problems] == ["group"]


def test_scanf_integers() -> None:
    assert Scan(b"0x").integer(16, True) == 0
    assert Scan(b"0x1F").integer(16, True) == 31
    assert Scan(b"-0x1").integer(16, True) == 2**64 - 1
    assert Scan(b"1" * 5000).integer() == 2**63 - 1  # never int() of thousands of digits
    assert Scan(b"-" + b"9" * 30).integer() == -(2**63)
    assert Scan(b"0" * 30 + b"7").integer() == 7


@settings(max_examples=examples(300), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=80), max_size=12), st.lists(st.binary(max_size=80), max_size=12), st.sampled_from(["little", "big"]))
def test_junk_never_raises_and_every_problem_names_file_and_line(igmp: list[bytes], igmp6: list[bytes], byteorder: str) -> None:
    lines4 = [b.replace(b"\n", b"").decode("utf-8", "surrogateescape") for b in igmp]
    lines6 = [b.replace(b"\n", b"").decode("utf-8", "surrogateescape") for b in igmp6]
    got = parse_groups(lines4, lines6, byteorder=byteorder, igmp_path="s/net/igmp", igmp6_path="s/net/igmp6")  # type: ignore[arg-type]
    for problem in got.problems:
        assert problem.path in ("s/net/igmp", "s/net/igmp6")
        assert 1 <= problem.lineno <= max(len(lines4), len(lines6))
        assert problem.message()
    for m in got.memberships:
        assert len(m.device.encode("utf-8", "surrogateescape")) <= 15
        assert -(2**31) <= m.users < 2**31


def _terminal_safe(data: bytes) -> bool:
    text = data.decode("utf-8", "surrogateescape")
    return all(ch == "\n" or ch.isprintable() for ch in text)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.binary(max_size=300), st.sampled_from(["-gn", "-g", "-gn -4", "-gn -6", "-gn --format json", "-gn --format csv", "-gn --explain"]))
def test_the_cli_never_raises_on_junk_files_and_writes_nothing_raw(tmp_path_factory: pytest.TempPathFactory, igmp: bytes, igmp6: bytes, flags: str) -> None:
    root = FakeProc(tmp_path_factory.mktemp("junk")).tables({"igmp": igmp, "igmp6": igmp6}).file("etc-none", "").root
    got = netread_snapshot(root, [*flags.split(), "--numeric-hosts"] if flags == "-g" else flags.split())
    assert got.status == 0, got.stderr
    assert _terminal_safe(got.stdout), got.stdout
    assert all(ch == "\n" or ch.isprintable() for ch in got.stderr), got.stderr
    assert "Traceback" not in got.stderr


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(igmp_files())
def test_records_follow_the_schema(tmp_path_factory: pytest.TempPathFactory, files: tuple[str, str]) -> None:
    root = FakeProc(tmp_path_factory.mktemp("g")).tables({"igmp": files[0], "igmp6": files[1]}).root
    document = json.loads(netread_snapshot(root, ["-gn", "--format", "json"]).stdout)
    jsonschema.validate(document, SCHEMA)
    text = netread_snapshot(root, ["-gn"]).stdout.decode("utf-8", "surrogateescape").split("\n")[3:-1]
    assert len(document["groups"]) == len(text)  # a record per row netstat would print
    for line in netread_snapshot(root, ["-gn", "--format", "ndjson"]).stdout.splitlines():
        jsonschema.validate(json.loads(line), MEMBERSHIP)


def test_json_ndjson_csv_hold_the_facts(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({
        "igmp": igmp_text([(4, "eth0", 1, "V3", [(group_word("239.1.2.3"), 2)])]),
        "igmp6": igmp6_text([(4, "eth0", hex6("ff02::1:ff00:2"), 1, 4, 0)]),
    }).manifest(hostname="gw1", captured_at="2026-12-02T06:13:57+00:00").root  # fmt: skip
    document = json.loads(netread_snapshot(root, ["-gn", "--format", "json"]).stdout)
    jsonschema.validate(document, SCHEMA)
    fleet = {"host": "gw1", "taken_at": "2026-12-02T06:13:57Z", "netns": None}  # the manifest's; it lists no namespaces
    assert document["groups"] == [
        {**fleet, "file": "igmp", "line": 3, "family": "inet", "interface": "eth0", "ifindex": 4, "users": 2, "group": "239.1.2.3", "name": None},
        {**fleet, "file": "igmp6", "line": 1, "family": "inet6", "interface": "eth0", "ifindex": 4, "users": 1, "group": "ff02::1:ff00:2", "name": None},
    ]
    assert [json.loads(line) for line in netread_snapshot(root, ["-gn", "--format", "ndjson"]).stdout.splitlines()] == document["groups"]
    assert netread_snapshot(root, ["-gn", "--format", "csv"]).stdout.decode().splitlines() == [
        "host,taken_at,netns,file,line,family,interface,ifindex,users,group,name",
        "gw1,2026-12-02T06:13:57Z,,igmp,3,inet,eth0,4,2,239.1.2.3,",
        "gw1,2026-12-02T06:13:57Z,,igmp6,1,inet6,eth0,4,1,ff02::1:ff00:2,",
    ]


def test_a_format_with_socket_tables_too_is_a_usage_error(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"igmp": IGMP_HEADER + "\n"}).root
    got = netread_snapshot(root, ["-gn", "-4", "--format", "json"])
    assert got.status == 2 and "separately" in got.stderr


def test_explain_labels_the_columns_and_strips_to_the_table(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"igmp": igmp_text([(1, "lo", 1, "V3", [(group_word("224.0.0.1"), 1)])])}).root
    plain = netread_snapshot(root, ["-gn"]).stdout.decode()
    explained = netread_snapshot(root, ["-gn", "--explain"]).stdout.decode()
    legend = [line for line in explained.split("\n") if line.startswith("#")]
    assert any("Interface" in line for line in legend) and any("RefCnt" in line for line in legend) and any("Group" in line for line in legend)
    assert "\n".join(line for line in explained.split("\n") if not line.startswith("#")) == plain
    header = plain.split("\n")[1]
    carets = legend[0]
    assert [i for i, c in enumerate(carets) if c == "^"] == [1, header.index("RefCnt"), header.index("Group")]


def test_a_hostile_device_name_is_escaped(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"igmp6": b"1 \x1b]0;pwn\x07 ff020000000000000000000000000001 1 0 0\n"}).root
    got = netread_snapshot(root, ["-gn"])
    assert b"\x1b" not in got.stdout and b"\\x1b]0;pwn\\x07" in got.stdout


# -- -M --------------------------------------------------------------------------------------

MASQ_HEADER = b"Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta PDelta Expires\n"


def test_masquerade_records_decode() -> None:
    got = parse_masquerade(MASQ_HEADER + b"TCP C0A80102:0401 0A000001:0017 F000 00000000     0     0  8998\nUDP C0A80102:0035\n 00000000:0000 F001 ABCD -3 7 12\n")
    assert got.error is None and got.has_pdelta
    assert [(e.proto, str(e.source), e.sport, e.dport, e.initseq, e.delta, e.pdelta, e.expires, e.lineno) for e in got.entries] == [
        ("tcp", "192.168.1.2", 1025, 23, 0, 0, 0, 8998, 2),
        ("udp", "192.168.1.2", 53, 0, 0xABCD, -3, 7, 12, 3),  # fscanf reads across the newline
    ]


# (name, the records after the header, the field named)
BAD_MASQ = [
    ("unknown protocol", b"SCTP C0A80102:0401 0A000001:0017 F000 0 0 0 1\n", "protocol"),
    ("cut short", b"TCP C0A80102:0401 0A000001\n", "dport"),
    ("no colon", b"TCP C0A80102 0401 0A000001:0017 F000 0 0 0 1\n", "sport"),
    ("non-hex", b"TCP zz:0401 0A000001:0017 F000 0 0 0 1\n", "source"),
]


@pytest.mark.parametrize(("name", "records", "field"), BAD_MASQ, ids=[c[0] for c in BAD_MASQ])
def test_a_bad_masquerade_record_stops_the_read_naming_its_field(name: str, records: bytes, field: str) -> None:
    got = parse_masquerade(MASQ_HEADER + b"TCP C0A80102:0401 0A000001:0017 F000 00000000 0 0 8998\n" + records, "s/net/ip_masquerade")
    assert got.error is not None and (got.error.path, got.error.lineno, got.error.field) == ("s/net/ip_masquerade", 3, field)


def test_an_empty_masquerade_file_is_an_error_and_a_header_alone_is_nothing() -> None:
    assert parse_masquerade(b"").error is not None
    got = parse_masquerade(MASQ_HEADER)
    assert got.error is None and got.entries == []


def test_masquerade_absent_is_netstat_s_message_and_status_1(tmp_path: Path) -> None:
    got = netread_snapshot(FakeProc(tmp_path).net().root, ["-M"])
    assert (got.status, got.stdout) == (1, b"")
    assert "no support for `ip_masquerade' on this system." in got.stderr


@settings(max_examples=examples(200))
@given(st.binary(max_size=400))
def test_masquerade_junk_never_raises(data: bytes) -> None:
    got = parse_masquerade(data, "s/net/ip_masquerade")
    if got.error is not None:
        assert got.error.path == "s/net/ip_masquerade" and got.error.lineno >= 1
    for e in got.entries:
        assert 0 <= e.sport < 65536 and -32768 <= e.delta < 32768


def test_each_reading_starts_afresh() -> None:
    """netstat's igmp6 mark is static, so its -g -c rounds after the first misread net/igmp;
    parse_groups keeps no state between calls (README "Differences from netstat")."""
    igmp = igmp_text([(1, "lo", 1, "V3", [(group_word("224.0.0.1"), 1)])]).split("\n")[:-1]
    igmp6 = igmp6_text([(1, "lo", hex6("ff02::1"), 1, 0, 0)]).split("\n")[:-1]
    first = parse_groups(igmp, igmp6, byteorder="little")
    assert parse_groups(igmp, igmp6, byteorder="little") == first
    assert first.problems == [] and len(first.memberships) == 2


def test_filters_apply_to_the_socket_listings_around_the_groups(tmp_path: Path) -> None:
    fake = FakeProc(tmp_path).tables({"igmp": igmp_text([(1, "lo", 1, "V3", [(group_word("224.0.0.1"), 1)])])})
    for table in ("tcp", "tcp6", "udp", "udp6"):
        fake.table(table, (ROOT / "sample_proc" / "net" / table).read_bytes())
    got = netread_snapshot(fake.root, ["-gna", "-4", "--state", "LISTEN"])
    assert got.status == 0, got.stderr
    lines = got.stdout.decode().split("\n")
    rows = lines[2 : lines.index("IPv6/IPv4 Group Memberships")]
    assert rows and all(row.split()[5] == "LISTEN" for row in rows), rows
    assert lines[-2] == "lo              1      224.0.0.1"


def test_strict_makes_a_bogus_line_status_1(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"igmp": f"{IGMP_HEADER}\n1\tlo: 1\n\t\t\t\tzz 1\n\t\t\t\t010000E0 1\n"}).root
    plain, strict = netread_snapshot(root, ["-gn"]), netread_snapshot(root, ["-gn", "--strict"])
    assert (plain.status, strict.status) == (0, 1)
    assert plain.stdout == strict.stdout and b"lo              1      224.0.0.1\n" in plain.stdout
    assert "net/igmp:3: field Group: not hex digits" in strict.stderr
