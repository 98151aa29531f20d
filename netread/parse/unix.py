"""Decoder for /proc/net/unix (net/unix/af_unix.c unix_seq_show).

::

    Num       RefCount Protocol Flags    Type St Inode Path
    0000000000000000: 00000002 00000000 00010000 0001 01 42776 /run/foo.sock

Num is a hashed kernel pointer, RefCount, Protocol and Flags are ``%08X``,
Type ``%04X``, St ``%02X`` and Inode ``%5lu``.  The path, when the socket has
one, follows the inode after one space and runs to the end of the line, raw:
it may hold spaces, and a newline in it splits the record over two physical
lines, which are joined again here.  Kernels before 2.6 had no Inode column;
netstat looks for the word ``Inode`` in the header to tell, and so do we.
"""

from __future__ import annotations

import re

from netread.errors import ParseError
from netread.model import Ambiguous
from netread.model import UnixSocket
from netread.parse.inet_format import UNIX_FIELDS
from netread.parse.numbers import C_SPACE
from netread.parse.numbers import C_SPACE_CLASS as _SP
from netread.parse.numbers import UINT_MAX
from netread.parse.numbers import c_split
from netread.parse.numbers import saturated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

_HEX = "[0-9A-Fa-f]+"
# Only C isspace separates fields, as in netstat's sscanf (never Python's Unicode \s).
_HEAD = re.compile(rf"{_SP}*({_HEX}):{_SP}+({_HEX}){_SP}+({_HEX}){_SP}+({_HEX}){_SP}+({_HEX}){_SP}+({_HEX})(?={_SP}|$)")
_INODE = re.compile(rf"{_SP}+([0-9]+)(?={_SP}|$)")
#: A line that starts as a record does (``Num:``) is judged as a record, never joined to a name.
_LOOKS_LIKE_RECORD = re.compile(rf"{_SP}*{_HEX}:")
#: netstat's ``sscanf(line, "%p: %lX %lX %lX %X %X %lu ...")``: each conversion skips C white
#: space and takes the longest prefix it can; netstat shows the line once six were read.
_SCAN_NUM = re.compile(rf"{_SP}*({_HEX}):")
_SCAN_HEX = re.compile(rf"{_SP}*({_HEX})")
_SCAN_DEC = re.compile(rf"{_SP}*([0-9]+)")
FIELDS = UNIX_FIELDS
#: sizeof(sun_path) (include/uapi/linux/un.h UNIX_PATH_MAX): no name is longer.
UNIX_PATH_MAX = 108
#: UnixSocket.suspect values.
AMBIGUOUS = "ambiguous"
FORGED = "forged"


def _continues(path: str | None, line: str) -> bool:
    """Whether ``line`` can be the rest of ``path`` after a newline byte."""
    if path is None or len(path) + len(line) >= UNIX_PATH_MAX:  # characters: never more than bytes
        return False
    return len(path.encode("utf-8", "surrogateescape")) + 1 + len(line.encode("utf-8", "surrogateescape")) <= UNIX_PATH_MAX


def _diagnose(line: str, path: str, lineno: int, has_inode: bool = True) -> ParseError:
    fields = c_split(line)
    if not fields:
        return ParseError(path, lineno, "line", "empty line", line)
    first = fields[0]
    if not (first.endswith(":") and re.fullmatch(_HEX, first[:-1])):
        return ParseError(path, lineno, "Num", f"bad value {first!r}", line)
    for index, name in enumerate(FIELDS[1:6], start=1):
        if index >= len(fields):
            return ParseError(path, lineno, name, "missing (line ends early)", line)
        if not re.fullmatch(_HEX, fields[index]):
            return ParseError(path, lineno, name, f"bad value {fields[index]!r}", line)
    if has_inode:
        if len(fields) < 7:
            return ParseError(path, lineno, FIELDS[6], "missing (line ends early)", line)
        if not re.fullmatch("[0-9]+", fields[6]):
            return ParseError(path, lineno, FIELDS[6], f"bad value {fields[6]!r}", line)
    return ParseError(path, lineno, "line", "not a unix socket record", line)


def _head(num: str, refcount: str, protocol: str, flags: str, type_: str, st: str) -> tuple[int, int, int, int, int, int]:
    """The six head fields as netstat reads them: ``%p`` and ``%lX`` saturate at 64 bits, ``%X``
    keeps the low 32 bits (of a saturated value)."""
    if len(num) <= 16 and len(refcount) <= 16 and len(protocol) <= 16 and len(flags) <= 16 and len(type_) <= 8 and len(st) <= 8:
        return (int(num, 16), int(refcount, 16), int(protocol, 16), int(flags, 16), int(type_, 16), int(st, 16))
    return (
        saturated(num, 16),
        saturated(refcount, 16),
        saturated(protocol, 16),
        saturated(flags, 16),
        saturated(type_, 16) & UINT_MAX,
        saturated(st, 16) & UINT_MAX,
    )


