"""net/route, net/rt_cache and net/ipv6_route, read as netstat 2.10 reads them.

net-tools' lib/inet_gr.c (rprint_fib, rprint_cache) and lib/inet6_gr.c
(rprint_fib6) scan each line with ``sscanf`` into variables that live across
lines, so a field that fails to convert keeps the previous line's value
(netread/parse/scanf.py has the conversions).  These decoders keep that state
the same way and say, for each row, which values were carried over
(:attr:`Route.carried`) and which were never set at all (:attr:`Route.unset`:
netstat prints uninitialised memory there; netread prints 0).

net/route (kernel net/ipv4/fib_trie.c ``fib_route_seq_show``)::

    Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
    eth0\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0

is ``Route(iface="eth0", destination=10.0.2.0, gateway=0.0.0.0, flags=0x1,
metric=100, mask=255.255.255.0, ...)``: each address is 8 hex digits, the
network-order word printed as a host-order number (netstat reverses the four
bytes, which is right on little-endian hosts only, as netstat is).

net/ipv6_route (kernel net/ipv6/route.c ``rt6_info_seq_show``), no header::

    fd000000000000000000000000000000 40 0000...0000 00 0000...0000 00000100 00000001 00000000 00000001     eth0

is ``Route6(destination=fd00::, prefix_len=64, next_hop=::, metric=256,
refcnt=1, use=0, flags=0x1, iface="eth0")``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket

from netread.errors import ParseError
from netread.parse.scanf import TextScan
from netread.parse.scanf import fgets_pieces

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Sequence

#: include/uapi/linux/route.h and ipv6_route.h.
RTF_UP = 0x0001
RTF_GATEWAY = 0x0002
RTF_HOST = 0x0004
RTF_REJECT = 0x0200
RTF_CACHE = 0x01000000

#: The columns rprint_fib asks proc_gen_fmt for, in order, with their conversions.
ROUTE_COLUMNS = (
    ("Iface", "s15"), ("Destination", "s127"), ("Gateway", "s127"), ("Flags", "X"), ("RefCnt", "d"),
    ("Use", "d"), ("Metric", "d"), ("Mask", "s127"), ("MTU", "d"), ("Window", "d"), ("IRTT", "d"),
)  # fmt: skip
#: rprint_cache's columns, 2.2 layout (header classification 63) and 2.0 layout (97).
CACHE_COLUMNS_22 = (
    ("Iface", "s15"), ("Destination", "s127"), ("Gateway", "s127"), ("Flags", "X"), ("RefCnt", "d"),
    ("Use", "d"), ("Metric", "d"), ("Source", "s127"), ("MTU", "d"), ("Window", "d"), ("IRTT", "d"),
    ("TOS", "d"), ("HHRef", "d"), ("HHUptod", "d"), ("SpecDst", "s127"),
)  # fmt: skip
CACHE_COLUMNS_20 = CACHE_COLUMNS_22[:11] + (("HH", "d"), ("ARP", "d"))
#: proc_guess_fmt's substring tests on the rt_cache header: the sum names the layout.
CACHE_GUESS = (("IRTT", 1), ("TOS", 2), ("HHRef", 4), ("HHUptod", 8), ("SpecDst", 16), ("HH", 32), ("ARP", 64))
LAYOUT_22 = 63
LAYOUT_20 = 97

#: A column the header has but netstat does not ask for: ``%*s``.
_SKIP = ("", "skip")
_IPV4_ZERO = ipaddress.IPv4Address(0)
_IPV6_ZERO = ipaddress.IPv6Address(0)


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    """One row netstat prints from net/route (or net/rt_cache: then ``source`` etc. are set)."""

    lineno: int
    iface: str
    destination: ipaddress.IPv4Address
    gateway: ipaddress.IPv4Address
    mask: ipaddress.IPv4Address
    flags: int
    refcnt: int
    use: int
    metric: int
    #: The file's ``MTU`` column (advmss + 40), which netstat heads ``MSS``.
    mss: int
    window: int
    irtt: int
    #: Fields whose value came from an earlier line (this one did not convert them).
    carried: frozenset[str] = frozenset()
    #: Fields no line has set yet: netstat prints uninitialised memory for them.
    unset: frozenset[str] = frozenset()
    #: net/rt_cache only.
    source: ipaddress.IPv4Address | None = None
    tos: int = 0
    hhref: int = 0
    hhuptod: int = 0
    spec_dst: ipaddress.IPv4Address | None = None
    hh: int = 0
    arp: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Route6:
    """One row of net/ipv6_route, as netstat prints it."""

    lineno: int
    destination: ipaddress.IPv6Address
    prefix_len: int
    next_hop: ipaddress.IPv6Address
    metric: int
    refcnt: int
    use: int
    flags: int
    iface: str
    carried: frozenset[str] = frozenset()
    unset: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class RouteTable:
    """What one route file gave: its rows, the lines that were malformed, and why it stopped.

    ``missing`` is the first column the header lacks (netstat's ``warning: ...
    does not contain required field``, status 1); ``empty`` is a file without
    even a header line (status 1, no message).  ``layout`` is rt_cache's header
    classification (63, 97 or another number, which netstat reports).
    """

    rows: list[Route] | list[Route6]
    problems: list[ParseError]
    missing: str | None = None
    empty: bool = False
    layout: int | None = None


def _latin1(line: str) -> str:
    """A line as read_net gives it (UTF-8, surrogateescape) as one character per byte."""
    return line.encode("utf-8", "surrogateescape").decode("latin-1")


def _text(value: str) -> str:
    """Back from one character per byte to read_net's text."""
    return value.encode("latin-1").decode("utf-8", "surrogateescape")


