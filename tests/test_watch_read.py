"""The live watch's netlink reads (netread/proc/diag.py, parse/diag.py, cli/watch_read.py): each
record decoded as its /proc line is (whole records, from the kernel's layout), the end of a dump,
and on live sockets in a fresh ``unshare -n`` namespace the rows and the changes equal those of the
/proc reads, and netstat's rows."""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Table
from netread.parse.diag import decode
from netread.parse.diag import index
from netread.parse.diag import is_request
from netread.parse.diag import listener_uid
from netread.parse.diag import listeners
from netread.parse.diag import stable
from netread.proc.diag import _end

ROOT = Path(__file__).resolve().parent.parent


def record(family: int, state: int, src: str, sport: int, dst: str, dport: int, *, rq: int = 0, wq: int = 0, uid: int = 0,
           inode: int = 0, timer: int = 0, retrans: int = 0, expires: int = 0, cookie: bytes = bytes(8), attrs: bytes = b"") -> bytes:  # fmt: skip
    """One ``inet_diag_msg`` message as the kernel lays it out (linux/inet_diag.h), after a netlink header."""
    pad = 4 if family == socket.AF_INET else 16
    body = struct.pack("=BBBB", family, state, timer, retrans)
    body += struct.pack("!HH", sport, dport)
    body += ipaddress.ip_address(src).packed.ljust(16, b"\0")[:16] if pad == 4 else ipaddress.ip_address(src).packed
    body += ipaddress.ip_address(dst).packed.ljust(16, b"\0")[:16] if pad == 4 else ipaddress.ip_address(dst).packed
    body += struct.pack("=I", 0) + cookie + struct.pack("=IIIII", expires, rq, wq, uid, inode) + attrs
    return struct.pack("=IHHII", 16 + len(body), 18, 2, 1, 4242) + body


def test_a_record_is_the_row_proc_lists() -> None:
    listener = record(2, 10, "127.0.0.1", 8080, "0.0.0.0", 0, rq=3, wq=128, uid=1000, inode=555, attrs=bytes(36))
    v6 = record(10, 1, "::ffff:10.0.0.1", 443, "2001:db8::1", 51000, rq=7, wq=9, uid=33, inode=777, timer=2, expires=7000)
    data = listener + v6
    found = index(data)
    assert [list(found[2].values()), list(found[10].values())] == [[0], [len(listener)]]
    assert decode(data, 0, Table.TCP) == InetSocket(
        Table.TCP, 0, 0, Endpoint(ipaddress.IPv4Address("127.0.0.1"), 8080), Endpoint(ipaddress.IPv4Address("0.0.0.0"), 0),
        10, 0, 3, 0, 0, 0, 1000, 0, 555,
    )  # fmt: skip  # a listener's Send-Q is /proc's write_seq - snd_una (0), not its backlog (128)
    assert decode(data, len(listener), Table.TCP6) == InetSocket(
        Table.TCP6, 0, 0, Endpoint(ipaddress.IPv6Address("::ffff:10.0.0.1"), 443), Endpoint(ipaddress.IPv6Address("2001:db8::1"), 51000),
        1, 9, 7, 2, 0, 0, 33, 0, 777,
    )  # fmt: skip
    udp = record(2, 7, "0.0.0.0", 53, "0.0.0.0", 0, rq=10, wq=20)
    assert decode(udp, 0, Table.UDP)[6:8] == (20, 10)  # udp's Send-Q is wqueue even when "listening"


def test_the_stable_part_leaves_out_only_the_timers() -> None:
    one = record(2, 1, "10.0.0.1", 1, "10.0.0.2", 2, inode=9, timer=1, retrans=2, expires=300)
    two = record(2, 1, "10.0.0.1", 1, "10.0.0.2", 2, inode=9, timer=2, retrans=0, expires=7)
    raw_one, raw_two = next(iter(index(one)[2])), next(iter(index(two)[2]))
    assert raw_one != raw_two and stable(raw_one) == stable(raw_two)
    for changed in (record(2, 8, "10.0.0.1", 1, "10.0.0.2", 2, inode=9), record(2, 1, "10.0.0.1", 1, "10.0.0.2", 2, inode=9, rq=1),
                    record(2, 1, "10.0.0.1", 1, "10.0.0.2", 2, inode=9, cookie=b"\1" + bytes(7))):  # fmt: skip
        assert stable(next(iter(index(changed)[2]))) != stable(raw_one)


