"""-S: netread equals real netstat 2.10 (stdout byte for byte, and the exit status) on hand-made
net/sctp/eps and net/sctp/assocs files, on generated ones, with and without the files, beside the
other tables (sctp comes between tcp and udp), with names and users read from one /etc, and live
(no sctp module: the "no support" status) inside an ``unshare -n`` namespace.  Our kernels have no
sctp module, so no capture (sample_proc/, the peer fixtures) has the files: the tests that need
them build them; the ones that do not (absent files) also run on every capture."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
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
from sctp_text import assoc_line
from sctp_text import assocs_text
from sctp_text import eps_line
from sctp_text import eps_text

pytestmark = pytest.mark.oracle

FIXED_ETC = Path(__file__).resolve().parent.parent / "fixtures" / "etc"
SHARED_PEERS = ROOT.parent / "shared" / "peer_fixtures"
BASE_TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix")

EPS = eps_text([
    eps_line(10, 22, 0, 123, ["10.0.0.1", "10.0.0.2"]),
    eps_line(10, 0, 1000, 124, ["0.0.0.0"]),
    eps_line(10, 9999, 0, 125, ["fe80::1", "::"]),
    eps_line(7, 80, 0, 126, []),  # no address: netstat prints the -e/-p suffix alone
    eps_line(10, 3868, 4294967294, 4294967295, ["192.168.100.200", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", "::ffff:10.1.2.3", "127.0.0.1"]),
    eps_line(12, 65535, 7, 1, ["10.9.8.7"]),  # a state past CLOSING: UNKNOWN(12)
    eps_line(0, 1, 7, 2, ["10.9.8.6"]),  # state 0: tcp_state[0] is ""
])  # fmt: skip
ASSOCS = assocs_text([
    assoc_line(1, 22, 40000, ["10.0.0.1", "10.0.0.2"], ["192.168.1.9", "192.168.1.10", "192.168.1.11"], tx=3, rx=7, inode=127),
    assoc_line(1, 80, 0, ["::1"], ["::ffff:10.0.0.1"], uid=1000, inode=128),
    assoc_line(8, 5060, 5061, ["10.0.0.1", "10.0.0.2", "10.0.0.3"], ["192.168.1.9"], tx=4294967295, rx=123456789, inode=129, primary=1),
    assoc_line(1, 2905, 2905, ["2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"], ["2001:db8:1111:2222:3333:4444:5555:6666"], inode=130),
    assoc_line(11, 1, 2, [], [], inode=131),  # no address on either side: the suffix alone
    assoc_line(13, 7, 8, ["10.0.0.1"], [], inode=132),
])  # fmt: skip

FLAGS = ["-S", "-Sn", "-Sl", "-Sa", "-San", "-Sanp", "-Sane", "-Saneo", "-Slnp", "-SanW", "-tuwxSan", "-tuwSan", "-Sxan", "-tSn", "-Sun",
         "-n", "-an", "-ln", "-anpe", "-4San", "-6San", "-San -4", "-Sanv", "-San --numeric-ports", "--sctp -an", "-A inet -an", "-4an", "-6an",
         "-Sgn", "-Sagn", "-gn -4", "-gn -4 -x", "-Sgnx"]  # fmt: skip (-g: sctp before the groups, unix after)


def _allowed(line: str) -> bool:
    return line.endswith(" " + SPACE_PATH)


def _netstat_allowed(line: str) -> bool:
    return line.endswith(" /tmp/netread-sample/with")


def base(root: Path, tables: dict[str, str] | None = None) -> FakeProc:
    """The tcp...unix tables of sample_proc/ (the real capture) and ``tables`` beside them."""
    fake = FakeProc(root)
    for name in BASE_TABLES:
        if (SAMPLE_PROC / "net" / name).exists():
            fake.table(name, (SAMPLE_PROC / "net" / name).read_bytes())
    for name, text in (tables or {}).items():
        fake.file(f"net/{name}", text)
    return fake


def same(root: Path, flags: str) -> Run:
    want = netstat(root, flags.split())
    got = netread_snapshot(root, flags.split())
    assert_same(want, got, netread_only=_allowed, netstat_only=_netstat_allowed)
    return got


@pytest.mark.parametrize("flags", FLAGS)
def test_hand_made_files_equal_netstat(tmp_path: Path, flags: str) -> None:
    root = base(tmp_path, {"sctp/eps": EPS, "sctp/assocs": ASSOCS}).root
    got = same(root, flags)
    if flags in ("-San", "-tuwxSan"):
        out = got.stdout.decode()
        assert "sctp       7      3 10.0.0.1:22             192.168.1.9:40000       ESTABLISHED\n" in out
        assert "\n                    10.0.0.2                192.168.1.10                       \n" in out
        assert "sctp                fe80::1:9999                                    LISTEN     \n                    :::9999" in out
        assert "UNKNOWN(12)" in out and "UNKNOWN(13)" in out
    if flags == "-tuwxSan":  # netstat's order: tcp, sctp, udp
        out = got.stdout.decode()
        assert out.index("\ntcp6 ") < out.index("\nsctp ") < out.index("\nudp ")


@pytest.mark.parametrize("flags", ["-S", "-Sn", "-Sa", "-Sl", "-tuwxSan", "-tSn", "-Sun", "-n", "-an", "-4San", "-6San", "-San -4", "-Sanv", "-anv", "-4an"])
@pytest.mark.parametrize("present", ["none", "eps", "assocs", "dir-only", "sctp6"])
def test_absent_files_end_the_listing_as_netstat_ends_it(tmp_path: Path, flags: str, present: str) -> None:
    """An absent file of an explicit -S: "no support", status 1, nothing after sctp (not even udp)."""
    tables = {"none": {}, "eps": {"sctp/eps": EPS}, "assocs": {"sctp/assocs": ASSOCS}, "dir-only": {}, "sctp6": {"sctp6/eps": EPS, "sctp6/assocs": ASSOCS}}[present]
    fake = base(tmp_path, tables)
    if present == "dir-only":
        (fake.root / "net" / "sctp").mkdir()
    got = same(fake.root, flags)
    if present == "none" and flags == "-tuwxSan":
        assert got.status == 1 and "\nudp " not in got.stdout.decode() and "no support for `AF INET (sctp)'" in got.stderr


@pytest.mark.parametrize("root", [SAMPLE_PROC, *sorted(p for p in SHARED_PEERS.glob("*/*") if (p / "net").is_dir())], ids=lambda p: p.name)
def test_every_capture_lists_as_netstat_with_s(root: Path) -> None:
    """Each capture: with its net/sctp files where it has them, else netstat's "no support" status."""
    for flags in ("-San", "-tuSan", "-Sln"):
        want = netstat(root, flags.split())
        got = netread_snapshot(root, flags.split())
        assert_same(want, got, netread_only=_allowed, netstat_only=_netstat_allowed)