def column_plan(header: str, columns: Sequence[tuple[str, str]]) -> tuple[list[tuple[str, str]], str | None]:
    """lib/proc.c proc_gen_fmt: the header's tokens matched, in order, against ``columns``.

    Returns the scan plan (a skipped token is ``("", "skip")``) and the first
    column never matched (None when all were).  Tokens are split on space, TAB,
    newline and ``|``; runs of C white space and ``|`` separate them.

    >>> plan, missing = column_plan("A X B\\n", (("A", "d"), ("B", "d")))
    >>> [name for name, _ in plan], missing
    (['A', '', 'B'], None)
    """
    nul = header.find("\0")
    buf = (header if nul < 0 else header[:nul]) + " "
    plan: list[tuple[str, str]] = []
    wanted = iter(columns)
    title: tuple[str, str] | None = next(wanted, None)
    pos = 0
    while title is not None:
        while pos < len(buf) and (buf[pos] in " \t\n\v\f\r|"):
            pos += 1
        end = min((i for i in (buf.find(c, pos) for c in "| \t\n") if i >= 0), default=-1)
        head = buf[pos:] if end < 0 else buf[pos:end]
        if head == title[0]:
            plan.append(title)
            title = next(wanted, None)
        else:
            plan.append(_SKIP)
        if end < 0:
            break
        pos = end + 1
    return plan, None if title is None else title[0]


def _scan(text: str, plan: Sequence[tuple[str, str]], values: dict[str, int | str]) -> tuple[int, str | None]:
    """sscanf with ``plan`` into ``values`` (kept across lines); (conversions done, first field that failed)."""
    scan = TextScan(text)
    done = 0
    for name, kind in plan:
        got: int | str | None
        if kind == "skip":
            got = scan.string(1 << 30)
        elif kind[0] == "s":
            got = scan.string(int(kind[1:]))
        elif kind == "X":
            got = scan.hexadecimal()
        else:
            got = scan.decimal()
        if got is None:
            return done, name or "(skipped column)"
        if name:
            values[name] = got
            done += 1
    return done, None


def inet_getsock(text: str) -> ipaddress.IPv4Address | None:
    """lib/inet.c INET_getsock: the first 8 hex digits as 4 bytes, reversed; None if one is not hex.

    >>> inet_getsock("0100A8C0"), inet_getsock("0100a8c0ff"), inet_getsock("0100A8")
    (IPv4Address('192.168.0.1'), IPv4Address('192.168.0.1'), None)
    """
    head = text[:8]
    if len(head) < 8 or any(c not in "0123456789abcdefABCDEF" for c in head):
        return None
    return ipaddress.IPv4Address(bytes.fromhex(head)[::-1])


