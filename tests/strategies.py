"""Hypothesis strategies for well-formed ``/proc/net`` socket tables.

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

The module has three layers:

1. Encoders (``encode_ipv4``, ``encode_ipv6``, ``encode_endpoint``): pure
   functions turning an address into the kernel's hex text.
2. Entries and line builders: frozen dataclasses holding the printed values
   of one row (``TcpEntry``, ``DgramEntry``, ``UnixEntry``) and
   ``format_*`` functions that print them with the kernel's printf format,
   padding and trailing newline.
3. Strategies: ``ip_strategy``, ``*_entry``/``*_row``, ``unix_path``,
   ``unix_path_hostile``, ``table_entries``, ``table_text`` and
   ``snapshot_tables`` (lay them out as a fake ``/proc`` with tests/fakeproc.py).

Only the stdlib and hypothesis are imported, so this file can be used
before (and independently of) the ``netread`` package.

A generated line always includes the kernel's trailing space padding (only
for ``tcp``, ``udp`` and ``udplite``) and its ``"\\n"``. Text that is not
valid UTF-8 (only from ``unix_path_hostile``) is carried as lone surrogates
and must be written with ``errors="surrogateescape"``, as
``fakeproc.FakeProc`` does.
"""

from __future__ import annotations

# The line builders keep C printf syntax ("%08X:%04X") so they can be read
# side by side with the kernel's seq_printf formats.
# ruff: noqa: UP031
import dataclasses
import socket
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Literal
from typing import TypeAlias

from hypothesis import strategies as st