def test_owners_are_shown_with_p(tmp_path: Path) -> None:
    fake = base(tmp_path, {"sctp/eps": EPS, "sctp/assocs": ASSOCS})
    fake.owner(4242, b"/usr/sbin/sctpd\0-f\0", [123, 127, 131])
    for flags in ("-Sanp", "-Sanpe", "-tuwxSanp", "-Slp"):
        got = same(fake.root, flags)
        assert b"4242/sctpd" in got.stdout


def test_names_and_users_from_one_etc(tmp_path: Path) -> None:
    root = base(tmp_path, {"sctp/eps": EPS, "sctp/assocs": ASSOCS}).root
    long_name = "a-very-long-host-name-of-more-than-sixty-three-bytes.sctp.example.test"
    etc = write_etc(tmp_path / "etc", {
        "hosts": f"10.0.0.1 sctp-one\n192.168.1.9 peer.example\n10.0.0.2 {long_name}\n2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff six.example\n",
        "networks": "", "services": (FIXED_ETC / "services").read_text(), "passwd": "root:x:0:0::/root:/bin/sh\nsctpuser:x:1000:1000::/:/bin/sh\n",
        "nsswitch.conf": (FIXED_ETC / "nsswitch.conf").read_text(), "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    })  # fmt: skip
    variants = [["-S"], ["-Sa"], ["-Sae"], ["-Sl"], ["-Sa", "--numeric-hosts"], ["-Sa", "--numeric-ports"], ["-Sa", "--numeric-users", "-e"], ["-tuwSa"]]
    runs = netread_etc(root, variants, etc)
    for args, got in zip(variants, runs):
        want = netstat_etc(root, args, etc)
        assert_same(want, got)
    assert b"sctp-one:22" in runs[1].stdout and long_name[:63].encode() + b":22" in runs[1].stdout and b"sctpuser" in runs[2].stdout
    assert b"sctp-one" not in runs[5].stdout  # netstat hands sprint all of flag_not: any -n flag means numbers


# -- generated files ---------------------------------------------------------------------------

ADDRESSES = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str), st.sampled_from(["0.0.0.0", "::", "::1", "::ffff:10.0.0.1", "127.0.0.1"]))
STATES = st.one_of(st.sampled_from([1, 7, 10, 11]), st.integers(0, 20))
EPS_LINES = st.builds(
    eps_line, STATES, st.integers(0, 65535), st.integers(0, 4294967295), st.integers(0, 2**32), st.lists(ADDRESSES, max_size=4)
)
ASSOC_LINES = st.builds(
    assoc_line,
    STATES,
    st.integers(0, 65535),
    st.integers(0, 65535),
    st.lists(ADDRESSES, max_size=4),
    st.lists(ADDRESSES, max_size=4),
    tx=st.integers(0, 4294967295),
    rx=st.integers(0, 4294967295),
    uid=st.integers(0, 4294967295),
    inode=st.integers(0, 2**40),
    primary=st.one_of(st.none(), st.integers(0, 3)),
)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(eps=st.lists(EPS_LINES, max_size=6), assocs=st.lists(ASSOC_LINES, max_size=6), flags=st.sampled_from(["-San", "-Sanep", "-Sln", "-Sn", "-tuSaneo", "-an"]))
def test_generated_files_equal_netstat(tmp_path_factory: pytest.TempPathFactory, eps: list[str], assocs: list[str], flags: str) -> None:
    fake = FakeProc(tmp_path_factory.mktemp("sctp")).table("tcp", (SAMPLE_PROC / "net" / "tcp").read_bytes())
    root = fake.file("net/sctp/eps", eps_text(eps)).file("net/sctp/assocs", assocs_text(assocs)).root
    want = netstat(root, flags.split())
    got = netread_snapshot(root, flags.split())
    assert_same(want, got)


