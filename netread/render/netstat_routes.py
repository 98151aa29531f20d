"""``netstat -r`` text: the routing tables as net-tools 2.10 prints them (lib/inet_gr.c, lib/inet6_gr.c).

Pure: rows from netread/parse/route.py and the names the core looked up
(:class:`RouteNames`) in, bytes out.  Widths are printf's and count bytes;
text from /proc or a resolver is cut on its raw bytes, as netstat cuts it,
then escaped (netread.escape.escape_text), so the column may grow where an
escape was needed.

The format level ``ext`` is netstat's: 2 without ``-e``, 1 with ``-e``, 3 with
``-ee``, 0 (title only) with ``-eee``, then round again (:func:`ext_level`).
"""

from __future__ import annotations

import dataclasses
import ipaddress

from netread.escape import escape_text
from netread.model import address_text
from netread.parse.etc import fix_v4_address
from netread.parse.route import RTF_GATEWAY
from netread.parse.route import RTF_HOST
from netread.parse.route import RTF_REJECT
from netread.parse.route import RTF_UP
from netread.parse.route import cache_format

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Mapping

    from netread.parse.ndisc import Neighbour
    from netread.parse.route import Route
    from netread.parse.route import Route6

#: rprint_fib's flag letters after U and G (and REJECT's ``!``), in its order.
FIB_LETTERS = (
    (0x4, "H"), (0x8, "R"), (0x10, "D"), (0x20, "M"), (0x10000, "d"), (0x20000, "a"), (0x40000, "c"),
    (0x200000, "o"), (0x400000, "e"), (0x1000000, "c"), (0x2000000, "f"), (0x4000000, "p"), (0x80000000, "l"),
    (0x40, "u"), (0x80, "w"), (0x100, "i"), (0x400, "n"),
)  # fmt: skip
#: rprint_cache's letters: 2.0 layout first (U, H), then G, ``!`` (replacing), R D M, 2.2 (- o), then the RTCF ones.
CACHE_LETTERS = (
    (0x10000, "n"), (0x20000, "d"), (0x80000, "t"), (0x200000, "f"), (0x400000, "q"), (0x800000, "Ns"),
    (0x1000000, "r"), (0x4000000, "i"), (0x8000000, "Nd"), (0x10000000, "b"), (0x20000000, "m"),
    (0x40000000, "#"), (0x80000000, "l"),
)  # fmt: skip
#: rprint_fib6's letters, in its order (REJECT's ``!`` is appended here).
FIB6_LETTERS = (
    (0x1, "U"), (0x200, "!"), (0x2, "G"), (0x4, "H"), (0x10000, "D"), (0x40000, "A"), (0x1000000, "C"),
    (0x20000, "a"), (0x400000, "e"), (0x20, "m"), (0x200000, "n"), (0x2000000, "f"),
)  # fmt: skip

FIB_TITLE = b"Kernel IP routing table\n"
CACHE_TITLE = b"Kernel IP routing cache\n"
FIB6_TITLE = b"Kernel IPv6 routing table\n"
CACHE6_TITLE = b"Kernel IPv6 routing cache\n"
_HEAD = b"Destination     Gateway         Genmask         "
FIB_HEADERS = {
    1: _HEAD + b"Flags Metric Ref    Use Iface\n",
    2: _HEAD + b"Flags   MSS Window  irtt Iface\n",
    3: _HEAD + b"Flags Metric Ref    Use Iface    MSS   Window irtt\n",
}
_CACHE_HEAD = b"Source          Destination     Gateway         "
CACHE_HEADERS = {
    1: _CACHE_HEAD + b"Flags Metric Ref    Use Iface\n",
    2: _CACHE_HEAD + b"Flags   MSS Window  irtt Iface\n",
}
CACHE_HEADER_22 = _CACHE_HEAD + b"Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n"
CACHE_HEADER_20 = _CACHE_HEAD + b"Flags Metric Ref    Use Iface    MSS   Window irtt  HH  Arp\n"
FIB6_HEADER = b"Destination                    Next Hop                   Flag Met Ref  Use If\n"
#: How many bytes of a name rprint_fib keeps (``net_addr[15] = '\0'``).
NAME_BYTES = 15


