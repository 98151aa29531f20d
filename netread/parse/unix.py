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
from netread.model import UnixSocket
from netread.parse.inet_format import UNIX_FIELDS
from netread.parse.numbers import saturated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

_HEX = "[0-9A-Fa-f]+"
_HEAD = re.compile(rf"\s*({_HEX}):\s+({_HEX})\s+({_HEX})\s+({_HEX})\s+({_HEX})\s+({_HEX})(?=\s|$)")
_INODE = re.compile(r"\s+([0-9]+)(?=\s|$)")
FIELDS = UNIX_FIELDS
#: sizeof(sun_path) (include/uapi/linux/un.h UNIX_PATH_MAX): no name is longer.
UNIX_PATH_MAX = 108


def _continues(path: str | None, line: str) -> bool:
    """Whether ``line`` can be the rest of ``path`` after a newline byte."""
    if path is None:
        return False
    return len(path.encode("utf-8", "surrogateescape")) + 1 + len(line.encode("utf-8", "surrogateescape")) <= UNIX_PATH_MAX


def _diagnose(line: str, path: str, lineno: int) -> ParseError:
    fields = line.split()
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
    return ParseError(path, lineno, "line", "not a unix socket record", line)


def _decode(line: str, lineno: int, has_inode: bool) -> UnixSocket | None:
    m = _HEAD.match(line)
    if m is None:
        return None
    num, refcount, protocol, flags, type_, st = m.groups()
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
    return UnixSocket(
        lineno,
        int(num, 16),
        int(refcount, 16),
        int(protocol, 16),
        int(flags, 16),
        int(type_, 16),
        int(st, 16),
        inode,
        path or None,
    )


def decode_unix(lines: Iterable[str], *, path: str) -> Iterator[UnixSocket | ParseError]:
    r"""Decode the lines of /proc/net/unix (header included) in file order.

    A line that is not a record, directly after a record that has a path, is
    the rest of that path after a newline byte, and is joined to it, as long
    as the whole still fits in ``sun_path`` (108 bytes).

    >>> rows = decode_unix(["Num       RefCount Protocol Flags    Type St Inode Path",
    ...     "0000000000000000: 00000002 00000000 00010000 0001 01 42776 /run/a b.sock"], path="net/unix")
    >>> row = next(rows)
    >>> (row.refcount, row.flags, row.type, row.st, row.inode, row.path)
    (2, 65536, 1, 1, 42776, '/run/a b.sock')
    """
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
        if row is None and pending is not None and pending.path is not None and _continues(pending.path, line):
            # A newline inside the previous record's path: unix_seq_show prints names raw.
            pending = UnixSocket(
                pending.lineno,
                pending.num,
                pending.refcount,
                pending.protocol,
                pending.flags,
                pending.type,
                pending.st,
                pending.inode,
                pending.path + "\n" + line,
            )
            continue
        if pending is not None:
            yield pending
            pending = None
        if row is None:
            yield _diagnose(line, path, lineno)
        else:
            pending = row
    if pending is not None:
        yield pending