def parse_route(lines: Iterable[str], *, path: str = "/proc/net/route") -> RouteTable:
    """net/route as rprint_fib reads it: the rows it prints (RTF_UP, 10 fields at least)."""
    pieces = fgets_pieces((_latin1(line) for line in lines), first=510)
    header = next(pieces, None)
    if header is None:
        return RouteTable([], [], empty=True)
    plan, missing = column_plan(header[1], ROUTE_COLUMNS)
    if missing is not None:
        return RouteTable([], [], missing=missing)
    values: dict[str, int | str] = {"MTU": 0, "Window": 0, "IRTT": 0}
    addresses: dict[str, ipaddress.IPv4Address] = {}
    rows: list[Route] = []
    problems: list[ParseError] = []
    for lineno, text in pieces:
        num, failed = _scan(text, plan, values)
        if num < 10:
            if text.strip(" \t\n\v\f\r"):
                problems.append(ParseError(path, lineno, failed or "?", "not converted: the line is not shown", _text(text)))
            continue
        flags = int(values["Flags"])
        if not flags & RTF_UP:
            continue
        carried: set[str] = set()
        unset: set[str] = set()
        if failed is not None:
            carried.add(failed)
            problems.append(ParseError(path, lineno, failed, "not converted: the previous line's value is shown", _text(text)))
        for name in ("Destination", "Gateway", "Mask"):
            address = inet_getsock(str(values[name]))
            if address is not None:
                addresses[name] = address
                continue
            if name in addresses:
                carried.add(name)
            else:
                unset.add(name)
            problems.append(ParseError(path, lineno, name, "not 8 hex digits: the previous line's address is shown", _text(text)))
        rows.append(
            Route(
                lineno, _text(str(values["Iface"])), addresses.get("Destination", _IPV4_ZERO),
                addresses.get("Gateway", _IPV4_ZERO), addresses.get("Mask", _IPV4_ZERO), flags,
                int(values["RefCnt"]), int(values["Use"]), int(values["Metric"]), int(values["MTU"]),
                int(values["Window"]), int(values["IRTT"]), frozenset(carried), frozenset(unset),
            )
        )  # fmt: skip
    return RouteTable(rows, problems)


def guess_layout(header: str) -> int:
    """lib/proc.c proc_guess_fmt on rt_cache's header: the sum of the names it contains.

    >>> guess_layout("Iface Destination Gateway Flags RefCnt Use Metric Source MTU Window IRTT TOS HHRef HHUptod SpecDst")
    63
    """
    return sum(bit for name, bit in CACHE_GUESS if name in header)


def cache_format(layout: int) -> int | None:
    """rprint_cache's ``format`` for a header classification: 2 (the 2.2 layout) for 63, 1 (2.0)
    for 97; any other number stays as it is (after netstat's ERROR line), so 1 and 2 pick a layout too.

    >>> cache_format(63), cache_format(97), cache_format(1), cache_format(5)
    (2, 1, 1, None)
    """
    form = {LAYOUT_22: 2, LAYOUT_20: 1}.get(layout, layout)
    return form if form in (1, 2) else None


def parse_rt_cache(lines: Iterable[str], *, path: str = "/proc/net/rt_cache") -> RouteTable:
    """net/rt_cache as rprint_cache reads it (rows of 12 fields or more).

    Its four addresses go through one ``struct sockaddr`` in turn
    (Destination, Gateway, Source, SpecDst), so one that is not hex shows
    the address decoded just before it.
    """
    pieces = fgets_pieces((_latin1(line) for line in lines), first=510)
    header = next(pieces, None)
    if header is None:
        return RouteTable([], [], empty=True, layout=0)
    layout = guess_layout(header[1])
    form = cache_format(layout)
    if form is None:  # netstat then scans with no format at all (undefined); no row is shown
        rest = [ParseError(path, n, "header", f"a header netstat cannot classify ({layout}): the line is not shown", _text(t)) for n, t in pieces]
        return RouteTable([], rest, layout=layout)
    columns = CACHE_COLUMNS_22 if form == 2 else CACHE_COLUMNS_20
    plan, missing = column_plan(header[1], columns)
    if missing is not None:  # rprint_cache warns, goes on with no format (undefined); no row is shown
        rest = [ParseError(path, n, "header", f"the header lacks {missing}: the line is not shown", _text(t)) for n, t in pieces]
        return RouteTable([], rest, missing=missing, layout=layout)
    values: dict[str, int | str] = {name: 0 for name in ("MTU", "Window", "IRTT", "HH", "HHRef", "HHUptod", "ARP", "TOS")}
    values["SpecDst"] = ""  # netstat's specdst buffer starts uninitialised (and the 2.0 layout never fills it)
    spec_set = False
    last: ipaddress.IPv4Address | None = None
    rows: list[Route] = []
    problems: list[ParseError] = []
    for lineno, text in pieces:
        num, failed = _scan(text, plan, values)
        if num < 12:
            if text.strip(" \t\n\v\f\r"):
                problems.append(ParseError(path, lineno, failed or "?", "not converted: the line is not shown", _text(text)))
            continue
        carried: set[str] = set()
        unset: set[str] = set()
        if failed is not None:
            carried.add(failed)
            problems.append(ParseError(path, lineno, failed, "not converted: the previous line's value is shown", _text(text)))
        spec_set = spec_set or num >= len(columns)
        if not spec_set:
            unset.add("SpecDst")
        decoded: dict[str, ipaddress.IPv4Address] = {}
        for name in ("Destination", "Gateway", "Source", "SpecDst"):
            address = inet_getsock(str(values[name]))
            if address is None:
                (carried if last is not None else unset).add(name)
                problems.append(ParseError(path, lineno, name, "not 8 hex digits: the address decoded before it is shown", _text(text)))
                address = last if last is not None else _IPV4_ZERO
            decoded[name] = last = address
        # rprint_cache then writes the printed text over its specdst buffer: a dotted quad, which the
        # next line that lacks SpecDst does not decode as hex (the address before it is shown)
        values["SpecDst"] = "."
        rows.append(
            Route(
                lineno, _text(str(values["Iface"])), decoded["Destination"], decoded["Gateway"], _IPV4_ZERO,
                int(values["Flags"]), int(values["RefCnt"]), int(values["Use"]), int(values["Metric"]),
                int(values["MTU"]), int(values["Window"]), int(values["IRTT"]), frozenset(carried), frozenset(unset),
                source=decoded["Source"], tos=int(values["TOS"]), hhref=int(values["HHRef"]),
                hhuptod=int(values["HHUptod"]), spec_dst=decoded["SpecDst"], hh=int(values["HH"]), arp=int(values["ARP"]),
            )
        )  # fmt: skip
    return RouteTable(rows, problems, layout=layout)