def _decode(line: str, lineno: int, has_inode: bool) -> UnixSocket | None:
    m = _HEAD.match(line)
    if m is None:
        return None
    rest = line[m.end() :]
    inode: int | None = None
    if has_inode:
        mi = _INODE.match(rest)
        if mi is None:
            return None
        inode = saturated(mi.group(1), 10)
        rest = rest[mi.end() :]
    # The kernel writes one space, then the name; the old layout likewise.
    path: str | None = rest[1:] if rest.startswith(" ") else None
    if rest and path is None:
        return None
    num, refcount, protocol, flags, type_, st = m.groups()
    if len(num) <= 16 and len(refcount) <= 16 and len(protocol) <= 16 and len(flags) <= 16 and len(type_) <= 8 and len(st) <= 8:
        return UnixSocket(lineno, int(num, 16), int(refcount, 16), int(protocol, 16), int(flags, 16), int(type_, 16), int(st, 16), inode, path or None)
    return UnixSocket(lineno, *_head(num, refcount, protocol, flags, type_, st), inode, path or None)


def _netstat_read(line: str, lineno: int, has_inode: bool) -> UnixSocket | None:
    """A line not in the kernel's form, read as netstat reads it (None when netstat calls it a
    "bogus unix line"): the head fields, the inode if it reads, the rest of the line as the name."""
    m = _SCAN_NUM.match(line)
    if m is None:
        return None
    tokens = [m.group(1)]
    pos = m.end()
    for _ in range(5):
        m = _SCAN_HEX.match(line, pos)
        if m is None:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    inode = None
    path = None
    if has_inode:
        mi = _SCAN_DEC.match(line, pos)
        if mi is not None:  # else sscanf stops there: no inode, no name
            inode = saturated(mi.group(1), 10)
            path = line[mi.end() :].lstrip(C_SPACE) or None
    else:
        path = line[pos:].lstrip(C_SPACE) or None
    num, refcount, protocol, flags, type_, st = tokens
    return UnixSocket(lineno, *_head(num, refcount, protocol, flags, type_, st), inode, path)


def _wide(line: str, path: str, lineno: int) -> ParseError | None:
    """A warning for a head field wider than netstat's integer reads (64 bits, Type/St 32)."""
    m = _HEAD.match(line)
    if m is None:
        return None
    for name, token in zip(FIELDS, m.groups()):
        most = 8 if name in ("Type", "St") else 16
        if len(token.lstrip("0")) > most:
            bits = 32 if most == 8 else 64
            return ParseError(path, lineno, name, f"{len(token)} hex digits, more than {bits} bits: read as netstat reads it, saturated", line)
    return None




#: Records a table may have and still be decoded from memory in one reading; past them it is
#: read twice (its facts first, then its records), holding only bounded facts.
HELD = 1 << 14


def decode_unix(lines: Iterable[str], *, path: str) -> Iterator[UnixSocket | ParseError | Ambiguous]:
    r"""Decode the lines of /proc/net/unix (header included) in file order.

    A line that does not start as a record does (``Num:``), directly after a
    record that has a path, is the rest of that path after a newline byte, and
    is joined to it, as long as the whole still fits in ``sun_path`` (108
    bytes).  A line that starts as a record is judged as one: a malformed one is
    reported (and shown when netstat shows it) and the previous name is kept.
    A record the kernel could also have written as the end of the previous name
    is marked (``suspect``): ``forged`` when the table shows it is not the
    kernel's (:func:`_evidence`), each with a warning, else ``ambiguous``, all
    named in one :class:`~netread.model.Ambiguous` note (not a problem: the
    kernel's own tables hold such records).

    The marks need facts of the whole table (who else holds an inode, how
    every other Num reads), so a table of more than :data:`HELD` records is
    read twice when ``lines`` can be iterated again (a list, or
    proc/source.py's spooled table): once for :class:`_Facts`, whose size does
    not grow with the table, then for the records, yielded as they are read.
    A one-shot iterator is held whole.

    >>> rows = decode_unix(["Num       RefCount Protocol Flags    Type St Inode Path",
    ...     "0000000000000000: 00000002 00000000 00010000 0001 01 42776 /run/a b.sock"], path="net/unix")
    >>> row = next(rows)
    >>> (row.refcount, row.flags, row.type, row.st, row.inode, row.path)
    (2, 65536, 1, 1, 42776, '/run/a b.sock')
    """
    if iter(lines) is lines:
        lines = list(lines)
    candidates: dict[int, int] = {}  # line of a record the previous name could run onto -> that name's line
    items: list[UnixSocket | ParseError] = []
    reading = _read(lines, path, candidates)
    for item in reading:
        items.append(item)
        if len(items) > HELD:
            break
    else:
        yield from _held(items, path, candidates)
        return
    facts = _Facts()
    facts.add(items, candidates)
    del items
    facts.add(reading, candidates)
    yield from facts.marked(_read(lines, path, candidates), path, candidates)


