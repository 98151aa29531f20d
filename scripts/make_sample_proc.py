#!/usr/bin/env python3
"""Capture a real snapshot of the kernel's socket tables, laid out like /proc.

The snapshot (default: ``sample_proc/`` at the repository root) is demo and
test data for netread.  It is made by really creating sockets of every kind
that can exist on loopback, inside a fresh, throw-away network namespace, and
then copying what the kernel reports about them.

Usage (as root; stdlib only)::

    /usr/bin/python3.11 scripts/make_sample_proc.py [--out DIR] [--force]

``--out`` defaults to ``<repo>/sample_proc``.  A non-empty output directory is
only replaced with ``--force`` (and only if it looks like an earlier snapshot,
i.e. holds a ``snapshot.json``).  Without root the script falls back to
``unshare -r -n`` (user + network namespace); sockets owned by a second uid are
then skipped.

How it works:

1. The script re-executes itself as ``unshare -n -- python3 THIS --inner ...``.
   The inner process (the "conductor") checks that it really is in a new
   network namespace and brings ``lo`` up.  Only 127.0.0.1, ::1 and
   ::ffff:127.0.0.1 are used.
2. The conductor builds every scenario itself (both ends of each connection,
   so the ordering of shutdowns, fills and closes is exact), then hands each
   socket to one of a few *owner* processes via ``subprocess`` ``pass_fds``
   (file descriptor numbers are preserved) and closes its own copies.  Owners
   are ``python`` started with ``executable=sys.executable`` and a custom
   ``argv[0]``; they set their ``comm`` with ``prctl(PR_SET_NAME)``, die with
   the conductor (``PR_SET_PDEATHSIG``) or after ``HOLD_SECONDS``, and do
   nothing but hold their sockets.
3. After a short settle time the conductor runs netread's own capture
   (``netread.proc.capture.collect``, what ``netread capture`` does): the socket
   tables and counters of the namespace, verbatim; for each process holding
   one of its sockets the ``socket:[N]`` fd links (real, dangling symlinks
   keeping their fd numbers), ``cmdline``, ``comm`` and the Name/Uid lines
   of ``status``; the sysctls ``--explain`` reads; ``snapshot.json``.  It
   adds a generated ``README.md``.
4. Owners are killed, sockets closed, the temporary unix socket directory
   (``/tmp/netread-sample``) removed; the namespace vanishes with its last
   process.

Check the result with real netstat reading the snapshot as its /proc::

    LC_ALL=C unshare -m sh -c 'mount --bind "$0" /proc && exec netstat "$@"' \\
        sample_proc -tuwxanp
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import select
import shutil
import socket
import stat
import struct
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from netread.proc.capture import Capture  # noqa: E402  (stdlib-only modules)
from netread.proc.capture import collect  # noqa: E402  (stdlib-only modules)
from netread.proc.capture import write_dir  # noqa: E402  (stdlib-only modules)
from scripts.netns import bring_lo_up  # noqa: E402

DEFAULT_OUT = REPO_ROOT / "sample_proc"
MADE_BY = "scripts/make_sample_proc.py"
UNIX_DIR = Path("/tmp/netread-sample")

NET_TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix")

TOTAL_TIMEOUT = 120.0  # whole inner run, seconds
HOLD_SECONDS = 60  # owners exit by themselves after this long
READY_TIMEOUT = 10.0  # owner start-up
SETTLE_SECONDS = 1.0  # let TCP state machines settle before capture
FILL_CHUNK = 16384
FILL_MAX_CHUNKS = 512  # upper bound per fill() call (8 MiB)
FILL_SNDBUF = 32768  # locked SO_SNDBUF on filling sockets: keeps Send-Q small
NOBODY_UID = 65534

IPPROTO_UDPLITE = getattr(socket, "IPPROTO_UDPLITE", 136)
TCP_KEEPIDLE = getattr(socket, "TCP_KEEPIDLE", 4)
TCP_DEFER_ACCEPT = getattr(socket, "TCP_DEFER_ACCEPT", 9)

# Owner processes.  argv[0] is what netstat -p shows (basename of it);
# comm is what prctl(PR_SET_NAME) sets (kernel truncates to 15 bytes).
# Python runs the holder code from stdin ("-"); later args are decoration.


@dataclass(frozen=True)
class Owner:
    key: str
    argv: tuple[str, ...]
    comm: str
    uid: int | None = None  # run as this uid (needs real root)


OWNERS: tuple[Owner, ...] = (
    Owner("web", ("/usr/sbin/demo-web", "-", "--config", "/etc/demo-web.conf"), "demo-web"),
    Owner("worker", ("./relname-worker", "-", "--jobs", "4"), "relname-worker"),
    Owner("long", ("/opt/netread/bin/netread-long-process-name-worker",), "netread-long-process-name-worker"),
    Owner("agent", ("demo-agent", "-", "-f"), "demo-agent", uid=NOBODY_UID),
)
OWNER_BY_KEY = {o.key: o for o in OWNERS}

HOLDER_CODE = r"""
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, signal.SIGKILL, 0, 0, 0)                  # PR_SET_PDEATHSIG
libc.prctl(15, os.environb[b"NETREAD_COMM"], 0, 0, 0)   # PR_SET_NAME
if os.getppid() != int(os.environ["NETREAD_PARENT"]):
    sys.exit(3)                                          # conductor already gone
