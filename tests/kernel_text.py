"""Records as the kernel prints them in ``/proc/net``: encoders and line builders.

Everything here produces text exactly as a Linux kernel writes it, so that
netread and the reference ``netstat`` 2.10 can both read it without a
"bogus line" warning. The formats mirror the kernel's ``seq_printf`` calls
(see ``/work/shared/reference/netstat-and-proc-net.md`` sections 1-5):

- ``net/ipv4/tcp_ipv4.c``: ``get_tcp4_sock``, ``get_openreq4``,
  ``get_timewait4_sock``; ``net/ipv6/tcp_ipv6.c``: the ``*6`` variants.
- ``net/ipv4/udp.c``: ``udp4_format_sock``; ``net/ipv6/datagram.c``:
  ``__ip6_dgram_sock_seq_show`` (udp6, udplite6, raw6).
- ``net/ipv4/raw.c``: ``raw_sock_seq_show``.
- ``net/unix/af_unix.c``: ``unix_seq_show``.

Two layers:

1. Encoders (``encode_ipv4``, ``encode_ipv6``, ``encode_endpoint``): pure
   functions turning an address into the kernel's hex text.
2. Entries and line builders: frozen dataclasses holding the printed values
   of one row (``TcpEntry``, ``DgramEntry``, ``UnixEntry``) and
   ``format_*`` functions that print them with the kernel's printf format,
   padding and trailing newline; ``format_table`` prints a whole file.

Only the standard library is imported (no hypothesis, no ``netread``), so
this module can be used before and independently of both, e.g. by a
benchmark. The hypothesis strategies that draw these records are in
tests/strategies.py; tests/fakeproc.py lays tables out as a fake ``/proc``.

A line always includes the kernel's trailing space padding (only for
``tcp``, ``udp`` and ``udplite``) and its ``"\\n"``. Text that is not valid
UTF-8 (only from ``strategies.unix_path_hostile``) is carried as lone
surrogates and must be written with ``errors="surrogateescape"``, as
``fakeproc.FakeProc`` does.
"""

from __future__ import annotations

# The line builders keep C printf syntax ("%08X:%04X") so they can be read
# side by side with the kernel's seq_printf formats.
import dataclasses
import socket
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Literal
from typing import TypeAlias

__all__ = [
    "AF_INET_TABLES",
    "HEADERS",
    "PAD_WIDTH",
    "TABLE_NAMES",
    "U32",
    "U64",
    "ByteOrder",
    "DgramEntry",
    "Entry",
    "TcpEntry",
    "UnixEntry",
    "check_table",
    "encode_endpoint",
    "encode_ipv4",
    "encode_ipv6",
    "family_number",
    "finish_line",
    "format_dgram",
    "format_entry",
    "format_table",
    "format_tcp",
    "format_unix",
    "header_line",
    "require",
]

ByteOrder = Literal["little", "big"]

# ---------------------------------------------------------------------------
# Table names, headers and padding
# ---------------------------------------------------------------------------

#: Every table this module can generate, in the order netstat reads them.
TABLE_NAMES: tuple[str, ...] = (
    "tcp",
    "tcp6",
    "udp",
    "udp6",
    "udplite",
    "udplite6",
    "raw",
    "raw6",
    "unix",
)

#: Address family (4 or 6) of each internet table.
AF_INET_TABLES: Mapping[str, int] = {
    "tcp": 4,
    "tcp6": 6,
    "udp": 4,
    "udp6": 6,
    "udplite": 4,
    "udplite6": 6,
    "raw": 4,
    "raw6": 6,
}

_HDR4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
_HDR6 = (
    "  sl  local_address                         remote_address"
    "                        st tx_queue rx_queue tr tm->when retrnsmt"
    "   uid  timeout inode"
)
_DGRAM_TAIL = " ref pointer drops"

#: Header text of each table, without padding or newline (reference 2-5).
HEADERS: Mapping[str, str] = {
    "tcp": _HDR4,
    "tcp6": _HDR6,
    "udp": " " + _HDR4 + _DGRAM_TAIL,
    "udp6": _HDR6 + _DGRAM_TAIL,
    "udplite": " " + _HDR4 + _DGRAM_TAIL,
    "udplite6": _HDR6 + _DGRAM_TAIL,
    "raw": _HDR4 + _DGRAM_TAIL,
    "raw6": _HDR6 + _DGRAM_TAIL,
    "unix": "Num       RefCount Protocol Flags    Type St Inode Path",
}