def _held(items: list[UnixSocket | ParseError], path: str, candidates: dict[int, int]) -> Iterator[UnixSocket | ParseError | Ambiguous]:
    """The records of a table held whole, marked."""
    if not candidates:
        yield from items
        return
    records = [item for item in items if isinstance(item, UnixSocket)]
    wanted = {row.inode for row in records if row.lineno in candidates}
    holders: dict[int, list[int]] = {}
    for row in records:
        if row.inode in wanted and row.inode is not None:
            holders.setdefault(row.inode, []).append(row.lineno)
    # %pK prints every Num of one reading alike: all zeros (kptr_restrict) or all hashed pointers.
    plain = [row.num == 0 for row in records if row.lineno not in candidates]
    zeros = plain.count(True)
    ambiguous: list[UnixSocket] = []
    for item in items:
        if isinstance(item, UnixSocket) and item.lineno in candidates:
            warning, item = _marked(item, candidates[item.lineno], _evidence(item, holders, zeros, len(plain)), path)
            if warning is not None:
                yield warning
            else:
                ambiguous.append(item)
        yield item
    if ambiguous:
        yield Ambiguous(path, tuple((row.lineno, row.inode) for row in ambiguous[:NAMED]), max(0, len(ambiguous) - NAMED))


#: Ambiguous records named one by one in the note; the rest are counted.
NAMED = 10


def _marked(row: UnixSocket, previous: int, why: str | None, path: str) -> tuple[ParseError | None, UnixSocket]:
    """``row`` marked ambiguous, or forged with its warning when ``why`` says it is not the kernel's."""
    if why is None:
        return None, row._replace(suspect=AMBIGUOUS)
    warning = ParseError(
        path, row.lineno, "line",
        f"a record that may be the end of line {previous}'s name (the kernel writes names raw), and {why}: marked [forged]",
        "",
    )
    return warning, row._replace(suspect=FORGED)


#: Bits of the filter :class:`_Facts` uses to find inodes that may repeat (8 MiB).
FILTER_BITS = 1 << 26


class _Facts:
    """What the marks need of a table too big to hold, gathered in a first reading, in a size
    that does not grow with the table: how many records are not candidates and how many of
    those have Num 0, and the lines of every inode held more than once.

    Repeated inodes are found with a two-hash Bloom filter (:data:`FILTER_BITS`): an inode
    whose bits are all set already may repeat and is watched from there on (its first two
    lines from then); a kernel table's inodes are unique, so few are watched (the filter's
    false positives: about a few thousand at 3 million records).  The second reading
    (:meth:`marked`) learns the lines before, so each mark is the one :func:`_held` makes.
    """

    def __init__(self) -> None:
        self.others = 0
        self.zeros = 0
        self.bits = bytearray(FILTER_BITS >> 3)
        #: inode -> its first two lines from the one where the filter knew it (it may repeat).
        self.watched: dict[int, list[int]] = {}

    def add(self, items: Iterable[UnixSocket | ParseError], candidates: dict[int, int]) -> None:
        bits, watched, mask = self.bits, self.watched, FILTER_BITS - 1
        for row in items:
            if not isinstance(row, UnixSocket):
                continue
            if candidates.pop(row.lineno, None) is None:
                self.others += 1
                self.zeros += row.num == 0
            inode = row.inode
            if not inode:
                continue
            lines = watched.get(inode)
            if lines is not None:
                if len(lines) < 2:
                    lines.append(row.lineno)
                continue
            h = inode * 0x9E3779B97F4A7C15
            a, b = (h >> 17) & mask, (h >> 41) & mask
            if bits[a >> 3] >> (a & 7) & bits[b >> 3] >> (b & 7) & 1:
                watched[inode] = [row.lineno]
            else:
                bits[a >> 3] |= 1 << (a & 7)
                bits[b >> 3] |= 1 << (b & 7)

    def marked(self, items: Iterable[UnixSocket | ParseError], path: str, candidates: dict[int, int]) -> Iterator[UnixSocket | ParseError | Ambiguous]:
        """The second reading's items, each candidate marked as :func:`_held` marks it."""
        watched = self.watched
        first: dict[int, int] = {}  # watched inode -> its first line, in this reading
        named: list[tuple[int, int | None]] = []
        more = 0
        for item in items:
            if isinstance(item, UnixSocket):
                inode = item.inode
                if inode in watched and inode not in first:
                    first[inode] = item.lineno
                previous = candidates.pop(item.lineno, None)
                if previous is not None:
                    warning, item = _marked(item, previous, _evidence(item, self._holders(item, first), self.zeros, self.others), path)
                    if warning is not None:
                        yield warning
                    else:
                        if len(named) < NAMED:
                            named.append((item.lineno, item.inode))
                        else:
                            more += 1
            yield item
        if named:
            yield Ambiguous(path, tuple(named), more)

    def _holders(self, row: UnixSocket, first: dict[int, int]) -> dict[int, list[int]]:
        """The holders :func:`_evidence` looks at for ``row``: its line and the first other line
        holding its inode, if any."""
        inode = row.inode
        lines = self.watched.get(inode) if inode else None
        if not lines or inode is None:
            return {}
        if first[inode] != row.lineno:  # an earlier line holds it
            return {inode: [first[inode], row.lineno]}
        # the first line holding it: any later one is one the filter watched (its bits were set here)
        later = [n for n in lines if n != row.lineno]
        return {inode: [row.lineno, later[0]]} if later else {}