signal.alarm(int(os.environ["NETREAD_HOLD"]))
sys.stdout.write("ready\n")
sys.stdout.flush()
while True:
    signal.pause()
"""


class ScenarioError(RuntimeError):
    """A socket scenario could not be set up."""


@dataclass
class Plan:
    """Sockets created by the conductor, grouped by the owner that will hold them."""

    can_switch_uid: bool
    held: dict[str, list[socket.socket]] = field(default_factory=lambda: {o.key: [] for o in OWNERS})
    scratch: list[socket.socket] = field(default_factory=list)  # closed at the end, never handed out
    made: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def give(self, owner: str, *socks: socket.socket) -> None:
        self.held[owner].extend(socks)

    def temp(self, sock: socket.socket) -> socket.socket:
        self.scratch.append(sock)
        return sock

    def all_sockets(self) -> Iterator[socket.socket]:
        for socks in self.held.values():
            yield from socks
        yield from self.scratch

    def close_all(self) -> None:
        for sock in self.all_sockets():
            with contextlib.suppress(OSError):
                sock.close()


# ---------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(f"[make_sample_proc] {msg}", file=sys.stderr, flush=True)


def sock(family: int, type_: int, proto: int = 0) -> socket.socket:
    s = socket.socket(family, type_, proto)
    s.settimeout(5.0)
    return s


def listener(family: int, addr: str, port: int, backlog: int, *, v6only: bool | None = None) -> socket.socket:
    s = sock(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
    s.bind((addr, port))
    s.listen(backlog)
    return s


def connect(family: int, addr: str, port: int) -> socket.socket:
    c = sock(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    c.connect((addr, port))
    return c


def tcp_pair(lst: socket.socket, family: int, addr: str, port: int) -> tuple[socket.socket, socket.socket]:
    """Connect a client to ``lst`` and accept it: (client, server)."""
    c = connect(family, addr, port)
    s, _ = lst.accept()
    s.settimeout(5.0)
    return c, s


def fill(s: socket.socket) -> int:
    """Write to ``s`` until the kernel refuses more (peer does not read). Returns bytes queued."""
    total = 0
    s.setblocking(False)
    chunk = b"N" * FILL_CHUNK
    idle_rounds = 0
    for _ in range(FILL_MAX_CHUNKS):
        try:
            total += s.send(chunk)
            idle_rounds = 0
        except BlockingIOError:
            idle_rounds += 1
            if idle_rounds >= 3:
                break
            time.sleep(0.05)  # let loopback deliver / ACK, then retry
    s.settimeout(5.0)
    return total


def lock_sndbuf(s: socket.socket) -> None:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, FILL_SNDBUF)


@contextlib.contextmanager
def effective_uid(uid: int | None) -> Iterator[None]:
    """Create sockets as ``uid`` (sk_uid comes from the creator's fsuid)."""
    if uid is None:
        yield
        return
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)


def optional(plan: Plan, what: str, fn: Callable[[Plan], None]) -> None:
    """Run a scenario group; record (rather than die on) kernel refusals."""
    try:
        fn(plan)
        plan.made.append(what)
    except (OSError, ScenarioError) as exc:
        plan.missing.append(f"{what}: {exc}")
        log(f"skipped {what}: {exc}")


# ---------------------------------------------------------------- TCP


