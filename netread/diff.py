"""What changed between two listings: sockets opened, closed and changed, and the counts behind them.

Pure: two lists of :class:`Seen` sockets in (made from each side's :class:`Sockets` by
:func:`seen`), :class:`Change` records out, in a fixed order.  A socket is known by its
:class:`Key`: its namespace, table, both endpoints and inode, so that

- the same address and port in two namespaces are two sockets;
- rows the kernel prints with inode 0 (TIME_WAIT, SYN_RECV request socks) are known by their
  endpoints alone: the same four-tuple on both sides is the same row;
- an inode the kernel handed out again, to a socket with other endpoints, is one socket closed
  and another opened, not a change;
- rows that share all of that on one side (the unix table's unnamed sockets of the old layout
  without inodes) are told apart by their order (``Key.nth``).

What a change compares (:func:`facts`): the state, both queues, the uid and the owning program;
never the timers, which move on every read.  :func:`apply` replays changes on the first side,
so that ``apply(diff_sockets(a, b), a) == facts_by_key(b)`` (the property the tests hold).
"""

from __future__ import annotations

import socket

from netread.model import UNKNOWN
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import UnixSocket
from netread.model import UnixState
from netread.model import state_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from typing import NamedTuple

    from netread.model import Sockets
else:
    from netread._namedtuple import NamedTuple

#: The kinds of :class:`Change`, in the order a summary counts them.
OPENED = "opened"
CLOSED = "closed"
CHANGED = "changed"
KINDS = (OPENED, CLOSED, CHANGED)

#: The counters a diff reports the growth of (``net/snmp`` and ``net/netstat`` names), and what
#: each concerns: ``listen`` the listeners, ``tcp`` the tcp connections, ``udp`` the udp sockets.
COUNTERS: tuple[tuple[str, str], ...] = (
    ("TcpExt:ListenOverflows", "listen"),
    ("TcpExt:ListenDrops", "listen"),
    ("Tcp:ActiveOpens", "tcp"),
    ("Tcp:PassiveOpens", "tcp"),
    ("Tcp:AttemptFails", "tcp"),
    ("Tcp:EstabResets", "tcp"),
    ("Tcp:RetransSegs", "tcp"),
    ("TcpExt:TCPTimeouts", "tcp"),
    ("TcpExt:TCPAbortOnData", "tcp"),
    ("TcpExt:TCPAbortOnTimeout", "tcp"),
    ("Udp:RcvbufErrors", "udp"),
    ("Udp:SndbufErrors", "udp"),
    ("Udp:InErrors", "udp"),
    ("Udp:NoPorts", "udp"),
)


class Key(NamedTuple):
    """What makes a socket the same socket on both sides of a diff."""

    netns: str | None
    table: str
    #: ``address:port`` (the address in its usual text form) for inet; the path (``""``: none) for unix.
    local: str
    remote: str
    #: 0 when the kernel gives none (inode-0 rows, unix tables without the column).
    inode: int
    #: How many earlier rows of the same side share all of the above.
    nth: int = 0


class Seen(NamedTuple):
    """One socket of one side: its record, its namespace and the program holding it."""

    sock: InetSocket | UnixSocket
    netns: str | None = None
    #: netstat's ``PID/Program name`` (None: not asked for, or nobody holds it).
    program: str | None = None


class Change(NamedTuple):
    """One socket opened (``after`` only), closed (``before`` only) or changed (both)."""

    kind: str
    key: Key
    before: Seen | None
    after: Seen | None
    #: For a change, the names of :func:`facts` that differ (in that order); () otherwise.
    fields: tuple[str, ...] = ()


class Growth(NamedTuple):
    """A program's count of sockets in one state, on both sides, when it grew (the leak finder)."""

    program: str
    state: str
    before: int
    after: int


class Delta(NamedTuple):
    """A counter of ``net/snmp``/``net/netstat`` that grew, and what it concerns (:data:`COUNTERS`)."""

    name: str
    concerns: str
    before: int
    after: int


def seen(sockets: Sockets) -> list[Seen]:
    """Every row of ``sockets`` as :class:`Seen`, in listing order, with its namespace and owner."""
    owners = sockets.owners
    netns = sockets.netns
    out: list[Seen] = []
    for sock in sockets.rows():
        program = None
        if owners is not None and sock.inode:
            holders = owners.of(sock.inode)
            if holders:
                program = f"{holders[0].pid}/{holders[0].program}"
        out.append(Seen(sock, netns, program))
    return out


def key_of(item: Seen) -> Key:
    """``item``'s :class:`Key` (``nth`` 0; :func:`keyed` numbers the repeats)."""
    return _key(item)


