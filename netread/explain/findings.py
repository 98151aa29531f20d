"""Rules over a whole listing that point at likely trouble, each with its evidence.

Pure: rows, owners and a few numbers read from the same /proc (:class:`Facts`)
in, :class:`Finding` records out.  Each finding says what was seen (counts, the
rows, the owning program when -p is on), why it matters and what to look at
next.  ``--explain`` prints them after the listing.

The rules see the rows one at a time (:class:`Watch`), as a streamed listing
prints them, and keep only what their findings show: counts, the first
:data:`EVIDENCE_ROWS` rows of evidence, and per group (a peer, a path, a
listener) a count, for at most :data:`GROUPS` groups.  Past that many groups
the rest are counted together as one, so memory stays bounded however big
the table is; every total in a title stays exact.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import ClassVar
from typing import Generic
from typing import TypeVar

from netread.model import InetSocket
from netread.model import Owners
from netread.model import Table
from netread.model import TcpState
from netread.model import UnixSocket
from netread.model import UnixState
from netread.parse.links import netstat_label
from netread.parse.snmp import Facts

#: A CLOSE_WAIT count from which the finding is a warning rather than a note.
CLOSE_WAIT_WARN = 10
#: TIME_WAIT sockets towards one peer, as a share of the ephemeral port range, that earn a note / a warning.
TIME_WAIT_NOTE_SHARE = 0.10
TIME_WAIT_WARN_SHARE = 0.50
#: Recv-Q or Send-Q of an established TCP socket from which it is called large (bytes).
BIG_QUEUE = 65536
#: Linux's defaults, used when the snapshot has no sysctl files.
DEFAULT_PORT_RANGE = (32768, 60999)
#: How many rows of evidence a finding shows before "... and N more".
EVIDENCE_ROWS = 8
#: Distinct groups (peers, local addresses, paths) a rule counts apart; the rows of any group
#: first seen after these are counted together (:attr:`Finding.others`).
GROUPS = 10_000

Endpoints = Callable[[InetSocket], tuple[str, str]]
K = TypeVar("K")
V = TypeVar("V")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One likely problem: what, the evidence, why it matters, what to look at next."""

    rule: str
    severity: str  # "warning" or "note"
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    why: str
    next: str
    #: Evidence rows left out (only the first EVIDENCE_ROWS are kept).
    more: int = 0
    #: Rows of the groups first seen after the first GROUPS, counted together (in no evidence row).
    others: int = 0


@dataclasses.dataclass(frozen=True)
class Listing:
    """What the rules look at besides the rows: their owners (None without -p), the facts, and
    the rows themselves for :func:`find_all` (a :class:`Watch` is given them one at a time)."""

    inet: Sequence[InetSocket] = ()
    unix: Sequence[UnixSocket] = ()
    endpoints: Endpoints = lambda row: ("", "")
    owners: Owners | None = None
    facts: Facts = dataclasses.field(default_factory=Facts)
    #: True when the rows come from a snapshot (it changes why an owner may be missing).
    snapshot: bool = False

    def owner(self, inode: int | None) -> str:
        if self.owners is None:
            return "(use -p)"
        owner = self.owners.first(inode)
        return "-" if owner is None else netstat_label(owner.pid, owner.program).decode("utf-8", "surrogateescape")


def _finding(
    rule: str,
    severity: str,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    why: str,
    next_: str,
    total: int | None = None,
    others: int = 0,
) -> Finding:
    """The finding with the first EVIDENCE_ROWS of ``rows``; ``total`` evidence rows in all
    (when ``rows`` holds only the first ones); ``others``: rows past the groups counted apart."""
    kept = tuple(tuple(r) for r in rows[:EVIDENCE_ROWS])
    total = len(rows) if total is None else total
    return Finding(rule, severity, title, tuple(header), kept, why, next_, more=max(0, total - EVIDENCE_ROWS), others=others)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Evidence:
    """A count of rows and the evidence of the first EVIDENCE_ROWS of them."""

    def __init__(self) -> None:
        self.count = 0
        self.rows: list[tuple[str, ...]] = []

    def add(self, make: Callable[[], tuple[str, ...]]) -> None:
        self.count += 1
        if len(self.rows) < EVIDENCE_ROWS:
            self.rows.append(make())


