"""netread -r equals real netstat -r (stdout and exit status) on the same route files.

Every variant net-tools 2.10 has (-rn, -r, -rne, -rnee, -rneee, -r -6, -rn -6, -A inet6, -rC,
-rN, -C -F, -A inet,unix, -x) on hand-made snapshots, hypothesis-generated net/route,
net/ipv6_route and net/rt_cache files, the snapshots that have route files (sample_proc/,
../shared/peer_fixtures/), names through a private /etc, and live tables of an ``unshare -n``
namespace with dummy and veth interfaces carrying IPv4 and IPv6 routes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import SAMPLE_PROC
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import Run
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_etc
from oracle import netread_snapshot
from oracle import netstat
from oracle import netstat_etc
from oracle import write_etc
from route_text import CACHE_HEADER
from route_text import ROUTE_HEADER
from route_text import cache_files
from route_text import ipv6_files
from route_text import ipv6_line
from route_text import ndisc_files
from route_text import route_file
from route_text import route_files
from route_text import route_line

from netread.parse.route import parse_ipv6_route
from netread.parse.route import parse_route
from netread.parse.route import parse_rt_cache

pytestmark = pytest.mark.oracle

FLAGS = [
    "-rn", "-r", "-rne", "-rnee", "-rneee", "-rneeee", "-rN", "-rNe", "-r --numeric-hosts", "-rn -6", "-r -6",
    "-rn -A inet6", "-rne -6", "-rnC", "-rC", "-rnCe", "-rnCee", "-rn -C -F", "-rn -4 -6", "-rn -A inet,unix",
    "-rn -x", "-rn -A inet6 -C", "-rn -6 -C -F", "-rn -6 -4", "-rn -A inet6 -4", "-rn -6 -A inet,inet6", "-rn -x -4",
    "-rn -A inet6,unix,inet",
]  # fmt: skip
PEERS = Path(__file__).resolve().parents[3] / "shared" / "peer_fixtures"

TABLE = route_file([
    route_line("eth0", "0.0.0.0", "192.0.2.1", 0x3, 100, "0.0.0.0", 1500, 0, 0),
    route_line("eth0", "192.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0"),
    route_line("eth0", "198.51.100.7", "192.0.2.1", 0x7, 5, "255.255.255.255", 1240, 64240, 3),
    route_line("*", "203.0.113.0", "0.0.0.0", 0x201, 0, "255.255.255.0"),
    route_line("*", "10.9.0.0", "0.0.0.0", 0x1, 4294967295, "255.255.0.0"),
    route_line("averyverylongifnam", "10.10.0.0", "0.0.0.0", 0x1, 0, "255.255.0.0"),
    route_line("wlan0", "10.0.0.0", "0.0.0.0", 0xFFFFFFFF, 0, "255.0.0.0"),
    route_line("wlan0", "10.1.0.0", "0.0.0.0", 0x7FFFFDFF, 0, "255.255.0.0"),
    route_line("down0", "10.2.0.0", "0.0.0.0", 0x0, 0, "255.255.0.0"),
    "eth1\t0000000B\t00000000\t0001\t0\t0\t99999999999\t000000FF\t-5\t+7",
    "eth1\tZZ00000B\t00000000\t0001\t0\t0\t1\t000000FF\t12\t1\t2",
    "short\t0000000C",
    "",
])  # fmt: skip
IPV6 = "".join(line + "\n" for line in [
    ipv6_line("fd00::", 64, "::", 256, 1, 0, 0x1, "eth0"),
    ipv6_line("::", 0, "fd00::1", 1024, 2, 0, 0x3, "eth0"),
    ipv6_line("::1", 128, "::", 0, 3, 0, 0x80200001, "lo"),
    ipv6_line("::", 0, "::", 0xFFFFFFFF, 1, 0, 0x00200200, "lo"),
    ipv6_line("2001:db8::5", 128, "::ffff:10.0.0.1", 1, 1, 0, 0x01000003, "eth0"),
    ipv6_line("::ffff:10.1.0.0", 120, "::1.2.3.4", 1, 1, 0, 0x1, "averylongname15"),
    ipv6_line("2001:db8:1:2:3:4:5:6", 127, "fe80::1:2:3:4", 1, 1, 0, 0xFFFFFFFF, "veth-abcdefgh"),
    ipv6_line("2001:db8::", 48, "::", 1, 1, 0, 0x1, ""),
    "",
    "00000000000000000000000000000000 zz",
])  # fmt: skip
#: net/ndisc (Linux 2.1): a reachable router, a stale proxy neighbour, an unknown state, a blank and a junk line.
NDISC = (
    "fe800000000000000000000000000001 02 40 00 02 00000000 00001000 00005000 3000 0001 0080     eth0 00 11 22 33 44 55\n"
    "fd000000000000000000000000000002 02 40 00 04 00000000 00001000 00000000 3000 0000 000e eth1 aa bb cc dd ee ff\n"
    "00000000000000000000000000000000 02 00 00 33 00000000 00001000 00000000 9000 0000 0008 x\n"
    "\n"
    "zz\n"
)
CACHE = CACHE_HEADER.ljust(127) + "\n"
CACHE_ROWS = CACHE + "".join(
    "\t".join(row) + "\n"
    for row in [
        ["eth0", "0100000A", "0100000A", "80000000", "0", "3", "0", "0200000A", "1500", "0", "0", "0", "1", "1", "0200000A"],
        ["lo", "0100007F", "0100007F", "90000000", "1", "7", "0", "0100007F", "0", "0", "0", "16", "2", "1", "0100007F"],
        ["eth1", "000000FF", "00000000", "FFFFFFFF", "0", "0", "0", "0400000A", "0", "0", "0", "1C", "0"],
    ]
)


def both(root: Path, flags: str) -> tuple[Run, Run]:
    return netstat(root, flags.split()), netread_snapshot(root, flags.split())


def check(root: Path, flags: str) -> None:
    want, got = both(root, flags)
    try:
        assert_same(want, got)
    except AssertionError as exc:
        raise AssertionError(f"netread {flags} on {root}: {exc}") from None


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Snapshots: full tables; IPv6 only; no route files; empty files; headers lacking a column; 2.0 cache."""
    base = tmp_path_factory.mktemp("routes")
    made = {
        "full": FakeProc(base / "full").tables({"route": TABLE, "ipv6_route": IPV6, "rt_cache": CACHE_ROWS}),
        "kernel": FakeProc(base / "kernel").tables({"route": TABLE, "ipv6_route": IPV6, "rt_cache": CACHE}),
        "v6only": FakeProc(base / "v6only").tables({"ipv6_route": IPV6}),
        "none": FakeProc(base / "none").net(),
        "empty": FakeProc(base / "empty").tables({"route": "", "ipv6_route": "", "rt_cache": ""}),
        "nomask": FakeProc(base / "nomask").tables({"route": ROUTE_HEADER.replace("Mask", "Msk") + "\n", "rt_cache": "Iface\tIRTT\neth0\t0100000A\t0100000A\t0005\t0\t3\t0\t0200000A\t0\t0\t0\t1\t1\n"}),
        "moved": FakeProc(base / "moved").tables({"route": ROUTE_HEADER.replace("Gateway \t", "") + "\tGateway\n" + TABLE.split("\n", 1)[1]}),
        "ndisc": FakeProc(base / "ndisc").tables({"route": TABLE, "ipv6_route": IPV6, "ndisc": NDISC}),
        "cache20": FakeProc(base / "cache20").tables({
            "rt_cache": "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tHH\tARP\n"
            "eth0\t0100000A\t0100000A\t0005\t0\t3\t0\t0200000A\t1500\t0\t0\t-1\t1\n"
        }),
    }  # fmt: skip
    return {name: maker.root for name, maker in made.items()}


