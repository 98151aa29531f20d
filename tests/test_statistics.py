"""netread -s without netstat: the parsers' vectors, never-raise/always-report on junk, --format, --explain.

Byte-for-byte equality with netstat is tests/oracle/test_oracle_statistics.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import examples
from counter_kernel import SNMP
from counter_kernel import pairs_text
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_argv_snapshot as netread_snapshot

from netread.parse.netstat_counters import parse_pairs
from netread.parse.netstat_counters import parse_sctp
from netread.parse.netstat_counters import parse_snmp6
from netread.parse.numbers import strtoull
from netread.render import netstat_stats
from netread.render import netstat_stats_tables as tables

SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
COUNTER = {**SCHEMA["$defs"]["counter"], "$defs": SCHEMA["$defs"]}
ALL = netstat_stats.Selection()


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("0", (0, 1)),
        ("  42 7", (42, 4)),
        ("-1", ((1 << 64) - 1, 2)),
        ("-5", ((1 << 64) - 5, 2)),
        ("+7", (7, 2)),
        ("18446744073709551615", ((1 << 64) - 1, 20)),
        ("18446744073709551616", ((1 << 64) - 1, 20)),
        ("-18446744073709551616", ((1 << 64) - 1, 21)),
        ("9" * 5000, ((1 << 64) - 1, 5000)),
        ("12abc", (12, 2)),
        ("abc", (0, 0)),
        (" \v\f\r-", (0, 0)),
        ("\u0663", (0, 0)),
    ],
    ids=["zero", "spaces", "minus-one", "minus-five", "plus", "max", "max+1", "minus-max-1", "5000-digits", "12abc", "letters", "sign-only", "arabic-digit"],
)
def test_strtoull_is_c_strtoull(text: str, want: tuple[int, int]) -> None:
    assert strtoull(text) == want


def _pairs(text: str) -> list[tuple[str, list[tuple[str, int]]]]:
    return [(s.title, [(c.name, c.value) for c in s.counters]) for s in parse_pairs(text.encode(), "net/snmp").sections]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Udp: A B\nUdp: 1 2\n", [("Udp", [("A", 1), ("B", 2)])]),
        ("Udp: A B C\nUdp: 1\n", [("Udp", [("A", 1), ("B", 0), ("C", 0)])]),
        ("Udp: A\nUdp: 1 2 3\n", [("Udp", [("A", 1)])]),
        ("Udp: A B C\nUdp: x 2 3\n", [("Udp", [("A", 0), ("B", 0), ("C", 0)])]),
        ("Udp: A B\nUdp: 12abc 3\n", [("Udp", [("A", 12), ("B", 0)])]),
        ("\nUdp: A\nUdp: 1\n", [("Udp", [("A", 1)])]),
        ("Udp: A\n", []),
        (" Odd : A\nX: 1\n", [(" Odd ", [("A", 1)])]),
        ("Udp:\tA \t B\nUdp:\t1\t\t2\n", [("Udp", [("A", 1), ("B", 2)])]),
        ("Udp: A A\nUdp: 1 2", [("Udp", [("A", 1), ("A", 2)])]),
        ("Udp: A\nUdp: 1\nno colon\nTcp: B\nTcp: 2\n", [("Udp", [("A", 1)])]),
    ],
    ids=["plain", "fewer-values", "more-values", "non-digit-stops-the-cursor", "12abc", "blank-header-skipped", "no-value-line",
         "title-kept-byte-exact", "tabs", "duplicate-no-final-newline", "stop-at-colonless"],
)  # fmt: skip
def test_pair_files_are_read_as_process_fd_reads_them(text: str, want: list[tuple[str, list[tuple[str, int]]]]) -> None:
    assert _pairs(text) == want


def test_a_colonless_line_stops_the_file_and_is_reported() -> None:
    got = parse_pairs(b"Udp: A\nUdp: 1\nno colon\nTcp: B\nTcp: 2\n", "snap/net/snmp")
    assert got.stopped and [(p.path, p.lineno, p.field) for p in got.problems] == [("snap/net/snmp", 3, "title")]


def test_the_ipv6_mode_reads_only_tcp_sections_of_net_snmp() -> None:
    got = parse_pairs(b"Ip: A\nIp: 1\nTcp: B\nTcp: 2\nTcpX: C\nTcpX: 3\n", "net/snmp", only="Tcp")
    assert [s.title for s in got.sections] == ["Tcp", "TcpX"]


def test_snmp6_repeats_and_sections() -> None:
    got = parse_snmp6(b"Ip6A 1\nIp6B\n\nUdpLite6X 2\nIp6C 3\nNoSix 4\n", "net/snmp6")
    assert [(s.title, [(c.name, c.value) for c in s.counters]) for s in got.sections] == [
        ("Ip6", [("Ip6A", 1), ("Ip6B", 1), ("Ip6B", 1)]),
        ("UdpLite6", [("UdpLite6X", 2)]),
        ("Ip6", [("Ip6C", 3)]),
        ("NoSix", [("NoSix", 4)]),
    ]
    assert [(p.lineno, p.field) for p in got.problems] == [(2, "Ip6B"), (3, "name")]


def test_snmp6_long_lines_are_cut_as_fgets_cuts_them() -> None:
    got = parse_snmp6(b"Ip6" + b"x" * 1100 + b" 7\n", "net/snmp6")
    assert [s.title for s in got.sections] == ["Ip6", "x" * 80]
    assert [c.value for c in got.sections[1].counters] == [7]


def test_sctp_reads_on_into_its_buffer_where_the_last_line_has_no_newline() -> None:
    got = parse_sctp(b"S 99\nX", "net/sctp/snmp")
    # "X\0" then what the first line left past the NUL fgets wrote: "99\n" (netstat prints "X: 99" too)
    assert [(c.name, c.value) for c in got.sections[0].counters] == [("S", 99), ("X", 99)]


def test_bsearch_misses_what_netstat_misses() -> None:
    """The rows reference/netstat-other-modes.md 3.6 marks "no": bsearch over netstat's unsorted order misses them."""
    missed = {"Forwarding", "TCPDirectCopyFromPrequeue", "TCPDSACKOfoRecv", "TCPDSACKOfoSent", "TCPDSACKOldSent", "TCPDSACKRecv",
              "TCPDSackUndo", "TCPDSACKUndo", "TCPLoss", "TCPPrequeueDropped", "TCPRenoRecoveryFailed", "TCPRenoRecoveryFail",
              "TCPSackFailures", "TCPSackRecoveryFail", "TCPSackRecovery", "TCPSACKReneging", "TCPTimeouts", "TWKilled",
              "Icmp6OutRouterAdvertisements "}  # fmt: skip
    for name in dir(tables):
        if name.endswith("_TABLE"):
            for key, _, _ in getattr(tables, name):
                assert (netstat_stats.lookup(getattr(tables, name), key.strip()) is None) == (key in missed), key


