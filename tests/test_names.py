"""Name resolution: the services/protocols parsers, the resolver's cache and deadline, and the columns."""

from __future__ import annotations

import ipaddress
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import format_table
from oracle import need_oracle
from oracle import write_etc

from netread.model import Endpoint
from netread.model import InetSocket
from netread.parse.etc import parse_protocols
from netread.parse.etc import parse_services
from netread.parse.etc import service_tables
from netread.render.netstat import NetstatFormatter
from netread.resolve import Resolver
from netread.select import Options

FIXED = Path(__file__).resolve().parent / "fixtures" / "etc"
ip = ipaddress.ip_address


# -- /etc/services and /etc/protocols ----------------------------------------


def test_fixture_services_parse_as_glibc_reads_them() -> None:
    """Values checked with ``getent services`` on glibc 2.36 (and by test_parsers_equal_getent)."""
    table = parse_services((FIXED / "services").read_bytes())
    tcp = table["tcp"]
    assert tcp[4000] == "dupsecond"  # the last line for a port wins
    assert tcp[4003] == "averyveryverylongservicename-longer-than-eighteen"
    assert (tcp[16], tcp[15], tcp[18]) == ("hexport", "octport", "plusport")  # strtoul base 0, sign
    assert tcp[70000 & 0xFFFF] == "wrapport"
    assert 65535 not in tcp  # -1 and a 20-digit number refuse their lines
    assert 4004 not in tcp  # "4004 /tcp": a blank before the slash refuses the line
    assert (tcp[4005], tcp[4006], tcp[4008]) == ("glued", "slashes", "leading")
    assert table[""] == {4007: "noproto"} and table["TCP"] == {4009: "UPPER"}
    assert table["udp"] == {7: "echo", 53: "domain", 123: "ntp", 4001: "udponly"}
    assert table["raw"] == {255: "rawsvc", 1: "rawsvc2"}


def test_fixture_protocols_and_the_raw_list() -> None:
    protocols = parse_protocols((FIXED / "protocols").read_bytes())
    assert protocols[1] == "icmp-again" and protocols[34] == "octproto"  # base 10: 034 is 34
    assert 0x21 not in protocols and 65531 not in protocols  # "0x21" and "-5" refused
    tables = service_tables((FIXED / "services").read_bytes(), (FIXED / "protocols").read_bytes())
    assert tables["raw"][1] == "icmp-again"  # protocols take precedence over raw services
    assert tables["raw"][255] == "rawsvc"
    assert tables["udp"][4001] == "udponly" and 4001 not in tables["tcp"]


def test_names_are_cut_to_netstat_buffer() -> None:
    assert parse_services(b"x" * 80 + b" 1/tcp\n")["tcp"][1] == "x" * 63


@given(st.binary(max_size=300))
def test_parsers_never_crash_on_junk(data: bytes) -> None:
    for port, name in parse_services(data).get("tcp", {}).items():
        assert 0 <= port <= 0xFFFF and name
    for number, name in parse_protocols(data).items():
        assert 0 <= number <= 0xFFFF and name


_NAMES = st.text("abcdefghij-_.+@:xyzXYZ0123456789\xe9", min_size=1, max_size=12)
_NUMBERS = st.one_of(
    st.integers(0, 70000).map(str),
    st.sampled_from(["0x10", "0X1f", "017", "08", "0x", "+5", "-0", "-1", "4294967295", "4294967296", "99999999999999999999", "12x"]),
)
_SEPARATORS = st.sampled_from(["/", "//", " /", "", "/ ", "\t/"])
_PROTOS = st.sampled_from(["tcp", "udp", "raw", "sctp", "", "TCP", "tcp#c"])


@st.composite
def services_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        lead = draw(st.sampled_from(["", " ", "\t", "#"]))
        aliases = " ".join(draw(st.lists(_NAMES, max_size=2)))
        comment = draw(st.sampled_from(["", " # note", "#x"]))
        lines.append(f"{lead}{draw(_NAMES)}{draw(st.sampled_from([' ', chr(9), '  ']))}{draw(_NUMBERS)}{draw(_SEPARATORS)}{draw(_PROTOS)} {aliases}{comment}")
    return "\n".join(lines) + "\n"


@st.composite
def protocols_text(draw: st.DrawFn) -> str:
    lines = [f"{draw(_NAMES)}{draw(st.sampled_from([' ', chr(9)]))}{draw(_NUMBERS)}{draw(st.sampled_from(['', ' ', ' ALIAS', '#c']))}" for _ in range(draw(st.integers(0, 10)))]
    return "\n".join(lines) + "\n"


def _getent(etc: Path, database: str) -> list[list[str]]:
    from oracle import _in_etc

    proc = _in_etc(etc, ["getent", database])
    assert proc.returncode in (0, 2), proc.stderr  # 2: the database is empty
    return [line.split() for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines()]


