"""Rules over a whole listing that point at likely trouble, each with its evidence.

Pure functions: rows, owners and a few numbers read from the same /proc
(:class:`Facts`) in, :class:`Finding` records out.  Each finding says what was
seen (counts, the rows, the owning program when -p is on), why it matters and
what to look at next.  ``--explain`` prints them after the listing.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence

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

Endpoints = Callable[[InetSocket], tuple[str, str]]


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


@dataclasses.dataclass(frozen=True)
class Listing:
    """What the rules look at: the rows shown, their owners (None without -p), and the facts."""

    inet: Sequence[InetSocket]
    unix: Sequence[UnixSocket]
    endpoints: Endpoints
    owners: Owners | None = None
    facts: Facts = dataclasses.field(default_factory=Facts)
    #: True when the rows come from a snapshot (it changes why an owner may be missing).
    snapshot: bool = False

    def owner(self, inode: int | None) -> str:
        if self.owners is None:
            return "(use -p)"
        owner = self.owners.first(inode)
        return "-" if owner is None else netstat_label(owner.pid, owner.program).decode("utf-8", "surrogateescape")


def _finding(rule: str, severity: str, title: str, header: Sequence[str], rows: Sequence[Sequence[str]], why: str, next_: str) -> Finding:
    kept = tuple(tuple(r) for r in rows[:EVIDENCE_ROWS])
    return Finding(rule, severity, title, tuple(header), kept, why, next_, more=max(0, len(rows) - EVIDENCE_ROWS))


def _tcp(listing: Listing, *states: TcpState) -> list[InetSocket]:
    return [r for r in listing.inet if Table(r.table).tcp and r.st in states]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def close_wait(listing: Listing) -> Finding | None:
    rows = _tcp(listing, TcpState.CLOSE_WAIT)
    if not rows:
        return None
    groups: dict[tuple[str, str], list[InetSocket]] = collections.defaultdict(list)
    for r in rows:
        groups[(listing.owner(r.inode), listing.endpoints(r)[0])].append(r)
    evidence = [(owner, local, str(len(g)), ", ".join(listing.endpoints(r)[1] for r in g[:3]) + (" ..." if len(g) > 3 else "")) for (owner, local), g in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
    owners = sorted({owner for owner, _ in groups} - {"(use -p)", "-"})
    who = ", ".join(owners) if owners else "the program"
    return _finding(
        "close-wait",
        "warning" if len(rows) >= CLOSE_WAIT_WARN else "note",
        f"{_plural(len(rows), 'TCP connection')} in CLOSE_WAIT: the peer closed, {who} has not",
        ("program", "local address", "count", "peers"),
        evidence,
        "A socket stays in CLOSE_WAIT until the program calls close(); each one holds a file descriptor "
        "and buffers. A count that keeps growing is a descriptor leak: the code sees end-of-file "
        "(read() returning 0) or an error and never closes.",
        "Run again to see whether the count grows; with -p, look in that program for the path that "
        "abandons a connection after the peer hangs up; ls /proc/PID/fd | wc -l shows its descriptors.",
    )


def accept_queue(listing: Listing) -> Finding | None:
    rows = [r for r in _tcp(listing, TcpState.LISTEN) if r.rx_queue > 0]
    if not rows:
        return None
    cap = listing.facts.somaxconn
    full = [r for r in rows if cap is not None and r.rx_queue >= cap]
    evidence = [(listing.endpoints(r)[0], str(r.rx_queue), str(cap) if cap is not None else "?", listing.owner(r.inode)) for r in sorted(rows, key=lambda r: -r.rx_queue)]
    counters = listing.facts.counters
    overflow = counters.get("TcpExt:ListenOverflows")
    drops = counters.get("TcpExt:ListenDrops")
    seen = f" The kernel counted {overflow} accept-queue overflows and {drops} dropped SYNs since boot (net/netstat)." if overflow is not None and drops is not None else ""
    return _finding(
        "accept-queue",
        "warning" if full else "note",
        f"{_plural(len(rows), 'listener')} with connections waiting for accept()"
        + (f"; {len(full)} at net.core.somaxconn ({cap})" if full else ""),
        ("listener", "waiting (Recv-Q)", "somaxconn", "program"),
        evidence,
        "On a LISTEN socket Recv-Q is the accept queue: connections the kernel completed that the "
        "program has not taken with accept(). Its limit is the listen() backlog capped by "
        "net.core.somaxconn (not shown in /proc); when it is full new connections are dropped or "
        "reset, and clients see timeouts." + seen,
        "Check that the program's accept loop is running and not blocked; raise the listen() backlog "
        "and net.core.somaxconn if bursts are expected; nstat -az TcpExtListenOverflows counts drops.",
    )


def time_wait(listing: Listing) -> Finding | None:
    rows = _tcp(listing, TcpState.TIME_WAIT)
    if not rows:
        return None
    low, high = listing.facts.port_range or DEFAULT_PORT_RANGE
    size = max(1, high - low + 1)
    peers: collections.Counter[str] = collections.Counter()
    for r in rows:
        if low <= r.local.port <= high:  # this side picked the port: it connected out
            peers[listing.endpoints(r)[1]] += 1
    if not peers:
        return None
    peer, most = peers.most_common(1)[0]
    share = most / size
    if share < TIME_WAIT_NOTE_SHARE:
        return None
    source = "ip_local_port_range" if listing.facts.port_range else "Linux's default range (no sysctl in this /proc)"
    return _finding(
        "time-wait",
        "warning" if share >= TIME_WAIT_WARN_SHARE else "note",
        f"{most} TIME_WAIT connections to {peer} use {share:.0%} of the {size} ephemeral ports ({low}-{high})",
        ("peer", "TIME_WAIT from an ephemeral port", "share of the range"),
        [(p, str(n), f"{n / size:.0%}") for p, n in peers.most_common()],
        f"A connection closed by this side waits 60 s in TIME_WAIT and keeps its local port for that "
        f"peer; with {size} ports ({source}) a client that opens and closes connections to one peer "
        f"faster than about {size // 60} per second runs out and connect() fails with EADDRNOTAVAIL.",
        "Reuse connections (keep-alive, pooling); let the server close first; widen "
        "net.ipv4.ip_local_port_range; net.ipv4.tcp_tw_reuse=1 lets new outgoing connections reuse them.",
    )


def orphans(listing: Listing) -> Finding | None:
    closing = (TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.LAST_ACK, TcpState.CLOSING)
    rows = [r for r in _tcp(listing, *closing) if r.inode == 0 and (r.tx_queue or r.rx_queue)]
    if not rows:
        return None
    evidence = [(*listing.endpoints(r), TcpState(r.st).name, str(r.tx_queue), str(r.rx_queue), str(r.retrnsmt or 0)) for r in rows]
    fin = listing.facts.fin_timeout
    return _finding(
        "orphans",
        "warning",
        f"{_plural(len(rows), 'closed connection')} still holding data (orphaned: no process)",
        ("local", "peer", "state", "Send-Q", "Recv-Q", "retransmits"),
        evidence,
        "The program closed these sockets (inode 0) but the kernel still owns them and keeps trying to "
        "deliver Send-Q to a peer that does not take it (zero window, or gone). They use memory "
        "counted against net.ipv4.tcp_max_orphans until net.ipv4.tcp_orphan_retries runs out"
        + (f" (tcp_fin_timeout here: {fin} s)." if fin is not None else "."),
        "Look at the peers: are they alive and reading? /proc/net/sockstat counts orphans; -o shows the "
        "timer and retransmits of each row.",
    )


def syn_sent(listing: Listing) -> Finding | None:
    rows = _tcp(listing, TcpState.SYN_SENT)
    if not rows:
        return None
    groups: dict[str, list[InetSocket]] = collections.defaultdict(list)
    for r in rows:
        groups[listing.endpoints(r)[1]].append(r)
    evidence = [(peer, str(len(g)), str(max(r.retrnsmt or 0 for r in g)), ", ".join(sorted({listing.owner(r.inode) for r in g}))) for peer, g in sorted(groups.items(), key=lambda kv: -len(kv[1]))]
    return _finding(
        "syn-sent",
        "note",
        f"{_plural(len(rows), 'connection attempt')} waiting for an answer (SYN_SENT)",
        ("peer", "attempts", "SYN retransmits", "program"),
        evidence,
        "connect() sent a SYN and no SYN-ACK has come back. A refusing peer answers at once with a "
        "reset, so a SYN_SENT that lasts means the peer is down, a firewall drops the packets, or "
        "there is no route; each retransmit doubles the wait.",
        "Try the peer's address and port from this host (and from another); check firewalls and "
        "routes; -o shows how long the current retry has left.",
    )


def big_queues(listing: Listing) -> Finding | None:
    rows = [r for r in _tcp(listing, TcpState.ESTABLISHED) if r.rx_queue >= BIG_QUEUE or r.tx_queue >= BIG_QUEUE]
    if not rows:
        return None
    evidence = []
    for r in rows:
        which = "Recv-Q: the program is not reading" if r.rx_queue >= BIG_QUEUE else "Send-Q: the peer is not taking data"
        evidence.append((*listing.endpoints(r), str(r.rx_queue), str(r.tx_queue), which, listing.owner(r.inode)))
    return _finding(
        "big-queues",
        "warning",
        f"{_plural(len(rows), 'established connection')} with {BIG_QUEUE // 1024} KiB or more queued",
        ("local", "peer", "Recv-Q", "Send-Q", "where it is stuck", "program"),
        evidence,
        "A large Recv-Q is data that arrived and that the program has not read: it is busy, blocked "
        "or stuck. A large Send-Q is data the peer has not acknowledged: the peer reads slowly (its "
        "window is closed) or the network is losing packets.",
        "For Recv-Q, see what the program is doing (a stack dump, strace -p). For Send-Q, -o shows a "
        "probe timer when the peer's window is zero, and retransmits when packets are lost.",
    )


def udp_receive(listing: Listing) -> Finding | None:
    rows = [r for r in listing.inet if Table(r.table).proto in ("udp", "udplite") and (r.rx_queue > 0 or (r.drops or 0) > 0)]
    if not rows:
        return None
    dropped = [r for r in rows if (r.drops or 0) > 0]
    counters = listing.facts.counters
    seen = ""
    if "Udp:RcvbufErrors" in counters:
        seen = f" Since boot the kernel counted {counters['Udp:RcvbufErrors']} UDP receive-buffer errors (net/snmp)."
    evidence = [(listing.endpoints(r)[0], str(r.rx_queue), str(r.drops) if r.drops is not None else "?", listing.owner(r.inode)) for r in rows]
    return _finding(
        "udp-receive",
        "warning" if dropped else "note",
        (f"{_plural(len(dropped), 'UDP socket')} dropped datagrams" if dropped else f"{_plural(len(rows), 'UDP socket')} with unread datagrams"),
        ("local", "Recv-Q (bytes of buffer)", "drops", "program"),
        evidence,
        "UDP Recv-Q is the memory taken by datagrams not yet read (payload plus overhead). When it "
        "reaches the socket's receive buffer (SO_RCVBUF, net.core.rmem_default/rmem_max) new "
        "datagrams are dropped and counted in the drops field." + seen,
        "Make the program read faster or give it a bigger SO_RCVBUF (raise net.core.rmem_max first); "
        "nstat -az UdpRcvbufErrors shows drops across the host.",
    )


def unix_waiting(listing: Listing) -> Finding | None:
    rows = [r for r in listing.unix if r.st == UnixState.CONNECTING]
    if not rows:
        return None
    listeners = {r.path: r for r in listing.unix if r.listening and r.path is not None}
    groups: collections.Counter[str] = collections.Counter(r.path or "(unnamed)" for r in rows)
    evidence = []
    for path, n in groups.most_common():
        listener = listeners.get(path)
        evidence.append((path, str(n), listing.owner(listener.inode) if listener else "(listener not shown)"))
    return _finding(
        "unix-waiting",
        "note",
        f"{_plural(len(rows), 'unix connection')} waiting to be accepted",
        ("listener path", "waiting", "listener program"),
        evidence,
        "A CONNECTING row is the server side of a connection that the listening program has not "
        "accept()ed yet (inode 0, no owner). A few are normal under load; many, or old ones, mean "
        "the server is not accepting and its clients are blocked in connect() or will be.",
        "Check the listening program; ss -xl shows the listener's backlog limit (Send-Q) and current queue.",
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


def no_owner(listing: Listing) -> Finding | None:
    if listing.owners is None:
        return None
    owners = listing.owners
    no_socket: collections.Counter[str] = collections.Counter()
    unfound = 0
    for r in listing.inet:
        if r.inode == 0:
            no_socket[r.state.name if Table(r.table).tcp and r.state is not None else str(r.table)] += 1
        elif r.inode is not None and owners.first(r.inode) is None:
            unfound += 1
    for u in listing.unix:
        if u.inode == 0:
            no_socket[f"unix {UnixState.CONNECTING.name}" if u.st == UnixState.CONNECTING else f"unix St {u.st:02X}"] += 1
        elif u.inode is not None and owners.first(u.inode) is None:
            unfound += 1
    if not no_socket and not unfound:
        return None
    evidence: list[tuple[str, str, str]] = [
        (state, str(n), "inode 0: " + _NO_SOCKET.get(state, "no process can own it")) for state, n in no_socket.most_common()
    ]
    if unfound:
        if owners.denied or owners.failed:
            why = "some processes' fds could not be read: run as root"
        elif listing.snapshot:
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


def forged_paths(listing: Listing) -> Finding | None:
    rows = [r for r in listing.unix if r.path is not None and "\n" in r.path]
    if not rows:
        return None
    return _finding(
        "newline-path",
        "warning",
        f"{_plural(len(rows), 'unix socket name')} containing a newline: a possible forged row",
        ("inode", "path"),
        [(str(r.inode), r.path or "") for r in rows],
        "The kernel prints socket names raw, so a name with a newline in it continues on the next line "
        "of /proc/net/unix, and the rest can be made to look like a complete socket row. netstat would "
        "show that text as a real socket; netread joined the record back and shows the name escaped.",
        "Find who bound the name (with -p, the program shown) and why; treat rows near it with care.",
    )


def suspect_rows(listing: Listing) -> Finding | None:
    """Records that may be the end of the previous record's name (parse/unix.py marks them)."""
    rows = [r for r in listing.unix if r.suspect is not None]
    if not rows:
        return None
    forged = sum(r.suspect == "forged" for r in rows)
    unheld = [r for r in rows if listing.owners is not None and listing.owners.first(r.inode) is None]
    title = f"{_plural(len(rows), 'unix row')} that may be part of the previous socket's name, not a socket"
    if forged:
        title += f" ({forged} shown forged by the table itself)"
    return _finding(
        "suspect-unix-row",
        "warning" if forged or unheld else "note",
        title,
        ("inode", "marked", "program", "path"),
        [(str(r.inode), r.suspect or "", listing.owner(r.inode), r.path or "") for r in rows],
        "The kernel prints socket names raw: a name may hold a newline followed by text that reads as a "
        "whole /proc/net/unix record, and any user can bind such an abstract name. These records come "
        "right after a name short enough (at most 108 bytes in all) to have held them, so the table "
        "alone cannot tell them from real sockets; netstat shows them as sockets. \"forged\" ones "
        "contradict the table (an inode another record has, or a Num unlike every other "
        "record's); with -p, a record no process holds is likelier forged.",
        "With -p, look at the program of the socket just above each one (the name's owner) and whether "
        "any process holds the marked inode; `ss -xa` reads names over netlink, where they cannot run over.",
    )