class Groups(Generic[K, V]):
    """Per-group values in the order the groups were first seen, for at most GROUPS groups;
    the rows of later groups share one more value (``others``)."""

    def __init__(self, new: Callable[[], V]) -> None:
        self._new = new
        self.values: dict[K, V] = {}
        self.others: V | None = None

    def __getitem__(self, key: K) -> V:
        value = self.values.get(key)
        if value is None:
            if len(self.values) < GROUPS:
                value = self.values[key] = self._new()
            else:
                if self.others is None:
                    self.others = self._new()
                value = self.others
        return value

    def __len__(self) -> int:
        return len(self.values) + (self.others is not None)


class Rule:
    """One rule: what it keeps of the rows it is given, and its finding at the end."""

    #: The tcp states whose rows the rule looks at (``wants`` decides for other rules).
    states: ClassVar[tuple[TcpState, ...]] = ()
    #: Whether it looks at unix rows.
    unix_rows: ClassVar[bool] = False

    def __init__(self, listing: Listing) -> None:
        self.listing = listing

    def wants(self, table: Table, st: int) -> bool:
        """Whether rows of ``table`` in state ``st`` are given to :meth:`inet`."""
        return table.tcp and st in self.states

    def inet(self, row: InetSocket) -> None:
        """Take one inet row that :meth:`wants` asked for."""

    def unix(self, row: UnixSocket) -> None:
        """Take one unix row (only when ``unix_rows``)."""

    def finding(self) -> Finding | None:
        raise NotImplementedError


class _Peers:
    """A close_wait group: its rows' count and the first three peers."""

    __slots__ = ("count", "peers")

    def __init__(self) -> None:
        self.count = 0
        self.peers: list[str] = []


class CloseWait(Rule):
    states = (TcpState.CLOSE_WAIT,)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.count = 0
        self.groups: Groups[tuple[str, str], _Peers] = Groups(_Peers)

    def inet(self, row: InetSocket) -> None:
        listing = self.listing
        self.count += 1
        local, peer = listing.endpoints(row)
        group = self.groups[(listing.owner(row.inode), local)]
        group.count += 1
        if len(group.peers) < 3:
            group.peers.append(peer)

    def finding(self) -> Finding | None:
        if not self.count:
            return None
        groups = self.groups.values
        evidence = [(owner, local, str(g.count), ", ".join(g.peers) + (" ..." if g.count > 3 else "")) for (owner, local), g in sorted(groups.items(), key=lambda kv: -kv[1].count)]
        owners = sorted({owner for owner, _ in groups} - {"(use -p)", "-"})
        who = ", ".join(owners) if owners else "the program"
        return _finding(
            "close-wait",
            "warning" if self.count >= CLOSE_WAIT_WARN else "note",
            f"{_plural(self.count, 'TCP connection')} in CLOSE_WAIT: the peer closed, {who} has not",
            ("program", "local address", "count", "peers"),
            evidence[:EVIDENCE_ROWS],
            "A socket stays in CLOSE_WAIT until the program calls close(); each one holds a file descriptor "
            "and buffers. A count that keeps growing is a descriptor leak: the code sees end-of-file "
            "(read() returning 0) or an error and never closes.",
            "Run again to see whether the count grows; with -p, look in that program for the path that "
            "abandons a connection after the peer hangs up; ls /proc/PID/fd | wc -l shows its descriptors.",
            total=len(evidence),
            others=self.groups.others.count if self.groups.others is not None else 0,
        )