#: ``seq_setwidth`` width of the padded tables: every line (header too) is
#: space-padded to this many characters before ``"\n"``. Lines that are
#: already longer are not cut (``seq_pad`` only ever adds).
PAD_WIDTH: Mapping[str, int] = {"tcp": 149, "udp": 127, "udplite": 127}

U32 = 2**32 - 1
U64 = 2**64 - 1


def check_table(name: str) -> None:
    if name not in TABLE_NAMES:
        raise ValueError(f"unknown /proc/net table {name!r}")


def finish_line(table: str, body: str) -> str:
    """Pad ``body`` the way ``table``'s seq_file does and add ``"\\n"``.

    >>> len(finish_line("tcp", "x"))
    150
    >>> finish_line("tcp6", "x")
    'x\\n'
    """
    check_table(table)
    return body.ljust(PAD_WIDTH.get(table, 0)) + "\n"


def header_line(table: str) -> str:
    """The first line of ``/proc/net/<table>``, padded, with ``"\\n"``."""
    check_table(table)
    return finish_line(table, HEADERS[table])


# ---------------------------------------------------------------------------
# Encoders
# ---------------------------------------------------------------------------


def encode_ipv4(addr: str, byteorder: ByteOrder = "little") -> str:
    """Kernel text of an IPv4 address: ``s_addr`` printed as ``%08X``.

    The four network-order bytes are read as one u32 in the given host
    byte order.

    >>> encode_ipv4("127.0.0.1", "little")
    '0100007F'
    >>> encode_ipv4("127.0.0.1", "big")
    '7F000001'
    """
    raw = socket.inet_pton(socket.AF_INET, addr)
    return "%08X" % int.from_bytes(raw, byteorder)


def encode_ipv6(addr: str, byteorder: ByteOrder = "little") -> str:
    """Kernel text of an IPv6 address: ``s6_addr32[0..3]`` as four ``%08X``.

    >>> encode_ipv6("::1", "little")
    '00000000000000000000000001000000'
    >>> encode_ipv6("::ffff:127.0.0.1", "little")
    '0000000000000000FFFF00000100007F'
    """
    raw = socket.inet_pton(socket.AF_INET6, addr)
    return "".join("%08X" % int.from_bytes(raw[i : i + 4], byteorder) for i in range(0, 16, 4))


def encode_endpoint(ip: str, port: int, byteorder: ByteOrder = "little") -> str:
    """``ADDRHEX:PORTHEX`` as in the local/remote address columns.

    The family is taken from the text (a ``:`` means IPv6). The port is
    printed after ``ntohs``, so it does not depend on the byte order.

    >>> encode_endpoint("127.0.0.1", 22)
    '0100007F:0016'
    >>> encode_endpoint("::", 0)
    '00000000000000000000000000000000:0000'
    """
    if not 0 <= port <= 0xFFFF:
        raise ValueError(f"port out of range: {port}")
    hexaddr = encode_ipv6(ip, byteorder) if ":" in ip else encode_ipv4(ip, byteorder)
    return "%s:%04X" % (hexaddr, port)


def family_number(family: int) -> int:
    """Accept 4/6 or socket.AF_INET/AF_INET6 and return 4 or 6."""
    if family in (4, socket.AF_INET):
        return 4
    if family in (6, socket.AF_INET6):
        return 6
    raise ValueError(f"family must be 4 or 6, not {family!r}")