def test_a_short_message_ends_the_walk() -> None:
    good = record(2, 10, "127.0.0.1", 1, "0.0.0.0", 0)
    short = struct.pack("=IHHII", 20, 18, 2, 1, 0) + bytes(4)
    assert [len(v) for v in index(good + short + good).values()] == [1]
    assert index(good[:-1]) == {2: {}}


def test_the_end_of_a_dump() -> None:
    done = struct.pack("=IHHIIi", 20, 3, 2, 1, 0, 0)
    rec = record(2, 10, "127.0.0.1", 1, "0.0.0.0", 0)
    assert _end(rec + done) == 0
    assert _end(done) == 0
    assert _end(rec) is None
    assert _end(struct.pack("=IHHIIi", 36, 2, 0, 1, 0, -2) + bytes(16)) == 2  # NLMSG_ERROR -ENOENT
    # a record whose tail reads like NLMSG_DONE is not the end: the chunk is walked
    fake_tail = record(2, 10, "127.0.0.1", 1, "0.0.0.0", 0, attrs=struct.pack("=IHHIIi", 20, 3, 2, 1, 0, 0))
    assert _end(fake_tail) is None
    # a dump the kernel cut short ends with NLMSG_DONE carrying the error (netlink_dump): not a whole dump
    assert _end(rec + struct.pack("=IHHIIi", 20, 3, 2, 1, 0, -12)) == 12  # -ENOMEM


def test_a_request_socket_is_its_listeners_uid() -> None:
    """A request socket's record says uid 0 (inet_req_diag_fill); /proc prints its listener's."""
    dump = b"".join([
        record(2, 10, "127.0.0.1", 4343, "0.0.0.0", 0, uid=1000, inode=1),
        record(2, 10, "0.0.0.0", 80, "0.0.0.0", 0, uid=33, inode=2),
        record(10, 10, "::", 8443, "::", 0, uid=70, inode=3),
        record(10, 10, "2001:db8::1", 22, "::", 0, uid=0, inode=4),
        record(2, 3, "127.0.0.1", 4343, "127.0.0.1", 50000),   # on the listener's address
        record(2, 3, "10.1.2.3", 80, "10.9.9.9", 50001),       # on the wildcard's
        record(2, 3, "10.1.2.3", 8443, "10.9.9.9", 50002),     # IPv4 to the dual-stack IPv6 listener
        record(10, 3, "2001:db8::7", 8443, "2001:db8::9", 50003),
        record(2, 3, "10.1.2.3", 9999, "10.9.9.9", 50004),     # its listener closed since
        record(2, 3, "127.0.0.1", 4343, "127.0.0.1", 50005, uid=1000, inode=9),  # a full socket (fast open): its own
    ])  # fmt: skip
    found = index(dump)
    listening = listeners(raw for records in found.values() for raw in records)
    assert listening == {(2, b"\x10\xf7", bytes([127, 0, 0, 1])): 1000, (2, b"\x00\x50", bytes(4)): 33, (10, b"\x20\xfb", bytes(16)): 70,
                         (10, b"\x00\x16", ipaddress.IPv6Address("2001:db8::1").packed): 0}  # fmt: skip
    requests = [raw for records in found.values() for raw in records if raw[1] == 3]
    assert [is_request(raw) for raw in requests] == [True, True, True, True, False, True]  # IPv4's, then IPv6's
    assert [listener_uid(raw, listening) for raw in requests if is_request(raw)] == [1000, 33, 70, None, 70]


# -- live: the netlink reads against /proc's and netstat's, in a fresh network namespace ---------------