class AcceptQueue(Rule):
    states = (TcpState.LISTEN,)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.count = self.full = 0
        #: The rows with the longest queues so far: (queue, -seen, evidence), the shortest first.
        self.longest: list[tuple[int, int, tuple[str, ...]]] = []

    def inet(self, row: InetSocket) -> None:
        if row.rx_queue <= 0:
            return
        cap = self.listing.facts.somaxconn
        self.count += 1
        self.full += cap is not None and row.rx_queue >= cap
        key = (row.rx_queue, -self.count)
        if len(self.longest) == EVIDENCE_ROWS and key <= self.longest[0][:2]:
            return
        listing = self.listing
        entry = (*key, (listing.endpoints(row)[0], str(row.rx_queue), str(cap) if cap is not None else "?", listing.owner(row.inode)))
        if len(self.longest) < EVIDENCE_ROWS:
            heapq.heappush(self.longest, entry)
        else:
            heapq.heapreplace(self.longest, entry)

    def finding(self) -> Finding | None:
        if not self.count:
            return None
        cap = self.listing.facts.somaxconn
        evidence = [e for _, _, e in sorted(self.longest, reverse=True)]
        counters = self.listing.facts.counters
        overflow = counters.get("TcpExt:ListenOverflows")
        drops = counters.get("TcpExt:ListenDrops")
        seen = f" The kernel counted {overflow} accept-queue overflows and {drops} dropped SYNs since boot (net/netstat)." if overflow is not None and drops is not None else ""
        return _finding(
            "accept-queue",
            "warning" if self.full else "note",
            f"{_plural(self.count, 'listener')} with connections waiting for accept()"
            + (f"; {self.full} at net.core.somaxconn ({cap})" if self.full else ""),
            ("listener", "waiting (Recv-Q)", "somaxconn", "program"),
            evidence,
            "On a LISTEN socket Recv-Q is the accept queue: connections the kernel completed that the "
            "program has not taken with accept(). Its limit is the listen() backlog capped by "
            "net.core.somaxconn (not shown in /proc); when it is full new connections are dropped or "
            "reset, and clients see timeouts." + seen,
            "Check that the program's accept loop is running and not blocked; raise the listen() backlog "
            "and net.core.somaxconn if bursts are expected; nstat -az TcpExtListenOverflows counts drops.",
            total=self.count,
        )


class _Count:
    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0


class TimeWait(Rule):
    states = (TcpState.TIME_WAIT,)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.low, self.high = listing.facts.port_range or DEFAULT_PORT_RANGE
        self.peers: Groups[str, _Count] = Groups(_Count)

    def inet(self, row: InetSocket) -> None:
        if self.low <= row.local.port <= self.high:  # this side picked the port: it connected out
            self.peers[self.listing.endpoints(row)[1]].n += 1

    def finding(self) -> Finding | None:
        counted = self.peers.values
        if not counted:
            return None
        low, high = self.low, self.high
        size = max(1, high - low + 1)
        ranked = sorted(counted.items(), key=lambda kv: -kv[1].n)
        peer, most = ranked[0][0], ranked[0][1].n
        share = most / size
        if share < TIME_WAIT_NOTE_SHARE:
            return None
        evidence = [(p, str(c.n), f"{c.n / size:.0%}") for p, c in ranked]
        source = "ip_local_port_range" if self.listing.facts.port_range else "Linux's default range (no sysctl in this /proc)"
        return _finding(
            "time-wait",
            "warning" if share >= TIME_WAIT_WARN_SHARE else "note",
            f"{most} TIME_WAIT connections to {peer} use {share:.0%} of the {size} ephemeral ports ({low}-{high})",
            ("peer", "TIME_WAIT from an ephemeral port", "share of the range"),
            evidence[:EVIDENCE_ROWS],
            f"A connection closed by this side waits 60 s in TIME_WAIT and keeps its local port for that "
            f"peer; with {size} ports ({source}) a client that opens and closes connections to one peer "
            f"faster than about {size // 60} per second runs out and connect() fails with EADDRNOTAVAIL.",
            "Reuse connections (keep-alive, pooling); let the server close first; widen "
            "net.ipv4.ip_local_port_range; net.ipv4.tcp_tw_reuse=1 lets new outgoing connections reuse them.",
            total=len(evidence),
            others=self.peers.others.n if self.peers.others is not None else 0,
        )