JUNK = st.one_of(
    st.binary(max_size=3000),
    st.text(st.sampled_from("Tcp: Ip6 Udp6 UdpLite 1 -+x\t\n\r\v\x00:\u00e9\udc80 9"), max_size=400).map(lambda t: t.encode("utf-8", "surrogateescape")),
)


@settings(max_examples=examples(300), deadline=None)
@given(JUNK, st.sampled_from(["pairs", "snmp6", "sctp"]), st.booleans(), st.booleans())
def test_junk_never_raises(data: bytes, kind: str, tcp: bool, raw: bool) -> None:
    parse = {"pairs": parse_pairs, "snmp6": parse_snmp6, "sctp": parse_sctp}[kind]
    got = parse(data, "snap/net/x")
    chosen = netstat_stats.Selection(raw=raw, tcp=tcp)
    text = netstat_stats.text([got], chosen)
    assert all(ch.isprintable() for line in text.split("\n") for ch in line)  # every name escaped
    json.dumps(netstat_stats.records([got], chosen)).encode("ascii")
    list(netstat_stats.explained([got], chosen))
    for problem in got.problems:
        assert problem.message().startswith("snap/net/x:")


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(JUNK, JUNK, JUNK, st.sampled_from(["-s", "-s -6", "-st", "-s --format json", "-s --format csv", "-s --explain"]))
def test_junk_files_through_the_cli_never_give_a_traceback(tmp_path_factory: pytest.TempPathFactory, snmp: bytes, netstat: bytes, snmp6: bytes, flags: str) -> None:
    root = tmp_path_factory.mktemp("junk")
    FakeProc(root).file("net/snmp", snmp).file("net/netstat", netstat).file("net/snmp6", snmp6)
    run = netread_snapshot(root, flags.split())
    assert run.status == 0 and "Traceback" not in run.stderr
    assert all(ch.isprintable() or ch == "\n" for ch in run.stderr)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.sampled_from(["abc", "12abc", "9" * 25, "", "+-1", "0x1f"]))