@pytest.mark.parametrize("name", ["full", "kernel", "v6only", "none", "empty", "nomask", "moved", "ndisc", "cache20"])
@pytest.mark.parametrize("flags", FLAGS)
def test_handmade_snapshot_equals_netstat(handmade: dict[str, Path], name: str, flags: str) -> None:
    check(handmade[name], flags)


def _with_route_files() -> list[Path]:
    """sample_proc/ and every peer fixture (ours in tests/fixtures/peer, and ../shared's) that has a route file."""
    roots = [SAMPLE_PROC] if any((SAMPLE_PROC / "net" / n).exists() for n in ("route", "ipv6_route")) else []
    for base in (Path(__file__).resolve().parents[1] / "fixtures" / "peer", PEERS):
        if base.is_dir():
            for net in sorted(base.glob("**/net")):
                if any((net / n).is_file() for n in ("route", "ipv6_route", "rt_cache")):
                    roots.append(net.parent)
    return roots


def test_our_peer_fixture_with_route_files_is_read() -> None:
    """jc's net/route and net/ipv6_route (tests/fixtures/peer/jc-linux-proc) are among the snapshots compared."""
    assert any(root.name == "jc-linux-proc" for root in _with_route_files())


@pytest.mark.parametrize("flags", ["-rn", "-rnee", "-rn -6", "-rnC", "-rn -A inet,inet6"])
def test_snapshots_with_route_files_equal_netstat(handmade: dict[str, Path], flags: str) -> None:
    """sample_proc/ and the peer fixtures that have route files (there may be none yet), and the
    kernel-shaped hand-made snapshot, so the test never has nothing to compare."""
    for root in [*_with_route_files(), handmade["kernel"]]:
        check(root, flags)