@pytest.mark.oracle
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(services=services_text(), protocols=protocols_text())
def test_parsers_equal_getent(services: str, protocols: str, tmp_path: Path) -> None:
    """glibc itself (``getent`` over the same files) is the oracle for both parsers."""
    need_oracle()
    nsswitch = (FIXED / "nsswitch.conf").read_text()
    etc = write_etc(tmp_path / "etc", {"services": services, "protocols": protocols, "nsswitch.conf": nsswitch})
    want: dict[str, dict[int, str]] = {}
    for name, port_proto, *_ in _getent(etc, "services"):
        port, _, proto = port_proto.partition("/")
        want.setdefault(proto, {})[int(port)] = name
    assert parse_services(services.encode()) == want
    want_protocols = {int(number) & 0xFFFF: name for name, number, *_ in _getent(etc, "protocols")}
    assert parse_protocols(protocols.encode()) == want_protocols


# -- the resolver ------------------------------------------------------------


class FakeLookup:
    """A resolver that knows some names and counts its calls."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        with self.lock:
            self.calls.append(str(address))
        return self.names.get(str(address))


def test_each_distinct_address_is_looked_up_once_per_run(tmp_path: Path) -> None:
    lookup = FakeLookup({"10.0.0.1": "ten", "2001:db8::1": "six", str(ip("::ffff:10.0.0.2")): "::ffff:10.0.0.2"})
    names = Resolver(etc=tmp_path, lookup=lookup)
    batch = [ip("10.0.0.1"), ip("10.0.0.1"), ip("2001:db8::1"), ip("10.0.0.9"), ip("0.0.0.0"), ip("::"), ip("::ffff:10.0.0.2")]
    assert names.prefetch(batch) == []
    for _cycle in range(3):  # as -c does
        names.prefetch(batch)
        assert [names.host(a) for a in batch] == ["ten", "ten", "six", None, None, "[::]", "10.0.0.2"]
    assert sorted(lookup.calls) == sorted(["10.0.0.1", "10.0.0.9", "2001:db8::1", "::ffff:a00:2"])


def test_mapped_names_are_cut_as_netstat_cuts_them(tmp_path: Path) -> None:
    lookup = FakeLookup({"::ffff:a00:1": "host.example", "::ffff:a00:3": "odd:na.me"})
    names = Resolver(etc=tmp_path, lookup=lookup)
    assert names.host(ip("::ffff:10.0.0.1")) == "host.example"
    assert names.host(ip("::ffff:10.0.0.3")) == "na.me"


def test_lookups_run_concurrently(tmp_path: Path) -> None:
    """Eight lookups that each wait for all eight: only a concurrent resolver answers them all."""
    barrier = threading.Barrier(8)

    def lookup(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            return None
        return f"n{int(address) & 0xFF}"

    names = Resolver(etc=tmp_path, lookup=lookup, deadline=10)
    addresses = [ip(f"10.0.0.{i}") for i in range(1, 9)]
    assert names.prefetch(addresses) == []
    assert [names.host(a) for a in addresses] == [f"n{i}" for i in range(1, 9)]


def test_a_dead_resolver_costs_the_deadline_once_and_late_answers_are_used(tmp_path: Path) -> None:
    release = threading.Event()

    def lookup(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        if str(address) == "10.0.0.66":
            release.wait(30)
        return "named"

    names = Resolver(etc=tmp_path, lookup=lookup, deadline=0.3)
    start = time.monotonic()
    late = names.prefetch([ip("10.0.0.66"), ip("10.0.0.1")])
    assert late == [ip("10.0.0.66")]
    assert time.monotonic() - start < 3
    assert names.host(ip("10.0.0.1")) == "named"
    start = time.monotonic()
    assert names.host(ip("10.0.0.66")) is None  # shown as a number, without a second wait
    assert time.monotonic() - start < 0.2
    release.set()
    deadline = time.monotonic() + 10
    while names.prefetch([ip("10.0.0.66")]) and time.monotonic() < deadline:
        pass
    assert names.host(ip("10.0.0.66")) == "named"  # the next -c cycle gets the name


# -- the columns --------------------------------------------------------------


def _sock(local: str, lport: int, remote: str, rport: int, table: str = "tcp") -> InetSocket:
    return InetSocket(table, 1, 0, Endpoint(ip(local), lport), Endpoint(ip(remote), rport), 1, 0, 0, 0, 0, 0, 1000, 0, 5)


def _formatter(tmp_path: Path, **flags: bool) -> NetstatFormatter:
    write_etc(tmp_path, {"services": "ssh 22/tcp\nhttp-alt 8080/tcp\ndomain 53/udp\n", "protocols": "icmp 1\n"})
    names = Resolver(etc=tmp_path, lookup=FakeLookup({"10.0.0.1": "web", "10.0.0.2": "a-very-long-host-name.example"}))
    return NetstatFormatter(Options.resolve(**flags), names=names, user_name=lambda uid: {1000: "alice"}.get(uid))


def test_columns_with_and_without_numbers(tmp_path: Path) -> None:
    sock = _sock("10.0.0.1", 22, "10.0.0.2", 8080)
    row = _formatter(tmp_path, extend=True).inet_row(sock)
    assert row.startswith("tcp        0      0 web:ssh                 a-very-long-ho:http-alt ESTABLISHED alice      5 ")
    row = _formatter(tmp_path, extend=True, numeric_hosts=True).inet_row(sock)
    assert row.startswith("tcp        0      0 10.0.0.1:ssh            10.0.0.2:http-alt       ESTABLISHED alice ")
    row = _formatter(tmp_path, extend=True, numeric_ports=True, numeric_users=True).inet_row(sock)
    assert row.startswith("tcp        0      0 web:22                  a-very-long-host-n:8080 ESTABLISHED 1000 ")
    assert "a-very-long-host-name.example:http-alt " in _formatter(tmp_path, wide=True).inet_row(sock)


def test_ports_by_protocol_family(tmp_path: Path) -> None:
    fmt = _formatter(tmp_path)
    assert fmt.port(53, "udp") == "domain" and fmt.port(53, "tcp") == "53"
    assert fmt.port(1, "raw") == "icmp" and fmt.port(0, "tcp") == "*"
    assert fmt.host(ip("::")) == "[::]" and fmt.host(ip("0.0.0.0")) == "0.0.0.0"


def test_non_ascii_names_are_padded_and_cut_by_bytes(tmp_path: Path) -> None:
    names = Resolver(etc=tmp_path, lookup=FakeLookup({"10.0.0.1": "h\u00e9te", "10.0.0.2": "x" + "\u00e9" * 12}))
    fmt = NetstatFormatter(Options.resolve(numeric_ports=True), names=names)
    row = fmt.inet_row(_sock("10.0.0.1", 22, "10.0.0.2", 1234)).encode()
    # 8 bytes of "h\xc3\xa9te:22" padded to 23; the remote host cut at 18 bytes splits an e-acute,
    # whose stray first byte is shown escaped (netstat writes it raw).
    assert row.startswith(b"tcp        0      0 h\xc3\xa9te:22" + b" " * 15 + b" x" + "\u00e9".encode() * 8 + b"\\xc3:1234 ESTABLISHED")


# -- a resolver that never answers ----------------------------------------------

_SILENT_DNS = """
import os, socket, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from live_sockets import bring_lo_up
bring_lo_up()
silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
silent.bind(("127.0.0.1", 53))  # takes the queries, never answers
start = time.monotonic()
proc = subprocess.run([sys.executable, "-m", "netread", "--proc", sys.argv[2], "-t"], capture_output=True, timeout=120)
print(round(time.monotonic() - start, 2))
sys.stdout.flush()
os.write(1, proc.stdout)
os.write(2, proc.stderr)
sys.exit(proc.returncode)
"""


@pytest.mark.live
def test_a_silent_dns_server_does_not_hang_the_listing(tmp_path: Path) -> None:
    need_oracle()
    snap = tmp_path / "proc"
    FakeProc(snap).tables(
        {
            "tcp": format_table("tcp", [TcpEntry("tcp", "full", 0, "192.0.2.7", 22, "198.51.100.9", 40000, 1, 0, 0, 0, 0, 0, 0, 0, 77, 1, "0" * 16)]),
            "udp": format_table("udp", [DgramEntry("udp", 0, "192.0.2.7", 53, "0.0.0.0", 0, 7, 0, 0, 0, 78, 2, "0" * 16, 0)]),
        },
    )
    etc = write_etc(
        tmp_path / "etc",
        {"nsswitch.conf": "hosts: dns\nservices: files\nprotocols: files\n", "hosts": "", "resolv.conf": "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n"},
    )
    from oracle import _in_etc

    env_cmd = ["env", f"PYTHONPATH={ROOT}", "unshare", "-n", sys.executable, "-c", _SILENT_DNS, str(Path(__file__).parent), str(snap)]
    proc = _in_etc(etc, env_cmd)
    assert proc.returncode == 0, proc.stderr
    seconds, out = proc.stdout.split(b"\n", 1)
    assert float(seconds) < 10  # one 5 s deadline plus start-up, not 2 x 30 s of DNS timeouts
    assert b"192.0.2.7:ssh           198.51.100.9:40000      ESTABLISHED" in out
    assert b"2 address lookup(s) got no answer within 5 s" in proc.stderr