def tcp_group(plan: Plan, family: int, addr: str) -> None:
    """LISTEN, ESTABLISHED (plain/keepalive/Recv-Q/Send-Q), CLOSE_WAIT+FIN_WAIT2,
    TIME_WAIT, FIN_WAIT1, CLOSING, LAST_ACK, un-accepted connections."""
    main_port = 80 if family == socket.AF_INET else 443
    lst = listener(family, addr, main_port, 16)
    plan.give("web", lst)

    # plain ESTABLISHED, client with SO_KEEPALIVE (keepalive timer)
    c, s = tcp_pair(lst, family, addr, main_port)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, TCP_KEEPIDLE, 600)
    plan.give("worker", c)
    plan.give("web", s)

    # ESTABLISHED with unread data: server Recv-Q > 0
    c, s = tcp_pair(lst, family, addr, main_port)
    c.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
    plan.give("worker", c)
    plan.give("web", s)

    # ESTABLISHED, server never reads: client Send-Q > 0 (zero-window probe timer)
    c, s = tcp_pair(lst, family, addr, main_port)
    lock_sndbuf(c)
    if fill(c) == 0:
        raise ScenarioError("could not fill a peer's receive window")
    plan.give("worker", c)
    plan.give("web", s)

    # client half-closes: client FIN_WAIT2, server CLOSE_WAIT (both still held)
    c, s = tcp_pair(lst, family, addr, main_port)
    c.shutdown(socket.SHUT_WR)
    plan.give("worker", c)
    plan.give("web", s)

    # TIME_WAIT: client closes first (active close), then server; no owner (inode 0)
    c, s = tcp_pair(lst, family, addr, main_port)
    c.close()
    time.sleep(0.05)
    s.close()

    # FIN_WAIT1: client fills the window, then shuts down; its FIN waits behind the data
    c, s = tcp_pair(lst, family, addr, main_port)
    lock_sndbuf(c)
    fill(c)
    c.shutdown(socket.SHUT_WR)
    plan.give("worker", c)
    plan.give("web", s)

    # CLOSING: as above, then the server shuts down too; the client receives the
    # server's FIN while its own FIN is still unsent => simultaneous close.
    c, s = tcp_pair(lst, family, addr, main_port)
    lock_sndbuf(c)
    fill(c)
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    s.shutdown(socket.SHUT_WR)  # server -> FIN_WAIT2 once its FIN is ACKed
    plan.give("worker", c)
    plan.give("web", s)

    # LAST_ACK: client half-closes (FIN_WAIT2), server (CLOSE_WAIT) fills the
    # client's window and then shuts down: its FIN is stuck behind the data.
    c, s = tcp_pair(lst, family, addr, main_port)
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    lock_sndbuf(s)
    fill(s)
    s.shutdown(socket.SHUT_WR)
    plan.give("worker", c)
    plan.give("web", s)

    # two connections never accept()ed: ESTABLISHED rows with inode 0, LISTEN Recv-Q 2
    for _ in range(2):
        plan.give("worker", connect(family, addr, main_port))


def tcp_edge_group(plan: Plan, family: int, addr: str) -> None:
    """SYN_SENT (SYN dropped by a listener whose accept queue is full) and
    SYN_RECV (TCP_DEFER_ACCEPT drops the bare final ACK)."""
    full_port, defer_port = 8081, 8082
    full = listener(family, addr, full_port, 0)  # listen(0): one queued connection fills it
    plan.give("web", full)
    plan.give("worker", connect(family, addr, full_port))  # completes, sits in the accept queue
    time.sleep(0.1)
    c = sock(family, socket.SOCK_STREAM)
    c.setblocking(False)
    rc = c.connect_ex((addr, full_port))
    if rc not in (errno.EINPROGRESS, errno.EAGAIN):
        raise ScenarioError(f"non-blocking connect returned {errno.errorcode.get(rc, rc)}")
    plan.give("worker", c)

    defer = listener(family, addr, defer_port, 8)
    defer.setsockopt(socket.IPPROTO_TCP, TCP_DEFER_ACCEPT, 30)
    plan.give("web", defer)
    plan.give("worker", connect(family, addr, defer_port))  # client ESTABLISHED, server SYN_RECV


def tcp_mapped_group(plan: Plan) -> None:
    """tcp6 rows with ::ffff:127.0.0.1 on both ends, and a v4 client of a v6 socket."""
    port = 9090
    lst = listener(socket.AF_INET6, "::ffff:127.0.0.1", port, 8, v6only=False)
    plan.give("web", lst)
    c, s = tcp_pair(lst, socket.AF_INET6, "::ffff:127.0.0.1", port)  # dual-stack client
    plan.give("worker", c)
    plan.give("web", s)
    c, s = tcp_pair(lst, socket.AF_INET, "127.0.0.1", port)  # plain IPv4 client (row in tcp)
    plan.give("worker", c)
    plan.give("web", s)


# ---------------------------------------------------------------- UDP, UDP-Lite


def datagram_group(plan: Plan, family: int, addr: str, proto: int, ports: tuple[int, int]) -> None:
    """Bound unconnected, connected (st 01), bound with queued unread datagrams."""
    agent_uid = NOBODY_UID if plan.can_switch_uid else None
    quiet_port, queue_port = ports
    with effective_uid(agent_uid):  # "server" sockets belong to uid nobody ...
        quiet = sock(family, socket.SOCK_DGRAM, proto)
        queued = sock(family, socket.SOCK_DGRAM, proto)
    quiet.bind((addr, quiet_port))  # ... but are bound as root (ports < 1024)
    queued.bind((addr, queue_port))
    plan.give("agent" if agent_uid is not None else "long", quiet, queued)

    conn = sock(family, socket.SOCK_DGRAM, proto)
    conn.connect((addr, quiet_port))  # autobinds an ephemeral port, st 01
    sender = sock(family, socket.SOCK_DGRAM, proto)
    sender.connect((addr, queue_port))
    for i in range(3):
        sender.send(b"<13>netread sample datagram %d" % i)
    plan.give("long", conn, sender)