def test_every_odd_value_is_reported_by_file_line_and_field(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, odd: str) -> None:
    """A value netstat reads as C strtoull does but that no kernel writes: a warning naming it (the output stays netstat's)."""
    section = data.draw(st.integers(0, len(SNMP) - 1))
    title, names = SNMP[section]
    index = data.draw(st.integers(0, len(names) - 1))
    counters = [(t, [(n, "0") for n in ns]) for t, ns in SNMP]
    values = counters[section][1]
    if odd:
        values[index] = (names[index], odd)
    else:  # no value at all: the line is cut before it
        del values[index:]
        counters[section] = (title, values + [(n, "") for n in names[index:]])
    text = pairs_text(counters).replace("  ", " ").replace(" \n", "\n")
    root = tmp_path_factory.mktemp("odd")
    FakeProc(root).file("net/snmp", text)
    run = netread_snapshot(root, ["-s"])
    assert run.status == 0
    assert f"{root}/net/snmp:{2 * section + 2}: field {title}:{names[index]}: " in run.stderr


def test_json_follows_the_schema_and_holds_every_shown_counter() -> None:
    run = netread_snapshot(SAMPLE_PROC, ["-s", "--format", "json"])
    assert run.status == 0
    document = json.loads(run.stdout)
    jsonschema.validate(document, SCHEMA)
    files = [parse_pairs((SAMPLE_PROC / "net" / name).read_bytes(), name) for name in ("snmp", "netstat")]
    want = [(s.title, c.name, c.value) for f in files for s in f.sections for c in s.counters]
    assert [(r["section"], r["name"], r["value"]) for r in document["counters"]] == want
    assert document["source"]["live"] is False


def test_ndjson_and_csv_are_the_same_records() -> None:
    lines = netread_snapshot(SAMPLE_PROC, ["-st", "--format", "ndjson"]).stdout.decode().splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        jsonschema.validate(record, COUNTER)
    assert {r["section"] for r in records} == {"IcmpMsg", "Tcp", "UdpLite", "TcpExt", "IpExt", "MPTcpExt"} & {r["section"] for r in records}
    assert "Ip" not in {r["section"] for r in records} and "Tcp" in {r["section"] for r in records}
    rows = list(csv.DictReader(io.StringIO(netread_snapshot(SAMPLE_PROC, ["-st", "--format", "csv"]).stdout.decode())))
    assert [(r["section"], r["name"], int(r["value"])) for r in rows] == [(r["section"], r["name"], r["value"]) for r in records]


def test_a_six_prefix_json_reads_snmp6() -> None:
    document = json.loads(netread_snapshot(SAMPLE_PROC, ["-s", "-6", "--format", "json"]).stdout)
    jsonschema.validate(document, SCHEMA)
    assert {r["section"] for r in document["counters"]} >= {"Ip6", "Icmp6", "Udp6", "Tcp"}


def test_explain_labels_the_trouble_counters_and_keeps_netstats_lines(tmp_path: Path) -> None:
    counters = [(t, [(n, "7" if n in ("ListenOverflows", "RcvbufErrors", "RetransSegs") else "0") for n in ns]) for t, ns in SNMP]
    FakeProc(tmp_path).file("net/snmp", pairs_text(counters)).file("net/netstat", "TcpExt: ListenOverflows ListenDrops\nTcpExt: 7 0\n")
    plain = netread_snapshot(tmp_path, ["-s"]).stdout.decode()
    explained = netread_snapshot(tmp_path, ["-s", "--explain"]).stdout.decode()
    assert "".join(line + "\n" for line in explained.splitlines() if not line.startswith("#")) == plain
    notes = [line for line in explained.splitlines() if line.startswith("#")]
    assert any(line.startswith("# ! TcpExt ListenOverflows = 7: ") and "accept queue" in line for line in notes)
    assert any(line.startswith("# ! Udp RcvbufErrors = 7: ") for line in notes)
    assert any(line.startswith("# ! Tcp RetransSegs = 7: ") for line in notes)
    assert any(line.startswith("#   TcpExt ListenDrops = 0: ") for line in notes)
    only_tcp = netread_snapshot(tmp_path, ["-st", "--explain"]).stdout.decode()
    assert "# ! Udp RcvbufErrors" not in only_tcp and "# ! UdpLite RcvbufErrors" in only_tcp  # Udp is not shown with -t