def ext_level(extend: int) -> int:
    """netstat.c main: flag_exp = 1 + number of -e, 1 and 2 swapped, then & FLAG_EXT (3).

    >>> [ext_level(n) for n in range(7)]
    [2, 1, 3, 0, 1, 2, 3]
    """
    level = 1 + extend
    level = {1: 2, 2: 1}.get(level, level)
    return level & 3


@dataclasses.dataclass(frozen=True)
class RouteNames:
    """What the core's resolver answered: ``hosts`` (gethostbyaddr, getnameinfo) and
    ``networks`` (getnetbyaddr, /etc/networks).  An address absent from both prints as a number."""

    hosts: Mapping[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = dataclasses.field(default_factory=dict)
    networks: Mapping[ipaddress.IPv4Address, str] = dataclasses.field(default_factory=dict)


def destination_lookup(row: Route) -> str | None:
    """Which lookup netstat makes for a FIB destination (INET_rresolve): "host", "net" or None (none)."""
    if int(row.destination) == 0:
        return None
    if row.flags & RTF_HOST or int(row.destination) & ~int(row.mask) & 0xFFFFFFFF:
        return "host"
    return "net"


def cache_lookup(address: ipaddress.IPv4Address) -> str | None:
    """rprint_cache's lookup (INET_rresolve with its fixed mask): none for 0, a network when the
    first octet is 0, otherwise a host."""
    if int(address) == 0:
        return None
    return "net" if address.packed[0] == 0 else "host"


def _cut(text: str, most: int) -> bytes:
    """``text`` cut to ``most`` raw bytes, then made terminal-safe."""
    raw = text.encode("utf-8", "surrogateescape")[:most]
    return _safe(raw.decode("utf-8", "surrogateescape"))


def _safe(text: str) -> bytes:
    return escape_text(text).encode("utf-8", "surrogateescape")


def _fib_flags(flags: int) -> bytes:
    text = ("U" if flags & RTF_UP else "") + ("G" if flags & RTF_GATEWAY else "")
    if flags & RTF_REJECT:
        text = "!"
    return (text + "".join(letter for bit, letter in FIB_LETTERS if flags & bit)).encode()


def _cache_flags(flags: int, layout_20: bool) -> bytes:
    text = ""
    if layout_20:
        text += ("U" if flags & 0x1 else "") + ("H" if flags & 0x4 else "")
    if flags & RTF_GATEWAY:
        text += "G"
    if flags & RTF_REJECT:
        text = "!"
    text += "".join(letter for bit, letter in ((0x8, "R"), (0x10, "D"), (0x20, "M")) if flags & bit)
    if not layout_20:
        text += ("-" if flags & 0x1 else "") + ("o" if flags & 0x4 else "")
    return (text + "".join(letter for bit, letter in CACHE_LETTERS if flags & bit)).encode()


def fib6_flags(flags: int) -> str:
    """rprint_fib6's letters: ``0x80200001`` (a local route) is ``Un``."""
    return "".join(letter for bit, letter in FIB6_LETTERS if flags & bit)


def fib_flags(flags: int) -> str:
    """rprint_fib's letters: ``0x0003`` is ``UG``, ``0x0201`` is ``!``."""
    return _fib_flags(flags).decode()


def fib_texts(row: Route, names: RouteNames, numeric: bool) -> tuple[str, str, str]:
    """(Destination, Gateway, Genmask) as rprint_fib shows them, before the 15-byte cut."""
    mask = str(row.mask)
    if numeric:
        return str(row.destination), str(row.gateway), mask
    kind = destination_lookup(row)
    if kind is None:
        dest = "default" if int(row.mask) == 0 else "0.0.0.0"
    elif kind == "host":
        dest = names.hosts.get(row.destination, str(row.destination))
    else:
        dest = names.networks.get(row.destination, str(row.destination))
    gateway = str(row.gateway) if int(row.gateway) == 0 else names.hosts.get(row.gateway, str(row.gateway))
    return dest, gateway, mask


def fib_lines(rows: Iterable[Route], ext: int, names: RouteNames, numeric: bool) -> Iterator[bytes]:
    """rprint_fib's rows (after its title and header, :func:`fib_head`)."""
    if ext == 0:
        return
    for row in rows:
        dest, gateway, mask = (_cut(text, NAME_BYTES) for text in fib_texts(row, names, numeric))
        flags = _fib_flags(row.flags)
        iface = _safe(row.iface)
        reject = bool(row.flags & RTF_REJECT)
        if ext == 1:
            if reject:
                yield b"%-15s -               %-15s %-5s %-6d -  %7d -\n" % (dest, mask, flags, row.metric, row.use)
            else:
                yield b"%-15s %-15s %-15s %-5s %-6d %-2d %7d %s\n" % (dest, gateway, mask, flags, row.metric, row.refcnt, row.use, iface)
        elif ext == 2:
            if reject:
                yield b"%-15s -               %-15s %-5s     - -          - -\n" % (dest, mask, flags)
            else:
                yield b"%-15s %-15s %-15s %-5s %5d %-5d %6d %s\n" % (dest, gateway, mask, flags, row.mss, row.window, row.irtt, iface)
        elif reject:
            yield b"%-15s -               %-15s %-5s %-6d -  %7d -        -     -      -\n" % (dest, mask, flags, row.metric, row.use)
        else:
            yield b"%-15s %-15s %-15s %-5s %-6d %-3d %6d %-6s   %-5d %-6d %d\n" % (
                dest, gateway, mask, flags, row.metric, row.refcnt, row.use, _cut(row.iface, 6).ljust(6),
                row.mss, row.window, row.irtt,
            )  # fmt: skip


def fib_head(ext: int) -> bytes:
    """The title and (for ext 1-3) the column header."""
    return FIB_TITLE + FIB_HEADERS.get(ext, b"")


def cache_head(ext: int, layout: int) -> bytes:
    """rprint_cache's title and header; a header it does not know is reported on stdout, as netstat's."""
    head = CACHE_TITLE
    if layout not in (63, 97):
        head += b"ERROR: proc_guess_fmt(/proc/net/rt_cache,... returned: %d\n" % layout
    head += CACHE_HEADERS.get(ext, b"")
    form = cache_format(layout)
    if ext >= 3 and form == 1:
        head += CACHE_HEADER_20
    elif ext >= 3 and form == 2:
        head += CACHE_HEADER_22
    return head


def _cache_text(address: ipaddress.IPv4Address, names: RouteNames, numeric: bool) -> str:
    kind = None if numeric else cache_lookup(address)
    if kind == "host":
        return names.hosts.get(address, str(address))
    if kind == "net":
        return names.networks.get(address, str(address))
    return str(address)


def cache_lines(rows: Iterable[Route], ext: int, layout: int, names: RouteNames, numeric: bool) -> Iterator[bytes]:
    """rprint_cache's rows: Source first; names are not cut."""
    layout_20 = cache_format(layout) == 1
    for row in rows:
        assert row.source is not None and row.spec_dst is not None
        source, dest, gateway, spec = (
            _safe(_cache_text(a, names, numeric)) for a in (row.source, row.destination, row.gateway, row.spec_dst)
        )
        flags = _cache_flags(row.flags, layout_20)
        iface = _safe(row.iface)
        if ext == 1:
            yield b"%-15s %-15s %-15s %-5s %-6d %-2d %7d %s\n" % (source, dest, gateway, flags, row.metric, row.refcnt, row.use, iface)
        elif ext == 2:
            yield b"%-15s %-15s %-15s %-5s %5d %-5d %6d %s\n" % (source, dest, gateway, flags, row.mss, row.window, row.irtt, iface)
        elif ext >= 3:
            start = b"%-15s %-15s %-15s %-5s %-6d %-3d %6d %-6s   %-5d %-6d %-5d " % (
                source, dest, gateway, flags, row.metric, row.refcnt, row.use, _cut(row.iface, 6).ljust(6),
                row.mss, row.window, row.irtt,
            )  # fmt: skip
            if layout_20:
                yield start + b"%-3d %d\n" % (row.hh, row.arp)
            else:
                yield start + b"%-3d %-3d   %-3d %15s\n" % (row.tos, row.hhref, row.hhuptod, spec)


def fib6_text(address: ipaddress.IPv6Address, names: RouteNames, numeric: bool) -> str:
    """INET6_sprint: inet_ntop (numeric) or the resolver's name (``[::]`` for ``::``), an
    IPv4-mapped address as its IPv4 part."""
    if numeric:
        return _mapped(address, _ntop(address))
    if int(address) == 0:
        return "[::]"
    return _mapped(address, names.hosts.get(address, _ntop(address)))


def _mapped(address: ipaddress.IPv6Address, text: str) -> str:
    """netstat's fix_v4_address, which changes only an IPv4-mapped address's text."""
    return fix_v4_address(text) if address.ipv4_mapped is not None else text


def _ntop(address: ipaddress.IPv6Address) -> str:
    """inet_ntop's text (``::1.2.3.4`` for an IPv4-compatible address, where str() differs)."""
    return address_text(address)


def fib6_lines(rows: Iterable[Route6], names: RouteNames, numeric: bool, cache: bool) -> Iterator[bytes]:
    """rprint_fib6's rows: RTF_CACHE ones in cache mode, the others in FIB mode."""
    for row in rows:
        if bool(row.flags & 0x01000000) != cache:
            continue
        dest = _safe(fib6_text(row.destination, names, numeric)) + b"/%d" % row.prefix_len
        hop = _safe(fib6_text(row.next_hop, names, numeric))
        yield b"%-30s %-26s %-4s %-3d %-1d %6d %s\n" % (
            dest, hop, fib6_flags(row.flags).encode(), row.metric, row.refcnt, row.use, _safe(row.iface)
        )


NDISC_TITLE = b"Kernel IPv6 Neighbour Cache\n"
_NDISC_HEAD = b"Neighbour                                   HW Address        Iface    Flags Ref State"
#: rprint_cache6's state names (linux-2.4 include/net/neighbour.h NUD_*).
NUD_NAMES = {0x00: "NONE", 0x01: "INCOMPLETE", 0x02: "REACHABLE", 0x04: "STALE", 0x08: "DELAY", 0x10: "PROBE",
             0x20: "FAILED", 0x40: "NOARP", 0x80: "PERM"}  # fmt: skip


def ndisc_head(ext: int) -> bytes:
    """rprint_cache6's title and header: the two time columns unless ext is 2 (no -e)."""
    return NDISC_TITLE + _NDISC_HEAD + (b"\n" if ext == 2 else b"            Stale(sec) Delete(sec)\n")


def ndisc_lines(rows: Iterable[Neighbour], ext: int, names: RouteNames, numeric: bool, clk_tck: int) -> Iterator[bytes]:
    """rprint_cache6's rows; the times are in the snapshot's clock ticks (``clk_tck``)."""
    for row in rows:
        address = _safe(fib6_text(row.address, names, numeric)) + b"/%d" % row.prefix_len
        hardware = _safe(":".join(row.hardware))
        flags = "".join(letter for bit, letter in ((0x80, "R"), (0x04, "x"), (0x02, "h"), (0x08, "P")) if row.flags & bit)
        state = NUD_NAMES.get(row.state, "UNKNOWN(%02x)" % (row.state & 0xFFFFFFFF))
        line = b"%-43s %-17s %-8s %-5s %-3d %-16s" % (address, hardware, _safe(row.iface), flags.encode(), row.refcnt, state.encode())
        if ext != 2:
            stale = row.reachable - row.tstamp if row.state == 0x02 and row.reachable > row.tstamp else 0
            delete = row.gc - row.tstamp if row.gc > row.tstamp else 0
            line += b" %-9d " % (stale // clk_tck) + (b" * " if row.refcnt else b" %-7d " % (delete // clk_tck))
        yield line + b"\n"
