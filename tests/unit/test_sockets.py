"""netread/sockets.py: read_sockets on fake /proc trees: netstat's walk, messages in order, owners, names."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from fakeproc import FakeProc

from netread.errors import ParseError
from netread.model import Absent
from netread.model import Owner
from netread.model import Table
from netread.model import Unresolved
from netread.proc.source import ProcSource
from netread.resolve import Resolver
from netread.select import Options
from netread.select import keep_inet
from netread.select import plan
from netread.sockets import read_sockets

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
LISTEN = "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
CONNECTED = "   1: 0100007F:0050 0200007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 778 1 0000000000000000 20 4 30 10 -1\n"
UNIX = "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 900 /run/a.sock\n"


def _source(tmp_path: Path) -> ProcSource:
    return ProcSource.snapshot(tmp_path)


def test_every_listed_table_in_netstats_order(tmp_path: Path) -> None:
    FakeProc(tmp_path).table("tcp", HEADER + LISTEN + CONNECTED).table("udp6", HEADER.replace("tcp", "udp")).table("unix", UNIX)
    sockets = read_sockets(_source(tmp_path), plan(Options.resolve(all=True)))
    assert [(s.table, s.inode) for s in sockets.inet or ()] == [(Table.TCP, 777), (Table.TCP, 778)]
    assert [(s.inode, s.path) for s in sockets.unix or ()] == [(900, "/run/a.sock")]
    assert (sockets.messages, sockets.stopped, sockets.owners, sockets.users) == ([], False, None, {})


def test_an_absent_requested_family_is_said_and_stops_the_walk(tmp_path: Path) -> None:
    FakeProc(tmp_path).table("tcp", HEADER + LISTEN).table("unix", UNIX)
    sockets = read_sockets(_source(tmp_path), plan(Options.resolve(tcp=True, udp=True, unix=True, all=True)))
    assert sockets.messages == [Absent("AF INET (udp)")] and sockets.stopped
    assert [s.inode for s in sockets.inet or ()] == [777] and sockets.unix is None  # the unix section is never reached
    bare = read_sockets(_source(tmp_path), plan(Options.resolve(inet=True, unix=True, all=True)))
    assert bare.messages == [] and not bare.stopped and [s.inode for s in bare.unix or ()] == [900]


def test_malformed_lines_are_messages_and_the_rest_is_read(tmp_path: Path) -> None:
    FakeProc(tmp_path).table("tcp", HEADER + LISTEN + "   1: broken\n" + CONNECTED).table("tcp6", "")
    sockets = read_sockets(_source(tmp_path), plan(Options.resolve(tcp=True, all=True)))
    assert [s.inode for s in sockets.inet or ()] == [777, 778]
    tcp, tcp6 = str(tmp_path / "net" / "tcp"), str(tmp_path / "net" / "tcp6")
    assert sockets.messages == [
        ParseError(tcp, 3, "local_address", "bad value 'broken': want HEXADDRESS:HEXPORT", "   1: broken"),
        ParseError(tcp6, 1, "header", "missing: the file is empty", ""),
    ]
    assert sockets.problems == 2 and sockets.unreadable == 0


def test_keep_owners_users_and_names(tmp_path: Path) -> None:
    fake = FakeProc(tmp_path).table("tcp", HEADER + LISTEN + CONNECTED)
    fake.process(5, b"/usr/sbin/web\0", {3: "socket:[777]"}).process(6, b"worker\0", {4: "socket:[777]", 5: "socket:[778]"})
    fake.manifest(byteorder="little", users={"1000": "alice"})
    asked: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    names = Resolver(etc="/nonexistent", lookup=lambda a: (asked.append(a), "peer" if str(a) == "127.0.0.2" else None)[1])
    opts = Options.resolve(tcp=True, inet=True)  # neither -a nor -l: the connected row only
    sockets = read_sockets(_source(tmp_path), plan(opts), owners=True, names=names, users=lambda uid: "host-name", keep_inet=keep_inet(opts))
    assert [s.inode for s in sockets.inet or ()] == [778]
    assert sockets.users == {1000: "alice"}  # the snapshot's names, not this host's
    assert sockets.owners is not None and sockets.owners.of(777) == [Owner(5, "web"), Owner(6, "worker")][:: 1 if sockets.owners.holders[777][0] == 5 else -1]
    assert names.host(ipaddress.ip_address("127.0.0.2")) == "peer" and sorted(map(str, asked)) == ["127.0.0.1", "127.0.0.2"]
    late = Resolver(etc="/nonexistent", lookup=lambda a: __import__("time").sleep(1) or None, deadline=0.05)
    assert read_sockets(_source(tmp_path), plan(Options.resolve(tcp=True, all=True)), names=late).messages == [Unresolved(2, 0.05)]


def test_an_unreadable_table_is_one_message(tmp_path: Path) -> None:
    FakeProc(tmp_path).table("tcp", HEADER + LISTEN)
    (tmp_path / "net" / "unix").mkdir()  # not a regular file: read by nobody, said once
    (tmp_path / "net" / "tcp6").mkdir()
    sockets = read_sockets(_source(tmp_path), plan(Options.resolve(all=True)))
    assert [str(m) for m in sockets.messages] == [
        f"{tmp_path}/net/tcp6: not a regular file",
        f"{tmp_path}/net/unix: not a regular file",
    ]
    assert sockets.unreadable == 2 and sockets.unix == [] and [s.inode for s in sockets.inet or ()] == [777]


def test_the_owner_scan_child_is_reaped_once_when_the_wait_is_interrupted(tmp_path: Path) -> None:
    """Ctrl-C while waiting for the forked scan: the child is killed and reaped, and a second
    call (the listing's clean-up) returns at once instead of reading a closed pipe."""
    import os
    import signal

    from netread.proc import processes

    fake = FakeProc(tmp_path).table("tcp", HEADER + LISTEN)
    for pid in range(100, 140):
        fake.owner(pid, b"x\0", range(10_000 + pid * 100, 10_000 + pid * 100 + 50))
    wait = processes._scan_in_child(str(tmp_path), True)
    old = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    signal.setitimer(signal.ITIMER_REAL, 0.0001)
    try:
        try:
            wait()
        except KeyboardInterrupt:
            pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    again = wait()  # no EBADF, no second read
    assert again is wait()
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass  # no child left


def test_a_scan_split_between_two_children_finds_what_one_scan_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many fds: two children scan consecutive halves of the processes; the merged owners are
    the single scan's, every holder of a shared socket in directory order."""
    from netread.proc import processes

    fake = FakeProc(tmp_path).table("tcp", HEADER + LISTEN)
    for pid in range(100, 160):
        fake.owner(pid, b"prog-%d\0" % pid, [*range(10_000 + pid * 10, 10_000 + pid * 10 + 8), 777])  # 777: held by all
    monkeypatch.setattr(processes, "SPLIT_FDS", 0)
    monkeypatch.setattr(processes, "SPLIT_CPUS", 1)
    names = processes.process_names(str(tmp_path), True)
    assert names is not None and len(processes._parts(str(tmp_path), names)) == 2
    split = processes._scan_in_child(str(tmp_path), True)()
    whole = processes.scan_owners(str(tmp_path), True)
    assert split.holders == whole.holders and split.processes == whole.processes
    assert split.holders[777] == tuple(int(n) for n in names)


def test_one_name_deadline_for_the_whole_listing(tmp_path: Path) -> None:
    """Found by review: each piece of a table waited the whole deadline for its own lookups
    (minutes with a dead DNS) and said its own warning. One deadline, one warning, every late
    address counted once."""
    import time

    from netread.model import Unresolved
    from netread.resolve import Resolver
    from netread.sockets import SocketStream

    row = "%4d: %08X:%04X 0200000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1"
    rows = "".join((row % (i, 0x0000000A + ((i % 256) << 24) + ((i // 256) << 8), 1024 + i, 5000 + i)).ljust(149) + "\n" for i in range(3000))
    FakeProc(tmp_path).table("tcp", HEADER + rows)
    names = Resolver(etc=str(tmp_path), lookup=lambda address: time.sleep(30), deadline=0.3)  # type: ignore[func-returns-value]
    start = time.monotonic()
    with SocketStream(_source(tmp_path), plan(Options.resolve(tcp=True, all=True)), names=names) as stream:
        pieces = list(stream.inet or ())
    assert len(pieces) > 2  # several pieces of 128 KiB
    assert time.monotonic() - start < 2.0
    late = [m for m in stream.messages if isinstance(m, Unresolved)]
    assert len(late) == 1 and late[0].addresses == 3000  # 10.x.0.y, every local one different; the remote 10.0.0.2 is one of them


def test_leaving_a_stream_early_closes_its_reads(tmp_path: Path) -> None:
    """Found by review: a stream left in the middle (a closed pipe, Ctrl-C) kept its table open
    (live: its reading child) until the cyclic collector ran."""
    from netread.sockets import SocketStream

    row = "%4d: 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0"
    FakeProc(tmp_path).table("tcp", HEADER + "".join((row % (i, 1024 + i, 10 + i)).ljust(149) + "\n" for i in range(3000)))
    with SocketStream(_source(tmp_path), plan(Options.resolve(tcp=True, all=True))) as stream:
        pieces = stream.inet
        assert pieces is not None
        next(pieces)
    assert stream.inet is None
    assert next(pieces, "closed") == "closed"


def test_snapshot_paths_are_shown_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by review: ``--proc .`` in a sosreport showed ``./proc/...``; pathlib showed ``proc/...``."""
    (tmp_path / "proc" / "net").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert ProcSource.snapshot(".").root == "proc"
    assert ProcSource.snapshot("./proc/").root == "proc"