LIVE = textwrap.dedent(
    """
    import json, socket, subprocess, sys, time
    sys.path.insert(0, sys.argv[1])
    from scripts.netns import bring_lo_up
    bring_lo_up()
    keep = []
    def pair(fam, host, port, unread=b""):
        l = socket.socket(fam); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind((host, port)); l.listen(8)
        c = socket.create_connection((host, port)); s, _ = l.accept()
        if unread:
            c.sendall(unread)
        keep.extend([l, c, s]); return l, c, s
    pair(socket.AF_INET, "127.0.0.1", 5000, b"x" * 100)
    pair(socket.AF_INET6, "::1", 5001)
    d = socket.socket(socket.AF_INET6); d.bind(("::", 5002)); d.listen(); keep.append(d)
    keep.append(socket.create_connection(("127.0.0.1", 5002))); keep.append(d.accept()[0])
    _, a, b = pair(socket.AF_INET, "127.0.0.1", 5003); a.close()           # CLOSE_WAIT and FIN_WAIT2
    _, a, b = pair(socket.AF_INET, "127.0.0.1", 5004); a.close(); b.close()  # TIME_WAIT
    q = socket.socket(); q.bind(("127.0.0.1", 5005)); q.listen(8); keep.append(q)
    keep.extend(socket.create_connection(("127.0.0.1", 5005)) for _ in range(3))  # an accept queue
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 5006)); keep.append(u)
    u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.connect(("127.0.0.1", 5006)); u2.send(b"hi"); keep.append(u2)
    u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::", 5007)); keep.append(u6)
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); keep.append(r)
    time.sleep(0.3)
    try:
        from netread.proc.diag import DiagSocket
        DiagSocket().close()
    except OSError as exc:
        print(json.dumps({"refused": str(exc)})); sys.exit(0)
    from netread.cli.diff import listing_request
    from netread.cli.listing import _filters
    from netread.cli.watch import Watcher
    from netread.proc.source import ProcSource
    out = {}
    for flags in json.loads(sys.argv[2]):
        req = listing_request(flags, "watch"); opts = req.options()
        fast = Watcher(ProcSource.live(), opts, _filters(req, None), None)
        slow = Watcher(ProcSource.live(), opts, _filters(req, None), None)
        assert fast.live is not None and fast.live.dumps, "netlink refused"
        slow.live.close(); slow.live = None
        a, b = fast.read()[0], slow.read()[0]
        netstat = subprocess.run(["netstat", *[f for f in flags if f not in ("--state", "ESTABLISHED")]], capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}).stdout
        out[" ".join(flags)] = {
            "fast": sorted(a.texts[k] for k in a.items), "slow": sorted(b.texts[k] for k in b.items),
            "netstat": sorted(line for line in netstat.splitlines()[2:]),
            "via": sorted(str(t) for d in fast.live.dumps for t in d[0][3].values()), "proc": [str(t) for t in fast.live.proc_tables],
        }
        # then changes: a socket opened, one closed, one moved state; both readers see the same
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
        keep[1].close()  # 5000's client: FIN_WAIT2; its server side, with 100 bytes unread: CLOSE_WAIT
        keep[0].close()  # 5000's listener gone
        time.sleep(0.2)
        a, b = fast.read()[0], slow.read()[0]
        out[" ".join(flags)]["changes"] = [sorted((ch.kind, ch.key, ch.fields, a.texts[ch.key]) for ch in cyc.changes) for cyc in (a, b)]
        out[" ".join(flags)]["after"] = [sorted(r[2] for rows in fast.live.rows.values() for r in rows.values() if r), sorted(b.texts[k] for k in b.items)]
        a2 = fast.read()[0]
        out[" ".join(flags)]["quiet"] = [len(a2.changes), a2.items is a.items]
        s.close()
        keep[2].close()
        keep[:3] = pair(socket.AF_INET, "127.0.0.1", 5000, b"x" * 100)
        time.sleep(0.2)
    print(json.dumps(out))
    """
)

FLAGS = [["-tuwan"], ["-tuwn"], ["-tuln"], ["-tuwane"], ["-tuwan", "--state", "ESTABLISHED"], ["-tan", "-6"]]


@pytest.fixture(scope="module")
def live() -> dict[str, dict[str, list[object]]]:
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", LIVE, str(ROOT), json.dumps(FLAGS)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    result: dict[str, dict[str, list[object]]] = json.loads(proc.stdout)
    if "refused" in result:
        pytest.skip(f"netlink sock_diag refused here: {result['refused']}")
    return result


@pytest.mark.oracle
@pytest.mark.parametrize("flags", [" ".join(f) for f in FLAGS])
def test_netlink_rows_are_procs_and_netstats(live: dict[str, dict[str, list[object]]], flags: str) -> None:
    got = live[flags]
    netstat = got["netstat"] if "--state" not in flags else [row for row in got["netstat"] if " ESTABLISHED" in str(row)]
    assert got["fast"] == got["slow"] == netstat
    assert len(got["fast"]) >= (3 if "ESTABLISHED" in flags or "-tan -6" == flags else 6)
    assert "raw" not in got["via"] and ("raw" in got["proc"]) == ("w" in flags.split()[0])  # raw is read from /proc


