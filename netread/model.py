"""Typed records for the rows of the kernel's socket tables, and the kernel's vocabulary.

Records keep the kernel's facts, not netstat's presentation: port 0 stays 0,
tx_queue and rx_queue stay apart and in kernel order, and the raw state number
is kept even when no name is known for it.  The enums here are the one place
that spells the tables, states, socket types and timers, with the kernel's
name and, where it differs, netstat's.  No I/O and no text formatting here.
"""

from __future__ import annotations

from netread.errors import ParseError
from netread.errors import SourceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Iterator
    from enum import Enum
    from enum import IntEnum
    from typing import NamedTuple

    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
else:  # typing's and enum's classes, without their imports at start-up (see each module)
    from netread._enum import Enum
    from netread._enum import IntEnum
    from netread._namedtuple import NamedTuple

    def __getattr__(name: str) -> object:
        """``IPAddress`` (the type of an address) imports ipaddress when first asked for, not at start-up."""
        if name == "IPAddress":
            import ipaddress

            return ipaddress.IPv4Address | ipaddress.IPv6Address
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: What every enum below prints for a number it does not know.
UNKNOWN = "UNKNOWN"


class Table(str, Enum):
    """A /proc/net socket table.  A ``str`` too, so ``Table.TCP6 == "tcp6"``.

    ``proto`` is the protocol (netstat's -t/-u/-U/-w/-x section), ``ip_version``
    4 or 6 (None for unix), ``label`` netstat's Proto column, ``services`` the
    list netstat looks port names up in (udplite shares udp's).
    """

    TCP = "tcp"
    TCP6 = "tcp6"
    UDP = "udp"
    UDP6 = "udp6"
    UDPLITE = "udplite"
    UDPLITE6 = "udplite6"
    RAW = "raw"
    RAW6 = "raw6"
    UNIX = "unix"

    @property
    def proto(self) -> str:
        return self.value.rstrip("6")

    @property
    def ip_version(self) -> int | None:
        return None if self is Table.UNIX else 6 if self.value.endswith("6") else 4

    @property
    def label(self) -> str:
        return self.value.replace("udplite", "udpl")

    @property
    def services(self) -> str:
        """tcp, udp or raw: the protocol netstat's get_sname() looks the port up under."""
        proto = self.proto
        return "udp" if proto == "udplite" else proto

    @property
    def tcp(self) -> bool:
        return self.proto == "tcp"

    @property
    def datagram(self) -> bool:
        """udp, udplite and raw rows: 13 fields, state by remote address, a drops count."""
        return self.proto in ("udp", "udplite", "raw")

    def __str__(self) -> str:
        return self.value


#: The inet tables in netstat's order (netstat.c main: tcp, udp, udplite, raw; IPv4 before IPv6).
INET_TABLES: tuple[Table, ...] = tuple(t for t in Table if t is not Table.UNIX)


class TcpState(IntEnum):
    """TCP states as the kernel numbers them (include/net/tcp_states.h).

    The member names are the kernel's and netstat's names; /proc prints 01-0B.
    """

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

    @classmethod
    def printed(cls, st: int) -> TcpState | None:
        """The state for a number /proc/net/tcp prints (01-0B, netstat's tcp_state[]), else None."""
        return cls(st) if cls.ESTABLISHED <= st <= cls.CLOSING else None


def state_name(table: Table, st: int) -> str:
    """The kernel's name of state ``st`` in ``table``: udp and raw use TCP_ESTABLISHED and
    TCP_CLOSE too (``CLOSE`` for an unconnected datagram socket); ``UNKNOWN`` otherwise.

    >>> state_name(Table.TCP, 0x0A), state_name(Table.UDP6, 7), state_name(Table.TCP, 0x0D)
    ('LISTEN', 'CLOSE', 'UNKNOWN')
    """
    if table.tcp:
        state = TcpState.printed(st)
    else:
        state = TcpState(st) if st in (TcpState.ESTABLISHED, TcpState.CLOSE) else None
    return UNKNOWN if state is None else state.name


class TcpTimer(IntEnum):
    """The ``tr`` code of /proc/net/tcp (net/ipv4/tcp_ipv4.c get_tcp4_sock)."""

    NONE = 0
    RETRANSMIT = 1
    KEEPALIVE = 2
    TIMEWAIT = 3
    PROBE = 4

    @property
    def word(self) -> str:
        """netstat -o's word for the timer (tcp_do_one)."""
        return ("off", "on", "keepalive", "timewait", "probe")[self]


def timer_word(table: Table, code: int) -> str:
    """netstat's timer word: tcp's by :class:`TcpTimer`, datagram tables ``on1``/``on2``
    (udp_do_one, raw_do_one), ``unkn-N`` for any other code.

    >>> timer_word(Table.TCP, 2), timer_word(Table.UDP, 0), timer_word(Table.RAW, 2), timer_word(Table.TCP, 9)
    ('keepalive', 'off', 'on2', 'unkn-9')
    """
    if code == 0:
        return "off"
    if table.tcp:
        return TcpTimer(code).word if code in TcpTimer._value2member_map_ else f"unkn-{code}"
    return f"on{code}" if code in (1, 2) else f"unkn-{code}"