def _key(item: Seen) -> Key:
    # tuple.__new__ straight: a namedtuple's own __new__ is one more Python call per socket,
    # and keyed() makes one Key for every socket of both sides (10^4 on a busy host, each cycle of watch).
    sock = item.sock
    if isinstance(sock, UnixSocket):
        return _new(Key, (item.netns, "unix", sock.path or "", "", sock.inode or 0, 0))
    return _new(Key, (item.netns, sock.table.value, _endpoint_text(sock.local), _endpoint_text(sock.remote), sock.inode or 0, 0))


_new = tuple.__new__


def _endpoint_text(endpoint: Endpoint) -> str:
    """``address:port``, the address as records print it (:func:`netread.model.address_text`;
    ``inet_ntop`` straight, a tenth of ``str()``'s cost on an address).

    >>> import ipaddress
    >>> _endpoint_text(Endpoint(ipaddress.IPv6Address("::ffff:7f00:1"), 80)), _endpoint_text(Endpoint(ipaddress.IPv4Address("10.0.0.1"), 0))
    ('::ffff:127.0.0.1:80', '10.0.0.1:0')
    """
    packed = endpoint.address.packed
    if len(packed) == 4:
        return f"{socket.inet_ntoa(packed)}:{endpoint.port}"
    return f"{socket.inet_ntop(socket.AF_INET6, packed)}:{endpoint.port}"


def keyed(items: Iterable[Seen]) -> dict[Key, Seen]:
    """``items`` by :class:`Key`, in their order; a repeated key gets the next ``nth``."""
    out: dict[Key, Seen] = {}
    for item in items:
        key = _key(item)
        if key in out:
            while key in out:
                key = key._replace(nth=key.nth + 1)
        out[key] = item
    return out


def state_text(sock: InetSocket | UnixSocket) -> str:
    """The state as a word: the kernel's name for inet rows, ``LISTENING`` or the socket_state
    name for unix (``UNKNOWN`` for a number neither knows)."""
    if isinstance(sock, UnixSocket):
        if sock.listening:
            return "LISTENING"
        try:
            return UnixState(sock.st).name
        except ValueError:
            return UNKNOWN
    return state_name(sock.table, sock.st)


def facts(item: Seen) -> tuple[tuple[str, object], ...]:
    """What a change compares, as (name, value) pairs in a fixed order: ``state``, ``recv_q``,
    ``send_q``, ``uid``, ``program`` for inet rows; ``state``, ``flags``, ``program`` for unix."""
    sock = item.sock
    if isinstance(sock, UnixSocket):
        return (("state", state_text(sock)), ("flags", sock.flags), ("program", item.program))
    return (
        ("state", state_text(sock)),
        ("recv_q", sock.rx_queue),
        ("send_q", sock.tx_queue),
        ("uid", sock.uid),
        ("program", item.program),
    )


def diff_sockets(before: Iterable[Seen], after: Iterable[Seen]) -> list[Change]:
    """The changes from ``before`` to ``after``: the opened and changed sockets in ``after``'s
    order, then the closed ones in ``before``'s.  No change is reported for equal sides."""
    return diff_keyed(keyed(before), keyed(after))


def diff_keyed(old: Mapping[Key, Seen], new: Mapping[Key, Seen]) -> list[Change]:
    """:func:`diff_sockets` of two sides already :func:`keyed`: what a loop that diffs each
    reading against the last calls, keeping the last one's keys (half the work of a cycle)."""
    new = _aligned(old, new)
    changes: list[Change] = []
    for key, item in new.items():
        was = old.get(key)
        if was is None:
            changes.append(Change(OPENED, key, None, item))
            continue
        if was is item or _raw(was) == _raw(item):  # the facts are worked out only for sockets that moved
            continue
        a, b = facts(was), facts(item)
        if a != b:
            changes.append(Change(CHANGED, key, was, item, tuple(name for (name, x), (_, y) in zip(a, b) if x != y)))
    changes.extend(Change(CLOSED, key, item, None) for key, item in old.items() if key not in new)
    return changes


def _aligned(old: Mapping[Key, Seen], new: Mapping[Key, Seen]) -> Mapping[Key, Seen]:
    """``new`` with the repeats of a key (``nth``) numbered to match ``old``'s: a repeat the same
    on both sides keeps its partner whatever its place, so that dropping the first of two
    unnamed unix sockets is one close, not a change of the second and a close.  Keys that do not
    repeat (every socket of a real table but such unix ones) are left as they are, in order."""
    repeated = {k._replace(nth=0) for k in new if k.nth} | {k._replace(nth=0) for k in old if k.nth}
    if not repeated:
        return new
    renamed: dict[int, Key] = {}
    for base in repeated:
        olds = [base._replace(nth=n) for n in range(len(old)) if base._replace(nth=n) in old]
        news = [new[base._replace(nth=n)] for n in range(len(new)) if base._replace(nth=n) in new]
        used: set[Key] = set()
        rest: list[Seen] = []
        for item in news:
            match = next((k for k in olds if k not in used and _raw(old[k]) == _raw(item)), None)
            if match is None:
                rest.append(item)
            else:
                used.add(match)
                renamed[id(item)] = match
        free = [k for k in olds if k not in used]
        fresh = len(olds)
        for item in rest:
            if free:
                renamed[id(item)] = free.pop(0)
            else:
                renamed[id(item)] = base._replace(nth=fresh)
                fresh += 1
    return {renamed.get(id(item), key): item for key, item in new.items()}