class Orphans(Rule):
    states = (TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.LAST_ACK, TcpState.CLOSING)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.rows = Evidence()

    def inet(self, row: InetSocket) -> None:
        if row.inode == 0 and (row.tx_queue or row.rx_queue):
            self.rows.add(lambda: (*self.listing.endpoints(row), TcpState(row.st).name, str(row.tx_queue), str(row.rx_queue), str(row.retrnsmt or 0)))

    def finding(self) -> Finding | None:
        if not self.rows.count:
            return None
        fin = self.listing.facts.fin_timeout
        return _finding(
            "orphans",
            "warning",
            f"{_plural(self.rows.count, 'closed connection')} still holding data (orphaned: no process)",
            ("local", "peer", "state", "Send-Q", "Recv-Q", "retransmits"),
            self.rows.rows,
            "The program closed these sockets (inode 0) but the kernel still owns them and keeps trying to "
            "deliver Send-Q to a peer that does not take it (zero window, or gone). They use memory "
            "counted against net.ipv4.tcp_max_orphans until net.ipv4.tcp_orphan_retries runs out"
            + (f" (tcp_fin_timeout here: {fin} s)." if fin is not None else "."),
            "Look at the peers: are they alive and reading? /proc/net/sockstat counts orphans; -o shows the "
            "timer and retransmits of each row.",
            total=self.rows.count,
        )


#: At most this many programs are named for one peer of syn_sent.
PROGRAMS = 64


class _Attempts:
    __slots__ = ("count", "programs", "retransmits")

    def __init__(self) -> None:
        self.count = self.retransmits = 0
        self.programs: set[str] = set()


class SynSent(Rule):
    states = (TcpState.SYN_SENT,)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.count = 0
        self.groups: Groups[str, _Attempts] = Groups(_Attempts)

    def inet(self, row: InetSocket) -> None:
        self.count += 1
        group = self.groups[self.listing.endpoints(row)[1]]
        group.count += 1
        group.retransmits = max(group.retransmits, row.retrnsmt or 0)
        if len(group.programs) < PROGRAMS:
            group.programs.add(self.listing.owner(row.inode))

    def finding(self) -> Finding | None:
        if not self.count:
            return None
        groups = sorted(self.groups.values.items(), key=lambda kv: -kv[1].count)
        evidence = [(peer, str(g.count), str(g.retransmits), ", ".join(sorted(g.programs))) for peer, g in groups]
        return _finding(
            "syn-sent",
            "note",
            f"{_plural(self.count, 'connection attempt')} waiting for an answer (SYN_SENT)",
            ("peer", "attempts", "SYN retransmits", "program"),
            evidence[:EVIDENCE_ROWS],
            "connect() sent a SYN and no SYN-ACK has come back. A refusing peer answers at once with a "
            "reset, so a SYN_SENT that lasts means the peer is down, a firewall drops the packets, or "
            "there is no route; each retransmit doubles the wait.",
            "Try the peer's address and port from this host (and from another); check firewalls and "
            "routes; -o shows how long the current retry has left.",
            total=len(evidence),
            others=self.groups.others.count if self.groups.others is not None else 0,
        )


class BigQueues(Rule):
    states = (TcpState.ESTABLISHED,)

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.rows = Evidence()

    def inet(self, row: InetSocket) -> None:
        if row.rx_queue >= BIG_QUEUE or row.tx_queue >= BIG_QUEUE:
            which = "Recv-Q: the program is not reading" if row.rx_queue >= BIG_QUEUE else "Send-Q: the peer is not taking data"
            self.rows.add(lambda: (*self.listing.endpoints(row), str(row.rx_queue), str(row.tx_queue), which, self.listing.owner(row.inode)))

    def finding(self) -> Finding | None:
        if not self.rows.count:
            return None
        return _finding(
            "big-queues",
            "warning",
            f"{_plural(self.rows.count, 'established connection')} with {BIG_QUEUE // 1024} KiB or more queued",
            ("local", "peer", "Recv-Q", "Send-Q", "where it is stuck", "program"),
            self.rows.rows,
            "A large Recv-Q is data that arrived and that the program has not read: it is busy, blocked "
            "or stuck. A large Send-Q is data the peer has not acknowledged: the peer reads slowly (its "
            "window is closed) or the network is losing packets.",
            "For Recv-Q, see what the program is doing (a stack dump, strace -p). For Send-Q, -o shows a "
            "probe timer when the peer's window is zero, and retransmits when packets are lost.",
            total=self.rows.count,
        )


