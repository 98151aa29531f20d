"""netread/diff.py on generated snapshot pairs with known changes: each reported exactly (whole changes),
the keys that tell inode-0 rows, reused inodes and namespaces apart, the leak finder, counter deltas,
queue growth, and the replay property apply(diff_sockets(a, b), a) == b."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fakeproc import FakeProc
from hypothesis import given
from hypothesis import strategies as st
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import format_table
from strategies import table_entries

from netread.diff import CHANGED
from netread.diff import CLOSED
from netread.diff import OPENED
from netread.diff import Change
from netread.diff import Delta
from netread.diff import Growth
from netread.diff import Key
from netread.diff import Seen
from netread.diff import apply
from netread.diff import counter_deltas
from netread.diff import counts
from netread.diff import diff_keyed
from netread.diff import diff_sockets
from netread.diff import facts_by_key
from netread.diff import keyed
from netread.diff import program_growth
from netread.diff import queue_growth
from netread.diff import seen
from netread.model import InetSocket
from netread.model import Table
from netread.model import UnixSocket
from netread.parse.inet import decode_inet
from netread.parse.snmp import parse_counters
from netread.parse.unix import decode_unix
from netread.proc.source import ProcSource
from netread.select import Options
from netread.select import plan
from netread.sockets import read_sockets

LISTEN, ESTABLISHED, TIME_WAIT, CLOSE_WAIT = 0x0A, 0x01, 0x06, 0x08
WEB = b"/usr/sbin/web\0-d\0"
DB = b"/usr/bin/db\0"


def tcp(local: str, lport: int, remote: str, rport: int, st: int, inode: int, *, rx: int = 0, tx: int = 0, uid: int = 1000) -> TcpEntry:
    """A full tcp row (``get_tcp4_sock``)."""
    return TcpEntry("tcp", "full", 0, local, lport, remote, rport, st, tx, rx, 0, 0, 0, uid, 0, inode, 1, "0000000000000000")


def timewait(local: str, lport: int, remote: str, rport: int) -> TcpEntry:
    """A TIME_WAIT row (``get_timewait4_sock``): inode, uid and queues 0."""
    return TcpEntry("tcp", "timewait", 0, local, lport, remote, rport, TIME_WAIT, 0, 0, 3, 1500, 0, 0, 0, 0, 3, "0000000000000000")


def unix(inode: int, path: str | None, *, st: int = 1, flags: int = 0) -> UnixEntry:
    return UnixEntry("0000000000000000", 2, flags, 1, st, inode, path)


def side(
    root: Path,
    rows: list[TcpEntry],
    owners: dict[int, tuple[bytes, list[int]]] | None = None,
    unix_rows: list[UnixEntry] | None = None,
    netns: str | None = None,
) -> list[Seen]:
    """One side of a diff: a fake /proc with ``rows`` (and a unix table), read as ``-a -p`` reads it."""
    snap = FakeProc(root).table("tcp", format_table("tcp", rows)).table("unix", format_table("unix", unix_rows or []))
    for pid, (cmdline, inodes) in (owners or {}).items():
        snap.owner(pid, cmdline, inodes)
    sockets = read_sockets(ProcSource.snapshot(root), plan(Options.resolve(tcp=True, unix=True, all=True)), owners=True)
    assert sockets.messages == []
    return seen(sockets._replace(netns=netns))


def summary(changes: list[Change]) -> list[tuple[str, Key, str | None, str | None, tuple[str, ...]]]:
    """Each change as (kind, key, program before, program after, the fields that changed)."""
    return [(c.kind, c.key, c.before and c.before.program, c.after and c.after.program, c.fields) for c in changes]


def key(local: str, remote: str, inode: int, *, netns: str | None = None, nth: int = 0) -> Key:
    return Key(netns, "tcp", local, remote, inode, nth)


def test_opened_closed_moved_state_and_grown_queue(tmp_path: Path) -> None:
    listener = tcp("0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 1001)
    conn = tcp("10.0.0.1", 80, "10.0.0.9", 40000, ESTABLISHED, 1002)
    gone = tcp("10.0.0.1", 80, "10.0.0.8", 40001, ESTABLISHED, 1003)
    new = tcp("10.0.0.1", 80, "10.0.0.7", 40002, ESTABLISHED, 1004)
    web = {7: (WEB, [1001, 1002, 1003, 1004])}
    a = side(tmp_path / "a", [listener, conn, gone], web, [unix(900, "/run/a.sock", flags=1 << 16)])
    b = side(
        tmp_path / "b",
        [dataclasses.replace(listener, rx_queue=3), dataclasses.replace(conn, st=CLOSE_WAIT), new],
        web,
        [unix(901, "/run/b.sock")],
    )
    changes = diff_sockets(a, b)
    assert summary(changes) == [
        (CHANGED, key("0.0.0.0:80", "0.0.0.0:0", 1001), "7/web", "7/web", ("recv_q",)),
        (CHANGED, key("10.0.0.1:80", "10.0.0.9:40000", 1002), "7/web", "7/web", ("state",)),
        (OPENED, key("10.0.0.1:80", "10.0.0.7:40002", 1004), None, "7/web", ()),
        (OPENED, Key(None, "unix", "/run/b.sock", "", 901), None, None, ()),
        (CLOSED, key("10.0.0.1:80", "10.0.0.8:40001", 1003), "7/web", None, ()),
        (CLOSED, Key(None, "unix", "/run/a.sock", "", 900), None, None, ()),
    ]
    # The records are the sides' own: before of a change from a, after from b.
    assert [(c.before, c.after) for c in changes[:2]] == [(a[0], b[0]), (a[1], b[1])]
    assert (changes[2].after, changes[4].before) == (b[2], a[2])
    assert counts(changes) == {OPENED: 2, CLOSED: 2, CHANGED: 2}
    assert [queue_growth(c) for c in changes] == [("recv_q", 0, 3), None, None, None, None, None]
    assert apply(changes, a) == facts_by_key(b)


def test_a_side_against_itself_reports_nothing(tmp_path: Path) -> None:
    rows = [tcp("0.0.0.0", 22, "0.0.0.0", 0, LISTEN, 10), timewait("10.0.0.1", 22, "10.0.0.2", 5000), timewait("10.0.0.1", 22, "10.0.0.2", 5000)]
    a = side(tmp_path / "a", rows, {1: (b"sshd\0", [10])}, [unix(900, None), unix(901, None)])
    again = side(tmp_path / "b", rows, {1: (b"sshd\0", [10])}, [unix(900, None), unix(901, None)])
    assert (diff_sockets(a, a), diff_sockets(a, again)) == ([], [])
    assert counts([]) == {OPENED: 0, CLOSED: 0, CHANGED: 0}
    assert program_growth(a, again) == []


def test_a_program_leaking_close_wait(tmp_path: Path) -> None:
    """The leak finder: db's CLOSE_WAIT count grew from 1 to 4 while its ESTABLISHED count fell; web's did not grow."""
    est = [tcp("10.0.0.1", 5432, "10.0.0.2", 41000 + i, ESTABLISHED, 2000 + i) for i in range(4)]
    listener = tcp("0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 1001)
    a = side(tmp_path / "a", [listener, dataclasses.replace(est[0], st=CLOSE_WAIT), *est[1:]], {7: (WEB, [1001]), 8: (DB, [2000, 2001, 2002, 2003])})
    b = side(tmp_path / "b", [listener, *(dataclasses.replace(e, st=CLOSE_WAIT) for e in est)], {9: (WEB, [1001]), 8: (DB, [2000, 2001, 2002, 2003])})
    assert program_growth(a, b) == [Growth("db", "CLOSE_WAIT", 1, 4)]
    changes = diff_sockets(a, b)
    # The listener changed hands (web restarted as pid 9): the program, not the state.
    assert summary(changes) == [
        (CHANGED, key("0.0.0.0:80", "0.0.0.0:0", 1001), "7/web", "9/web", ("program",)),
        *((CHANGED, key("10.0.0.1:5432", f"10.0.0.2:{41000 + i}", 2000 + i), "8/db", "8/db", ("state",)) for i in (1, 2, 3)),
    ]


def test_the_same_port_in_two_namespaces_is_two_sockets(tmp_path: Path) -> None:
    """Two containers each listening on 0.0.0.0:80 with (as can happen) the same inode number:
    the one in ns 4026532300 goes, the host's stays."""
    listener = tcp("0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 1001)
    host = "net:[4026531840]"
    container = "net:[4026532300]"
    a = side(tmp_path / "a1", [listener], netns=host) + side(tmp_path / "a2", [listener], netns=container)
    b = side(tmp_path / "b1", [listener], netns=host) + side(tmp_path / "b2", [], netns=container)
    assert list(keyed(a)) == [key("0.0.0.0:80", "0.0.0.0:0", 1001, netns=host), key("0.0.0.0:80", "0.0.0.0:0", 1001, netns=container)]
    assert summary(diff_sockets(a, b)) == [(CLOSED, key("0.0.0.0:80", "0.0.0.0:0", 1001, netns=container), None, None, ())]
    assert summary(diff_sockets(b, a)) == [(OPENED, key("0.0.0.0:80", "0.0.0.0:0", 1001, netns=container), None, None, ())]


def test_time_wait_churn(tmp_path: Path) -> None:
    """inode-0 rows are known by their four-tuple: the one on both sides is the same row, a new
    four-tuple is opened, a gone one closed; two rows with one four-tuple are counted by order."""
    kept = timewait("10.0.0.1", 80, "10.0.0.2", 5000)
    gone = timewait("10.0.0.1", 80, "10.0.0.3", 5001)
    new = timewait("10.0.0.1", 80, "10.0.0.4", 5002)
    a = side(tmp_path / "a", [kept, gone])
    b = side(tmp_path / "b", [new, kept, kept])
    assert summary(diff_sockets(a, b)) == [
        (OPENED, key("10.0.0.1:80", "10.0.0.4:5002", 0), None, None, ()),
        (OPENED, key("10.0.0.1:80", "10.0.0.2:5000", 0, nth=1), None, None, ()),
        (CLOSED, key("10.0.0.1:80", "10.0.0.3:5001", 0), None, None, ()),
    ]


def test_a_reused_inode_is_closed_and_opened_not_changed(tmp_path: Path) -> None:
    a = side(tmp_path / "a", [tcp("10.0.0.1", 40000, "10.0.0.9", 443, ESTABLISHED, 3000)])
    b = side(tmp_path / "b", [tcp("10.0.0.1", 40001, "10.0.0.5", 443, ESTABLISHED, 3000)])
    assert summary(diff_sockets(a, b)) == [
        (OPENED, key("10.0.0.1:40001", "10.0.0.5:443", 3000), None, None, ()),
        (CLOSED, key("10.0.0.1:40000", "10.0.0.9:443", 3000), None, None, ()),
    ]


def test_a_unix_socket_that_connected(tmp_path: Path) -> None:
    a = side(tmp_path / "a", [], unix_rows=[unix(900, "/run/x.sock", st=1)])
    b = side(tmp_path / "b", [], unix_rows=[unix(900, "/run/x.sock", st=3)])
    changes = diff_sockets(a, b)
    assert summary(changes) == [(CHANGED, Key(None, "unix", "/run/x.sock", "", 900), None, None, ("state",))]
    assert queue_growth(changes[0]) is None


SNMP_A = "Tcp: RtoAlgorithm ActiveOpens PassiveOpens RetransSegs\nTcp: 1 100 50 7\nUdp: InDatagrams RcvbufErrors\nUdp: 10 2\n"
SNMP_B = "Tcp: RtoAlgorithm ActiveOpens PassiveOpens RetransSegs\nTcp: 1 100 80 9\nUdp: InDatagrams RcvbufErrors\nUdp: 99 1\n"
NETSTAT_A = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 0 0\n"
NETSTAT_B = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 12 12\n"


def test_counter_deltas_only_of_counters_that_grew() -> None:
    """ActiveOpens stayed, RcvbufErrors fell (a reboot between the sides): neither is reported;
    InDatagrams grew but is not one of the counters a diff weighs."""
    before = parse_counters(SNMP_A) | parse_counters(NETSTAT_A, "net/netstat")
    after = parse_counters(SNMP_B) | parse_counters(NETSTAT_B, "net/netstat")
    assert counter_deltas(before, after) == [
        Delta("TcpExt:ListenOverflows", "listen", 0, 12),
        Delta("TcpExt:ListenDrops", "listen", 0, 12),
        Delta("Tcp:PassiveOpens", "tcp", 50, 80),
        Delta("Tcp:RetransSegs", "tcp", 7, 9),
    ]
    assert counter_deltas({}, after) == []


# The replay property, over the parsers' records (no filesystem): B is A with rows dropped,
# rows moved to another state or queue, rows added, and order shuffled.


def _records(entries: list[TcpEntry], unix_entries: list[UnixEntry]) -> list[Seen]:
    inet = [r for r in decode_inet(format_table("tcp", entries).splitlines(), path="net/tcp", table=Table.TCP, byteorder="little")]
    socks: list[InetSocket | UnixSocket] = [r for r in inet if isinstance(r, InetSocket)]
    socks += [r for r in decode_unix(format_table("unix", unix_entries).splitlines(), path="net/unix") if isinstance(r, UnixSocket)]
    assert len(socks) == len(entries) + len(unix_entries)
    return [Seen(s, None, None if s.inode is None or s.inode % 3 else f"{s.inode % 7}/p{s.inode % 2}") for s in socks]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[Seen], list[Seen]]:
    tcp_a = list(draw(table_entries("tcp", max_rows=12)))
    unix_a = list(draw(table_entries("unix", max_rows=6)))
    tcp_b: list[TcpEntry] = []
    for entry in tcp_a:
        assert isinstance(entry, TcpEntry)
        what = draw(st.sampled_from(["keep", "drop", "queue", "state"]))
        if what == "keep":
            tcp_b.append(entry)
        elif what == "queue" and entry.kind == "full":
            tcp_b.append(dataclasses.replace(entry, rx_queue=entry.rx_queue ^ draw(st.integers(1, 1000))))
        elif what == "state" and entry.kind == "full":
            tcp_b.append(dataclasses.replace(entry, st=draw(st.sampled_from([1, 2, 4, 5, 7, 8, 9, 10, 11]))))
    tcp_b += [e for e in draw(table_entries("tcp", max_rows=4)) if isinstance(e, TcpEntry)]
    unix_b = [e for e in unix_a if isinstance(e, UnixEntry) and draw(st.booleans())]
    unix_b += [e for e in draw(table_entries("unix", max_rows=3)) if isinstance(e, UnixEntry)]
    a = _records([e for e in tcp_a if isinstance(e, TcpEntry)], [e for e in unix_a if isinstance(e, UnixEntry)])
    b = _records(draw(st.permutations(tcp_b)), unix_b)
    return a, b


