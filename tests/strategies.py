"""Hypothesis strategies for well-formed ``/proc/net`` socket tables.

The records they draw are printed by tests/kernel_text.py exactly as a Linux
kernel writes them (see that module for the formats and their kernel
sources), so that netread and the reference ``netstat`` 2.10 can both read
them without a "bogus line" warning.

Strategies: ``ip_strategy``, ``port_strategy``, ``*_entry``/``*_row``,
``unix_path``, ``unix_path_hostile``, ``table_entries``, ``table_text`` and
``snapshot_tables`` (lay the tables out as a fake ``/proc`` with
tests/fakeproc.py). Text that is not valid UTF-8 (only from
``unix_path_hostile``) is carried as lone surrogates and must be written with
``errors="surrogateescape"``, as ``fakeproc.FakeProc`` does.
"""

from __future__ import annotations

# The row builders keep C printf syntax ("%016x") as the kernel's formats do.
import dataclasses
import socket
from collections.abc import Sequence

from hypothesis import strategies as st
from kernel_text import AF_INET_TABLES
from kernel_text import TABLE_NAMES
from kernel_text import U32
from kernel_text import U64
from kernel_text import ByteOrder
from kernel_text import DgramEntry
from kernel_text import Entry
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import check_table
from kernel_text import family_number
from kernel_text import format_dgram
from kernel_text import format_table
from kernel_text import format_tcp
from kernel_text import format_unix
from kernel_text import require

__all__ = [
    "MAX_ROWS",
    "dgram_entry",
    "ip_strategy",
    "port_strategy",
    "raw_row",
    "snapshot_tables",
    "snapshot_with_owners",
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
    st.integers(0, U32),
)

_v6_word = st.one_of(st.just(0), st.integers(1, 0xFF), st.integers(0x1000, 0xFFFF), st.integers(0, 0xFFFF))


def ip_strategy(family: int) -> st.SearchStrategy[str]:
    """Canonical (``inet_ntop``) address text of the given family (4 or 6).

    IPv6 covers ``::``, ``::1``, IPv4-mapped ``::ffff:a.b.c.d``,
    IPv4-compatible ``::a.b.c.d``, link-local ``fe80::/64``, long global
    addresses without zero words (39 characters, so netstat truncates them
    without ``-W``), mixtures of zero and non-zero words, and random bytes.
    """
    if family_number(family) == 4:
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
    st.sampled_from([1, 2**31 - 1, 2**31, U32]),
    st.integers(0, U32),
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
    st.integers(1, U64),
)

#: ``%pK``: zeros (kptr_restrict), 32-bit hash (x86_64 default), raw pointer.
_pointer = st.one_of(
    st.just("0" * 16),
    st.integers(0, U32).map(lambda v: "%016x" % v),
    st.integers(0xFFFF800000000000, U64).map(lambda v: "%016x" % v),
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
    fam = family_number(family)
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
        drops=draw(st.one_of(st.just(0), st.integers(0, 1000), st.integers(0, U32))),
    )


def dgram_entry(table: str) -> st.SearchStrategy[DgramEntry]:
    """A ``DgramEntry`` for one of udp, udp6, udplite, udplite6, raw, raw6.

    ``st`` is 07 with an all-zero remote (unconnected) or 01 with a
    non-zero remote (connected); raw rows carry the protocol number as
    local port and remote port 0.
    """
    require(table in _DGRAM_TABLES.values(), f"not a datagram table: {table}")
    return _dgram(table)


def udp_row(family: int, byteorder: ByteOrder = "little", lite: bool = False) -> st.SearchStrategy[str]:
    """One kernel line of udp/udp6 (or udplite/udplite6 when ``lite``).

    The v4 tables pad to 127 characters; ``sl`` is a ``%5d:`` hash bucket.
    """
    table = _DGRAM_TABLES[("udplite" if lite else "udp", family_number(family))]
    return _dgram(table).map(lambda e: format_dgram(e, byteorder))


def raw_row(family: int, byteorder: ByteOrder = "little") -> st.SearchStrategy[str]:
    """One kernel line of raw (``%4d:`` sl) or raw6 (``%5d:`` sl)."""
    table = _DGRAM_TABLES[("raw", family_number(family))]
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
    check_table(name)
    if name in ("tcp", "tcp6"):
        return _tcp_entries(name, max_rows)
    if name == "unix":
        return _unix_entries(max_rows)
    return _dgram_entries(name, max_rows)


@st.composite
def _unix_entries(draw: st.DrawFn, max_rows: int) -> list[UnixEntry]:
    """A unix table as one reading of the kernel's prints it: every socket's inode differs (0, for
    sockets with no struct socket, may repeat) and every Num alike is 0 (kptr_restrict) or a hashed
    pointer, so none of the rows is one parse/unix.py shows forged."""
    entries = draw(st.lists(unix_entry(), max_size=max_rows))
    restricted = draw(st.booleans())
    seen: set[int] = set()
    out = []
    for entry in entries:
        inode = entry.inode
        while inode and inode in seen:
            inode = inode + 1 if inode < (1 << 63) else 1
        seen.add(inode)
        num = "0" * 16 if restricted else (entry.num if int(entry.num, 16) else "ffff888000000000")
        out.append(dataclasses.replace(entry, inode=inode, num=num))
    return out


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
        check_table(name)
    return st.fixed_dictionaries({}, optional={n: table_text(n, byteorder, max_rows) for n in names})


# ---------------------------------------------------------------------------
# Snapshots with owning processes
# ---------------------------------------------------------------------------

CMDLINES = st.one_of(
    st.sampled_from([b"/usr/sbin/sshd\0-D\0", b"./relname\0x\0", b"python3\0-m\0http.server\0", b"/opt/some dir/prog --flag=/x/y\0"]),
    st.binary(min_size=0, max_size=40).filter(lambda b: all(0x20 <= c < 0x7F or c == 0 for c in b)),
    st.text("abcdefghijklmnopqrstuvwxyz/._-", min_size=1, max_size=40).map(lambda s: s.encode() + b"\0"),
)


@st.composite
def snapshot_with_owners(draw: st.DrawFn) -> tuple[dict[str, str], list[tuple[int, bytes, list[int]]]]:
    """``(tables, processes)``: every table, and processes ``(pid, cmdline, socket inodes)``
    owning some of the tables' sockets and some no table lists. Lay it out with
    ``FakeProc(root).owned_snapshot``."""
    tables: dict[str, str] = {}
    inodes: list[int] = []
    for name in TABLE_NAMES:
        entries = draw(table_entries(name, max_rows=8))
        tables[name] = format_table(name, entries)
        # netstat ignores socket:[N] links with a one-digit N (a deliberate
        # difference, tested in oracle/test_differences.py), so keep N >= 10 here.
        inodes += [e.inode for e in entries if e.inode >= 10]
    procs = []
    for pid in draw(st.lists(st.integers(1, 99999), unique=True, max_size=6)):
        owned = draw(st.lists(st.sampled_from(inodes), max_size=6)) if inodes else []
        owned += draw(st.lists(st.integers(10, 10**7), max_size=2))  # sockets no table lists
        procs.append((pid, draw(CMDLINES), owned))
    return tables, procs