class UdpReceive(Rule):
    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.rows = Evidence()
        self.dropped = 0

    def wants(self, table: Table, st: int) -> bool:
        return table.proto in ("udp", "udplite")

    def inet(self, row: InetSocket) -> None:
        if row.rx_queue > 0 or (row.drops or 0) > 0:
            self.dropped += (row.drops or 0) > 0
            listing = self.listing
            self.rows.add(lambda: (listing.endpoints(row)[0], str(row.rx_queue), str(row.drops) if row.drops is not None else "?", listing.owner(row.inode)))

    def finding(self) -> Finding | None:
        count, dropped = self.rows.count, self.dropped
        if not count:
            return None
        counters = self.listing.facts.counters
        seen = ""
        if "Udp:RcvbufErrors" in counters:
            seen = f" Since boot the kernel counted {counters['Udp:RcvbufErrors']} UDP receive-buffer errors (net/snmp)."
        return _finding(
            "udp-receive",
            "warning" if dropped else "note",
            (f"{_plural(dropped, 'UDP socket')} dropped datagrams" if dropped else f"{_plural(count, 'UDP socket')} with unread datagrams"),
            ("local", "Recv-Q (bytes of buffer)", "drops", "program"),
            self.rows.rows,
            "UDP Recv-Q is the memory taken by datagrams not yet read (payload plus overhead). When it "
            "reaches the socket's receive buffer (SO_RCVBUF, net.core.rmem_default/rmem_max) new "
            "datagrams are dropped and counted in the drops field." + seen,
            "Make the program read faster or give it a bigger SO_RCVBUF (raise net.core.rmem_max first); "
            "nstat -az UdpRcvbufErrors shows drops across the host.",
            total=count,
        )


class UnixWaiting(Rule):
    unix_rows = True

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.count = 0
        self.waiting: Groups[str, _Count] = Groups(_Count)
        #: path -> inode of the last listener with that path (GROUPS paths, and those with waiting rows).
        self.listeners: dict[str, int | None] = {}

    def unix(self, row: UnixSocket) -> None:
        if row.st == UnixState.CONNECTING:
            self.count += 1
            self.waiting[row.path or "(unnamed)"].n += 1
        elif row.path is not None and row.listening:
            if len(self.listeners) < GROUPS or row.path in self.listeners or row.path in self.waiting.values:
                self.listeners[row.path] = row.inode

    def finding(self) -> Finding | None:
        if not self.count:
            return None
        evidence = []
        for path, c in sorted(self.waiting.values.items(), key=lambda kv: -kv[1].n):
            listener = self.listeners.get(path, False)
            evidence.append((path, str(c.n), self.listing.owner(listener) if listener is not False else "(listener not shown)"))
        return _finding(
            "unix-waiting",
            "note",
            f"{_plural(self.count, 'unix connection')} waiting to be accepted",
            ("listener path", "waiting", "listener program"),
            evidence[:EVIDENCE_ROWS],
            "A CONNECTING row is the server side of a connection that the listening program has not "
            "accept()ed yet (inode 0, no owner). A few are normal under load; many, or old ones, mean "
            "the server is not accepting and its clients are blocked in connect() or will be.",
            "Check the listening program; ss -xl shows the listener's backlog limit (Send-Q) and current queue.",
            total=len(evidence),
            others=self.waiting.others.n if self.waiting.others is not None else 0,
        )


#: Why a row has inode 0, by what the no-owner finding calls its state.
_NO_SOCKET = {
    TcpState.ESTABLISHED.name: "complete, not accept()ed yet",
    TcpState.SYN_RECV.name: "a request socket, handshake not complete",
    TcpState.TIME_WAIT.name: "kept by the kernel alone after both closed",
    **dict.fromkeys(
        [s.name for s in (TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.LAST_ACK, TcpState.CLOSING)], "orphaned after close()"
    ),
    f"unix {UnixState.CONNECTING.name}": "not accept()ed yet",
}


