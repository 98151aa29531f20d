"""parse/route.py and parse/scanf.py (TextScan, fgets_pieces): netstat's sscanf rules, one case per quirk; the -r records
against the schema; and junk route files never raise and always report."""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from route_text import ROUTE_HEADER
from route_text import cache_files
from route_text import ipv6_files
from route_text import ipv6_line
from route_text import route_file
from route_text import route_files
from route_text import route_line
from typer.testing import CliRunner

from netread.cli.app import app
from netread.parse.route import Route6
from netread.parse.route import column_plan
from netread.parse.route import inet_getsock
from netread.parse.route import parse_ipv6_route
from netread.parse.route import parse_route
from netread.parse.route import parse_rt_cache
from netread.parse.scanf import TextScan
from netread.parse.scanf import fgets_pieces
from netread.render.netstat_routes import fib6_flags
from netread.render.netstat_routes import fib_flags

SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
ROUTE = {**SCHEMA["$defs"]["route"], "$defs": SCHEMA["$defs"]}


@pytest.mark.parametrize(
    ("text", "want"),
    [("42", 42), ("-1", -1), ("+7", 7), ("4294967295", -1), ("99999999999", 1215752191), ("9" * 30, -1),
     ("-" + "9" * 30, 0), ("12x", 12), ("x", None), ("-", None), ("", None), ("  \t 5", 5)],
    ids=["plain", "negative", "plus", "wraps", "truncated", "saturated", "saturated-negative", "digits-then-junk",
         "junk", "sign-only", "empty", "leading-space"],
)  # fmt: skip
def test_decimal_is_strtol_into_an_int(text: str, want: int | None) -> None:
    assert TextScan(text).decimal() == want


@pytest.mark.parametrize(
    ("text", "width", "want"),
    [("0003", -1, 3), ("0x1f", -1, 0x1F), ("0xg", -1, 0), ("-1", -1, 0xFFFFFFFF), ("1ffffffff1", -1, 0xFFFFFFF1),
     ("1" * 20, -1, 0xFFFFFFFF), ("ffffffffff", 8, 0xFFFFFFFF), ("fff", 2, 0xFF), ("zz", 2, None)],
    ids=["plain", "0x", "0x-alone", "negative", "truncated", "saturated", "width-8", "width-2", "junk"],
)  # fmt: skip
def test_hexadecimal_is_strtoul_into_an_unsigned(text: str, width: int, want: int | None) -> None:
    assert TextScan(text).hexadecimal(width) == want


def test_string_widths_and_the_nul_that_ends_a_c_string() -> None:
    scan = TextScan("averyverylongname rest\0hidden")
    assert [scan.string(15), scan.string(127), scan.string(127), scan.string(5)] == ["averyverylongna", "me", "rest", None]


def test_fgets_returns_long_lines_in_pieces() -> None:
    assert list(fgets_pieces(["ab", "x" * 5], first=2, rest=4)) == [(1, "ab"), (1, "\n"), (2, "xxxx"), (2, "x\n")]


def test_column_plan_skips_unknown_columns_and_names_the_first_missing() -> None:
    plan, missing = column_plan(ROUTE_HEADER.replace("Use", "Use\tExtra") + "\n", (("Iface", "s15"), ("Use", "d"), ("IRTT", "d")))
    assert [name for name, _ in plan] == ["Iface", "", "", "", "", "Use", "", "", "", "", "", "IRTT"] and missing is None
    assert column_plan("Iface|IRTT Use\n", (("Iface", "s15"), ("Use", "d"), ("IRTT", "d")))[1] == "IRTT"


@pytest.mark.parametrize(
    ("text", "want"),
    [("0100A8C0", "192.168.0.1"), ("0100a8c0", "192.168.0.1"), ("0100A8C0FF", "192.168.0.1"), ("0100A8", None), ("0100A8CG", None)],
)
def test_inet_getsock(text: str, want: str | None) -> None:
    got = inet_getsock(text)
    assert (None if got is None else str(got)) == want