@pytest.mark.oracle
@pytest.mark.parametrize("flags", [" ".join(f) for f in FLAGS])
def test_netlink_changes_are_procs(live: dict[str, dict[str, list[object]]], flags: str) -> None:
    got = live[flags]
    fast, slow = got["changes"]
    assert fast == slow
    kinds = sorted((str(kind), tuple(fields)) for kind, _, fields, _ in fast)  # type: ignore[misc]
    want = {
        # the server side to CLOSE_WAIT (and its FIN counted in Recv-Q); the client, closed, is an
        # orphan in FIN_WAIT2 with inode 0: another key, so one socket closed and one opened
        "-tuwan": [("changed", ("state", "recv_q")), ("closed", ()), ("closed", ()), ("opened", ()), ("opened", ())],
        "-tuwn": [("changed", ("state", "recv_q")), ("closed", ()), ("opened", ())],
        "-tuln": [("closed", ()), ("opened", ())],
        "-tuwan --state ESTABLISHED": [("closed", ()), ("closed", ())],  # no longer ESTABLISHED: out of the listing
        "-tan -6": [],
    }
    assert kinds == want.get(flags, want["-tuwan"])
    assert got["after"][0] == got["after"][1]
    assert got["quiet"] == [0, True]  # nothing moved: no change, the same rows


# -- live: what the reads list, in what order, and for whom --------------------------------------------