class UnixType(IntEnum):
    """Socket types of /proc/net/unix (include/linux/net.h enum sock_type); names as netstat's."""

    STREAM = 1
    DGRAM = 2
    RAW = 3
    RDM = 4
    SEQPACKET = 5


class UnixState(IntEnum):
    """The ``St`` column of /proc/net/unix (include/uapi/linux/net.h socket_state)."""

    FREE = 0
    UNCONNECTED = 1
    CONNECTING = 2
    CONNECTED = 3
    DISCONNECTING = 4


#: A unix socket that is UNCONNECTED with the accept flag: a server (netstat's "LISTENING").
LISTENING = "LISTENING"


def unix_type_name(type_: int) -> str:
    return UnixType(type_).name if type_ in UnixType._value2member_map_ else UNKNOWN


#: ``Flags`` bit set on a listening unix socket (include/linux/net.h __SO_ACCEPTCON).
SO_ACCEPTCON = 1 << 16
#: Historical flag bits netstat still decodes; the kernel no longer sets them.
SO_WAITDATA = 1 << 17
SO_NOSPACE = 1 << 18
#: The flag bits, in netstat's order, with netstat's letters.
UNIX_FLAGS = ((SO_ACCEPTCON, "ACC"), (SO_WAITDATA, "W"), (SO_NOSPACE, "N"))

#: Table name -> netstat's Proto column.
PROTO_LABEL: dict[str, str] = {t.value: t.label for t in Table}


def address_text(address: IPAddress) -> str:
    """The full address as records show it: dotted IPv4, ``inet_ntop`` IPv6 (so
    ``::ffff:127.0.0.1`` stays as the kernel's address).

    >>> from ipaddress import ip_address
    >>> address_text(ip_address("::ffff:7f00:1")), address_text(ip_address("::1.2.3.4"))
    ('::ffff:127.0.0.1', '::1.2.3.4')
    """
    if address.version == 4:
        return str(address)
    import socket

    return socket.inet_ntop(socket.AF_INET6, address.packed)


def address_texts(packed: bytes, size: int) -> list[str]:
    """:func:`address_text` of each ``size``-byte (4 or 16) address of ``packed``, in network
    byte order, for a whole column at once.

    >>> address_texts(bytes([127, 0, 0, 1, 10, 1, 2, 3]), 4), address_texts(bytes(15) + b"\\1", 16)
    (['127.0.0.1', '10.1.2.3'], ['::1'])
    """
    count = len(packed) // size
    if size == 4:
        values: list[int] = [0] * (4 * count)
        for i in range(4):
            values[i::4] = packed[i::4]
        return (("%d.%d.%d.%d\n" * count) % tuple(values)).split("\n")[:-1]
    import functools
    import re
    import socket

    return list(map(functools.partial(socket.inet_ntop, socket.AF_INET6), re.findall(rb"(?s).{16}", packed)))


class Endpoint(NamedTuple):
    """One side of an inet socket.  For raw sockets ``port`` is the IP protocol number."""

    address: IPAddress
    port: int


class InetSocket(NamedTuple):
    """One row of /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}.

    ``retrnsmt``, ``uid``, ``timeout`` and ``inode`` are None only when a
    (malformed) line stopped before them; the kernel always prints them.
    """

    table: Table
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

    @property
    def state_name(self) -> str:
        """The kernel's name for the state (:func:`state_name`)."""
        return state_name(Table(self.table), self.st)

    @property
    def connected(self) -> bool:
        """netstat's "not a server" test: by remote port for tcp, by remote address otherwise."""
        if Table(self.table).tcp:
            return self.remote.port != 0
        return any(self.remote.address.packed)


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
    #: None, or why the record may not be a socket at all: ``"ambiguous"`` (the kernel could have
    #: written the line as the end of the previous record's name, which it prints raw) or
    #: ``"forged"`` (that, and its inode repeats another record's); parse/unix.py decides.
    suspect: str | None = None

    @property
    def listening(self) -> bool:
        """netstat's "server" test: unconnected with the accept flag."""
        return self.st == UnixState.UNCONNECTED and bool(self.flags & SO_ACCEPTCON)

    @property
    def state_name(self) -> str:
        """LISTENING for a server, else the kernel's name (UNCONNECTED, CONNECTED...) or UNKNOWN."""
        if self.listening:
            return LISTENING
        return UnixState(self.st).name if self.st in UnixState._value2member_map_ else UNKNOWN

    @property
    def flag_names(self) -> list[str]:
        return [name for bit, name in UNIX_FLAGS if self.flags & bit]