class NoOwner(Rule):
    unix_rows = True

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.no_socket: collections.Counter[str] = collections.Counter()  # keyed by state names: bounded
        self.unfound = 0

    def wants(self, table: Table, st: int) -> bool:
        return self.listing.owners is not None

    def inet(self, row: InetSocket) -> None:
        if row.inode == 0:
            self.no_socket[row.state.name if Table(row.table).tcp and row.state is not None else str(row.table)] += 1
        elif row.inode is not None and self.listing.owners is not None and self.listing.owners.first(row.inode) is None:
            self.unfound += 1

    def unix(self, row: UnixSocket) -> None:
        owners = self.listing.owners
        if owners is None:
            return
        if row.inode == 0:
            self.no_socket[f"unix {UnixState.CONNECTING.name}" if row.st == UnixState.CONNECTING else f"unix St {row.st:02X}"] += 1
        elif row.inode is not None and owners.first(row.inode) is None:
            self.unfound += 1

    def finding(self) -> Finding | None:
        owners = self.listing.owners
        no_socket, unfound = self.no_socket, self.unfound
        if owners is None or (not no_socket and not unfound):
            return None
        evidence: list[tuple[str, str, str]] = [
            (state, str(n), "inode 0: " + _NO_SOCKET.get(state, "no process can own it")) for state, n in no_socket.most_common()
        ]
        if unfound:
            if owners.denied or owners.failed:
                why = "some processes' fds could not be read: run as root"
            elif self.listing.snapshot:
                why = "no fd link names it in this snapshot"
            else:
                why = "its process exited between the table read and the fd scan, or lives in another PID namespace"
            evidence.append(("(has an inode)", str(unfound), why))
        total = sum(no_socket.values()) + unfound
        return _finding(
            "no-owner",
            "note",
            f"{_plural(total, 'socket')} without a program (PID -)",
            ("state", "count", "why"),
            evidence,
            "-p finds owners through /proc/<pid>/fd links to socket:[inode]. A socket with inode 0 has no "
            "file at all: TIME_WAIT, SYN_RECV request sockets, sockets orphaned after close(), and "
            "connections not accept()ed yet. Any other unowned socket belongs to a process netread "
            "could not see.",
            "Run as root for other users' processes; in a container, run where the owning processes are "
            "visible (the host's PID namespace).",
        )


class ForgedPaths(Rule):
    unix_rows = True

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.rows = Evidence()

    def unix(self, row: UnixSocket) -> None:
        if row.path is not None and "\n" in row.path:
            self.rows.add(lambda: (str(row.inode), row.path or ""))

    def finding(self) -> Finding | None:
        if not self.rows.count:
            return None
        return _finding(
            "newline-path",
            "warning",
            f"{_plural(self.rows.count, 'unix socket name')} containing a newline: a possible forged row",
            ("inode", "path"),
            self.rows.rows,
            "The kernel prints socket names raw, so a name with a newline in it continues on the next line "
            "of /proc/net/unix, and the rest can be made to look like a complete socket row. netstat would "
            "show that text as a real socket; netread joined the record back and shows the name escaped.",
            "Find who bound the name (with -p, the program shown) and why; treat rows near it with care.",
            total=self.rows.count,
        )


class SuspectRows(Rule):
    """Records that may be the end of the previous record's name (parse/unix.py marks them)."""

    unix_rows = True

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        self.rows = Evidence()
        self.forged = self.unheld = 0

    def unix(self, row: UnixSocket) -> None:
        if row.suspect is None:
            return
        listing = self.listing
        self.forged += row.suspect == "forged"
        self.unheld += listing.owners is not None and listing.owners.first(row.inode) is None
        self.rows.add(lambda: (str(row.inode), row.suspect or "", listing.owner(row.inode), row.path or ""))

    def finding(self) -> Finding | None:
        if not self.rows.count:
            return None
        title = f"{_plural(self.rows.count, 'unix row')} that may be part of the previous socket's name, not a socket"
        if self.forged:
            title += f" ({self.forged} shown forged by the table itself)"
        return _finding(
            "suspect-unix-row",
            "warning" if self.forged or self.unheld else "note",
            title,
            ("inode", "marked", "program", "path"),
            self.rows.rows,
            "The kernel prints socket names raw: a name may hold a newline followed by text that reads as a "
            "whole /proc/net/unix record, and any user can bind such an abstract name. These records come "
            "right after a name short enough (at most 108 bytes in all) to have held them, so the table "
            "alone cannot tell them from real sockets; netstat shows them as sockets. \"forged\" ones "
            "contradict the table (an inode another record has, or a Num unlike every other "
            "record's); with -p, a record no process holds is likelier forged.",
            "With -p, look at the program of the socket just above each one (the name's owner) and whether "
            "any process holds the marked inode; `ss -xa` reads names over netlink, where they cannot run over.",
            total=self.rows.count,
        )


