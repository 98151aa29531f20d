"""The Python API: sockets as typed records, from the live /proc or a snapshot.

``connections()`` is read_sockets' walk and decoders plus a mapping (the columns of a piece in
the kernel's format mapped straight to the fields, for speed), so it
says what ``--format json`` says about the same sockets.

    >>> import netread
    >>> conns = netread.connections("tcp", proc="sample_proc")
    >>> listeners = [c for c in conns if c.state == "LISTEN"]
    >>> (listeners[0].local_address, listeners[0].local_port, listeners[0].program, listeners[0].pids)
    ('127.0.0.1', 8082, 'demo-web', (9089,))
"""

from __future__ import annotations

import itertools

from netread.errors import SourceError
from netread.model import InetSocket
from netread.model import Owners
from netread.model import Table
from netread.model import UnixSocket
from netread.model import address_text
from netread.model import address_texts
from netread.model import state_name
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.select import Family
from netread.sockets import paused_gc

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import NamedTuple

    from netread.model import Message
    from netread.parse.inet_columns import Columns
    from netread.sockets import Walk
else:
    from netread._namedtuple import NamedTuple

_AF_UNIX, _AF_INET, _AF_INET6 = 1, 2, 10  # socket.AF_* on Linux, without importing socket

_T = Table
#: psutil's kind names -> the tables they read; "all" is psutil's (tcp, udp, unix) plus udplite and raw.
KINDS: dict[str, tuple[Table, ...]] = {
    "tcp": (_T.TCP, _T.TCP6),
    "tcp4": (_T.TCP,),
    "tcp6": (_T.TCP6,),
    "udp": (_T.UDP, _T.UDP6),
    "udp4": (_T.UDP,),
    "udp6": (_T.UDP6,),
    "inet": (_T.TCP, _T.TCP6, _T.UDP, _T.UDP6),
    "inet4": (_T.TCP, _T.UDP),
    "inet6": (_T.TCP6, _T.UDP6),
    "unix": (_T.UNIX,),
    "all": tuple(Table),
}


class Connection(NamedTuple):
    """One socket: addresses as text (IPv4-mapped kept as they are), ports as integers.

    ``state`` is the kernel's name (``CLOSE`` for an unconnected UDP socket,
    ``LISTENING``/``CONNECTED``... for unix); ``recv_q``/``send_q`` are
    rx_queue/tx_queue; ``pid``/``program`` are the first process holding the
    socket (the one netstat shows; ``program`` is argv[0] whole, as in the JSON)
    and ``pids`` every holder; they are None/() when no process was found (or
    ``owners=False``).  ``suspect`` is None, or for a unix record that may be the end of the
    previous socket's name ``"ambiguous"`` or ``"forged"``, as in the JSON (README "What netread
    does with bad input").  For a unix socket ``local_address`` is its path ("" when
    it has none) and the ports, queues, uid and remote address are None/"".
    Text is decoded as ``os.fsdecode`` decodes (undecodable bytes as surrogates).
    """

    proto: str
    family: int
    local_address: str
    local_port: int | None
    remote_address: str
    remote_port: int | None
    state: str
    recv_q: int | None
    send_q: int | None
    uid: int | None
    inode: int | None
    pid: int | None
    program: str | None
    pids: tuple[int, ...] = ()
    suspect: str | None = None
    #: With ``netns``: the inode of the network namespace whose table lists the socket
    #: (``net:[INODE]``); None otherwise, or for another user's namespace that could not be named.
    netns: int | None = None


def connections(
    kind: str = "inet", *, proc: str | os.PathLike[str] | None = None, owners: bool = True, netns: str | None = None
) -> list[Connection]:
    """Every socket of ``kind`` (psutil's names: tcp, tcp4, tcp6, udp..., inet, unix, all), in table order.

    ``proc`` is a snapshot (directory, tarball or sosreport) instead of the live
    /proc; ``owners`` adds pid, program and pids from the ``<pid>/fd`` links
    (the scan runs while the tables are read).  ``netns`` is "all" (every
    network namespace the reader reaches, the reader's own first) or one
    (a pid, a name under /run/netns, an nsfs path), each Connection's
    ``netns`` its namespace; owners are joined over every process.  Absent tables are skipped and
    malformed lines left out; the CLI reports them.
    """
    source, families = _opened(kind, proc)
    if netns is not None:
        return _in_namespaces(source, families, owners, netns)
    # The owner scan is started here rather than by read_sockets, so that the rows are mapped
    # while it runs; only the join waits for it.
    waiting = source.scan_owners() if owners else None
    try:
        with paused_gc():
            fields, unix = _read(source, families)
    finally:
        found = waiting() if waiting is not None else None  # the child is reaped on errors too
    with paused_gc():
        out = _join(fields, found)
    return out + [_unix(s, found) for s in unix or ()]