# ---------------------------------------------------------------------------
# Entries and line builders
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TcpEntry:
    """One row of ``/proc/net/tcp`` or ``tcp6``, holding the printed values.

    ``kind`` selects the kernel function that prints the row:

    - ``"full"``: ``get_tcp4_sock`` (17 fields, ``rto`` .. ``ssthresh`` used).
    - ``"timewait"``: ``get_timewait4_sock`` (12 fields). ``st`` is 06
      (TIME_WAIT) or 05 (orphaned FIN_WAIT2); queues, ``retrnsmt``, ``uid``,
      ``timeout`` and ``inode`` are 0 and ``tr`` is 3.
    - ``"request"``: ``get_openreq4`` (12 fields). ``st`` is 03, ``tr`` is
      1, queues, ``timeout``, ``inode`` and ``ref`` are 0; ``uid`` is the
      listener's.

    ``format_tcp`` refuses an entry whose fixed fields differ from what the
    kernel hard-codes for its kind. Addresses are canonical ``inet_ntop``
    text.
    """

    table: str
    kind: Literal["full", "timewait", "request"]
    sl: int
    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int
    st: int
    tx_queue: int
    rx_queue: int
    tr: int
    when: int
    retrnsmt: int
    uid: int
    timeout: int
    inode: int
    ref: int
    pointer: str
    rto: int = 0
    ato: int = 0
    quick_pingpong: int = 0
    cwnd: int = 0
    ssthresh: int = 0


@dataclasses.dataclass(frozen=True)
class DgramEntry:
    """One row of a udp, udplite or raw table (v4 or v6).

    ``sl`` is a hash bucket. For raw tables ``local_port`` is the IP
    protocol number and ``remote_port`` is 0. ``tr:tm->when``,
    ``retrnsmt`` and ``timeout`` are always printed as 0 by the kernel, so
    they are not fields here.
    """

    table: str
    sl: int
    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int
    st: int
    tx_queue: int
    rx_queue: int
    uid: int
    inode: int
    ref: int
    pointer: str
    drops: int


@dataclasses.dataclass(frozen=True)
class UnixEntry:
    """One record of ``/proc/net/unix`` (Protocol is always printed as 0).

    ``path`` is the kernel's rendering of the bound name, without the
    separating space: ``/fs/path``, ``@abstract`` (embedded NULs already
    shown as ``@``), ``@1a2b3`` for autobind, or ``None`` when unbound.
    """

    num: str
    refcount: int
    flags: int
    type: int
    st: int
    inode: int
    path: str | None


Entry: TypeAlias = TcpEntry | DgramEntry | UnixEntry


def require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


def _endpoints(entry: TcpEntry | DgramEntry, family: int, byteorder: ByteOrder) -> tuple[str, str]:
    for ip in (entry.local_ip, entry.remote_ip):
        require((":" in ip) == (family == 6), f"{ip!r} in table {entry.table}")
    return (
        encode_endpoint(entry.local_ip, entry.local_port, byteorder),
        encode_endpoint(entry.remote_ip, entry.remote_port, byteorder),
    )


def _check_ranges(**values: int) -> None:
    limits = {
        "st": 0xFF,
        "tx_queue": U32,
        "rx_queue": U32,
        "tr": 0xFF,
        "when": U32,
        "retrnsmt": U32,
        "uid": U32,
        "inode": U64,
        "refcount": U32,
        "flags": U32,
        "type": 0xFFFF,
        "drops": U32,
    }
    for name, value in values.items():
        require(0 <= value <= limits[name], f"{name}={value} out of range")


