"""The columnar fast path: a whole piece of an inet table in the kernel's format, as columns.

The kernel prints the head of every row (``sl: local rem st tx:rx tr:when
retrnsmt``) with fixed widths, and pads tcp and udp lines to a fixed length
(150 and 128 bytes).  So the fields of all the rows of a piece are cut at
once: for each hex digit of a field, one extended slice of the piece takes
that digit of every row, and ``binascii.unhexlify`` turns the gathered digits
into bytes.  Nothing is done per row in Python, nothing is kept between
pieces, and the cost is the same whether the addresses repeat or not
(``../shared/reference/performance-notes.md`` section 3).

What is checked, and how (anything else sends the piece to the careful
decoder, netread/parse/inet.py, unchanged):

- the head: every separator at its column (one slice compare each), every hex
  digit by ``unhexlify``, ``sl`` by the tail pattern below;
- the tail, by one regular expression over the piece: ``uid``, ``timeout`` and
  ``inode`` as decimals, at most as many further fields as the kernel prints,
  printable ASCII only, then the padding;
- lines of another length than the first one's (not padded, or longer than
  the padding) are found by a pattern that checks the whole line and captures
  the head, and the heads are cut as above.

So a piece the fast path takes is one the careful decoder takes without a
message, with the same values (tests/unit/test_inet_columns.py).
"""

from __future__ import annotations

import binascii
import functools
import re
import sys
from array import array

from netread.parse.inet_format import MAX_EXTRA_DATAGRAM
from netread.parse.inet_format import MAX_EXTRA_TCP
from netread.parse.inet_format import UID_DIGITS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NamedTuple

    from netread.model import Table
    from netread.parse.inet import ByteOrder
else:
    from netread._namedtuple import NamedTuple

#: uid, timeout, inode, at most ``%d`` fields more, the padding: the tail of a line after retrnsmt.
_UID = UID_DIGITS.encode()
_TAIL = rb" +(?:" + _UID + rb") +-?[0-9]+ [0-9]+(?: [\x21-\x7e]+){0,%d} *\n"
#: Possessive quantifiers (Python 3.11 on) match the same lines ~20% faster: no field of a line
#: can take back a character from the next, so nothing is lost by never backtracking.
_POSSESSIVE = sys.version_info >= (3, 11)


def head_length(a: int) -> int:
    """Bytes from the local address to the end of retrnsmt: 69 for IPv4, 117 for IPv6."""
    return 2 * a + 53


#: Columns, after the two addresses (``2 * a``), of the hex digits of tr, and of tm->when then retrnsmt.
_TIMER_DIGITS = (33, 34)
_WHEN_DIGITS = (*range(36, 44), *range(45, 53))


def _separators(a: int) -> tuple[tuple[int, bytes], ...]:
    """(column in the head, byte) of every separator of the head."""
    return (
        (a, b":"), (a + 5, b" "), (2 * a + 6, b":"), (2 * a + 11, b" "), (2 * a + 14, b" "), (2 * a + 23, b":"),
        (2 * a + 32, b" "), (2 * a + 35, b":"), (2 * a + 44, b" "),
    )


@functools.cache
def _fixed_pattern(a: int, extra: int, sl: int, possessive: bool = _POSSESSIVE) -> re.Pattern[bytes]:
    """Every line of a piece: sl exactly ``sl`` bytes wide (so every head starts at the column
    the first one starts at), a head of fixed length (checked by columns), the tail."""
    width = rb"(?=[ 0-9]{%d}: )" % sl
    if possessive:
        return re.compile(rb"(?:%s *+[0-9]++: [^\n]{%d} ++(?>%s) ++-?[0-9]++ [0-9]++(?: [\x21-\x7e]++){0,%d}+ *+\n)*+" % (width, head_length(a), _UID, extra))
    return re.compile(rb"(?:%s *[0-9]+: [^\n]{%d}" % (width, head_length(a)) + _TAIL % extra + rb")*")


@functools.cache
def _line_pattern(a: int, extra: int, detail: bool) -> re.Pattern[bytes]:
    """One whole line, checked field by field, capturing its head (and with ``detail`` uid,
    timeout and inode, short enough that int() is the careful decoder's saturated value)."""
    h = rb"[0-9A-Fa-f]"
    end = rb"%s{%d}:%s{4}" % (h, a, h)
    head = rb"(%s %s %s{2} %s{8}:%s{8} %s{2}:%s{8} %s{8})" % (end, end, h, h, h, h, h, h)
    tail = rb" +(%s) +(-?[0-9]{1,10}) ([0-9]{1,19})(?: [\x21-\x7e]+){0,%d} *" % (_UID, extra) if detail else (_TAIL % extra)[:-2]
    return re.compile(rb"(?m)^ *[0-9]+: " + head + tail + rb"$")