LIVE_MORE = textwrap.dedent(
    """
    import json, os, socket, subprocess, sys, time
    sys.path.insert(0, sys.argv[1])
    from scripts.netns import bring_lo_up
    bring_lo_up()
    try:
        from netread.proc.diag import DiagSocket
        DiagSocket().close()
    except OSError as exc:
        print(json.dumps({"refused": str(exc)})); sys.exit(0)
    from netread.cli.diff import listing_request
    from netread.cli.listing import _filters
    from netread.cli.watch import Watcher
    from netread.proc.source import ProcSource
    def watchers(flags):
        req = listing_request(flags, "watch"); opts = req.options()
        fast = Watcher(ProcSource.live(), opts, _filters(req, None), None)
        slow = Watcher(ProcSource.live(), opts, _filters(req, None), None)
        assert fast.live is not None and fast.live.dumps, "netlink refused"
        slow.live.close(); slow.live = None
        return fast, slow
    def changes(cycle):
        return [[str(ch.kind), cycle.texts[ch.key].rstrip()] for ch in cycle.changes]
    def listed(cycle):
        return [cycle.texts[k].rstrip() for k in cycle.items]
    out = {}
    # the changes in the listing's order: listeners on ports whose text order is not the kernel's
    fast, slow = watchers(["-tln"]); fast.read(); slow.read()
    ss = []
    for port in (5000, 400, 30, 7777, 12, 61000, 2222):
        s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(); ss.append(s)
    a, b = fast.read()[0], slow.read()[0]
    out["opened"] = [changes(a), changes(b), listed(a)]
    for s in ss[::2]:
        s.close()
    a, b = fast.read()[0], slow.read()[0]
    out["closed"] = [changes(a), changes(b)]
    # --user by name, without -e
    fast, slow = watchers(["-tln", "--user", "root"])
    out["user"] = [listed(fast.read()[0]), listed(slow.read()[0])]
    # a request socket (SYN_RECV) of a listener owned by uid 1000: TCP_DEFER_ACCEPT keeps it one
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        os.setgid(1000); os.setuid(1000)
        s = socket.socket(); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 30)
        s.bind(("127.0.0.1", 4343)); s.listen(); os.write(w, b"x"); time.sleep(20); os._exit(0)
    os.read(r, 1)
    c = socket.create_connection(("127.0.0.1", 4343)); time.sleep(0.3)
    netstat = subprocess.run(["netstat", "-tane"], capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}).stdout
    out["requests"] = {"netstat": sorted(line.rstrip() for line in netstat.splitlines()[2:])}
    for flags in (["-tane"], ["-tane", "--user", "1000"]):
        fast, slow = watchers(flags)
        out["requests"][" ".join(flags)] = [sorted(listed(fast.read()[0])), sorted(listed(slow.read()[0]))]
    os.kill(child, 9); os.waitpid(child, 0)
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def live_more() -> dict[str, object]:
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", LIVE_MORE, str(ROOT)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    if "refused" in result:
        pytest.skip(f"netlink sock_diag refused here: {result['refused']}")
    return result


def test_netlink_changes_come_in_the_listings_order(live_more: dict[str, Any]) -> None:
    fast, slow, listing = live_more["opened"]
    assert fast == slow == [["opened", row] for row in listing]  # the new listing's order, not the keys'
    assert len(listing) == 7
    fast, slow = live_more["closed"]
    closed = [row for row in listing if row.split()[3] in ("127.0.0.1:5000", "127.0.0.1:30", "127.0.0.1:12", "127.0.0.1:2222")]
    assert fast == slow == [["closed", row] for row in closed]  # the old listing's order


def test_a_user_named_without_e_is_matched(live_more: dict[str, Any]) -> None:
    fast, slow = live_more["user"]
    assert fast == slow and len(fast) == 3  # the listeners left open, all root's


@pytest.mark.oracle
def test_a_request_socket_is_listed_with_its_listeners_uid(live_more: dict[str, Any]) -> None:
    got = live_more["requests"]
    fast, slow = got["-tane"]
    assert fast == slow == got["netstat"]
    request = [row for row in fast if "SYN_RECV" in row]
    assert len(request) == 1 and request[0].split()[6:8] == ["1000", "0"]
    fast, slow = got["-tane --user 1000"]
    assert fast == slow and sorted(row.split()[5] for row in fast) == ["LISTEN", "SYN_RECV"]


def test_without_netlink_the_watch_reads_proc(monkeypatch: pytest.MonkeyPatch) -> None:
    import netread.proc.diag as diag
    from netread.cli.watch import Watcher
    from netread.proc.source import ProcSource
    from netread.select import Filters
    from netread.select import Options

    def refused(self: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(diag.DiagSocket, "__init__", refused)
    watcher = Watcher(ProcSource.live(), Options.resolve(tcp=True, all=True, numeric_hosts=True, numeric_ports=True), Filters(), None)
    assert watcher.live is None
    cycle, _ = watcher.read()
    assert all(isinstance(k.table, str) for k in cycle.items)


# -- properties: index() is the plain walk of the records, and junk never raises ----------------------

def walk(data: bytes) -> dict[int, dict[bytes, int]]:
    """The records of ``data`` one by one, as the kernel's netlink messages chain (the reference)."""
    out: dict[int, dict[bytes, int]] = {2: {}, 10: {}}
    at = 0
    while at + 88 <= len(data):
        (length,) = struct.unpack_from("=I", data, at)
        if length < 88:
            break
        raw = data[at + 16 : at + 88]
        if raw[0] in out:
            out[raw[0]][raw] = at
        at += (length + 3) & ~3
    return out if out[10] else {2: out[2]}


def _one(fam: int, state: int, port: int, inode: int, extra: int) -> bytes:
    v4 = fam == 2
    return record(fam, state, "10.0.0.1" if v4 else "2001:db8::1", port, "10.0.0.2" if v4 else "::1", 80, inode=inode, attrs=bytes(extra))


#: Records of the families of a dump (and one no dump has), with a full socket's attributes, a
#: TIME_WAIT's and odd lengths (padded to 4 as netlink pads them).
RECORDS = st.lists(
    st.builds(_one, st.sampled_from([2, 10, 2, 2, 7]), st.integers(1, 12), st.integers(0, 65535), st.integers(0, 2**32 - 1), st.sampled_from([0, 8, 36, 36, 37])),
    max_size=40,
)


@settings(max_examples=examples(300), deadline=None)
@given(records=RECORDS, cut=st.integers(0, 200), tail=st.binary(max_size=120))
def test_index_is_the_walk_of_the_records(records: list[bytes], cut: int, tail: bytes) -> None:
    data = b"".join(r + bytes(-len(r) % 4) for r in records)
    for variant in (data, data[: max(0, len(data) - cut)], data + tail):
        got = index(variant)
        assert got == walk(variant)
        assert [list(d.values()) for d in got.values()] == [list(d.values()) for d in walk(variant).values()]  # in order
        for family, found in got.items():
            for at in found.values():
                sock = decode(variant, at, Table.TCP if family == 2 else Table.TCP6)
                assert sock.local.address.version == (4 if family == 2 else 6)


@settings(max_examples=examples(300), deadline=None)
@given(junk=st.binary(max_size=600))
def test_junk_never_raises(junk: bytes) -> None:
    for family, found in index(junk).items():
        for at in found.values():
            decode(junk, at, Table.UDP if family == 2 else Table.UDP6)
    _end(junk)
