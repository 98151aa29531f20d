"""The Python API: sockets as typed records, from the live /proc or a snapshot.

    >>> import netread
    >>> conns = netread.connections("tcp", proc="sample_proc")
    >>> listeners = [c for c in conns if c.state == "LISTEN"]
    >>> (listeners[0].local_address, listeners[0].local_port, listeners[0].program is not None)
    ('127.0.0.1', 8081, True)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import NamedTuple

from netread.render import netstat_fast as fast
from netread.parse.inet import decode_address
from netread.model import INET_TABLES
from netread.model import InetSocket
from netread.model import IPAddress
from netread.proc.processes import scan_in_background
from netread.proc.source import ProcSource

_AF_INET, _AF_INET6 = 2, 10  # socket.AF_INET, AF_INET6 on Linux, without importing socket

#: psutil's kind names -> the tables they read.
KINDS: dict[str, tuple[str, ...]] = {
    "tcp": ("tcp", "tcp6"),
    "tcp4": ("tcp",),
    "tcp6": ("tcp6",),
    "udp": ("udp", "udp6"),
    "udp4": ("udp",),
    "udp6": ("udp6",),
    "inet": ("tcp", "tcp6", "udp", "udp6"),
    "inet4": ("tcp", "udp"),
    "inet6": ("tcp6", "udp6"),
    "all": INET_TABLES,
}
_TCP_NAMES = ("UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
              "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")


class Connection(NamedTuple):
    """One inet socket: addresses as text (IPv4-mapped kept as they are), ports as integers.

    ``state`` is the kernel's name (``CLOSE`` for an unconnected UDP socket);
    ``recv_q``/``send_q`` are rx_queue/tx_queue; ``pid``/``program`` are None
    when no process could be found (or ``owners=False``).
    """

    proto: str
    family: int
    local_address: str
    local_port: int
    remote_address: str
    remote_port: int
    state: str
    recv_q: int
    send_q: int
    uid: int | None
    inode: int | None
    pid: int | None
    program: str | None


def _address_text(address: IPAddress) -> tuple[int, str]:
    """(family, text): inet_ntop's text, so ``::ffff:127.0.0.1`` stays as the kernel's address."""
    if address.version == 4:
        return _AF_INET, str(address)
    import socket

    return _AF_INET6, socket.inet_ntop(socket.AF_INET6, address.packed)


def _state(table: str, st: int) -> str:
    if table.startswith("tcp"):
        return _TCP_NAMES[st] if 0 < st < len(_TCP_NAMES) else "UNKNOWN"
    return "ESTABLISHED" if st == 1 else "CLOSE" if st == 7 else "UNKNOWN"


def connections(kind: str = "inet", *, proc: str | Path | None = None, owners: bool = True) -> list[Connection]:
    """Every socket of ``kind`` (psutil's names: tcp, tcp4, tcp6, udp..., inet; or all), in table order.

    ``proc`` is a snapshot (directory, tarball or sosreport) instead of the live
    /proc; ``owners`` adds pid and program from the ``<pid>/fd`` links (the
    scan runs while the tables are read).  Malformed lines are left out; the
    CLI reports them.
    """
    from netread.cli.listing import Report
    from netread.cli.listing import table_pieces

    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    source = ProcSource.live() if proc is None else ProcSource.snapshot(proc)
    waiting = scan_in_background(source.root, source.confined) if owners else None
    report = Report(io.StringIO())
    pieces = []
    try:
        for table in KINDS[kind]:
            chunks = source.net_chunks(table)
            if chunks is not None:
                pieces += [(table, piece) for piece in table_pieces(table, chunks, source, report, True)]
    except BaseException:
        if waiting is not None:
            waiting()  # reap the scanning child before the error goes up
        raise
    rows = _fields(pieces, source.byteorder)  # while the fd scan runs
    if waiting is None:
        return [Connection._make(row + _NO_OWNER) for row in rows]
    labels = waiting().by_inode
    owners: dict[bytes, tuple[int, str]] = {}
    out = []
    append = out.append
    make = Connection._make
    for row in rows:
        label = labels.get(row[10])  # type: ignore[arg-type]
        if label is None:
            append(make(row + _NO_OWNER))
            continue
        owner = owners.get(label)
        if owner is None:
            pid, _, name = label.decode("utf-8", "surrogateescape").partition("/")
            owner = owners[label] = (int(pid), name)
        append(make(row + owner))
    return out


_NO_OWNER = (None, None)
Fields = tuple  # the first 11 fields of a Connection


def _fields(pieces: list[tuple[str, tuple[str, list]]], byteorder: str) -> list[Fields]:  # type: ignore[type-arg]
    """Every row as the first 11 fields of a :class:`Connection` (the owner comes later)."""
    addresses: dict[str, tuple[int, str]] = {}
    ports: dict[str, int] = {}
    queues: dict[str, int] = {}
    out: list[Fields] = []
    append = out.append

    def address(token: str) -> tuple[int, str]:
        found = addresses[token] = _address_text(decode_address(token, byteorder))  # type: ignore[arg-type]
        return found

    for table, (kind, rows) in pieces:
        states = {f"{st:02X}": _state(table, st) for st in range(256)}
        if kind == "fast":
            for local, remote, st, tx, rx, _tr, _when, _retr, uid, _timeout, inode in rows:
                la, _, lp = local.partition(":")
                ra, _, rp = remote.partition(":")
                family, local_text = addresses.get(la) or address(la)
                remote_text = (addresses.get(ra) or address(ra))[1]
                lport = ports.get(lp)
                if lport is None:
                    lport = ports[lp] = int(lp, 16)
                rport = ports.get(rp)
                if rport is None:
                    rport = ports[rp] = int(rp, 16)
                recv = queues.get(rx)
                if recv is None:
                    recv = queues[rx] = int(rx, 16)
                send = queues.get(tx)
                if send is None:
                    send = queues[tx] = int(tx, 16)
                append((table, family, local_text, lport, remote_text, rport, states[st], recv, send, int(uid), int(inode)))
        else:
            for row in rows:
                if isinstance(row, InetSocket):
                    family, local_text = _address_text(row.local.address)
                    append((table, family, local_text, row.local.port, _address_text(row.remote.address)[1],
                            row.remote.port, _state(table, row.st), row.rx_queue, row.tx_queue, row.uid, row.inode))
    return out
