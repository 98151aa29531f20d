"""The fast path for inet tables in the kernel's own format: one regular expression over many lines.

A chunk of lines is taken here only if every line is exactly as the kernel
prints it (uppercase hex of the kernel's widths, single spaces where the
kernel puts one, decimals without leading zeros, no more fields than the
kernel prints).  Any other chunk goes to the careful decoder
(netread/parse/inet.py), which names what is wrong with each line.  For lines
in the kernel's format both give the same result (tests/test_fast.py), so this
is only about speed: at 40,000 sockets the careful path spends ~10 µs a row,
this one a fraction of that.
"""

from __future__ import annotations

import functools
import re

from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Table
from netread.parse.inet import decode_address
from netread.parse.inet_format import MAX_EXTRA_DATAGRAM
from netread.parse.inet_format import MAX_EXTRA_TCP
from netread.parse.inet_format import UID_DIGITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.model import IPAddress
    from netread.parse.inet import ByteOrder

_H = "[0-9A-F]"
#: Decimals as the kernel prints them, short enough that int() equals the careful path's saturation.
_DEC = "(?:0|[1-9][0-9]{0,9})"
_INODE = "(?:0|[1-9][0-9]{0,18})"
#: A uid the careful decoder takes without a word (32 bits).
_UID = f"(?:{UID_DIGITS})"
_ENDPOINT = rf"{_H}{{8}}(?:{_H}{{24}})?:{_H}{{4}}"


def _row(detail: bool, extra: int) -> re.Pattern[str]:
    """sl: local rem st tx:rx tr:when retrnsmt uid timeout inode [ref pointer ...], one line each.

    The detailed form also captures tr, tm->when, retrnsmt, uid, timeout and
    inode (-e, -p, -o); the plain one only what ``-tan`` prints.
    """
    g = "(" if detail else "(?:"
    # Plain rows do not use uid, timeout or inode, so their length does not matter there (and
    # unbounded repeats are faster); detailed rows bound them so that int() equals saturation.
    dec, inode = (_DEC, _INODE) if detail else ("(?:0|[1-9][0-9]*)", "(?:0|[1-9][0-9]*)")
    return re.compile(
        rf"^ *[0-9]+: ({_ENDPOINT}) ({_ENDPOINT}) ({_H}{{2}}) ({_H}{{8}}):({_H}{{8}}) {g}{_H}{{2}}):{g}{_H}{{8}})"
        rf" {g}{_H}{{8}}) +{g}{_UID}) +{g}-?{dec}) {g}{inode})(?: \S+){{0,{extra}}} *$",
        re.M,
    )


@functools.cache
def _rows(detail: bool, datagram: bool) -> re.Pattern[str]:
    """The pattern for a kind of row, compiled when first used (start-up stays short); a line with
    more fields than the kernel prints goes to the careful path."""
    return _row(detail, MAX_EXTRA_DATAGRAM if datagram else MAX_EXTRA_TCP)

Row = tuple[str, ...]


def kernel_rows(text: str, detail: bool = True, datagram: bool = False) -> list[Row] | None:
    """The fields of every line of ``text`` (whole lines, each ending in a newline), or None
    if any line is not in the kernel's exact format.

    A plain row is (local, remote, st, tx, rx) with endpoints as ``HEXADDR:HEXPORT``;
    a detailed one adds (tr, when, retrnsmt, uid, timeout, inode).
    """
    found: list[Row] = _rows(detail, datagram).findall(text)
    return found if len(found) == text.count("\n") else None


def _record(extra: int) -> re.Pattern[str]:
    """As the detailed :func:`_row`, with sl, the fields from st to timeout as one token (they
    repeat from row to row, so each distinct run of them is read once), and the fields after the
    inode (captured for datagram tables only, which keep the drops count)."""
    tail = rf"((?: \S+){{0,{extra}}})" if extra == MAX_EXTRA_DATAGRAM else rf"(?: \S+){{0,{extra}}}"
    return re.compile(
        rf"^ *((?:0|[1-9][0-9]{{0,18}})): ({_ENDPOINT}) ({_ENDPOINT})"
        rf" ({_H}{{2}} {_H}{{8}}:{_H}{{8}} {_H}{{2}}:{_H}{{8}} {_H}{{8}} +{_UID} +-?{_DEC}) ({_INODE}){tail} *$",
        re.M,
    )


_records = functools.cache(_record)
_DROPS = re.compile(r"(?:0|[1-9][0-9]{0,18})")
Middle = tuple[int, int, int, int, int, int, int, int]


def _middle(token: str) -> Middle:
    """st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout, as numbers."""
    st, queues, timer, retr, uid, timeout = token.split()
    return (int(st, 16), int(queues[:8], 16), int(queues[9:], 16), int(timer[:2], 16), int(timer[3:], 16), int(retr, 16), int(uid) & 0xFFFFFFFF, int(timeout))  # uid: a C int, as netstat's %d


def kernel_records(text: str, table: Table, byteorder: ByteOrder, first_line: int) -> list[InetSocket] | None:
    """The records of every line of ``text`` (whole lines, the first numbered ``first_line``),
    equal to what :func:`netread.parse.inet.decode_inet` makes of them, or None if any line is
    not in the kernel's exact format.

    Endpoints, addresses and the run of fields from st to timeout are decoded once per distinct
    token of the piece, so those caches are as bounded as the piece.
    """
    datagram = table.datagram
    found = _records(MAX_EXTRA_DATAGRAM if datagram else MAX_EXTRA_TCP).findall(text)
    if len(found) != text.count("\n"):
        return None
    addresses: dict[str, IPAddress] = {}
    endpoints: dict[str, Endpoint] = {}
    middles: dict[str, Middle] = {}

    def endpoint(token: str) -> Endpoint:
        hexaddr, port = token[:-5], token[-4:]
        address = addresses.get(hexaddr)
        if address is None:
            address = addresses[hexaddr] = decode_address(hexaddr, byteorder)
        found = endpoints[token] = Endpoint(address, int(port, 16))
        return found

    def middle(token: str) -> Middle:
        found = middles[token] = _middle(token)
        return found

    out: list[InetSocket] = []
    append = out.append
    new = tuple.__new__
    if not datagram:
        for lineno, (sl, local, remote, fields, inode) in enumerate(found, first_line):
            local_end = endpoints.get(local) or endpoint(local)
            remote_end = endpoints.get(remote) or endpoint(remote)
            numbers = middles.get(fields) or middle(fields)
            append(new(InetSocket, (table, lineno, int(sl), local_end, remote_end) + numbers + (int(inode), None)))
        return out
    for lineno, (sl, local, remote, fields, inode, extra) in enumerate(found, first_line):
        drops = None
        extras = extra.split()
        if len(extras) >= 3 and _DROPS.fullmatch(extras[2]):
            drops = int(extras[2])
        local_end = endpoints.get(local) or endpoint(local)
        remote_end = endpoints.get(remote) or endpoint(remote)
        numbers = middles.get(fields) or middle(fields)
        append(new(InetSocket, (table, lineno, int(sl), local_end, remote_end) + numbers + (int(inode), drops)))
    return out