def udp_group(plan: Plan) -> None:
    datagram_group(plan, socket.AF_INET, "127.0.0.1", socket.IPPROTO_UDP, (53, 514))
    datagram_group(plan, socket.AF_INET6, "::1", socket.IPPROTO_UDP, (53, 514))


def udplite_group(plan: Plan) -> None:
    datagram_group(plan, socket.AF_INET, "127.0.0.1", IPPROTO_UDPLITE, (7000, 7001))
    datagram_group(plan, socket.AF_INET6, "::1", IPPROTO_UDPLITE, (7000, 7001))


def udp_counters_group(plan: Plan) -> None:
    """For -s and its --explain: overflow a tiny receive buffer (Udp RcvbufErrors, InErrors) and send to a
    port nothing listens on (NoPorts); every socket is closed again, so the listing does not change."""
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        tiny = sock(family, socket.SOCK_DGRAM)
        tiny.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # the kernel's minimum
        tiny.bind((addr, 0))
        sender = sock(family, socket.SOCK_DGRAM)
        for _ in range(32):
            sender.sendto(b"x" * 1024, tiny.getsockname()[:2])
        closed = sock(family, socket.SOCK_DGRAM)
        closed.bind((addr, 0))
        nowhere = closed.getsockname()[:2]
        closed.close()
        sender.sendto(b"nobody here", nowhere)
        for s in (tiny, sender):
            s.close()


# ---------------------------------------------------------------- multicast groups (netstat -g)

#: (interface, group, sockets joining it): what net/igmp and net/igmp6 should show besides the kernel's own groups.
GROUP_JOINS = (
    ("sample-g0", "239.1.2.3", 2),
    ("lo", "224.0.0.251", 1),
    ("sample-long-nm0", "232.9.8.7", 1),
    ("sample-g0", "ff05::1:3", 1),
    ("lo", "ff02::fb", 2),
    ("sample-long-nm0", "ff0e::1234", 1),
)


def groups_group(plan: Plan) -> None:
    """Two veth pairs (one with a 15-byte name) and unbound UDP sockets joining IPv4 and IPv6
    groups on them and on lo (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP); held by an owner, so the
    memberships last until the capture.  Unbound UDP sockets are not in net/udp*."""
    for a, b in (("sample-g0", "sample-g1"), ("sample-long-nm0", "sample-g2")):
        for command in (["add", a, "type", "veth", "peer", "name", b], ["set", a, "up"], ["set", b, "up"]):
            done = subprocess.run(["ip", "link", *command], capture_output=True, timeout=20)
            if done.returncode != 0:
                raise ScenarioError(f"ip link {' '.join(command)}: {done.stderr.decode(errors='replace').strip()}")
    for dev, group, count in GROUP_JOINS:
        index = socket.if_nametoindex(dev)
        for _ in range(count):
            if ":" in group:
                s = sock(socket.AF_INET6, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", index))
            else:
                s = sock(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), index))
            plan.give("agent", s)


# ---------------------------------------------------------------- raw