__all__ = [
    "AF_INET_TABLES",
    "HEADERS",
    "MAX_ROWS",
    "PAD_WIDTH",
    "TABLE_NAMES",
    "ByteOrder",
    "DgramEntry",
    "Entry",
    "TcpEntry",
    "UnixEntry",
    "dgram_entry",
    "encode_endpoint",
    "encode_ipv4",
    "encode_ipv6",
    "finish_line",
    "format_dgram",
    "format_entry",
    "format_table",
    "format_tcp",
    "format_unix",
    "header_line",
    "ip_strategy",
    "port_strategy",
    "raw_row",
    "snapshot_tables",
    "table_entries",
    "table_text",
    "tcp_entry",
    "tcp_row",
    "udp_row",
    "unix_entry",
    "unix_path",
    "unix_path_hostile",
    "unix_row",
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

_U32 = 2**32 - 1
_U64 = 2**64 - 1


def _check_table(name: str) -> None:
    if name not in TABLE_NAMES:
        raise ValueError(f"unknown /proc/net table {name!r}")


def finish_line(table: str, body: str) -> str:
    """Pad ``body`` the way ``table``'s seq_file does and add ``"\\n"``.

    >>> len(finish_line("tcp", "x"))
    150
    >>> finish_line("tcp6", "x")
    'x\\n'
    """
    _check_table(table)
    return body.ljust(PAD_WIDTH.get(table, 0)) + "\n"


def header_line(table: str) -> str:
    """The first line of ``/proc/net/<table>``, padded, with ``"\\n"``."""
    _check_table(table)
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


def _family(family: int) -> int:
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


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


def _endpoints(entry: TcpEntry | DgramEntry, family: int, byteorder: ByteOrder) -> tuple[str, str]:
    for ip in (entry.local_ip, entry.remote_ip):
        _require((":" in ip) == (family == 6), f"{ip!r} in table {entry.table}")
    return (
        encode_endpoint(entry.local_ip, entry.local_port, byteorder),
        encode_endpoint(entry.remote_ip, entry.remote_port, byteorder),
    )


def _check_ranges(**values: int) -> None:
    limits = {
        "st": 0xFF,
        "tx_queue": _U32,
        "rx_queue": _U32,
        "tr": 0xFF,
        "when": _U32,
        "retrnsmt": _U32,
        "uid": _U32,
        "inode": _U64,
        "refcount": _U32,
        "flags": _U32,
        "type": 0xFFFF,
        "drops": _U32,
    }
    for name, value in values.items():
        _require(0 <= value <= limits[name], f"{name}={value} out of range")


def format_tcp(entry: TcpEntry, byteorder: ByteOrder = "little") -> str:
    """Print a ``TcpEntry`` as the kernel does (padded line with ``"\\n"``).

    Example (``tcp``, full LISTEN socket, before padding)::

        "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000"
        " 00000000     0        0 129 1 0000000040a69682 100 0 0 10 0"
    """
    _require(entry.table in ("tcp", "tcp6"), f"not a tcp table: {entry.table}")
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
        _require(
            entry.tx_queue == entry.rx_queue == entry.retrnsmt == 0
            and entry.uid == entry.timeout == entry.inode == 0
            and entry.tr == 3,
            "timewait rows print 0 queues/retrnsmt/uid/timeout/inode, tr 3",
        )
        # " %5d %8d %d %d %pK" with uid, timeout and inode hard-coded 0.
        tail = " %5d %8d %d %d %s" % (0, 0, 0, entry.ref, entry.pointer)
    elif entry.kind == "request":
        _require(
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
    _require(
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


# ---------------------------------------------------------------------------
# Scalar strategies
# ---------------------------------------------------------------------------


def _ntop4(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET, value.to_bytes(4, "big"))


def _ntop6(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def _words6(words: Sequence[int]) -> str:
    return _ntop6(b"".join(w.to_bytes(2, "big") for w in words))


_v4_int = st.one_of(
    st.sampled_from([0, 0x7F000001, 0xFFFFFFFF]),  # 0.0.0.0, 127.0.0.1, bcast
    st.integers(0x7F000000, 0x7FFFFFFF),  # 127/8
    st.integers(0x0A000000, 0x0AFFFFFF),  # 10/8
    st.integers(0xC0A80000, 0xC0A8FFFF),  # 192.168/16
    st.integers(0, _U32),
)

_v6_word = st.one_of(st.just(0), st.integers(1, 0xFF), st.integers(0x1000, 0xFFFF), st.integers(0, 0xFFFF))


def ip_strategy(family: int) -> st.SearchStrategy[str]:
    """Canonical (``inet_ntop``) address text of the given family (4 or 6).

    IPv6 covers ``::``, ``::1``, IPv4-mapped ``::ffff:a.b.c.d``,
    IPv4-compatible ``::a.b.c.d``, link-local ``fe80::/64``, long global
    addresses without zero words (39 characters, so netstat truncates them
    without ``-W``), mixtures of zero and non-zero words, and random bytes.
    """
    if _family(family) == 4:
        return _v4_int.map(_ntop4)
    v4 = _v4_int.map(lambda v: v.to_bytes(4, "big"))
    return st.one_of(
        st.sampled_from(["::", "::1"]),
        v4.map(lambda b: _ntop6(bytes(10) + b"\xff\xff" + b)),  # v4-mapped
        v4.map(lambda b: _ntop6(bytes(12) + b)),  # v4-compatible
        st.binary(min_size=8, max_size=8).map(lambda b: _ntop6(b"\xfe\x80" + bytes(6) + b)),
        st.lists(st.integers(0x1000, 0xFFFF), min_size=8, max_size=8).map(_words6),
        st.lists(_v6_word, min_size=8, max_size=8).map(_words6),
        st.binary(min_size=16, max_size=16).map(_ntop6),
    )


_COMMON_PORTS = (1, 7, 22, 53, 80, 123, 443, 631, 1024, 3306, 5432, 8080, 65535)


def port_strategy(zero: bool = True) -> st.SearchStrategy[int]:
    """Ports 0..65535, biased to 0 (if ``zero``) and to well-known ports."""
    parts: list[st.SearchStrategy[int]] = [
        st.sampled_from(_COMMON_PORTS),
        st.integers(1, 65535),
        st.integers(32768, 60999),  # ip_local_port_range default
    ]
    if zero:
        parts.insert(0, st.just(0))
    return st.one_of(parts)


def _zero_ip(family: int) -> str:
    return "0.0.0.0" if family == 4 else "::"


def _nonzero_ip(family: int) -> st.SearchStrategy[str]:
    return ip_strategy(family).filter(lambda ip: ip not in ("0.0.0.0", "::"))


#: 0..2**32-1, biased to 0, small values and the huge end.
_queue = st.one_of(
    st.just(0),
    st.integers(0, 4096),
    st.integers(0, 10_000_000),
    st.sampled_from([1, 2**31 - 1, 2**31, _U32]),
    st.integers(0, _U32),
)

#: Realistic uids, plus the overflow uid and (uid_t)-2 of a user namespace.
_uid = st.one_of(
    st.just(0),
    st.integers(1, 65534),
    st.sampled_from([65534, 4294967294]),
)

#: Socket inode numbers, non-zero; mostly realistic, sometimes 64-bit.
_inode = st.one_of(
    st.integers(1, 99999),
    st.integers(100_000, 99_999_999),
    st.integers(1, _U64),
)

#: ``%pK``: zeros (kptr_restrict), 32-bit hash (x86_64 default), raw pointer.
_pointer = st.one_of(
    st.just("0" * 16),
    st.integers(0, _U32).map(lambda v: "%016x" % v),
    st.integers(0xFFFF800000000000, _U64).map(lambda v: "%016x" % v),
)

#: ``tm->when``: clock ticks left, clamped >= 0 (60 s timewait = ~0x1770).
_when = st.one_of(
    st.integers(0, 0x1770),
    st.integers(0, 720_000),  # 2 h keepalive
    st.integers(0, 0x7FFFFFFF),
)

_small = st.one_of(st.just(0), st.integers(0, 15), st.integers(0, 255))


# ---------------------------------------------------------------------------
# TCP
# ---------------------------------------------------------------------------

_TCP_TABLE = {4: "tcp", 6: "tcp6"}

# States a full socket can print; 06 only comes from timewait rows and 0C
# (NEW_SYN_RECV) is printed as 03 by get_openreq4.
_FULL_STATES = (0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x08, 0x09, 0x0A, 0x0B)


@st.composite
def _tcp_full(draw: st.DrawFn, family: int) -> TcpEntry:
    table = _TCP_TABLE[family]
    state = draw(st.one_of(st.just(0x0A), st.just(0x01), st.sampled_from(_FULL_STATES)))
    local_ip = draw(ip_strategy(family))
    local_port = draw(port_strategy(zero=False))
    pointer = draw(_pointer)
    if state == 0x0A:
        return TcpEntry(
            table=table,
            kind="full",
            sl=0,
            local_ip=local_ip,
            local_port=local_port,
            remote_ip=_zero_ip(family),
            remote_port=0,
            st=state,
            tx_queue=0,
            rx_queue=draw(st.one_of(st.just(0), st.integers(0, 4096))),
            tr=0,
            when=0,
            retrnsmt=0,
            uid=draw(_uid),
            timeout=0,
            inode=draw(_inode),
            ref=draw(st.integers(1, 3)),
            pointer=pointer,
            rto=100,
            ato=0,
            quick_pingpong=0,
            cwnd=10,
            ssthresh=draw(st.one_of(st.just(0), st.integers(0, 4096))),
        )
    tr = draw(st.sampled_from([0, 1, 2, 4]))
    orphan = state in (0x04, 0x09, 0x0B) or draw(st.integers(0, 9)) == 0
    return TcpEntry(
        table=table,
        kind="full",
        sl=0,
        local_ip=local_ip,
        local_port=local_port,
        remote_ip=draw(ip_strategy(family)),
        remote_port=draw(port_strategy()),
        st=state,
        tx_queue=draw(_queue),
        rx_queue=draw(_queue),
        tr=tr,
        when=0 if tr == 0 else draw(_when),
        retrnsmt=draw(_small),
        uid=draw(_uid),
        timeout=draw(_small),
        inode=0 if orphan else draw(_inode),
        ref=draw(st.integers(1, 5)),
        pointer=pointer,
        rto=draw(st.one_of(st.just(20), st.integers(20, 12000))),
        ato=draw(st.integers(0, 20)),
        quick_pingpong=draw(st.integers(0, 511)),
        cwnd=draw(st.one_of(st.just(10), st.integers(1, 100_000))),
        ssthresh=draw(st.one_of(st.just(-1), st.integers(2, 2**31 - 1))),
    )


@st.composite
def _tcp_timewait(draw: st.DrawFn, family: int) -> TcpEntry:
    return TcpEntry(
        table=_TCP_TABLE[family],
        kind="timewait",
        sl=0,
        local_ip=draw(ip_strategy(family)),
        local_port=draw(port_strategy(zero=False)),
        remote_ip=draw(ip_strategy(family)),
        remote_port=draw(port_strategy()),
        st=draw(st.sampled_from([0x06, 0x06, 0x05])),
        tx_queue=0,
        rx_queue=0,
        tr=3,
        when=draw(_when),
        retrnsmt=0,
        uid=0,
        timeout=0,
        inode=0,
        ref=draw(st.integers(1, 4)),
        pointer=draw(_pointer),
    )


@st.composite
def _tcp_request(draw: st.DrawFn, family: int) -> TcpEntry:
    return TcpEntry(
        table=_TCP_TABLE[family],
        kind="request",
        sl=0,
        local_ip=draw(ip_strategy(family)),
        local_port=draw(port_strategy(zero=False)),
        remote_ip=draw(ip_strategy(family)),
        remote_port=draw(port_strategy()),
        st=0x03,
        tx_queue=0,
        rx_queue=0,
        tr=1,
        when=draw(_when),
        retrnsmt=draw(st.integers(0, 7)),
        uid=draw(_uid),
        timeout=0,
        inode=0,
        ref=0,
        pointer=draw(_pointer),
    )


_tcp_sl = st.one_of(st.integers(0, 20), st.integers(0, 9999), st.integers(10_000, 200_000))


def tcp_entry(family: int) -> st.SearchStrategy[TcpEntry]:
    """A ``TcpEntry`` for ``tcp`` (family 4) or ``tcp6`` (family 6).

    Mostly full sockets (all printable states 01..0B except 06; LISTEN rows
    have remote ``0:0`` as in the kernel), plus TIME_WAIT / timewait
    FIN_WAIT2 rows and SYN_RECV request rows. ``sl`` may exceed 4 digits.
    """
    fam = _family(family)
    kinds = st.one_of(_tcp_full(fam), _tcp_timewait(fam), _tcp_request(fam))
    return st.builds(lambda e, sl: dataclasses.replace(e, sl=sl), kinds, _tcp_sl)


def tcp_row(family: int, byteorder: ByteOrder = "little") -> st.SearchStrategy[str]:
    """One kernel line of ``tcp``/``tcp6`` (padded to 149 for v4, with ``\\n``)."""
    return tcp_entry(family).map(lambda e: format_tcp(e, byteorder))


# ---------------------------------------------------------------------------
# UDP, UDP-Lite, raw
# ---------------------------------------------------------------------------

_DGRAM_TABLES = {
    ("udp", 4): "udp",
    ("udp", 6): "udp6",
    ("udplite", 4): "udplite",
    ("udplite", 6): "udplite6",
    ("raw", 4): "raw",
    ("raw", 6): "raw6",
}

# Protocol numbers seen as a raw socket's "port": ICMP, TCP, UDP, IPv6
# (v6 encapsulation), ICMPv6, IPPROTO_RAW, and the rest of 0..255.
_raw_proto = st.one_of(st.sampled_from([1, 6, 17, 41, 58, 255]), st.integers(0, 255))


@st.composite
def _dgram(draw: st.DrawFn, table: str) -> DgramEntry:
    family = AF_INET_TABLES[table]
    raw = table.startswith("raw")
    connected = draw(st.booleans())
    if raw:
        local_port = draw(_raw_proto)
        sl = draw(st.integers(0, 255))  # RAW_HTABLE_SIZE buckets
        local_ip = draw(st.one_of(st.just(_zero_ip(family)), ip_strategy(family)))
        rx = draw(st.one_of(st.just(0), _queue))
    else:
        local_port = draw(port_strategy(zero=False))
        sl = draw(st.one_of(st.integers(0, 255), st.integers(0, 65535)))
        local_ip = draw(ip_strategy(family))
        # rx_queue counts truesize bytes (1664 for 150 payload bytes).
        rx = draw(st.one_of(st.just(0), st.sampled_from([768, 1664]), _queue))
    if connected:
        remote_ip = draw(_nonzero_ip(family))
        remote_port = 0 if raw else draw(port_strategy(zero=False))
    else:
        remote_ip, remote_port = _zero_ip(family), 0
    return DgramEntry(
        table=table,
        sl=sl,
        local_ip=local_ip,
        local_port=local_port,
        remote_ip=remote_ip,
        remote_port=remote_port,
        st=0x01 if connected else 0x07,
        tx_queue=draw(st.one_of(st.just(0), _queue)),
        rx_queue=rx,
        uid=draw(_uid),
        inode=draw(st.one_of(_inode, st.just(0))),
        ref=draw(st.integers(1, 4)),
        pointer=draw(_pointer),
        drops=draw(st.one_of(st.just(0), st.integers(0, 1000), st.integers(0, _U32))),
    )


def dgram_entry(table: str) -> st.SearchStrategy[DgramEntry]:
    """A ``DgramEntry`` for one of udp, udp6, udplite, udplite6, raw, raw6.

    ``st`` is 07 with an all-zero remote (unconnected) or 01 with a
    non-zero remote (connected); raw rows carry the protocol number as
    local port and remote port 0.
    """
    _require(table in _DGRAM_TABLES.values(), f"not a datagram table: {table}")
    return _dgram(table)


def udp_row(family: int, byteorder: ByteOrder = "little", lite: bool = False) -> st.SearchStrategy[str]:
    """One kernel line of udp/udp6 (or udplite/udplite6 when ``lite``).

    The v4 tables pad to 127 characters; ``sl`` is a ``%5d:`` hash bucket.
    """
    table = _DGRAM_TABLES[("udplite" if lite else "udp", _family(family))]
    return _dgram(table).map(lambda e: format_dgram(e, byteorder))


def raw_row(family: int, byteorder: ByteOrder = "little") -> st.SearchStrategy[str]:
    """One kernel line of raw (``%4d:`` sl) or raw6 (``%5d:`` sl)."""
    table = _DGRAM_TABLES[("raw", _family(family))]
    return _dgram(table).map(lambda e: format_dgram(e, byteorder))


# ---------------------------------------------------------------------------
# Unix
# ---------------------------------------------------------------------------

#: Longest name in sun_path: 108 bytes minus the NUL (filesystem) or minus
#: the leading NUL (abstract, shown as "@").
_SUN_PATH_MAX = 107

# Printable ASCII without whitespace: what netstat's "%s" reads back whole.
_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))
_SAFE_NO_SLASH = _SAFE.replace("/", "")


def _fit(text: str, limit: int = _SUN_PATH_MAX) -> str:
    """Cut ``text`` (whole code points) so its encoded size is <= ``limit``."""
    while len(text.encode("utf-8", "surrogateescape")) > limit:
        text = text[:-1]
    return text


@st.composite
def _fs_path(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.text(_SAFE_NO_SLASH, min_size=1, max_size=24), min_size=1, max_size=6))
    return _fit("/" + "/".join(parts))


def unix_path() -> st.SearchStrategy[str | None]:
    """The Path column of a unix record, or ``None`` for "no path".

    Filesystem paths (printable ASCII without whitespace), abstract
    ``@names`` (an ``@`` inside stands for an embedded NUL), autobind
    ``@`` + 5 hex digits, and names up to the 107-byte limit. Whitespace and
    control bytes are left out on purpose (netstat splits on them); see
    ``unix_path_hostile``.
    """
    return st.one_of(
        st.none(),
        _fs_path(),
        st.text(_SAFE, min_size=0, max_size=40).map(lambda s: "@" + s),
        st.integers(0, 0xFFFFF).map(lambda v: "@%05x" % v),
        st.text(_SAFE, min_size=90, max_size=_SUN_PATH_MAX).map(lambda s: _fit("/" + s)),
        st.text(_SAFE, min_size=_SUN_PATH_MAX, max_size=_SUN_PATH_MAX).map(lambda s: "@" + s),
    )


# Hostile characters: blanks, control bytes other than "\n", non-ASCII
# UTF-8, and undecodable bytes (lone surrogates under surrogateescape).
_HOSTILE_EXTRA = (
    " \t\r\x0b\x0c"
    + "".join(chr(c) for c in range(0x01, 0x20) if c != 0x0A)
    + "\x7f"
    + "\u00e9\u00df\u4e2d\u6587\u2028\U0001f600"
    + "\udc80\udcff\udcc3"
)


def unix_path_hostile() -> st.SearchStrategy[str]:
    """Paths netstat mangles: spaces, tabs, control bytes, non-ASCII, bad UTF-8.

    Never contains ``"\\n"`` (that splits the record; test it separately).
    Filesystem (``/...``) or abstract (``@...``), within 107 bytes.
    """
    alphabet = st.sampled_from(_SAFE + _HOSTILE_EXTRA)
    body = st.text(alphabet, min_size=1, max_size=60)
    return st.one_of(
        body.map(lambda s: _fit("/" + s)),
        body.map(lambda s: "@" + _fit(s)),
    )


_UNIX_KINDS = (
    ("listen",) * 4
    + ("connected",) * 5
    + ("unconnected",) * 5
    + ("embryo",) * 2
    + ("disconnecting",)
    + ("odd",)
)


@st.composite
def _unix(draw: st.DrawFn, paths: st.SearchStrategy[str | None]) -> UnixEntry:
    # Weighted by repetition; "odd" (type 0003/0004) stays rare.
    kind = draw(st.sampled_from(_UNIX_KINDS))
    seq_types = st.sampled_from([0x0001, 0x0005])
    path = draw(paths)
    flags, inode = 0, draw(_inode)
    if kind == "listen":
        # listen() needs an address (autobound if unnamed).
        typ, state, flags = draw(seq_types), 0x01, 0x00010000
        if path is None:
            path = "@%05x" % draw(st.integers(0, 0xFFFFF))
    elif kind == "connected":
        typ, state = draw(st.sampled_from([1, 2, 5])), 0x03
    elif kind == "unconnected":
        typ, state = draw(st.sampled_from([1, 2, 5])), 0x01
    elif kind == "embryo":
        # Server side of a not yet accept()ed connection: no struct socket.
        typ, state, inode = draw(seq_types), 0x02, 0
    elif kind == "disconnecting":
        typ, state, inode = draw(st.sampled_from([1, 2, 5])), 0x04, 0
    else:
        # SOCK_RAW (3) / SOCK_RDM (4): not created by today's kernels.
        typ, state = draw(st.sampled_from([3, 4])), draw(st.sampled_from([1, 3]))
    return UnixEntry(
        num=draw(_pointer),
        refcount=draw(st.one_of(st.integers(1, 3), st.integers(1, 0x40), st.integers(1, 0xFFFF))),
        flags=flags,
        type=typ,
        st=state,
        inode=inode,
        path=path,
    )


def unix_entry(
    paths: st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[UnixEntry]:
    """A coherent ``UnixEntry``: listening (ACC, St 01), connected (03),
    unconnected (01), embryo (02, inode 0), disconnecting (04, inode 0), and
    rarely type 0003/0004. ``paths`` defaults to ``unix_path()``.
    """
    return _unix(unix_path() if paths is None else paths)


def unix_row(
    paths: st.SearchStrategy[str | None] | None = None,
) -> st.SearchStrategy[str]:
    """One kernel line of ``/proc/net/unix`` (with ``"\\n"``)."""
    return unix_entry(paths).map(format_unix)


# ---------------------------------------------------------------------------
# Whole tables and snapshots
# ---------------------------------------------------------------------------

MAX_ROWS = 30


@st.composite
def _tcp_entries(draw: st.DrawFn, table: str, max_rows: int) -> list[TcpEntry]:
    entries = draw(st.lists(tcp_entry(AF_INET_TABLES[table]), max_size=max_rows))
    # Listening hash first, then the established hash (tcp_seq_next).
    entries.sort(key=lambda e: e.st != 0x0A)
    start = draw(st.one_of(st.just(0), st.integers(0, 100), st.integers(9980, 99_990)))
    return [dataclasses.replace(e, sl=start + i) for i, e in enumerate(entries)]


@st.composite
def _dgram_entries(draw: st.DrawFn, table: str, max_rows: int) -> list[DgramEntry]:
    entries = draw(st.lists(_dgram(table), max_size=max_rows))
    # The iterators walk hash buckets in ascending order (sl may repeat).
    return sorted(entries, key=lambda e: e.sl)


def table_entries(name: str, max_rows: int = MAX_ROWS) -> st.SearchStrategy[Sequence[Entry]]:
    """The rows of table ``name`` in file order (0..``max_rows`` of them).

    tcp ``sl`` runs consecutively from some start (listeners first);
    udp/raw ``sl`` buckets ascend and may repeat; unix is unordered.
    """
    _check_table(name)
    if name in ("tcp", "tcp6"):
        return _tcp_entries(name, max_rows)
    if name == "unix":
        return st.lists(unix_entry(), max_size=max_rows)
    return _dgram_entries(name, max_rows)


def table_text(
    name: str, byteorder: ByteOrder = "little", max_rows: int = MAX_ROWS
) -> st.SearchStrategy[str]:
    """The whole text of ``/proc/net/<name>``: header plus 0..max_rows rows."""
    return table_entries(name, max_rows).map(lambda entries: format_table(name, entries, byteorder))


def snapshot_tables(
    byteorder: ByteOrder = "little",
    max_rows: int = MAX_ROWS,
    names: Sequence[str] = TABLE_NAMES,
) -> st.SearchStrategy[dict[str, str]]:
    """``{table name: file text}`` for a random subset of ``names``.

    Any table may be absent from the dict (no such file) or header-only.
    Pass the result to ``FakeProc(root).tables``.
    """
    for name in names:
        _check_table(name)
    return st.fixed_dictionaries({}, optional={n: table_text(n, byteorder, max_rows) for n in names})