def test_a_route_row_lacking_irtt_keeps_the_previous_rows_and_bad_hex_keeps_the_address() -> None:
    lines = route_file([
        route_line("eth0", "10.0.0.0", "0.0.0.0", 1, 0, "255.0.0.0", 1500, 10, 7),
        "eth1\t0000000B\t00000000\t0001\t0\t0\t99999999999\t000000FF\t-5\t+7",
        "eth2\tZZ00000B\t00000000\t0001\t0\t0\t1\t000000FF\t12\t1\t2",
        "short\t0000000C",
        route_line("down", "10.2.0.0", "0.0.0.0", 0, 0, "255.255.0.0", 0, 0, 99),
        "eth3\t0000000D\t00000000\t0001\t0\t0\t1\t000000FF\t12\t1",
    ]).split("\n")[:-1]  # fmt: skip
    table = parse_route(lines, path="net/route")
    rows = table.rows
    assert [(r.iface, str(r.destination), r.metric, r.mss, r.window, r.irtt, sorted(r.carried)) for r in rows] == [
        ("eth0", "10.0.0.0", 0, 1500, 10, 7, []),
        ("eth1", "11.0.0.0", 1215752191, -5, 7, 7, ["IRTT"]),
        ("eth2", "11.0.0.0", 1, 12, 1, 2, ["Destination"]),
        ("eth3", "13.0.0.0", 1, 12, 1, 99, ["IRTT"]),  # the RTF_UP-less row set it, unseen
    ]
    assert [(p.lineno, p.field) for p in table.problems] == [(3, "IRTT"), (4, "Destination"), (5, "Gateway"), (7, "IRTT")]


def test_headers_netstat_refuses() -> None:
    assert parse_route([]).empty
    assert parse_route([ROUTE_HEADER.replace("Mask", "Msk")]).missing == "Mask"
    assert parse_route(["Iface\tGateway\tDestination"]).missing == "Gateway"  # matched in order only


def test_ipv6_rows_are_never_skipped_a_malformed_one_copies_the_one_before() -> None:
    lines = [ipv6_line("fd00::", 64, "::", 256, 1, 0, 1, "eth0"), "", ipv6_line("::", 0, "::ffff:10.0.0.1", 0xFFFFFFFF, 1, 0, 3, "")]
    items = list(parse_ipv6_route(lines, path="net/ipv6_route"))
    rows = [i for i in items if isinstance(i, Route6)]
    errors = [i for i in items if not isinstance(i, Route6)]
    v6 = ipaddress.IPv6Address
    assert [(r.destination, r.prefix_len, r.next_hop, r.metric, r.iface) for r in rows] == [
        (v6("fd00::"), 64, v6("::"), 256, "eth0"), (v6("fd00::"), 64, v6("::"), 256, "eth0"),
        (v6("::"), 0, v6("::ffff:10.0.0.1"), -1, "eth0"),
    ]  # fmt: skip
    assert [(e.lineno, e.field) for e in errors] == [(2, "destination"), (3, "device")]
    assert rows[2].carried == {"iface"} and not any(r.unset for r in rows)


def test_flag_letters() -> None:
    assert fib_flags(0xFFFFFFFF) == "!HRDMdacoecfpluwin" and fib_flags(0x7FFFFDFF) == "UGHRDMdacoecfpuwin"
    assert fib6_flags(0x80200001) == "Un" and fib6_flags(0x00200200) == "!n"


def test_rt_cache_layouts() -> None:
    assert parse_rt_cache(["Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst"]).layout == 63
    assert parse_rt_cache(["Iface\tIRTT"]).layout == 1
    assert parse_rt_cache([]).empty