def _canonical(state: dict[Key, tuple[tuple[str, object], ...]]) -> dict[Key, tuple[tuple[str, object], ...]]:
    """``state`` with each repeated key's sockets numbered by their facts: two states hold the same
    sockets exactly when their canonical forms are equal, however the repeats were paired."""
    repeated = {k._replace(nth=0) for k in state if k.nth}
    if not repeated:
        return state
    out = {k: v for k, v in state.items() if k._replace(nth=0) not in repeated}
    for base in repeated:
        group = sorted((v for k, v in state.items() if k._replace(nth=0) == base), key=repr)
        out.update((base._replace(nth=n), v) for n, v in enumerate(group))
    return out


def _raw(item: Seen) -> tuple[object, ...]:
    """What :func:`facts` is made from, unworked: equal for two sockets of one key exactly when
    their facts are (the key holds the table, which with ``st`` gives the state's name)."""
    sock = item.sock
    if isinstance(sock, UnixSocket):
        return (sock.st, sock.flags, item.program)
    return (sock.st, sock.rx_queue, sock.tx_queue, sock.uid, item.program)


def facts_by_key(items: Iterable[Seen]) -> dict[Key, tuple[tuple[str, object], ...]]:
    """Each socket's :func:`facts`, by :class:`Key`: what :func:`apply` rebuilds."""
    return _canonical({key: facts(item) for key, item in keyed(items).items()})


def apply(changes: Iterable[Change], before: Iterable[Seen]) -> dict[Key, tuple[tuple[str, object], ...]]:
    """``before`` with ``changes`` made: closed sockets removed, opened ones added, changed ones
    replaced (as :func:`facts_by_key` of the second side, when the changes are its diff)."""
    state = {key: facts(item) for key, item in keyed(before).items()}
    for change in changes:
        if change.kind == CLOSED:
            state.pop(change.key, None)
        elif change.after is not None:
            state[change.key] = facts(change.after)
    return _canonical(state)


def counts(changes: Iterable[Change]) -> dict[str, int]:
    """How many changes of each kind (every kind present, 0 when none)."""
    out = dict.fromkeys(KINDS, 0)
    for change in changes:
        out[change.kind] += 1
    return out


def _program_name(program: str | None) -> str | None:
    """``"1234/nginx"`` -> ``"nginx"``: the leak finder counts a program across restarts."""
    return None if program is None else program.partition("/")[2] or program


def program_states(items: Iterable[Seen]) -> dict[tuple[str, str], int]:
    """How many sockets each program (by name) holds in each state; sockets of no known owner are left out."""
    out: dict[tuple[str, str], int] = {}
    for item in items:
        name = _program_name(item.program)
        if name is not None:
            pair = (name, state_text(item.sock))
            out[pair] = out.get(pair, 0) + 1
    return out


def program_growth(before: Iterable[Seen], after: Iterable[Seen]) -> list[Growth]:
    """Each program's state counts that grew, the largest growth first (then by name and state)."""
    a, b = program_states(before), program_states(after)
    grown = [Growth(name, state, a.get((name, state), 0), n) for (name, state), n in b.items() if n > a.get((name, state), 0)]
    return sorted(grown, key=lambda g: (g.before - g.after, g.program, g.state))


def counter_deltas(before: Mapping[str, int], after: Mapping[str, int]) -> list[Delta]:
    """The :data:`COUNTERS` that grew from ``before`` to ``after`` (both sides must have them), in
    that order.  A counter that went down (a reboot, or another host) is not growth and is left out."""
    out: list[Delta] = []
    for name, concerns in COUNTERS:
        old, new = before.get(name), after.get(name)
        if old is not None and new is not None and new > old:
            out.append(Delta(name, concerns, old, new))
    return out


def queue_growth(change: Change) -> tuple[str, int, int] | None:
    """For a changed inet socket whose receive or send queue grew: (which, before, after), the
    receive queue first; None otherwise."""
    if change.kind != CHANGED or change.before is None or change.after is None:
        return None
    a, b = change.before.sock, change.after.sock
    if isinstance(a, UnixSocket) or isinstance(b, UnixSocket):
        return None
    if b.rx_queue > a.rx_queue:
        return ("recv_q", a.rx_queue, b.rx_queue)
    if b.tx_queue > a.tx_queue:
        return ("send_q", a.tx_queue, b.tx_queue)
    return None