def test_explain_goes_with_the_netstat_format_only() -> None:
    run = netread_snapshot(SAMPLE_PROC, ["-s", "--explain", "--format", "json"])
    assert run.status == 2 and run.stdout == b"" and "--explain goes with -s --format netstat" in run.stderr


def test_unknown_family_is_netstats_error() -> None:
    run = netread_snapshot(SAMPLE_PROC, ["-s", "-A", "bogus"])
    assert run.status == 1 and run.stdout == b"" and "Unknown address family `bogus'." in run.stderr


def test_a_name_with_control_characters_is_escaped(tmp_path: Path) -> None:
    """README "Differences from netstat": netstat writes the bytes raw."""
    FakeProc(tmp_path).file("net/snmp", b"X\x1b[31m: A\x07\nX: 5\n")
    assert netread_snapshot(tmp_path, ["-s"]).stdout == b"X\\x1b[31m:\n    A\\x07: 5\n"


def test_continuous_prints_once() -> None:
    once = netread_snapshot(SAMPLE_PROC, ["-s"])
    assert netread_snapshot(SAMPLE_PROC, ["-sc"]) == once


def test_strict_makes_an_odd_value_status_1(tmp_path: Path) -> None:
    FakeProc(tmp_path).file("net/snmp", "Udp: InDatagrams NoPorts\nUdp: 12abc 3\n")
    plain = netread_snapshot(tmp_path, ["-s"])
    strict = netread_snapshot(tmp_path, ["-s", "--strict"])
    assert plain.status == 0 and strict.status == 1 and strict.stdout == plain.stdout
    assert f"{tmp_path}/net/snmp:2: field Udp:InDatagrams: not a decimal number" in strict.stderr


@pytest.mark.parametrize("how", ["dir", "tar"])
def test_capture_saves_the_counter_files_sctp_included(tmp_path: Path, how: str) -> None:
    from netread.proc.capture import collect
    from netread.proc.capture import write_dir
    from netread.proc.capture import write_tar

    source = FakeProc(tmp_path / "src").file("net/snmp", pairs_text([(t, [(n, "3") for n in ns]) for t, ns in SNMP]))
    source.file("net/netstat", "TcpExt: ListenOverflows\nTcpExt: 2\n").file("net/snmp6", "Ip6InReceives 4\n")
    source.file("net/sctp/snmp", "SctpCurrEstab                   \t5\n")
    where = tmp_path / ("snap" if how == "dir" else "snap.tar")
    (write_dir if how == "dir" else write_tar)(collect(source.root), where)
    for flags in (["-s"], ["-s", "-6"], ["-sS"]):
        assert netread_snapshot(where, flags).stdout == netread_snapshot(source.root, flags).stdout
    assert b"Sctp:\n    5 Current Associations\n" in netread_snapshot(where, ["-s"]).stdout
    if how == "dir":  # a capture holding net/sctp/ is netread's own, so --force may replace it
        write_dir(collect(source.root), where, force=True)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(st.text("ABCxyz6", min_size=1, max_size=4), st.lists(st.integers(-(1 << 63), (1 << 64) - 1), max_size=6), st.integers(0, 6)), max_size=5))
def test_the_quick_way_for_plain_values_reads_as_the_careful_way(sections: list[tuple[str, list[int], int]]) -> None:
    """A value line of plain decimals takes parse_pairs' quick path; a trailing ``x`` (junk past the last
    value, or 0 for the first name without one, as strtoull reads it) sends the same line the careful way."""
    def text(junk: str) -> bytes:
        return "".join(f"{t}: {' '.join(f'N{i}' for i in range(n))}\n{t}: {' '.join(map(str, vs))}{junk}\n" for t, vs, n in sections).encode()

    def values(data: bytes) -> list[tuple[str, list[tuple[str, int]]]]:
        return [(s.title, [(c.name, c.value) for c in s.counters]) for s in parse_pairs(data, "net/snmp").sections]

    assert values(text("")) == values(text(" x"))