def iter_connections(kind: str = "inet", *, proc: str | os.PathLike[str] | None = None, owners: bool = True) -> Iterator[Connection]:
    """:func:`connections`, one piece of a table at a time: the same Connections in the same
    order, with memory that does not grow with the table (a piece's rows, the owner map).

    With ``owners`` the ``<pid>/fd`` scan comes first (as ``netstat -p`` waits for it), then the
    rows stream.  The tables are opened when iteration starts, and the walk is closed when the
    iterator is exhausted or dropped.
    """
    source, families = _opened(kind, proc)
    found = source.scan_owners()() if owners else None
    from netread.sockets import Walk
    from netread.sockets import unix_rows

    messages: list[Message] = []
    walk = Walk(source, families, messages)
    for fields in _inet_field_pieces(source, walk, messages):
        yield from _join(fields, found)
    if walk.lists_unix:
        lines = walk.unix()
        if lines is not None:
            for sock in unix_rows(source, lines, messages, None):
                yield _unix(sock, found)


def _opened(kind: str, proc: str | os.PathLike[str] | None) -> tuple[ProcSource, list[Family]]:
    """The source ``proc`` names (None: the live /proc) and the families of psutil's ``kind``."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    source = ProcSource.live() if proc is None else ProcSource.snapshot(proc)
    return source, [Family(str(table), (table,), False, False) for table in KINDS[kind]]


def _inet_field_pieces(source: ProcSource, walk: Walk, messages: list[Message]) -> Iterator[list[tuple[object, ...]]]:
    """The first eleven fields of each inet row's Connection, a piece of a table at a time.

    ``read_sockets``' walk and decoders, with one short cut: a piece in the kernel's format
    goes from its columns (netread/parse/inet_columns.py) straight to the fields, without a
    record per row (five times faster; tests/unit/test_api.py holds the two equal).
    """
    from netread.parse.inet_columns import kernel_columns
    from netread.sockets import inet_pieces

    for table, chunks in walk.inet():

        def fast(piece: bytes, _lineno: int, table: Table = table) -> list[tuple[object, ...]] | None:
            cols = kernel_columns(piece, table, source.byteorder, detail=True)
            return None if cols is None else _column_fields(cols, table)

        for piece in inet_pieces(source, table, chunks, messages, fast):
            yield piece if not piece or not isinstance(piece[0], InetSocket) else _inet_fields(piece)  # type: ignore[arg-type,misc]


def _in_namespaces(source: ProcSource, families: list[Family], owners: bool, which: str) -> list[Connection]:
    """connections() of each namespace ``which`` names, the owners scanned once for all."""
    from netread.proc import namespaces

    found = namespaces.discover(source.root) if source.root == LIVE_ROOT else namespaces.in_snapshot(source)
    chosen = namespaces.choose(found.namespaces, which, source)
    tables = [str(table) for family in families for table in family.tables]
    waiting = source.scan_owners() if owners else None
    read: list[tuple[int | None, list[tuple[object, ...]], list[UnixSocket] | None]] = []
    try:
        for ns in chosen:
            try:
                section = namespaces.section_source(source, ns, tables)
            except SourceError:
                continue  # gone, or not enterable: the CLI says so; the API lists what it can read
            try:
                with paused_gc():
                    read.append((ns.inode, *_read(section, families)))
            finally:
                section.close()
    finally:
        held = waiting() if waiting is not None else None
    out: list[Connection] = []
    with paused_gc():
        for inode, fields, unix in read:
            out += _join(fields, held, inode) + [_unix(s, held, inode) for s in unix or ()]
    return out


def _read(source: ProcSource, families: list[Family]) -> tuple[list[tuple[object, ...]], list[UnixSocket] | None]:
    """The first eleven fields of every inet row's Connection (:func:`_inet_field_pieces`), and the unix records."""
    from netread.sockets import Walk
    from netread.sockets import decode_unix_rows

    messages: list[Message] = []
    walk = Walk(source, families, messages)
    fields: list[tuple[object, ...]] = []
    for piece in _inet_field_pieces(source, walk, messages):
        fields += piece
    unix = None
    if walk.lists_unix:
        lines = walk.unix()
        unix = [] if lines is None else decode_unix_rows(source, lines, messages, None)
    return fields, unix


