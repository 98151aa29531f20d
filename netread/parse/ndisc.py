"""net/ndisc, the Linux 2.1-era IPv6 neighbour table ``netstat -r -6 -C`` prints when it exists.

No current kernel writes it (netstat then shows the RTF_CACHE rows of
net/ipv6_route instead), but a snapshot may hold one.  lib/inet6_gr.c
rprint_cache6 scans each line with one ``sscanf`` whose count it never checks::

    "%4s"x8 " %02x %02x %02x %02x %08lx %08lx %08lx %04x %04x %04lx %8s %2s%2s%2s%2s%2s%2s"

(address groups, location, prefix length, type, state, expire, tstamp,
reachable, gc, refcnt, flags, device, hardware address bytes), so every line
gives a row, and what a line does not convert keeps the previous line's value
(netread/parse/scanf.py has the conversions).  For example::

    fe800000000000000000000000000001 02 40 00 02 00000000 00001000 00002000 3000 0001 0080 eth0 00 11 22 33 44 55

is the neighbour fe80::1/64 on eth0, REACHABLE, a router (flags 0x80).
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

#: (variable, conversion): ``s<width>`` a string, ``x<width>`` a hex int, ``l<width>`` a hex long.
_FIELDS = (
    *((f"addr{i}", "s4") for i in range(8)), ("location", "x2"), ("prefix_len", "x2"), ("type", "x2"),
    ("state", "x2"), ("expire", "l8"), ("tstamp", "l8"), ("reachable", "l8"), ("gc", "x4"), ("refcnt", "x4"),
    ("flags", "l4"), ("iface", "s8"), *((f"hw{i}", "s2") for i in range(6)),
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Neighbour:
    """One row rprint_cache6 prints."""

    lineno: int
    address: ipaddress.IPv6Address
    prefix_len: int
    state: int
    tstamp: int
    reachable: int
    gc: int
    refcnt: int
    flags: int
    iface: str
    #: the six hardware-address pieces as written (``00``), joined by ``:`` when shown.
    hardware: tuple[str, ...]
    #: fields netstat never set (it prints stack garbage there; netread prints 0 or nothing).
    unset: frozenset[str] = frozenset()


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) & 1 else value


def parse_ndisc(lines: Iterable[str], *, path: str = "/proc/net/ndisc") -> Iterator[Neighbour | ParseError]:
    """Every line's row, each malformed line preceded by a :class:`ParseError` naming the field."""
    values: dict[str, int | str] = {}
    address: ipaddress.IPv6Address | None = None
    for lineno, text in fgets_pieces(line.encode("utf-8", "surrogateescape").decode("latin-1") for line in lines):
        scan = TextScan(text)
        for name, kind in _FIELDS:
            width = int(kind[1:])
            got: int | str | None
            if kind[0] == "s":
                got = scan.string(width)
            elif kind[0] == "l":
                got = scan.hexadecimal(width, bits=64)
                got = None if got is None else _signed(got, 64)
            else:
                got = scan.hexadecimal(width)
                got = None if got is None else _signed(got, 32)
            if got is None:
                raw = text.encode("latin-1").decode("utf-8", "surrogateescape")
                yield ParseError(path, lineno, name, "not converted: the previous line's value is shown", raw)
                break
            values[name] = got
        try:
            packed = socket.inet_pton(socket.AF_INET6, ":".join(str(values.get(f"addr{i}", "")) for i in range(8)))
            address = ipaddress.IPv6Address(packed)
        except (OSError, ValueError, UnicodeError):
            pass  # INET6_getsock leaves the address as it was
        unset = frozenset(name for name, _ in _FIELDS if name not in values and not name.startswith("addr"))
        if address is None:
            unset |= {"address"}

        def number(name: str) -> int:
            value = values.get(name, 0)
            return value if isinstance(value, int) else 0

        yield Neighbour(
            lineno, address or ipaddress.IPv6Address(0), number("prefix_len"), number("state"), number("tstamp"),
            number("reachable"), number("gc"), number("refcnt"), number("flags"),
            str(values.get("iface", "")).encode("latin-1").decode("utf-8", "surrogateescape"),
            tuple(str(values.get(f"hw{i}", "")) for i in range(6)), unset,
        )  # fmt: skip