def _evidence(row: UnixSocket, holders: dict[int, list[int]], zeros: int, others: int) -> str | None:
    """Why an ambiguous record cannot be the kernel's own, or None when nothing in the table says so."""
    lines = holders.get(row.inode, []) if row.inode else []  # 0: no struct socket, may repeat
    if len(lines) > 1:
        other = next(n for n in lines if n != row.lineno)
        return f"its inode {row.inode} is also line {other}'s (socket inodes are unique)"
    if others and zeros == others and row.num != 0:
        return "its Num is not 0 where every other record's is (one reading prints all alike)"
    if others and zeros == 0 and row.num == 0:
        return "its Num is 0 where no other record's is (one reading prints all alike)"
    return None


def _read(lines: Iterable[str], path: str, candidates: dict[int, int]) -> Iterator[UnixSocket | ParseError]:
    """The records and problems of ``lines`` in order; ``candidates`` gets the records that the
    previous record's name could run onto."""
    has_inode = True
    pending: UnixSocket | None = None
    for lineno, line in enumerate(lines, start=1):
        if lineno == 1:
            if _decode(line, lineno, True) is None:
                has_inode = "Inode" in line
                if not line.startswith("Num"):
                    yield ParseError(path, lineno, "header", "unexpected: not this table's header; the rows are read anyway", line)
                continue
            yield ParseError(path, lineno, "header", "missing: the first line is a data row, shown as one", line)
        row = _decode(line, lineno, has_inode)
        if row is None and line.endswith("\r"):
            # a name may end in \r, so only a line that reads without it is a CRLF ending
            row = _decode(line[:-1], lineno, has_inode)
            if row is not None:
                yield ParseError(path, lineno, "line", "ends in \\r (a CRLF line ending): read without it", line)
        looks_like_record = row is not None or _LOOKS_LIKE_RECORD.match(line) is not None
        could_continue = pending is not None and _continues(pending.path, line)
        if not looks_like_record and could_continue and pending is not None and pending.path is not None:
            # A newline inside the previous record's path: unix_seq_show prints names raw.
            pending = pending._replace(path=pending.path + "\n" + line)
            continue
        if pending is not None:
            if row is not None and could_continue:
                candidates[lineno] = pending.lineno
            yield pending
            pending = None
        if row is None:
            problem = _diagnose(line, path, lineno, has_inode)
            loose = _netstat_read(line, lineno, has_inode) if looks_like_record else None
            if loose is not None:
                yield ParseError(problem.path, problem.lineno, problem.field, problem.reason + ": shown as netstat reads it", problem.raw)
                yield loose
            else:
                yield problem
            continue
        if row.flags > UINT_MAX or row.refcount > UINT_MAX or row.protocol > UINT_MAX or row.type > UINT_MAX or row.st > UINT_MAX:
            wide = _wide(line, path, lineno)
            if wide is not None:
                yield wide
        pending = row
    if pending is not None:
        yield pending
