"""``inet_diag`` records (netread/proc/diag.py's dumps) as the rows /proc/net/{tcp,udp,...} lists.

Each record is a netlink header (16 bytes) and a ``struct inet_diag_msg`` (72 bytes,
linux/inet_diag.h), then attributes this module does not read::

    family state timer retrans | sport dport src[16] dst[16] if cookie[8] | expires rqueue wqueue uid inode

The ports and addresses are in network order, the rest in the host's.  :func:`index` cuts out of
each record what stays the same while its socket does (everything but ``timer``, ``retrans`` and
``expires``), so two dumps are compared record by record without decoding them; :func:`decode`
makes one record the :class:`~netread.model.InetSocket` the /proc decoder makes of the same
socket's line, but for the timer fields (``when``, ``retrnsmt`` and ``timeout`` are left 0:
listings that show them read /proc) and udp's ``drops`` (None: a dump without
``INET_DIAG_SKMEMINFO`` does not carry it).

Where the two differ in the kernel, the record is made to say what /proc says:

- a listener's ``wqueue`` is its backlog (``sk_max_ack_backlog``, net/ipv4/tcp_diag.c), where
  /proc/net/tcp prints ``write_seq - snd_una``, which is 0 for a socket that never sent: so 0;
- a request socket (``TCP_SYN_RECV``, no inode) has uid 0 in its record (``inet_req_diag_fill``,
  net/ipv4/inet_diag.c), where /proc prints its listener's (``sock_i_uid(req->rsk_listener)``,
  ``get_openreq4``): the uid of the listener of the same dump it came to (:func:`listener_uid`);
- a TIME_WAIT socket is reported by its substate by both.
"""

from __future__ import annotations

import ipaddress
import struct

from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from typing import Literal

#: The header and ``inet_diag_msg``: the shortest record.
RECORD = 88
AF_INET, AF_INET6 = 2, 10
SYN_RECV, LISTEN = 3, 10

_MSG = struct.Struct("=BBBBHH16s16sI8xIIIII")


def index(data: bytes) -> dict[int, dict[bytes, int]]:
    """The records of ``data`` (whole netlink messages, as a dump returned them) by family (2 or
    10), each family's in the kernel's order: the ``inet_diag_msg`` (what two dumps of the same
    socket share, but for the timers: :func:`stable`) and where the record starts.  A message
    too short to be a record ends the walk (the kernel sends none).

    The records of a dump come in runs of one length (every full socket's record is as long as
    the others; TIME_WAIT and request sockets' are shorter): a run is found by reading the length
    fields at its stride (extended slices, up to :data:`RUN` records at a time) and cut in C.
    """
    v4: dict[bytes, int] = {}
    v6: dict[bytes, int] = {}
    at, size = 0, len(data)
    length_at = _LENGTH.unpack_from
    cut = data.__getitem__
    while at + RECORD <= size:
        (length,) = length_at(data, at)
        if length < RECORD:
            break
        step = (length + 3) & ~3
        n = min(RUN, (size - at - RECORD) // step + 1)  # the records of this length that would fit
        field = data[at : at + 4]
        for i in range(4):  # how many of them have this length: a chain of records, each where the last ends
            if n > 1:
                column = data[at + i : at + i + n * step : step]
                n -= len(column.lstrip(field[i : i + 1]))
        end = at + n * step
        families = data[at + 16 : end : step]
        if families.count(AF_INET) == n:
            v4.update(zip(map(cut, map(slice, range(at + 16, end, step), range(at + 88, end + 88, step))), range(at, end, step)))
        elif families.count(AF_INET6) == n:
            v6.update(zip(map(cut, map(slice, range(at + 16, end, step), range(at + 88, end + 88, step))), range(at, end, step)))
        else:
            for start in range(at, end, step):
                raw = data[start + 16 : start + 88]
                if raw[0] == AF_INET:
                    v4[raw] = start
                elif raw[0] == AF_INET6:
                    v6[raw] = start
        at = end
    return {AF_INET: v4, AF_INET6: v6} if v6 else {AF_INET: v4}


#: The most records :func:`index` checks in one run (the slices it reads stay small).
RUN = 512


def stable(raw: bytes) -> bytes:
    """What of a record (an ``inet_diag_msg`` of :func:`index`) stays while its socket does:
    all but ``timer``, ``retrans`` and ``expires``."""
    return raw[:2] + raw[4:52] + raw[56:]


_LENGTH = struct.Struct("=I")
_UID = struct.Struct("=I")
_ANY4, _ANY6, _MAPPED = bytes(4), bytes(16), bytes(10) + b"\xff\xff"
#: Where a socket listens: its family, local port (in network order) and local address.
Place = tuple[int, bytes, bytes]


def place(raw: bytes) -> Place:
    """Where the socket of a record (an ``inet_diag_msg`` of :func:`index`) is bound."""
    return raw[0], raw[4:6], raw[8:12] if raw[0] == AF_INET else raw[8:24]


def is_request(raw: bytes) -> bool:
    """Whether a record is a request socket's (``SYN_RECV`` with uid and inode 0: the record
    of a connection the kernel has not yet made a socket of)."""
    return raw[1] == SYN_RECV and raw[64:72] == bytes(8)


def listeners(raws: Iterable[bytes]) -> dict[Place, int]:
    """The uid of each listener among ``raws`` by where it listens."""
    return {place(raw): _UID.unpack_from(raw, 64)[0] for raw in raws if raw[1] == LISTEN}


def listener_uid(raw: bytes, listening: Mapping[Place, int]) -> int | None:
    """The uid of the listener a request socket came to (as /proc prints it for the request):
    the one on its address and port, else on the wildcard, else (IPv4) a dual-stack IPv6 one's;
    None where ``listening`` has none (it closed between the two)."""
    family, port, address = place(raw)
    if family == AF_INET:
        where: tuple[Place, ...] = ((AF_INET, port, address), (AF_INET, port, _ANY4), (AF_INET6, port, _MAPPED + address), (AF_INET6, port, _ANY6))
    else:
        where = ((AF_INET6, port, address), (AF_INET6, port, _ANY6))
    return next((listening[p] for p in where if p in listening), None)
_LITTLE = struct.pack("=H", 1) == b"\x01\x00"
_ORDER: Literal["little", "big"] = "little" if _LITTLE else "big"


def decode(data: bytes, at: int, table: Table) -> InetSocket:
    """The record at ``at`` of ``data`` as the row of ``table`` (tcp, tcp6, udp, ...) /proc lists."""
    family, state, timer, _retrans, sport, dport, src, dst, _if, _expires, rqueue, wqueue, uid, inode = _MSG.unpack_from(data, at + 16)
    if family == AF_INET:
        local: Endpoint = Endpoint(ipaddress.IPv4Address(src[:4]), _port(sport))
        remote = Endpoint(ipaddress.IPv4Address(dst[:4]), _port(dport))
    else:
        local = Endpoint(ipaddress.IPv6Address(src), _port(sport))
        remote = Endpoint(ipaddress.IPv6Address(dst), _port(dport))
    tx = 0 if table.tcp and state == LISTEN else wqueue
    return InetSocket(table, 0, 0, local, remote, state, tx, rqueue, timer, 0, 0, uid, 0, inode)


def _port(raw: int) -> int:
    """A port unpacked in the host's order from its network-order bytes."""
    return ((raw & 0xFF) << 8 | raw >> 8) if _LITTLE else raw