def _no_unset(route: str, ipv6: str, cache: str) -> bool:
    """Whether no row reads a variable netstat never set (it prints stack garbage there)."""
    rows = list(parse_route(route.split("\n")[:-1]).rows) + list(parse_rt_cache(cache.split("\n")[:-1]).rows)
    rows6 = [r for r in parse_ipv6_route(ipv6.split("\n")[:-1]) if not isinstance(r, ValueError)]
    return not any(r.unset for r in rows) and not any(r.unset for r in rows6)  # type: ignore[union-attr]


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route_files(), ipv6_files(), cache_files(), st.sampled_from(["-rn", "-rne", "-rnee", "-rn -6", "-rnC", "-rnCee", "-rN -4 -6"]))
def test_generated_route_files_equal_netstat(route: str, ipv6: str, cache: str, flags: str) -> None:
    need_oracle()
    assume(_no_unset(route, ipv6, cache))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).tables({"route": route, "ipv6_route": ipv6, "rt_cache": cache})
        check(root, flags)


def test_names_through_a_private_etc(handmade: dict[str, Path], tmp_path: Path) -> None:
    """Without -n: hosts from /etc/hosts, networks from /etc/networks (a short entry such as
    ``10.9`` included), names cut to 15 bytes, ``default``; IPv6 names by getnameinfo."""
    etc = write_etc(tmp_path / "etc", {
        "hosts": "192.0.2.1 gateway.example\n198.51.100.7 averyveryverylonghostname.example\n"
                 "fd00::1 v6gw.example\n2001:db8::5 v6host\n10.0.0.1 mapped-host\n10.0.0.2 averyveryverylongcachehost.example\n"
                 "0.0.0.11 zero-octet-host\n",
        "networks": "lan 192.0.2.0\nnine 10.9\nbignet 10.0.0.0\n",
        "nsswitch.conf": "hosts: files\nnetworks: files\n",
        "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    })  # fmt: skip
    argsets = ["-r", "-re", "-ree", "-r -6", "-rC", "-r -C -F -A inet,inet6"]
    root = handmade["full"]
    shown = {}
    for flags, got in zip(argsets, netread_etc(root, [a.split() for a in argsets], etc)):
        want = netstat_etc(root, flags.split(), etc)
        try:
            assert_same(want, got)
        except AssertionError as exc:
            raise AssertionError(f"netread {flags}: {exc}") from None
        assert want.status == 0
        shown[flags] = got.stdout.decode()
    # the names were really used: hosts, networks (a short /etc/networks entry too), the 15-byte cut
    for name in ("default ", "gateway.example", "lan ", "nine ", "averyveryverylo "):
        assert name in shown["-r"], name
    assert "v6gw.example" in shown["-r -6"] and "averyveryverylongcachehost.example" in shown["-rC"]


LIVE_SETUP = """
set -e
echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad
echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad
ip link set lo up
ip link add d0 type veth peer name d1
ip link set d1 up
ip link set d0 up
ip addr add 10.20.0.1/24 dev d0
ip addr add fd20::1/64 dev d0 nodad
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 10.30.0.1/30 dev v0
ip addr add fd30::1/64 dev v0 nodad
ip route add default via 10.20.0.254 dev d0 metric 50
ip route add 172.16.0.0/12 via 10.30.0.2 dev v0 mtu 1400 advmss 1200 window 65535 rtt 30ms
ip route add 198.51.100.9/32 dev d0 metric 4294967295
ip route add unreachable 203.0.113.0/24
ip route add prohibit 203.0.114.0/24
ip route add blackhole 203.0.115.0/24
ip -6 route add default via fd20::fe dev d0 metric 1024
ip -6 route add 2001:db8:40::/48 via fd30::2 dev v0
ip -6 route add unreachable 2001:db8:50::/48
sleep 0.3
"""


def test_live_route_tables_in_a_namespace() -> None:
    """netstat and netread on the same live tables of a private network namespace (gone at its end)."""
    need_oracle()
    flags = ["-rn", "-rne", "-rnee", "-rn -6", "-rn -A inet6", "-rnC", "-rN", "-rn -4 -6", "-rn -6 -C"]
    script = LIVE_SETUP + "".join(
        f'printf "%s\\0" "$(LC_ALL=C netstat {f}; echo "rc=$?")" "$({sys.executable} -m netread {f}; echo "rc=$?")"\n' for f in flags
    )
    proc = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, timeout=120)
    if proc.returncode != 0 and b"Operation not permitted" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    outputs = proc.stdout.split(b"\0")[:-1]
    assert len(outputs) == 2 * len(flags)
    for f, want, got in zip(flags, outputs[0::2], outputs[1::2]):
        assert got == want, f"netread {f}:\n{got.decode()}\nnetstat:\n{want.decode()}"
    joined = b"".join(outputs)
    assert b"172.16.0.0" in joined and b"2001:db8:40::/48" in joined and b"1240" in joined  # the routes were there


def test_json_document_names_every_route(handmade: dict[str, Path]) -> None:
    got = netread_snapshot(handmade["full"], ["-rn", "-A", "inet,inet6", "--format", "json"])
    assert got.status == 0, got.stderr
    routes = json.loads(got.stdout)["routes"]
    want_v4 = [r for r in parse_route((handmade["full"] / "net" / "route").read_text().split("\n")[:-1]).rows]
    assert [r["destination"] for r in routes if r["family"] == "inet"] == [str(r.destination) for r in want_v4]


@pytest.mark.parametrize("flags", ["-rn", "-r", "-rne", "-rnee", "-rneee", "-rn -6", "-rnC", "-rnCee", "-rn -A inet,inet6"])
def test_explain_adds_only_hash_lines_that_label_the_columns(handmade: dict[str, Path], flags: str) -> None:
    root = handmade["full"]
    want = netstat(root, flags.split())
    got = netread_snapshot(root, [*flags.split(), "--explain"])
    kept = b"".join(line + b"\n" for line in got.stdout.split(b"\n")[:-1] if not line.startswith(b"#"))
    assert (got.status, kept) == (want.status, want.stdout)
    legend = got.stdout.decode()
    if "-rneee" not in flags:
        for column in (["Flag", "Met", "Ref", "Use", "If"] if "-6" in flags else ["Flags", "Iface"]):
            assert f"# {column}: " in legend, column
    if flags in ("-rn", "-r"):
        assert "# MSS: " in legend and "# Window: " in legend and "# irtt: " in legend and "G via a gateway" in legend
    if flags == "-rne":
        assert "# Metric: " in legend and "# Ref: " in legend


# -- deliberate differences (README "Differences from netstat") ---------------------------------


def test_difference_a_first_row_netstat_reads_uninitialised_memory_for(tmp_path: Path) -> None:
    """A blank first ipv6_route line: netstat prints stack garbage; netread zeros, and warns."""
    good = ipv6_line("fd00::", 64, "::", 256, 1, 0, 1, "eth0")
    FakeProc(tmp_path).tables({"ipv6_route": "\n" + good + "\n"})
    want, got = both(tmp_path, "-rn -6")
    assert want.status == got.status == 0
    assert want.lines[3] == got.lines[3] == "fd00::/64                      ::                         U    256 1      0 eth0"
    assert got.lines[2] == "::/0                           ::                              0   0      0 "
    assert "ipv6_route:1: field destination" in got.stderr


def test_difference_control_bytes_in_a_device_name_are_escaped(tmp_path: Path) -> None:
    FakeProc(tmp_path).tables({"route": route_file([route_line("e\x1b[2J", "10.0.0.0", "0.0.0.0", 1, 0, "255.0.0.0")])})
    want, got = both(tmp_path, "-rn")
    assert b"\x1b[2J" in want.stdout and b"\x1b" not in got.stdout and b"e\\x1b[2J" in got.stdout


def test_difference_routing_families_other_than_ip(tmp_path: Path) -> None:
    FakeProc(tmp_path).net()
    want, got = both(tmp_path, "-rn -A ax25")
    assert (want.status, want.stdout) == (1, b"AX.25 not configured in this system.\n")
    assert (got.status, got.stdout) == (1, b"") and "Unknown address family `ax25'" in got.stderr


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ndisc_files(), st.sampled_from(["-rn -6 -C", "-rne -6 -C", "-rnee -6 -C"]))
def test_generated_ndisc_files_equal_netstat(ndisc: str, flags: str) -> None:
    """net/ndisc of a 2.1 kernel, as a snapshot might carry it (times in this host's clock ticks)."""
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).tables({"ndisc": ndisc, "ipv6_route": ""})
        check(root, flags)