@given(pairs())
def test_applying_the_changes_to_a_gives_b(pair: tuple[list[Seen], list[Seen]]) -> None:
    a, b = pair
    changes = diff_sockets(a, b)
    assert apply(changes, a) == facts_by_key(b)
    assert apply(diff_sockets(b, a), b) == facts_by_key(a)
    assert diff_sockets(b, b) == []
    # Every key is reported at most once, and a change has fields, an opening or closing none.
    assert len({c.key for c in changes}) == len(changes)
    assert all(bool(c.fields) == (c.kind == CHANGED) for c in changes)


def test_diff_keyed_is_diff_sockets_of_keyed_sides(tmp_path: Path) -> None:
    a = side(tmp_path / "a", [tcp("0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 1001), timewait("10.0.0.1", 80, "10.0.0.2", 5000)])
    b = side(tmp_path / "b", [tcp("0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 1001, rx=1), timewait("10.0.0.1", 80, "10.0.0.3", 5000)])
    assert diff_keyed(keyed(a), keyed(b)) == diff_sockets(a, b)
    assert summary(diff_sockets(a, b)) == [
        (CHANGED, key("0.0.0.0:80", "0.0.0.0:0", 1001), None, None, ("recv_q",)),
        (OPENED, key("10.0.0.1:80", "10.0.0.3:5000", 0), None, None, ()),
        (CLOSED, key("10.0.0.1:80", "10.0.0.2:5000", 0), None, None, ()),
    ]