def container_listeners(listing: Listing) -> Finding | None:
    """Servers on every address of a container's network namespace (--netns)."""
    labels = [label for label in listing.facts.netns_labels if label != "host"]
    if not labels or "host" in listing.facts.netns_labels:
        return None
    rows = [r for r in listing.inet if r.local.address.is_unspecified and (r.state is TcpState.LISTEN or not Table(r.table).tcp)]
    if not rows:
        return None
    where = " ".join(labels)
    return _finding(
        "container-listener",
        "note",
        f"{_plural(len(rows), 'socket')} on every address of {where}'s network namespace: reachable only through it",
        ("proto", "local address", "program"),
        [(str(r.table), listing.endpoints(r)[0], listing.owner(r.inode)) for r in rows],
        "0.0.0.0 and [::] here are the addresses of this namespace's own interfaces (its veth, a pod "
        "IP), not the host's: a client on the host's network reaches such a port only through a "
        "published port, a service or the container network, and 'netstat' on the host shows none of them.",
        "Look for the port's publication (docker port, the Service or hostPort) when it should be "
        "reachable from outside; run netread --netns all -tlnp to see each namespace's listeners.",
    )


RULES: tuple[Callable[[Listing], Finding | None], ...] = (
    close_wait,
    accept_queue,
    time_wait,
    orphans,
    syn_sent,
    big_queues,
    udp_receive,
    unix_waiting,
    no_owner,
    forged_paths,
    suspect_rows,
    container_listeners,
)


def find_all(listing: Listing, rules: Iterable[Callable[[Listing], Finding | None]] = RULES) -> list[Finding]:
    """Every finding for ``listing``, warnings first, in rule order."""
    found = [f for f in (rule(listing) for rule in rules) if f is not None]
    return sorted(found, key=lambda f: f.severity != "warning")