def icmp_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def raw_group(plan: Plan) -> None:
    """raw ICMP bound / connected (with a received echo: Recv-Q > 0), IPPROTO_RAW."""
    bound = sock(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    bound.bind(("127.0.0.1", 0))
    conn = sock(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    conn.connect(("127.0.0.1", 0))
    rawraw = sock(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rawraw.bind(("127.0.0.1", 0))
    body = struct.pack("!BBHHH", 8, 0, 0, 0x4E52, 1) + b"netread"
    echo = body[:2] + struct.pack("!H", icmp_checksum(body)) + body[4:]
    conn.send(echo)  # request + reply are queued on every ICMP raw socket
    plan.give("long", bound, conn, rawraw)


def raw6_group(plan: Plan) -> None:
    icmpv6 = getattr(socket, "IPPROTO_ICMPV6", 58)
    bound = sock(socket.AF_INET6, socket.SOCK_RAW, icmpv6)
    bound.bind(("::1", 0))
    conn = sock(socket.AF_INET6, socket.SOCK_RAW, icmpv6)
    conn.connect(("::1", 0))
    rawraw = sock(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    rawraw.bind(("::1", 0))
    # ICMPv6 echo request; the kernel fills in the checksum for ICMPv6 raw sockets
    conn.send(struct.pack("!BBHHH", 128, 0, 0, 0x4E52, 1) + b"netread")
    plan.give("long", bound, conn, rawraw)


# ---------------------------------------------------------------- unix


def unix_listener(type_: int, address: str | bytes, backlog: int = 8) -> socket.socket:
    s = sock(socket.AF_UNIX, type_)
    s.bind(address)
    s.listen(backlog)
    return s


def unix_connect(type_: int, address: str | bytes) -> socket.socket:
    c = sock(socket.AF_UNIX, type_)
    c.connect(address)
    return c


def unix_group(plan: Plan) -> None:
    """STREAM/SEQPACKET listeners and connections, an embryo (CONNECTING),
    DGRAM bound/unbound/connected, socketpairs, abstract names, autobind,
    a path with a space."""
    web_path = str(UNIX_DIR / "web.sock")
    lst = unix_listener(socket.SOCK_STREAM, web_path)
    plan.give("web", lst)
    c = unix_connect(socket.SOCK_STREAM, web_path)
    s, _ = lst.accept()
    plan.give("worker", c)
    plan.give("web", s)
    # never accepted: server-side embryo shows as CONNECTING, inode 0, with the path
    plan.give("worker", unix_connect(socket.SOCK_STREAM, web_path))

    abstract = b"\0netread-abstract"
    lst = unix_listener(socket.SOCK_STREAM, abstract)
    plan.give("web", lst)
    c = unix_connect(socket.SOCK_STREAM, abstract)
    s, _ = lst.accept()
    plan.give("worker", c)
    plan.give("web", s)

    spaced = str(UNIX_DIR / "with space.sock")
    lst = unix_listener(socket.SOCK_STREAM, spaced)
    c = unix_connect(socket.SOCK_STREAM, spaced)
    s, _ = lst.accept()
    plan.give("long", lst, s)
    plan.give("worker", c)

    seq_path = str(UNIX_DIR / "seq.sock")
    lst = unix_listener(socket.SOCK_SEQPACKET, seq_path)
    c = unix_connect(socket.SOCK_SEQPACKET, seq_path)
    s, _ = lst.accept()
    plan.give("long", lst, s)
    plan.give("worker", c)

    log_path = str(UNIX_DIR / "log.sock")
    dgram = sock(socket.AF_UNIX, socket.SOCK_DGRAM)
    dgram.bind(log_path)
    plan.give("long", dgram)
    client = unix_connect(socket.SOCK_DGRAM, log_path)  # unbound but connected
    client.send(b"<13>netread: hello")
    plan.give("worker", client)
    plan.give("worker", sock(socket.AF_UNIX, socket.SOCK_DGRAM))  # unbound, unconnected
    quiet = sock(socket.AF_UNIX, socket.SOCK_DGRAM)
    quiet.bind(str(UNIX_DIR / "notify.sock"))  # bound, nobody connected: stays UNCONNECTED
    plan.give("agent" if plan.can_switch_uid else "long", quiet)

    nul = sock(socket.AF_UNIX, socket.SOCK_DGRAM)
    nul.bind(b"\0netread\0embedded-nul")
    auto = sock(socket.AF_UNIX, socket.SOCK_DGRAM)
    auto.bind("")  # autobind: kernel picks an abstract name of 5 hex digits
    plan.give("long", nul, auto)

    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    plan.give("worker", a, b)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    plan.give("web", a, b)


# ---------------------------------------------------------------- namespace, owners


def probe_uid_switch() -> bool:
    if os.geteuid() != 0:
        return False
    try:
        with effective_uid(NOBODY_UID):
            pass
        return True
    except OSError:
        return False


def prepare_unix_dir() -> None:
    try:
        st = os.lstat(UNIX_DIR)
    except FileNotFoundError:
        UNIX_DIR.mkdir(mode=0o755)
        return
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise SystemExit(f"{UNIX_DIR} exists but is not a directory owned by us; remove it")
    for entry in UNIX_DIR.iterdir():  # leftovers of an interrupted run
        if not stat.S_ISSOCK(entry.lstat().st_mode):
            raise SystemExit(f"{UNIX_DIR} contains a non-socket {entry.name!r}; remove it")
        entry.unlink()


def cleanup_unix_dir() -> None:
    with contextlib.suppress(FileNotFoundError):
        for entry in UNIX_DIR.iterdir():
            if stat.S_ISSOCK(entry.lstat().st_mode):
                entry.unlink()
        UNIX_DIR.rmdir()


def spawn_owners(plan: Plan, procs: list[subprocess.Popen[bytes]]) -> None:
    """Start one holder per owner with its sockets; append to ``procs`` as they start."""
    for owner in OWNERS:
        socks = plan.held[owner.key]
        if not socks:
            continue
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "NETREAD_COMM": owner.comm,
            "NETREAD_HOLD": str(HOLD_SECONDS),
            "NETREAD_PARENT": str(os.getpid()),
        }
        user = owner.uid if (owner.uid is not None and plan.can_switch_uid) else None
        proc = subprocess.Popen(
            list(owner.argv),
            executable=sys.executable,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            pass_fds=[s.fileno() for s in socks],
            user=user,
            group=user,
            extra_groups=[] if user is not None else None,
            cwd="/",
        )
        procs.append(proc)
        assert proc.stdin is not None
        proc.stdin.write(HOLDER_CODE.encode())
        proc.stdin.close()  # python runs the program read from stdin
    deadline = time.monotonic() + READY_TIMEOUT
    for proc in procs:
        assert proc.stdout is not None
        remaining = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([proc.stdout], [], [], remaining)
        if not ready or proc.stdout.readline() != b"ready\n":
            raise RuntimeError(f"owner process {proc.pid} did not start")


def stop_owners(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)
        if proc.stdout is not None:
            proc.stdout.close()


# ---------------------------------------------------------------- capture


@dataclass
class PidCapture:
    pid: int
    fds: dict[int, str]
    cmdline: bytes
    comm: bytes
    status: bytes


@dataclass
class Snapshot:
    net: dict[str, bytes]
    pids: list[PidCapture]
    sysctls: dict[str, bytes]
    meta: dict[str, object]


def capture() -> tuple[Capture, Snapshot]:
    """``netread capture`` of this namespace, and a view of it for the README."""
    cap = collect(Path("/proc"))
    cap.manifest["made_by"] = f"{MADE_BY} (netread capture)"
    net = {e.path[len("net/") :]: e.data or b"" for e in cap.entries if e.path.startswith("net/") and e.path[4:] in NET_TABLES}
    pids: dict[int, PidCapture] = {}
    for e in cap.entries:
        head, _, rest = e.path.partition("/")
        if not head.isdigit():
            continue
        p = pids.setdefault(int(head), PidCapture(int(head), {}, b"", b"", b""))
        if rest.startswith("fd/") and e.link is not None:
            p.fds[int(rest[3:])] = e.link
        elif rest in ("cmdline", "comm", "status"):
            setattr(p, rest, e.data or b"")
    sysctls = {e.path: e.data or b"" for e in cap.entries if e.path.startswith("sys/")}
    return cap, Snapshot(net, sorted(pids.values(), key=lambda p: p.pid), sysctls, cap.manifest)


def write_snapshot(cap: Capture, snap: Snapshot, dest: Path, notes: list[str]) -> None:
    write_dir(cap, dest)
    (dest / "README.md").write_text(render_readme(snap, notes))


# ---------------------------------------------------------------- README


TCP_STATES = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECV",
    4: "FIN_WAIT1",
    5: "FIN_WAIT2",
    6: "TIME_WAIT",
    7: "CLOSE",
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
}
UNIX_TYPES = {1: "STREAM", 2: "DGRAM", 5: "SEQPACKET"}
UNIX_STATES = {0: "FREE", 1: "UNCONNECTED", 2: "CONNECTING", 3: "CONNECTED", 4: "DISCONNECTING"}


def owner_names(snap: Snapshot) -> dict[int, str]:
    names: dict[int, str] = {}
    for p in snap.pids:
        argv0 = p.cmdline.split(b"\0", 1)[0].decode(errors="replace")
        for target in p.fds.values():
            names[int(target[len("socket:[") : -1])] = argv0.rsplit("/", 1)[-1]
    return names


def row_kinds(snap: Snapshot) -> Counter[tuple[str, str, str]]:
    owners = owner_names(snap)
    rows: Counter[tuple[str, str, str]] = Counter()
    for table, data in snap.net.items():
        lines = data.decode(errors="replace").splitlines()[1:]
        for line in lines:
            f = line.split()
            if table == "unix":
                flags, type_, st, inode = int(f[3], 16), int(f[4], 16), int(f[5], 16), int(f[6])
                state = "LISTENING" if flags & 0x10000 else UNIX_STATES.get(st, str(st))
                kind = f"unix {UNIX_TYPES.get(type_, str(type_))}"
                path = " ".join(f[7:]) if len(f) > 7 else ""
                if path:
                    state += " (abstract)" if path.startswith("@") else " (path)"
            else:
                st, inode = int(f[3], 16), int(f[9])
                kind = table
                if table.startswith("tcp"):
                    state = TCP_STATES.get(st, str(st))
                else:
                    state = "connected (01)" if st == 1 else f"unconnected ({st:02X})"
                if table.startswith("tcp") and st != 10:
                    tx, rx = (int(x, 16) for x in f[4].split(":"))
                    if rx:
                        state += ", Recv-Q>0"
                    if tx:
                        state += ", Send-Q>0"
                elif not table.startswith("tcp") and int(f[4].split(":")[1], 16):
                    state += ", Recv-Q>0"
            owner = owners.get(inode, "- (inode 0)" if inode == 0 else "-")
            rows[(kind, state, owner)] += 1
    return rows


def render_readme(snap: Snapshot, notes: list[str]) -> str:
    table = ["| table | state | owner (argv[0] basename) | rows |", "|---|---|---|---|"]
    for (kind, state, owner), n in sorted(row_kinds(snap).items()):
        table.append(f"| {kind} | {state} | {owner} | {n} |")
    owners = []
    for p in snap.pids:
        argv = [a.decode(errors="replace") for a in p.cmdline.split(b"\0") if a]
        comm = p.comm.decode(errors="replace").strip()
        owners.append(f"| {p.pid} | `{' '.join(argv)}` | `{comm}` | {len(p.fds)} |")
    missing = "\n".join(f"- {n}" for n in notes) or "- nothing"
    return f"""# sample_proc: a real /proc socket snapshot

Captured by `{MADE_BY}` on Linux {snap.meta["kernel"]} ({snap.meta["machine"]}),
{snap.meta["captured_at"]}. Regenerate (as root) with:

    /usr/bin/python3.11 scripts/make_sample_proc.py --force

All sockets were created for real in a fresh network namespace (`unshare -n`), on
127.0.0.1, ::1 and ::ffff:127.0.0.1 only, and held by the owner processes below.
Unix socket paths live under `{UNIX_DIR}/` (removed after capture).

Layout (written by `netread capture`): `net/<table>` and the counters `net/snmp`,
`net/netstat`, `net/sockstat*` (verbatim copies), `<pid>/fd/<n>` (dangling symlinks to
`socket:[inode]`, socket fds only, original numbers), `<pid>/cmdline`, `<pid>/comm`,
`<pid>/status` (Name and Uid lines), `sys/net/...` (the sysctls `--explain` reads),
`snapshot.json` (the manifest, with the names of the uids seen).

Check it with real netstat using the snapshot as its /proc:

    LC_ALL=C unshare -m sh -c 'mount --bind "$0" /proc && exec netstat "$@"' sample_proc -tuwxanp

## Owners

| pid | cmdline | comm | socket fds |
|---|---|---|---|
{chr(10).join(owners)}

## Rows

{chr(10).join(table)}

Scenarios: TCP listeners on :80 / :443 (main), :8081 (`listen(0)`, accept queue
full, so a second client stays in SYN_SENT), :8082 (`TCP_DEFER_ACCEPT`, so the
server side stays SYN_RECV), :9090 on ::ffff:127.0.0.1 (dual-stack). FIN_WAIT1,
CLOSING and LAST_ACK are made by queueing a FIN behind data the peer never reads.
TIME_WAIT rows have no owner. Datagram "servers" (53, 514, 7000, 7001) are created
as uid 65534 when run as real root. Raw ICMP sockets hold an echo request/reply (Recv-Q > 0).
Note: netstat 2.10 cuts the unix path `with space.sock` at the space.

## Not produced

{missing}
"""


# ---------------------------------------------------------------- routes (netstat -r)

#: Interfaces, addresses and routes for net/route and net/ipv6_route: a gateway route, a host
#: route, a route with mtu/advmss/window/rtt, reject routes of each kind, and IPv6 ones.
ROUTE_SETUP = [
    "ip link add rt0 type veth peer name rt1",
    "ip link set rt0 up", "ip link set rt1 up",
    "ip addr add 192.0.2.1/24 dev rt0", "ip -6 addr add 2001:db8:1::1/64 dev rt0 nodad",
    "ip addr add 198.51.100.1/30 dev rt1", "ip -6 addr add 2001:db8:2::1/64 dev rt1 nodad",
    "ip route add default via 192.0.2.254 dev rt0 metric 100",
    "ip route add 203.0.113.0/24 via 198.51.100.2 dev rt1 mtu 1400 advmss 1200 window 65535 rtt 30ms",
    "ip route add 192.0.2.77/32 dev rt0",
    "ip route add unreachable 10.99.0.0/16", "ip route add prohibit 10.98.0.0/16", "ip route add blackhole 10.97.0.0/16",
    "ip -6 route add default via 2001:db8:1::fe dev rt0 metric 1024",
    "ip -6 route add 2001:db8:40::/48 via 2001:db8:2::2 dev rt1",
    "ip -6 route add unreachable 2001:db8:50::/48",
]  # fmt: skip


def route_group(plan: Plan) -> None:
    """Routes for ``netstat -r``: veth interfaces carrying IPv4 and IPv6 addresses and routes."""
    for command in ROUTE_SETUP:
        done = subprocess.run(command.split(), capture_output=True)
        if done.returncode != 0:
            raise ScenarioError(f"{command}: {done.stderr.decode(errors='replace').strip()}")


# ---------------------------------------------------------------- interfaces (-i)

#: Interfaces for ``netread -i`` to show beside ``lo``: a veth pair (one end up with IPv4, an
#: alias label and IPv6; the other down), a bridge holding a third veth, a tun (point-to-point,
#: no carrier), an ifb (NOARP). Made with ip(8) in this namespace; they go with it.
INTERFACE_COMMANDS = (
    "ip link add s0 type veth peer name s1",
    "ip link set s0 mtu 1400 txqueuelen 77",
    "ip addr add 192.0.2.2/24 broadcast 192.0.2.255 dev s0",
    "ip addr add 192.0.2.9/24 dev s0 label s0:1",
    "ip -6 addr add 2001:db8::2/64 dev s0 nodad",
    "ip link set s0 up",
    "ip link add br9 type bridge",
    "ip link add s2 type veth peer name s3",
    "ip link set s2 master br9",
    "ip link set s2 up",
    "ip link set br9 up",
    "ip tuntap add tun9 mode tun",
    "ip addr add 198.51.100.1 peer 198.51.100.2 dev tun9",
    "ip link set tun9 up",
    "ip link add ifb9 type ifb",
)


def interface_group(plan: Plan) -> None:
    for command in INTERFACE_COMMANDS:
        done = subprocess.run(command.split(), capture_output=True, timeout=30)
        if done.returncode != 0:
            raise ScenarioError(f"{command}: {done.stderr.decode(errors='replace').strip()}")


# ---------------------------------------------------------------- main


STATIC_MISSING = [
    "TCP CLOSE (07): a TCP socket is listed only once hashed (listening or connected); "
    "a closed/bound-only socket never appears in /proc/net/tcp*.",
    "unix DISCONNECTING: shown only for an ownerless socket not in ESTABLISHED state, "
    "which exists only transiently while being released.",
    "wildcard (0.0.0.0 / ::) local addresses: deliberately not used (loopback addresses only).",
]


def build_all(plan: Plan) -> None:
    optional(plan, "tcp", lambda p: tcp_group(p, socket.AF_INET, "127.0.0.1"))
    optional(plan, "tcp6", lambda p: tcp_group(p, socket.AF_INET6, "::1"))
    optional(plan, "tcp SYN_SENT/SYN_RECV", lambda p: tcp_edge_group(p, socket.AF_INET, "127.0.0.1"))
    optional(plan, "tcp6 SYN_SENT/SYN_RECV", lambda p: tcp_edge_group(p, socket.AF_INET6, "::1"))
    optional(plan, "tcp6 v4-mapped", tcp_mapped_group)
    optional(plan, "udp/udp6", udp_group)
    optional(plan, "udplite/udplite6", udplite_group)
    optional(plan, "udp counters (-s)", udp_counters_group)
    optional(plan, "raw", raw_group)
    optional(plan, "raw6", raw6_group)
    optional(plan, "unix", unix_group)
    optional(plan, "routes", route_group)
    optional(plan, "multicast groups", groups_group)
    optional(plan, "interfaces for -i", interface_group)


def inner_main(out: Path, host_netns: str) -> int:
    if os.readlink("/proc/self/ns/net") == host_netns:
        raise SystemExit("refusing to run: not in a fresh network namespace")
    bring_lo_up()
    prepare_unix_dir()
    plan = Plan(can_switch_uid=probe_uid_switch())
    procs: list[subprocess.Popen[bytes]] = []
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        build_all(plan)
        spawn_owners(plan, procs)
        for s in plan.all_sockets():  # owners hold them now; scratch ones are unused
            s.close()
        time.sleep(SETTLE_SECONDS)
        cap, snap = capture()
        notes = plan.missing + STATIC_MISSING
        if not plan.can_switch_uid:
            notes.append("sockets of a second uid: no real root, so everything is uid 0")
        write_snapshot(cap, snap, staging, notes)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        stop_owners(procs)
        plan.close_all()
        cleanup_unix_dir()
    if out.exists():
        shutil.rmtree(out)  # the outer process checked --force / emptiness
    staging.rename(out)
    log(f"wrote {out} ({len(snap.pids)} owner processes); made: {', '.join(plan.made)}")
    for note in plan.missing:
        log(f"not produced: {note}")
    return 0


def check_out_dir(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise SystemExit(f"{out} exists and is not a directory")
    if any(out.iterdir()):
        if not force:
            raise SystemExit(f"{out} is not empty; use --force to replace it")
        if not (out / "snapshot.json").is_file():
            raise SystemExit(f"{out} does not look like a snapshot (no snapshot.json); not replacing it")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--force", action="store_true", help="replace an existing non-empty snapshot directory")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--host-netns", default="", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()
    check_out_dir(out, args.force)
    if args.inner:
        return inner_main(out, args.host_netns)

    if shutil.which("unshare") is None:
        raise SystemExit("unshare(1) not found (util-linux)")
    cmd = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-r", "-n"]
    cmd += [
        "--",
        sys.executable,
        str(Path(__file__).resolve()),
        "--inner",
        "--out",
        str(out),
        "--host-netns",
        os.readlink("/proc/self/ns/net"),
    ]
    if args.force:
        cmd.append("--force")
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait(timeout=TOTAL_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()  # owners die with it (PR_SET_PDEATHSIG)
        proc.wait()
        log(f"timed out after {TOTAL_TIMEOUT:.0f}s")
        return 1
    except KeyboardInterrupt:
        proc.kill()
        proc.wait()
        return 130


if __name__ == "__main__":
    sys.exit(main())