def _cli(root: Path, args: list[str]) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(app, ["--proc", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def test_records_follow_the_schema(tmp_path: Path) -> None:
    FakeProc(tmp_path).tables({
        "route": route_file([route_line("eth0", "0.0.0.0", "10.0.0.1", 3, 0, "0.0.0.0"), route_line("e\udcff", "10.0.0.0", "0.0.0.0", 1, 0, "255.0.255.0")]),
        "ipv6_route": ipv6_line("fd00::", 64, "::", 256, 1, 0, 1, "eth0") + "\n",
        "rt_cache": "Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst\n"
        "eth0\t0100000A\t0100000A\t80000000\t0\t3\t0\t0200000A\t1500\t0\t0\t0\t1\t1\t0200000A\n",
    })  # fmt: skip
    status, out, err = _cli(tmp_path, ["-rn", "-A", "inet,inet6", "-C", "-F", "--format", "json"])
    assert status == 0, err
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    routes = document["routes"]
    assert [(r["family"], r["table"], r["destination"], r["prefix_len"]) for r in routes] == [
        ("inet", "fib", "0.0.0.0", 0), ("inet", "fib", "10.0.0.0", None), ("inet", "cache", "10.0.0.1", None),
        ("inet6", "fib", "fd00::", 64),
    ]  # fmt: skip
    assert routes[1]["iface"] == "e\\xff" and routes[2]["source"] == "10.0.0.2"
    status, out, _ = _cli(tmp_path, ["-rn", "-6", "--format", "ndjson"])
    for line in out.splitlines():
        jsonschema.validate(json.loads(line), ROUTE)
    status, out, _ = _cli(tmp_path, ["-rn", "--format", "csv"])
    assert out.splitlines()[0].startswith(b"host,taken_at,netns,family,table,line,iface,destination") and len(out.splitlines()) == 3


JUNK = st.one_of(
    st.binary(max_size=600),
    st.lists(st.text(st.sampled_from("0123456789abcdefABCDEFxX+- \t|\x00\x0b\ufffdIfaceDestinationGatewayFlagsMaskIRTT"), max_size=90), max_size=6).map(
        lambda lines: "\n".join(lines).encode("utf-8", "surrogateescape")
    ),
    route_files().map(str.encode),
    ipv6_files().map(str.encode),
    cache_files().map(str.encode),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(JUNK, JUNK, JUNK, st.sampled_from([["-rn"], ["-r"], ["-rnee"], ["-rn", "-6"], ["-rnCee"], ["-rn", "-A", "inet,inet6", "-C", "-F"], ["-rn", "--format", "json"]]))
def test_junk_never_raises_and_every_malformed_line_is_reported(tmp_path_factory: pytest.TempPathFactory, route: bytes, ipv6: bytes, cache: bytes, args: list[str]) -> None:
    root = tmp_path_factory.mktemp("junk")
    FakeProc(root).tables({"route": route, "ipv6_route": ipv6, "rt_cache": cache})
    status, out, err = _cli(root, args)
    assert status in (0, 1, 255), err
    for message in re.findall(r"netread: warning: (.*)", err):
        assert re.match(r".*net/(route|ipv6_route|rt_cache):\d+: field ", message), message
    assert "\x1b" not in err and "\x00" not in out.decode("utf-8", "replace")
    if args[-1] == "json" and status == 0:
        jsonschema.validate(json.loads(out), SCHEMA)


def test_no_control_byte_reaches_the_terminal(tmp_path: Path) -> None:
    FakeProc(tmp_path).tables({"route": route_file([route_line("e\x1b[31m", "10.0.0.0", "0.0.0.0", 1, 0, "255.0.0.0")]),
                              "ipv6_route": ipv6_line("fd00::", 64, "::", 256, 1, 0, 1, "\x1b]0;x") + "\n"})  # fmt: skip
    for args in (["-rn"], ["-rnee"], ["-rn", "-6"]):
        status, out, _ = _cli(tmp_path, args)
        assert status == 0 and b"\x1b" not in out and b"\\x1b" in out


def test_addresses_are_ipaddress_values() -> None:
    row = parse_route([ROUTE_HEADER, route_line("eth0", "10.0.0.0", "10.0.0.1", 3, 0, "255.0.0.0")]).rows[0]
    assert row.gateway == ipaddress.IPv4Address("10.0.0.1")


def test_strict_makes_a_malformed_route_line_status_1(tmp_path: Path) -> None:
    FakeProc(tmp_path).tables({"route": route_file([route_line("eth0", "10.0.0.0", "0.0.0.0", 1, 0, "255.0.0.0"), "eth1\tZZ"])})
    assert _cli(tmp_path, ["-rn"])[0] == 0
    status, out, err = _cli(tmp_path, ["-rn", "--strict"])
    assert status == 1 and b"10.0.0.0" in out and "route:3: field Gateway" in err


def test_the_route_mode_is_imported_only_for_r() -> None:
    import subprocess
    import sys

    code = "import sys; from netread.cli.listing import execute; print(any('route' in m for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
