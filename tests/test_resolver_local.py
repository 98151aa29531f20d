"""Issue 14, class 9: a dead resolver never costs the answers /etc/hosts gives, and the output does
not depend on thread timing."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeproc import FakeProc
from kernel_text import TcpEntry
from kernel_text import format_table
from oracle import netread_etc
from oracle import netstat_etc
from oracle import write_etc

from netread.model import IPAddress
from netread.parse.etc import nss_sources
from netread.parse.etc import parse_hosts
from netread.resolve import MAX_WORKERS
from netread.resolve import Resolver

A = ipaddress.ip_address
HOSTS = "127.0.0.1 localhost\n10.9.9.9 backup.lan backup\n::1 ip6-localhost\n"
#: Many more distinct peers than lookup threads, none of which a (dead) DNS server ever answers.
PEERS = [A(f"198.51.100.{i}") for i in range(1, 4 * MAX_WORKERS)]


class DeadDns:
    """The system resolver with a DNS server that never answers: what glibc answers from the files
    (``local``) comes back at once, anything else hangs until the test ends."""

    def __init__(self, local: dict[str, str] | None = None) -> None:
        self.local = local or {}
        self.asked: list[str] = []
        self.released = threading.Event()

    def __call__(self, address: IPAddress) -> str | None:
        self.asked.append(str(address))
        if str(address) in self.local:
            return self.local[str(address)]
        self.released.wait(30)
        return None


@pytest.fixture
def dead() -> Iterator[DeadDns]:
    lookup = DeadDns({"127.0.0.1": "localhost", "10.9.9.9": "backup.lan"})
    yield lookup
    lookup.released.set()


def _etc(tmp_path: Path, nsswitch: str) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "hosts").write_text(HOSTS)
    (etc / "nsswitch.conf").write_text(nsswitch)
    return etc


@pytest.mark.parametrize("round_", range(3))
def test_files_first_answers_never_wait_behind_dead_dns(round_: int, dead: DeadDns, tmp_path: Path) -> None:
    resolver = Resolver(etc=_etc(tmp_path, "hosts: files dns\n"), lookup=dead, deadline=0.3)
    local = [A("127.0.0.1"), A("10.9.9.9"), A("::1")]
    late = resolver.prefetch([*PEERS, *local][::-1] if round_ % 2 else [*local, *PEERS])
    assert late == sorted(PEERS, key=str)
    assert [resolver.host(a) for a in local] == ["localhost", "backup.lan", "ip6-localhost"]
    assert [resolver.host(a) for a in PEERS] == [None] * len(PEERS)
    assert not set(dead.asked) & {"127.0.0.1", "10.9.9.9", "::1"}  # never queued at all


def test_files_after_dns_still_answer_what_dns_left_unanswered(tmp_path: Path) -> None:
    lookup = DeadDns()  # DNS first: every lookup hangs, the local ones too
    try:
        resolver = Resolver(etc=_etc(tmp_path, "hosts: dns [NOTFOUND=return] files\n"), lookup=lookup, deadline=0.3)
        late = resolver.prefetch([*PEERS, A("127.0.0.1")])
        assert late == sorted(PEERS, key=str)  # 127.0.0.1 is shown by name, so not reported as a number
        assert resolver.host(A("127.0.0.1")) == "localhost"  # what glibc gives once DNS has failed
        assert resolver.host(PEERS[0]) is None
    finally:
        lookup.released.set()


def test_without_files_in_nsswitch_the_hosts_file_is_not_used(tmp_path: Path) -> None:
    lookup = DeadDns()
    try:
        resolver = Resolver(etc=_etc(tmp_path, "hosts: dns\n"), lookup=lookup, deadline=0.2)
        resolver.prefetch([A("127.0.0.1")])
        assert resolver.host(A("127.0.0.1")) is None
    finally:
        lookup.released.set()


def test_nsswitch_and_hosts_parsing() -> None:
    assert nss_sources(b"hosts:files\n", "hosts") == ["files"]
    assert nss_sources(b"Hosts: files [SUCCESS=merge] dns # x\n", "hosts") == ["files", "dns"]
    assert nss_sources(b"#hosts: files\n", "hosts") is None
    v4, v6 = parse_hosts(
        b"  10.0.0.1\tone uno\n10.0.0.1 second\n10.0.0.2\n010.0.0.3 bad\nfe80::1%eth0 zoned\n"
        b"::ffff:10.0.0.4 mapped\n2001:db8::1 six # comment\n#10.0.0.5 off\n10.0.0.6#x nohost\n"
    )
    assert {str(k): v for k, v in v4.items()} == {"10.0.0.1": "one", "10.0.0.2": "", "10.0.0.4": "mapped", "10.0.0.6": ""}
    assert {str(k): v for k, v in v6.items()} == {str(A("::ffff:10.0.0.4")): "mapped", "2001:db8::1": "six"}


@pytest.mark.oracle
def test_hosts_file_answers_equal_netstat(tmp_path: Path) -> None:
    """glibc (netstat over the same /etc/hosts, files only) is the oracle for parse_hosts."""
    hosts = (
        "::1 ip6-localhost ip6-loopback\n"  # an AF_INET lookup of 127.0.0.1 takes this line
        "127.0.0.1 localhost\n"
        "10.0.0.1\tfirst alias\n10.0.0.1 second\n"
        "10.0.0.2\n"  # no name: the name "" (netstat prints ":40002")
        "10.0.0.3 # a comment only: the name \"\" again\n10.0.0.3 third\n"
        "::ffff:10.0.0.4 mapped4\n"
        "2001:db8::7 six\n"
        "010.0.0.5 leadingzero\n"
    )
    peers = ["127.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"]
    entries = [TcpEntry("tcp", "full", i, "10.0.0.9", 22, peer, 40000 + i, 1, 0, 0, 0, 0, 0, 0, 0, 100 + i, 1, "0" * 16) for i, peer in enumerate(peers)]
    entries6 = [TcpEntry("tcp6", "full", 0, "2001:db8::7", 22, "::ffff:10.0.0.4", 40100, 1, 0, 0, 0, 0, 0, 0, 0, 200, 1, "0" * 16)]
    snap = tmp_path / "proc"
    FakeProc(snap).tables({"tcp": format_table("tcp", entries), "tcp6": format_table("tcp6", entries6)})
    etc = write_etc(tmp_path / "etc", {"hosts": hosts, "nsswitch.conf": "hosts: files\nnetworks: files\nservices: files\nprotocols: files\n", "services": ""})
    want = netstat_etc(snap, ["-tW"], etc)
    (got,) = netread_etc(snap, [["-tW"]], etc)
    assert got.stdout.decode() == want.stdout.decode()
    text = got.stdout.decode()
    assert "ip6-localhost:40000" in text and "first:40001" in text and " :40003 " in text


@pytest.mark.live
def test_a_silent_dns_server_and_many_peers_keep_localhost(tmp_path: Path) -> None:
    """The issue's case end to end: real glibc, a DNS server that takes queries and never answers,
    far more distinct peers than lookup threads, and 127.0.0.1 in /etc/hosts: always ``localhost``."""
    import sys

    from conftest import ROOT
    from oracle import _in_etc
    from oracle import need_oracle
    from test_names import _SILENT_DNS

    need_oracle()
    peers = ["127.0.0.1"] + [f"198.51.100.{i}" for i in range(1, 250)] + [f"203.0.113.{i}" for i in range(1, 250)]
    entries = [TcpEntry("tcp", "full", i, "192.0.2.7", 22, peer, 40000 + i, 1, 0, 0, 0, 0, 0, 0, 0, 100 + i, 1, "0" * 16) for i, peer in enumerate(peers)]
    snap = tmp_path / "proc"
    FakeProc(snap).tables({"tcp": format_table("tcp", entries)})
    etc = write_etc(
        tmp_path / "etc",
        {
            "nsswitch.conf": "hosts: files dns\nservices: files\nprotocols: files\n",
            "hosts": "127.0.0.1 localhost\n",
            "resolv.conf": "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n",
        },
    )
    env_cmd = ["env", f"PYTHONPATH={ROOT}", "unshare", "-n", sys.executable, "-c", _SILENT_DNS, str(Path(__file__).parent), str(snap)]
    proc = _in_etc(etc, env_cmd)
    assert proc.returncode == 0, proc.stderr
    seconds, out = proc.stdout.split(b"\n", 1)
    assert float(seconds) < 10
    assert b"tcp        0      0 192.0.2.7:ssh           localhost:40000         ESTABLISHED" in out
    # the 498 peers and the local 192.0.2.7 got no answer; localhost was never asked of DNS
    assert f"{len(peers)} address lookup(s) got no answer within 5 s".encode() in proc.stderr


def test_networks_from_etc_networks_never_wait_behind_dead_dns(tmp_path: Path) -> None:
    """Addresses netstat treats as networks (first octet 0) are getnetbyaddr's: with nsswitch
    ``networks: files`` they are answered at once, even when every lookup thread hangs on DNS."""
    lookup = DeadDns({"0.1.2.3": "zeronet"})
    try:
        resolver = Resolver(etc=_etc(tmp_path, "hosts: files dns\nnetworks: files\n"), lookup=lookup, deadline=0.2)
        assert resolver.prefetch(PEERS) == sorted(PEERS, key=str)  # every worker now hangs
        assert resolver.prefetch([A("0.1.2.3")], timeout=0.2) == []
        assert resolver.host(A("0.1.2.3")) == "zeronet"
        (tmp_path / "b").mkdir()
        dns_first = Resolver(etc=_etc(tmp_path / "b", "hosts: files dns\nnetworks: dns files\n"), lookup=lookup, deadline=0.2)
        dns_first.prefetch(PEERS)
        assert dns_first.prefetch([A("0.1.2.4")], timeout=0.2) == [A("0.1.2.4")]  # DNS may be asked: it waits with the rest
    finally:
        lookup.released.set()