# -- live: no sctp module here, in a namespace of our own ----------------------------------------


@pytest.mark.parametrize("flags", ["-S", "-tSn", "-San", "-tuwSan"])
def test_live_namespace_without_sctp(flags: str) -> None:
    need_oracle()
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("unshare -n refused here")
    if os.path.exists("/proc/net/sctp"):
        pytest.skip("this kernel has the sctp module: the generated tests cover the rows")
    env = {**os.environ, "LC_ALL": "C"}
    want = subprocess.run(["unshare", "-n", "netstat", *flags.split()], capture_output=True, env=env, timeout=60)
    got = subprocess.run(["unshare", "-n", sys.executable, "-m", "netread", *flags.split()], capture_output=True, env=env, timeout=60)
    assert (got.returncode, got.stdout) == (want.returncode, want.stdout)
    assert want.returncode == 1 and b"no support for `AF INET (sctp)' on this system." in got.stderr


# -- malformed lines: netread skips and reports them (README "Differences from netstat") ---------


def test_a_short_line_is_skipped_as_netstat_skips_it(tmp_path: Path) -> None:
    good = eps_line(10, 22, 0, 5, ["10.0.0.1"])
    root = FakeProc(tmp_path).net().file("net/sctp/eps", eps_text(["a b 2 10\n", "\n", good])).file("net/sctp/assocs", assocs_text(["a b 2 1 4 0\n"])).root
    for flags in ("-Sln", "-San"):
        want = netstat(root, flags.split())
        got = netread_snapshot(root, flags.split())
        assert_same(want, got)
        assert "bogus sctp" in want.stderr and "/net/sctp/eps:2: field HBKT" in got.stderr


def test_a_bad_address_is_skipped_where_netstat_prints_inet_addrs_error(tmp_path: Path) -> None:
    good = eps_line(10, 22, 0, 5, ["10.0.0.1"])
    bad = eps_line(10, 23, 0, 6, ["10.0.0.2"]).replace("10.0.0.2", "10.0.0.256")
    root = FakeProc(tmp_path).net().file("net/sctp/eps", eps_text([bad, good])).root
    want = netstat(root, ["-Sln"])
    got = netread_snapshot(root, ["-Sln"])
    assert b"255.255.255.255:23" in want.stdout
    assert_same(want, got, netstat_only=lambda line: "255.255.255.255:23" in line)
    assert "/net/sctp/eps:2: field LADDRS" in got.stderr and b"10.0.0.1:22" in got.stdout
