"""netstat's numeric rows from the columns of a piece (netread/parse/inet_columns.py), in bytes.

The plain numeric listing (``-tan``, ``-uan``, ``-tuwan``...) of a piece in the
kernel's format: every address of the piece is printed by one ``%`` format,
every row by another, and nothing is kept from one piece to the next, so the
time per row and the memory are the same whether the addresses repeat or are
all different.  Equal to :meth:`netread.render.netstat.NetstatFormatter.inet_row`
on the same rows (tests/unit/test_netstat_columns.py).
"""

from __future__ import annotations

import functools
import re
from itertools import compress

from netread.model import Table
from netread.model import address_texts
from netread.render.netstat import ADDR_COLUMN
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import addr_do_one
from netread.render.netstat import state_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from array import array
    from collections.abc import Iterable
    from collections.abc import Sequence

    from netread.parse.inet_columns import Columns


@functools.cache
def _mapped() -> re.Pattern[bytes]:
    """``::ffff:`` before a dotted IPv4 address (inet_ntop's text of an IPv4-mapped one)."""
    return re.compile(rb"(?m)^::ffff:(?=[0-9]+\.)")


@functools.cache
def _states(family: str) -> tuple[bytes, ...]:
    """The State column, padded, for each state byte."""
    return tuple(b" %-11s" % state_text(st, family).encode() for st in range(256))


def numeric_rows(cols: Columns, table: Table, every: bool, listening: bool, wide: bool, suffixes: Sequence[bytes] | None = None) -> bytes:
    """The rows netstat -n prints for ``cols``: all of them with ``every`` (-a), else the
    servers with ``listening`` (-l) or the others (netstat's rule, netread.select.keep_inet);
    addresses cut to their column unless ``wide`` (-W); each row ends with its ``suffixes`` text
    (:func:`detail_suffixes`) if given.

    Addresses are printed by ``%d`` from the bytes, not looked up in tables of texts: with
    every address different, a table of 65,536 pair texts misses the CPU cache on every row
    and is slower than formatting (measured: 1.6 s against 1.25 s on a million rows)."""
    n = cols.n
    if not n:
        return b""
    ports, queues, addresses = cols.ports, cols.queues, cols.addresses
    states: bytes | list[int] = cols.states
    a = 4 if table.ip_version == 4 else 16
    ends = _endpoints(addresses, ports, a, wide)
    local, remote = ends[0 : 2 * n : 2], ends[1 : 2 * n : 2]
    rx: Sequence[int] = queues[1::2]
    tx: Sequence[int] = queues[0::2]
    if not every:
        if table.tcp:
            keep = [(p != 0) != listening for p in ports[1::2]]
        else:
            keep = [any(addresses[i + a : i + 2 * a]) != listening for i in range(0, 2 * a * n, 2 * a)]
        local, remote = list(compress(local, keep)), list(compress(remote, keep))
        rx, tx, states = list(compress(rx, keep)), list(compress(tx, keep)), list(compress(states, keep))
        if suffixes is not None:
            suffixes = list(compress(suffixes, keep))
        n = len(local)
    k = 5 if suffixes is None else 6
    values: list[object] = [None] * (k * n)
    values[0::k] = rx
    values[1::k] = tx
    values[2::k] = local
    values[3::k] = remote
    values[4::k] = map(_states(table.services).__getitem__, states)
    if suffixes is not None:
        values[5::k] = suffixes
    row = b"%-5s %%6d %%6d %%-23s %%-23s%%s" % table.label.encode() + (b"\n" if suffixes is None else b"%s\n")
    return (row * n) % tuple(values)


def detail_suffixes(cols: Columns, table: Table, fmt: NetstatFormatter) -> list[bytes]:
    """What -e, -p and -o add to each row of ``cols`` (read with ``detail``), as the formatter adds it."""
    opts = fmt.opts
    family = table.services
    parts: list[Iterable[str]] = []
    if opts.extend:
        parts.append([" " + fmt.user(uid) + " " + "%-10d" % inode for uid, inode in zip(cols.uids, cols.inodes)])
    if opts.programs:
        parts.append([" " + fmt.program(inode) for inode in cols.inodes])
    if opts.timers:
        whens = cols.whens
        timer = fmt.timer_text
        parts.append([" " + timer(tr, whens[2 * i], whens[2 * i + 1], timeout, family) for i, (tr, timeout) in enumerate(zip(cols.timers, cols.timeouts))])
    return "\n".join(map("".join, zip(*parts))).encode("utf-8", "surrogateescape").split(b"\n")


def _endpoints(addresses: bytes, ports: array[int], a: int, wide: bool) -> list[bytes]:
    """``host:port`` of every address, ``*`` for port 0, cut as netstat cuts long ones unless ``wide``."""
    count = len(addresses) // a
    values: list[object]
    if a == 4:
        values = [None] * (5 * count)
        for i in range(4):
            values[i::5] = addresses[i::4]
        values[4::5] = ports
        text = (b"%d.%d.%d.%d:%d\n" * count) % tuple(values)
    else:
        hosts = "\n".join(address_texts(addresses, 16)).encode("ascii")  # inet_ntop's, IPv4-mapped as ::ffff:a.b.c.d
        values = [None] * (2 * count)
        values[0::2] = _mapped().sub(b"", b"\n" + hosts)[1:].split(b"\n")
        values[1::2] = ports
        text = (b"%s:%d\n" * count) % tuple(values)
    ends = text.replace(b":0\n", b":*\n").split(b"\n")
    if a == 16 and not wide:
        ends = [e if len(e) <= ADDR_COLUMN else _cut(e) for e in ends]
    return ends


def _cut(end: bytes) -> bytes:
    """addr_do_one's cut of a ``host:port`` longer than its column."""
    host, _, port = end.rpartition(b":")
    return addr_do_one(host, port, b":", False)