#: rprint_fib6's sscanf: "%4s"x8 " %02x " "%4s"x8 " %02x " "%4s"x8 " %08x %08x %08x %08x %15s".
_V6_FIELDS = (
    *(("dst", i) for i in range(8)), ("plen", -1), *(("src", i) for i in range(8)), ("slen", -1),
    *(("nexthop", i) for i in range(8)), ("metric", -1), ("refcnt", -1), ("use", -1), ("flags", -1), ("iface", -1),
)  # fmt: skip
#: The name a message gives each of rprint_fib6's variables.
_V6_NAMES = {"dst": "destination", "plen": "prefix length", "src": "source", "slen": "source prefix length",
             "nexthop": "next hop", "metric": "metric", "refcnt": "refcnt", "use": "use", "flags": "flags", "iface": "device"}  # fmt: skip


def _inet_pton6(text: str) -> ipaddress.IPv6Address | None:
    """inet_pton(AF_INET6), or None where it fails."""
    try:
        return ipaddress.IPv6Address(socket.inet_pton(socket.AF_INET6, text))
    except (OSError, ValueError, UnicodeError):
        return None


def parse_ipv6_route(lines: Iterable[str], *, path: str = "/proc/net/ipv6_route") -> Iterator[Route6 | ParseError]:
    """net/ipv6_route as rprint_fib6 reads it: every line gives a row (a malformed one, a copy or
    part-copy of the row before it), preceded by a :class:`ParseError` when it was malformed."""
    groups: dict[str, list[str]] = {"dst": [""] * 8, "src": [""] * 8, "nexthop": [""] * 8}
    numbers: dict[str, int] = {}
    iface: str | None = None
    addresses: dict[str, ipaddress.IPv6Address] = {}
    for lineno, text in fgets_pieces(_latin1(line) for line in lines):
        scan = TextScan(text)
        failed: str | None = None
        for name, index in _V6_FIELDS:
            got: int | str | None
            if index >= 0:
                got = scan.string(4)
                if got is not None:
                    groups[name][index] = got
            elif name == "iface":
                got = scan.string(15)
                if got is not None:
                    iface = got
            else:
                got = scan.hexadecimal(2 if name in ("plen", "slen") else 8)
                if got is not None:
                    numbers[name] = got
            if got is None:
                failed = name
                break
        carried: set[str] = set()
        unset: set[str] = set()
        if failed is not None:
            yield ParseError(path, lineno, _V6_NAMES[failed], "not converted: the previous line's values are shown", _text(text))
            reached = False
            for name, _ in _V6_FIELDS:
                reached = reached or name == failed
                if reached and name not in ("dst", "src", "nexthop"):
                    known = iface is not None if name == "iface" else name in numbers
                    (carried if known else unset).add(name)
        for name in ("dst", "nexthop"):
            address = _inet_pton6(":".join(groups[name]))
            if address is not None:
                addresses[name] = address
            else:
                (carried if name in addresses else unset).add(name)
                if failed is None:
                    yield ParseError(path, lineno, _V6_NAMES[name], "not an IPv6 address: the previous line's is shown", _text(text))
        yield Route6(
            lineno, addresses.get("dst", _IPV6_ZERO), _signed(numbers.get("plen", 0)), addresses.get("nexthop", _IPV6_ZERO),
            _signed(numbers.get("metric", 0)), _signed(numbers.get("refcnt", 0)), _signed(numbers.get("use", 0)),
            numbers.get("flags", 0), _text(iface or ""), frozenset(carried), frozenset(unset),
        )  # fmt: skip


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x80000000 else value