def _column_fields(cols: Columns, table: Table) -> list[tuple[object, ...]]:
    """:func:`_inet_fields` of the rows of ``cols``, column by column."""
    n = cols.n
    if not n:
        return []
    addresses = address_texts(cols.addresses, 4 if table.ip_version == 4 else 16)
    states = _state_names(table)
    ports, queues = cols.ports, cols.queues
    return list(zip(
        itertools.repeat(str(table), n), itertools.repeat(_AF_INET if table.ip_version == 4 else _AF_INET6, n),
        addresses[0::2], ports[0::2], addresses[1::2], ports[1::2], map(states.__getitem__, cols.states),
        queues[1::2], queues[0::2], cols.uids, cols.inodes,
    ))  # fmt: skip


_STATE_NAMES: dict[Table, list[str]] = {}


def _state_names(table: Table) -> list[str]:
    """The name of each state number a column holds (0-255), made once per table."""
    names = _STATE_NAMES.get(table)
    if names is None:
        names = _STATE_NAMES[table] = [state_name(table, st) for st in range(256)]
    return names


def _owner(owners: Owners | None, inode: int | None) -> tuple[int | None, str | None, tuple[int, ...]]:
    pids = None if owners is None or inode is None else owners.holders.get(inode)
    if not pids:
        return None, None, ()
    assert owners is not None
    return pids[0], owners.processes[pids[0]].program, pids


def _inet_fields(rows: Iterable[InetSocket]) -> list[tuple[object, ...]]:
    """The first eleven fields of each row's Connection.  Hot (a busy server has 10^5 sockets):
    a table's name and a state's are worked out once per table, an address's text once per address object
    (the decoder shares one object among the rows of a piece), keyed by id() as hashing an
    ipaddress object is slow."""
    texts: dict[int, str] = {}
    out: list[tuple[object, ...]] = []
    append = out.append
    current: str | None = None
    name = ""
    states: dict[int, str] = {}
    for sock in rows:
        table, local, remote = sock.table, sock.local, sock.remote
        if table is not current:  # the rows of a table come together
            current, name, states = table, str(table), {}
        local_text = texts.get(id(local.address))
        if local_text is None:
            local_text = texts[id(local.address)] = address_text(local.address)
        remote_text = texts.get(id(remote.address))
        if remote_text is None:
            remote_text = texts[id(remote.address)] = address_text(remote.address)
        state = states.get(sock.st)
        if state is None:
            state = states[sock.st] = state_name(Table(table), sock.st)
        family = _AF_INET if local.address.version == 4 else _AF_INET6
        append((name, family, local_text, local.port, remote_text, remote.port, state, sock.rx_queue, sock.tx_queue, sock.uid, sock.inode))
    return out


def _join(rows: list[tuple[object, ...]], owners: Owners | None, netns: int | None = None) -> list[Connection]:
    """Each row's Connection, with its owner fields (pid, program, pids), ``suspect`` None, and ``netns``."""
    new = tuple.__new__
    nobody = (None, None, (), None, netns)
    if owners is None:
        return [new(Connection, row + nobody) for row in rows]
    holders, processes = owners.holders, owners.processes
    alone: dict[int, tuple[int, str, tuple[int, ...], None, int | None]] = {}  # pid -> the tail of a socket only it holds
    out: list[Connection] = []
    append = out.append
    for row in rows:
        pids = holders.get(row[10])  # type: ignore[call-overload]
        if pids is None:
            append(new(Connection, row + nobody))
        elif len(pids) == 1:
            owner = alone.get(pids[0]) or alone.setdefault(pids[0], (pids[0], processes[pids[0]].program, pids, None, netns))
            append(new(Connection, row + owner))
        else:
            append(new(Connection, row + (pids[0], processes[pids[0]].program, pids, None, netns)))
    return out


def _unix(sock: UnixSocket, owners: Owners | None, netns: int | None = None) -> Connection:
    pid, program, pids = _owner(owners, sock.inode)
    return Connection(
        "unix", _AF_UNIX, sock.path or "", None, "", None, sock.state_name, None, None, None, sock.inode, pid, program, pids, sock.suspect, netns
    )
