"""Typed records for the rows of the kernel's socket tables.

Records keep the kernel's facts, not netstat's presentation: port 0 stays 0,
tx_queue and rx_queue stay apart and in kernel order, and the raw state number
is kept even when no name is known for it.  No I/O and no text formatting here.
"""

from __future__ import annotations

import enum
import ipaddress
from typing import NamedTuple

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TcpState(enum.IntEnum):
    """TCP states as the kernel numbers them (include/net/tcp_states.h)."""

    ESTABLISHED = 0x01
    SYN_SENT = 0x02
    SYN_RECV = 0x03
    FIN_WAIT1 = 0x04
    FIN_WAIT2 = 0x05
    TIME_WAIT = 0x06
    CLOSE = 0x07
    CLOSE_WAIT = 0x08
    LAST_ACK = 0x09
    LISTEN = 0x0A
    CLOSING = 0x0B
    NEW_SYN_RECV = 0x0C  # never printed in /proc: request socks show 03
    BOUND_INACTIVE = 0x0D  # inet_diag only


class TcpTimer(enum.IntEnum):
    """The ``tr`` code of /proc/net/tcp (net/ipv4/tcp_ipv4.c get_tcp4_sock)."""

    NONE = 0
    RETRANSMIT = 1
    KEEPALIVE = 2
    TIMEWAIT = 3
    PROBE = 4


class UnixType(enum.IntEnum):
    """Socket types of /proc/net/unix (include/linux/net.h enum sock_type)."""

    STREAM = 1
    DGRAM = 2
    RAW = 3
    RDM = 4
    SEQPACKET = 5


class UnixState(enum.IntEnum):
    """The ``St`` column of /proc/net/unix (include/uapi/linux/net.h socket_state)."""

    FREE = 0
    UNCONNECTED = 1
    CONNECTING = 2
    CONNECTED = 3
    DISCONNECTING = 4


#: ``Flags`` bit set on a listening unix socket (include/linux/net.h __SO_ACCEPTCON).
SO_ACCEPTCON = 1 << 16
#: Historical flag bits netstat still decodes; the kernel no longer sets them.
SO_WAITDATA = 1 << 17
SO_NOSPACE = 1 << 18


#: Table name -> netstat's Proto column.
PROTO_LABEL: dict[str, str] = {
    "tcp": "tcp",
    "tcp6": "tcp6",
    "udp": "udp",
    "udp6": "udp6",
    "udplite": "udpl",
    "udplite6": "udpl6",
    "raw": "raw",
    "raw6": "raw6",
    "unix": "unix",
}

INET_TABLES: tuple[str, ...] = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")


class Endpoint(NamedTuple):
    """One side of an inet socket.  For raw sockets ``port`` is the IP protocol number."""

    address: IPAddress
    port: int


class InetSocket(NamedTuple):
    """One row of /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}.

    ``retrnsmt``, ``uid``, ``timeout`` and ``inode`` are None only when a
    (malformed) line stopped before them; the kernel always prints them.
    """

    table: str
    lineno: int
    sl: int
    local: Endpoint
    remote: Endpoint
    st: int
    tx_queue: int
    rx_queue: int
    timer: int
    when: int
    retrnsmt: int | None
    uid: int | None
    timeout: int | None
    inode: int | None
    #: udp/udplite/raw only: datagrams dropped (the last field); None for tcp or when absent.
    drops: int | None = None

    @property
    def state(self) -> TcpState | None:
        """The state as a :class:`TcpState`, or None for a number the kernel does not define."""
        try:
            return TcpState(self.st)
        except ValueError:
            return None


class UnixSocket(NamedTuple):
    """One record of /proc/net/unix.

    ``inode`` is None for the old layout without an Inode column.  ``path`` is
    None for a socket with no address; abstract names start with ``@`` (the
    kernel writes each NUL of the name as ``@``).  Undecodable bytes are kept
    as surrogates (``surrogateescape``).
    """

    lineno: int
    num: int
    refcount: int
    protocol: int
    flags: int
    type: int
    st: int
    inode: int | None
    path: str | None

    @property
    def listening(self) -> bool:
        """netstat's "server" test: unconnected with the accept flag."""
        return self.st == UnixState.UNCONNECTED and bool(self.flags & SO_ACCEPTCON)