class Columns(NamedTuple):
    """The printed head fields of ``n`` rows, each as one flat sequence in row order."""

    n: int
    #: Local then remote address of each row, in network byte order (4 or 16 bytes each).
    addresses: bytes
    #: Local then remote port of each row.
    ports: array[int]
    #: tx_queue then rx_queue of each row.
    queues: array[int]
    #: The state byte of each row.
    states: bytes
    #: With ``detail`` only (-e, -p, -o): uid, timeout and inode of each row,
    uids: Sequence[int] = ()
    timeouts: Sequence[int] = ()
    inodes: Sequence[int] = ()
    #: the timer code (tr) of each row, and its tm->when then retrnsmt.
    timers: bytes = b""
    whens: Sequence[int] = ()


def _no_rows() -> Columns:
    return Columns(0, b"", array("H"), array("I"), b"")


def kernel_columns(piece: bytes, table: Table, byteorder: ByteOrder, detail: bool = False) -> Columns | None:
    """The columns of ``piece`` (whole lines, each ending in a newline, no header), or None if
    any line is not exactly as the kernel prints it.  ``detail`` adds the fields of -e, -p and -o
    (each line is then matched by a pattern: they are not at fixed columns)."""
    if not piece:
        return _no_rows()
    a = 32 if table.ip_version == 6 else 8
    extra = MAX_EXTRA_DATAGRAM if table.datagram else MAX_EXTRA_TCP
    if detail:
        return _detailed(piece, a, extra, byteorder)
    end = piece.find(b"\n") + 1
    if end == 0:
        return None
    n = len(piece) // end
    start = piece.find(b": ") + 2
    if n * end == len(piece) and piece[end - 1 :: end] == b"\n" * n and start > 2 and piece[start - 2 :: end] == b":" * n:
        if _fixed_pattern(a, extra, start - 2).fullmatch(piece) is not None:
            found = _cut(piece, end, start, n, a, byteorder, check=True)
            if found is not None:
                return found
    # lines of different lengths, or sl of different widths (row 10000 on): each line by the pattern
    heads = _line_pattern(a, extra, False).findall(piece)
    if len(heads) != piece.count(b"\n"):
        return None
    return _cut(b"".join(heads), head_length(a), 0, len(heads), a, byteorder, check=False)


def _detailed(piece: bytes, a: int, extra: int, byteorder: ByteOrder) -> Columns | None:
    found = _line_pattern(a, extra, True).findall(piece)
    n = len(found)
    if n != piece.count(b"\n"):
        return None
    if not n:
        return _no_rows()
    heads, uids, timeouts, inodes = zip(*found)
    data = b"".join(heads)
    stride = head_length(a)
    cols = _cut(data, stride, 0, n, a, byteorder, check=False)
    timers = _gather(data, stride, [2 * a + f for f in _TIMER_DIGITS], n)
    whens = _gather(data, stride, [2 * a + f for f in _WHEN_DIGITS], n)
    if cols is None or timers is None or whens is None:
        return None
    when_values = array("I", whens)
    if sys.byteorder == "little":
        when_values.byteswap()
    return cols._replace(uids=list(map(int, uids)), timeouts=list(map(int, timeouts)), inodes=list(map(int, inodes)), timers=timers, whens=when_values)


def _cut(data: bytes, stride: int, start: int, n: int, a: int, byteorder: ByteOrder, check: bool) -> Columns | None:
    """The fields of ``n`` heads at ``start`` of every ``stride`` bytes of ``data``."""
    if check:
        for at, sep in _separators(a):
            if data[start + at :: stride] != sep * n:
                return None
    # address digits in the order that gives network-order bytes: the kernel prints host-order words
    order = (6, 7, 4, 5, 2, 3, 0, 1) if byteorder == "little" else tuple(range(8))
    digits = [start + word + i for word in range(0, a, 8) for i in order]
    addresses = _gather(data, stride, [d for field in (0, a + 6) for d in (field + d for d in digits)], n)
    ports = _gather(data, stride, [start + f + i for f in (a + 1, 2 * a + 7) for i in range(4)], n)
    queues = _gather(data, stride, [start + f + i for f in (2 * a + 15, 2 * a + 24) for i in range(8)], n)
    states = _gather(data, stride, [start + 2 * a + 12, start + 2 * a + 13], n)
    if check:  # the digits not printed must be hex too: tr, tm->when, retrnsmt
        rest = _gather(data, stride, [start + 2 * a + f for f in (*_TIMER_DIGITS, *_WHEN_DIGITS)], n)
        if rest is None:
            return None
    if addresses is None or ports is None or queues is None or states is None:
        return None
    # unhexlify gives big-endian numbers; array reads them in this machine's order
    port_values = array("H", ports)
    queue_values = array("I", queues)
    if sys.byteorder == "little":
        port_values.byteswap()
        queue_values.byteswap()
    return Columns(n, addresses, port_values, queue_values, states)


def _gather(data: bytes, stride: int, columns: list[int], n: int) -> bytes | None:
    """The bytes that the hex digits at ``columns`` of every row spell, row after row; None if
    one is not a hex digit."""
    width = len(columns)
    out = bytearray(width * n)
    for k, column in enumerate(columns):
        out[k::width] = data[column::stride]
    try:
        return binascii.unhexlify(out)
    except binascii.Error:
        return None