class ContainerListeners(Rule):
    """Servers on every address of a container's network namespace (--netns)."""

    def __init__(self, listing: Listing) -> None:
        super().__init__(listing)
        labels = [label for label in listing.facts.netns_labels if label != "host"]
        self.labels = labels if labels and "host" not in listing.facts.netns_labels else []
        self.rows = Evidence()

    def wants(self, table: Table, st: int) -> bool:
        return bool(self.labels) and (st == TcpState.LISTEN or not table.tcp)

    def inet(self, row: InetSocket) -> None:
        if row.local.address.is_unspecified:
            self.rows.add(lambda: (str(row.table), self.listing.endpoints(row)[0], self.listing.owner(row.inode)))

    def finding(self) -> Finding | None:
        if not self.rows.count:
            return None
        where = " ".join(self.labels)
        return _finding(
            "container-listener",
            "note",
            f"{_plural(self.rows.count, 'socket')} on every address of {where}'s network namespace: reachable only through it",
            ("proto", "local address", "program"),
            self.rows.rows,
            "0.0.0.0 and [::] here are the addresses of this namespace's own interfaces (its veth, a pod "
            "IP), not the host's: a client on the host's network reaches such a port only through a "
            "published port, a service or the container network, and 'netstat' on the host shows none of them.",
            "Look for the port's publication (docker port, the Service or hostPort) when it should be "
            "reachable from outside; run netread --netns all -tlnp to see each namespace's listeners.",
            total=self.rows.count,
        )


RULES: tuple[type[Rule], ...] = (
    CloseWait,
    AcceptQueue,
    TimeWait,
    Orphans,
    SynSent,
    BigQueues,
    UdpReceive,
    UnixWaiting,
    NoOwner,
    ForgedPaths,
    SuspectRows,
    ContainerListeners,
)


class Watch:
    """Every rule of ``rules``, given the rows of a listing as they come (:meth:`inet`,
    :meth:`unix`); :meth:`findings` at the end."""

    def __init__(self, listing: Listing, rules: Iterable[type[Rule]] = RULES) -> None:
        self.rules = [rule(listing) for rule in rules]
        self._unix = [rule.unix for rule in self.rules if rule.unix_rows]
        #: (table, state) -> the rules that look at such rows.
        self._inet: dict[tuple[object, int], list[Callable[[InetSocket], None]]] = {}

    def _takers(self, table: object, st: int) -> list[Callable[[InetSocket], None]]:
        known = Table(table)
        takers: list[Callable[[InetSocket], None]] = [rule.inet for rule in self.rules if rule.wants(known, st)]
        if len(self._inet) < 4096:  # a state is a byte: bounded, but keep it so
            self._inet[(table, st)] = takers
        return takers

    def inet(self, rows: Iterable[InetSocket]) -> None:
        known = self._inet
        for row in rows:
            takers = known.get((row.table, row.st))
            if takers is None:
                takers = self._takers(row.table, row.st)
            for take in takers:
                take(row)

    def unix(self, rows: Iterable[UnixSocket]) -> None:
        takers = self._unix
        for row in rows:
            for take in takers:
                take(row)

    def findings(self) -> list[Finding]:
        """Every finding, warnings first, in rule order."""
        found = [f for f in (rule.finding() for rule in self.rules) if f is not None]
        return sorted(found, key=lambda f: f.severity != "warning")


def find_all(listing: Listing, rules: Iterable[type[Rule]] = RULES) -> list[Finding]:
    """Every finding for the rows of ``listing``, warnings first, in rule order."""
    watch = Watch(listing, rules)
    watch.inet(listing.inet)
    watch.unix(listing.unix)
    return watch.findings()