def format_tcp(entry: TcpEntry, byteorder: ByteOrder = "little") -> str:
    """Print a ``TcpEntry`` as the kernel does (padded line with ``"\\n"``).

    Example (``tcp``, full LISTEN socket, before padding)::

        "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000"
        " 00000000     0        0 129 1 0000000040a69682 100 0 0 10 0"
    """
    require(entry.table in ("tcp", "tcp6"), f"not a tcp table: {entry.table}")
    family = AF_INET_TABLES[entry.table]
    local, remote = _endpoints(entry, family, byteorder)
    _check_ranges(
        st=entry.st,
        tx_queue=entry.tx_queue,
        rx_queue=entry.rx_queue,
        tr=entry.tr,
        when=entry.when,
        retrnsmt=entry.retrnsmt,
        uid=entry.uid,
        inode=entry.inode,
    )
    # "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X"; the v6
    # variants only widen the address.
    head = "%4d: %s %s %02X %08X:%08X %02X:%08X %08X" % (
        entry.sl,
        local,
        remote,
        entry.st,
        entry.tx_queue,
        entry.rx_queue,
        entry.tr,
        entry.when,
        entry.retrnsmt,
    )
    if entry.kind == "full":
        # " %5u %8d %lu %d %pK %lu %lu %u %u %d"
        tail = " %5d %8d %d %d %s %d %d %d %d %d" % (
            entry.uid,
            entry.timeout,
            entry.inode,
            entry.ref,
            entry.pointer,
            entry.rto,
            entry.ato,
            entry.quick_pingpong,
            entry.cwnd,
            entry.ssthresh,
        )
    elif entry.kind == "timewait":
        require(
            entry.tx_queue == entry.rx_queue == entry.retrnsmt == 0
            and entry.uid == entry.timeout == entry.inode == 0
            and entry.tr == 3,
            "timewait rows print 0 queues/retrnsmt/uid/timeout/inode, tr 3",
        )
        # " %5d %8d %d %d %pK" with uid, timeout and inode hard-coded 0.
        tail = " %5d %8d %d %d %s" % (0, 0, 0, entry.ref, entry.pointer)
    elif entry.kind == "request":
        require(
            entry.st == 3
            and entry.tx_queue == entry.rx_queue == 0
            and entry.tr == 1
            and entry.timeout == entry.inode == entry.ref == 0,
            "request rows print st 03, 0 queues, tr 01, 0 timeout/inode/ref",
        )
        # " %5u %8d %d %d %pK": uid, then 0 timeout, 0 inode, 0 refcount.
        tail = " %5d %8d %d %d %s" % (entry.uid, 0, 0, 0, entry.pointer)
    else:
        raise ValueError(f"unknown tcp row kind {entry.kind!r}")
    return finish_line(entry.table, head + tail)


def format_dgram(entry: DgramEntry, byteorder: ByteOrder = "little") -> str:
    """Print a udp/udplite/raw ``DgramEntry`` as the kernel does.

    Example (``raw``)::

        "  89: 0100007F:00FE 0100007F:0000 01 00000000:00000000 00:00000000"
        " 00000000     0        0 146524 2 0000000012345678 0"
    """
    require(
        entry.table in AF_INET_TABLES and not entry.table.startswith("tcp"),
        f"not a datagram table: {entry.table}",
    )
    family = AF_INET_TABLES[entry.table]
    local, remote = _endpoints(entry, family, byteorder)
    _check_ranges(
        st=entry.st,
        tx_queue=entry.tx_queue,
        rx_queue=entry.rx_queue,
        uid=entry.uid,
        inode=entry.inode,
        drops=entry.drops,
    )
    # raw_sock_seq_show uses "%4d:"; udp4_format_sock and the shared v6
    # __ip6_dgram_sock_seq_show use "%5d:".
    sl = ("%4d:" if entry.table == "raw" else "%5d:") % entry.sl
    body = "%s %s %s %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d" % (
        sl,
        local,
        remote,
        entry.st,
        entry.tx_queue,
        entry.rx_queue,
        0,
        0,
        0,
        entry.uid,
        0,
        entry.inode,
        entry.ref,
        entry.pointer,
        entry.drops,
    )
    return finish_line(entry.table, body)


def format_unix(entry: UnixEntry) -> str:
    """Print a ``UnixEntry`` as ``unix_seq_show`` does.

    Format ``"%pK: %08X %08X %08X %04X %02X %5lu"``, then ``" " + path`` if
    bound, then ``"\\n"``::

        "0000000062ca6800: 00000003 00000000 00000000 0001 03  1565"
    """
    _check_ranges(
        refcount=entry.refcount,
        flags=entry.flags,
        type=entry.type,
        st=entry.st,
        inode=entry.inode,
    )
    body = "%s: %08X %08X %08X %04X %02X %5d" % (
        entry.num,
        entry.refcount,
        0,
        entry.flags,
        entry.type,
        entry.st,
        entry.inode,
    )
    if entry.path is not None:
        body += " " + entry.path
    return finish_line("unix", body)


def format_entry(entry: Entry, byteorder: ByteOrder = "little") -> str:
    """Dispatch to ``format_tcp``/``format_dgram``/``format_unix``."""
    if isinstance(entry, TcpEntry):
        return format_tcp(entry, byteorder)
    if isinstance(entry, DgramEntry):
        return format_dgram(entry, byteorder)
    return format_unix(entry)


def format_table(table: str, entries: Sequence[Entry], byteorder: ByteOrder = "little") -> str:
    """Header plus every entry, in order: the whole file text."""
    return header_line(table) + "".join(format_entry(e, byteorder) for e in entries)