class Owner(NamedTuple):
    """A process holding a socket, from ``<proc>/<pid>/fd`` and ``cmdline``/``comm``.

    ``program`` is argv[0] as netstat takes it (the first NUL-terminated string
    of the first 511 bytes of cmdline, its last path component when it starts
    with ``/``), not cut; ``comm`` is the name ``ps`` shows, None if unreadable.
    Text is decoded with ``surrogateescape``.
    """

    pid: int
    program: str
    comm: str | None = None


class Owners:
    """Which processes hold which socket inodes, and how the scan went.

    ``holders[inode]`` is the pids in scan order (netstat shows the first);
    ``processes[pid]`` is the :class:`Owner`.
    """

    __slots__ = ("denied", "failed", "holders", "processes")

    def __init__(
        self,
        holders: dict[int, tuple[int, ...]] | None = None,
        processes: dict[int, Owner] | None = None,
        denied: bool = False,
        failed: bool = False,
    ) -> None:
        self.holders: dict[int, tuple[int, ...]] = {} if holders is None else holders
        self.processes: dict[int, Owner] = {} if processes is None else processes
        #: Some ``<pid>/fd`` could not be opened for lack of permission.
        self.denied = denied
        #: The root itself could not be listed.
        self.failed = failed

    def __repr__(self) -> str:
        return f"Owners({len(self.holders)} sockets, {len(self.processes)} processes, denied={self.denied}, failed={self.failed})"

    def of(self, inode: int | None) -> list[Owner]:
        """Every process holding ``inode``, the first found first."""
        if inode is None:
            return []
        pids = self.holders.get(inode)
        return [] if pids is None else [self.processes[pid] for pid in pids]

    def first(self, inode: int | None) -> Owner | None:
        """The owner netstat shows: the first process found holding ``inode``."""
        pids = None if inode is None else self.holders.get(inode)
        return None if not pids else self.processes[pids[0]]


class Absent(NamedTuple):
    """A table netstat would say "no support" for (its family's name)."""

    family: str


class Unresolved(NamedTuple):
    """Addresses the resolver did not answer for within its deadline."""

    addresses: int
    deadline: float


class Ambiguous(NamedTuple):
    """Unix records that the previous record's name could run onto (parse/unix.py): each may be
    part of that name, not a socket.  ``records`` are (line, inode) pairs: the first ten, and
    ``more`` counts the rest (a note's size does not grow with the table)."""

    path: str
    records: tuple[tuple[int, int | None], ...]
    more: int = 0

    @property
    def total(self) -> int:
        """How many records are ambiguous."""
        return len(self.records) + self.more


class Ignored(NamedTuple):
    """A value of a snapshot's manifest that is not what netread writes there (``field`` of the
    file ``path``, and why): left out, this host's default used instead, and said once."""

    path: str
    field: str
    reason: str


Message = ParseError | SourceError | Absent | Unresolved | Ambiguous | Ignored


class Sockets(NamedTuple):
    """What one listing found: the rows, their owners and users, and what went wrong.

    ``inet``/``unix`` are None when that section is not listed (an absent
    table of a listed section has no rows).  ``stopped`` is True when an explicitly requested
    family was absent and the listing stopped there, as netstat stops.
    """

    inet: list[InetSocket] | None
    unix: list[UnixSocket] | None
    owners: Owners | None
    #: uid -> user name (None: unknown), for every uid of the rows; empty unless asked for.
    users: dict[int, str | None]
    messages: list[Message]
    stopped: bool = False
    #: The network namespace the tables are from (None: the source's own).
    netns: str | None = None

    @property
    def problems(self) -> int:
        """How many lines of the tables were malformed."""
        return sum(isinstance(m, ParseError) for m in self.messages)

    @property
    def unreadable(self) -> int:
        """How many tables exist but could not be read."""
        return sum(isinstance(m, SourceError) for m in self.messages)

    def rows(self) -> Iterator[InetSocket | UnixSocket]:
        yield from self.inet or ()
        yield from self.unix or ()


class SctpSocket(NamedTuple):
    """One line of ``net/sctp/eps`` (an endpoint: ``association`` False, no remote side) or of
    ``net/sctp/assocs`` (an association), with the fields netstat 2.10 prints (net/sctp/proc.c).

    ``st`` is the socket's state (the SST column, TCP's numbering: 10 LISTEN, 1 ESTABLISHED);
    ``local``/``remote`` are the bound and peer addresses in the kernel's order, the ``*``
    marking the primary path dropped (netstat drops it).
    """

    association: bool
    st: int
    local_port: int
    remote_port: int
    local: tuple[IPAddress, ...]
    remote: tuple[IPAddress, ...]
    tx_queue: int
    rx_queue: int
    uid: int
    inode: int
    #: "sctp" for net/sctp/*, "sctp6" for net/sctp6/* (netstat reads both; kernels write only the first).
    label: str = "sctp"
