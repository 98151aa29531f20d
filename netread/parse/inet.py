"""Decoder for /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}.

All eight files share one line format (net/ipv4/tcp_ipv4.c get_tcp4_sock,
net/ipv4/udp.c udp4_format_sock, net/ipv6/datagram.c
__ip6_dgram_sock_seq_show, net/ipv4/raw.c raw_sock_seq_show)::

    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
     0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 ...

Addresses are 32-bit words printed with ``%08X`` in the byte order of the host
that wrote the file, so decoding takes that byte order as a parameter.  TIME_WAIT
and request-socket rows stop after the pointer (12 fields), full TCP rows have
17, datagram rows 13; the first ten matter here, and a datagram row's last
field (drops) is kept too.
"""

from __future__ import annotations

import ipaddress
import re

from netread.errors import ParseError
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Table
from netread.parse.inet_format import HEAD_FIELDS
from netread.parse.inet_format import MAX_EXTRA_DATAGRAM
from netread.parse.inet_format import MAX_EXTRA_TCP
from netread.parse.numbers import C_SPACE
from netread.parse.numbers import C_SPACE_CLASS as _SP
from netread.parse.numbers import UINT_MAX
from netread.parse.numbers import c_split
from netread.parse.numbers import saturated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import Literal

    ByteOrder = Literal["little", "big"]

_HEX = "[0-9A-Fa-f]+"
#: The fields every row must have, up to tm->when.  Only hex digits reach int().
#: Fields are separated by what C ``isspace`` accepts in the C locale, as netstat's sscanf reads
#: them: never Python's Unicode ``\s`` (NBSP, U+2000..., \x1c-\x1f), which the kernel never writes.
_HEAD = re.compile(
    rf"{_SP}*([0-9]+):{_SP}+({_HEX}:{_HEX}){_SP}+({_HEX}:{_HEX}){_SP}+({_HEX}){_SP}+({_HEX}):({_HEX}){_SP}+({_HEX}):({_HEX})(?={_SP}|$)"
)
_HEX_TOKEN = re.compile(_HEX)
_DEC_TOKEN = re.compile(r"[0-9]+")  # ASCII digits only, as sscanf reads them
_SIGNED_TOKEN = re.compile(r"-?[0-9]+")
#: Field names, in /proc order, for messages.
FIELDS = HEAD_FIELDS


def decode_address(token: str, byteorder: ByteOrder) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Decode the hex address of a /proc/net line; 8 digits are IPv4, 32 are IPv6.

    >>> decode_address("0100007F", "little")
    IPv4Address('127.0.0.1')
    >>> decode_address("00000000000000000000000001000000", "little")
    IPv6Address('::1')
    """
    if len(token) == 8:
        return ipaddress.IPv4Address(int(token, 16).to_bytes(4, byteorder))
    if len(token) == 32:
        packed = b"".join(int(token[i : i + 8], 16).to_bytes(4, byteorder) for i in range(0, 32, 8))
        return ipaddress.IPv6Address(packed)
    raise ValueError(f"{len(token)} hex digits, want 8 (IPv4) or 32 (IPv6)")


def decode_endpoint(token: str, byteorder: ByteOrder) -> Endpoint:
    """Decode ``ADDRESS:PORT`` as the kernel prints it.

    >>> decode_endpoint("0100007F:0016", "little")
    Endpoint(address=IPv4Address('127.0.0.1'), port=22)
    """
    hexaddr, sep, hexport = token.partition(":")
    if not sep or not _HEX_TOKEN.fullmatch(hexaddr) or not _HEX_TOKEN.fullmatch(hexport):
        raise ValueError("want HEXADDRESS:HEXPORT")
    port = int(hexport, 16)
    if port > 0xFFFF:
        raise ValueError(f"port 0x{hexport} is above 0xFFFF")
    return Endpoint(decode_address(hexaddr, byteorder), port)


def _diagnose(line: str, path: str, lineno: int, min_fields: int) -> ParseError:
    """Name the first field of ``line`` that is missing or malformed."""
    raw = line
    fields = c_split(line)
    if not fields:
        return ParseError(path, lineno, "line", "empty line", raw)
    checks = (
        lambda t: t.endswith(":") and _DEC_TOKEN.fullmatch(t[:-1]) is not None,
        None,  # endpoints: checked below for a precise reason
        None,
        lambda t: _HEX_TOKEN.fullmatch(t) is not None,
        lambda t: _pair(t),
        lambda t: _pair(t),
        lambda t: _HEX_TOKEN.fullmatch(t) is not None,
        lambda t: _DEC_TOKEN.fullmatch(t) is not None,
        lambda t: _SIGNED_TOKEN.fullmatch(t) is not None,
        lambda t: _DEC_TOKEN.fullmatch(t) is not None,
    )
    for index, check in enumerate(checks):
        name = FIELDS[index]
        if index >= len(fields):
            if index < min_fields:
                return ParseError(path, lineno, name, "missing (line ends early)", raw)
            break
        token = fields[index]
        if check is None:
            try:
                decode_endpoint(token, "little")
            except ValueError as exc:
                return ParseError(path, lineno, name, f"bad value {token!r}: {exc}", raw)
        elif not check(token):
            return ParseError(path, lineno, name, f"bad value {token!r}", raw)
    return ParseError(path, lineno, "line", "not a socket row", raw)


def _pair(token: str) -> bool:
    left, sep, right = token.partition(":")
    return bool(sep) and _HEX_TOKEN.fullmatch(left) is not None and _HEX_TOKEN.fullmatch(right) is not None

#: The fields after tm->when, as netstat's sscanf reads them (``%lX %d %d %lu``): each conversion
#: skips C white space and takes the longest prefix it can; the first one that takes nothing ends
#: the scan, and netstat shows what was read.  (pattern, base, signed, int bits)
_TAIL_FIELDS = (
    (re.compile(rf"{_SP}*([0-9A-Fa-f]+)"), 16, False, 64),
    (re.compile(rf"{_SP}*([+-]?[0-9]+)"), 10, True, 32),
    (re.compile(rf"{_SP}*([+-]?[0-9]+)"), 10, True, 64),
    (re.compile(rf"{_SP}*([0-9]+)"), 10, False, 64),
)
_WORD = re.compile(rf"{_SP}*([^ \t\n\v\f\r]*)")


def _scan_tail(rest: str, path: str, lineno: int, line: str) -> tuple[list[int | None], ParseError | None, str]:
    """retrnsmt, uid, timeout and inode as netstat reads them, the first problem, and what follows.

    A uid is a C ``int`` there (``%d``): one past 32 bits is kept as its low 32 bits, the value
    netstat prints and the one ``--user`` and the owner lookups use.
    """
    values: list[int | None] = [None, None, None, None]
    problem: ParseError | None = None
    pos = 0
    for index, (pattern, base, signed, bits) in enumerate(_TAIL_FIELDS):
        name = FIELDS[6 + index]
        m = pattern.match(rest, pos)
        if m is None:
            word = _WORD.match(rest, pos)
            token = word.group(1) if word else ""
            if problem is None:
                reason = f"bad value {token!r}" if token else "missing (line ends early)"
                problem = ParseError(path, lineno, name, reason, line)
            break
        token = m.group(1)
        pos = m.end()
        value = saturated(token, base, signed=signed)
        if bits == 32:
            value &= UINT_MAX
        values[index] = value
        if problem is None:
            after = rest[pos : pos + 1]
            if after and after not in C_SPACE:
                word = _WORD.match(rest, m.start(1))
                whole = word.group(1) if word else token
                problem = ParseError(path, lineno, name, f"bad value {whole!r}: read as netstat reads it, {token}", line)
            elif bits == 32 and (token[0] in "+-" or saturated(token, base, signed=True) != value):
                problem = ParseError(path, lineno, name, f"{token!r} is not a 32-bit uid as the kernel prints it: read as netstat reads it, {value}", line)
    return values, problem, rest[pos:]


def _as_family(token: str, local_token: str, version: int, byteorder: ByteOrder) -> Endpoint:
    """A remote address read with the local address's width, as tcp_do_one reads it: IPv4 with
    ``%X`` (the low 32 bits of the whole number), IPv6 with ``%08X%08X%08X%08X`` into the variable
    that still holds the local address, so the words the remote lacks are the local address's."""
    hexaddr, _, hexport = token.partition(":")
    port = int(hexport, 16)
    if version == 4:
        value = saturated(hexaddr, 16) & UINT_MAX
        return Endpoint(ipaddress.IPv4Address(value.to_bytes(4, byteorder)), port)
    local = local_token.partition(":")[0]
    words = [hexaddr[i : i + 8] or local[i : i + 8] for i in range(0, 32, 8)]
    packed = b"".join(int(w, 16).to_bytes(4, byteorder) for w in words)
    return Endpoint(ipaddress.IPv6Address(packed), port)


def decode_inet(
    lines: Iterable[str],
    *,
    path: str,
    table: str | Table,
    byteorder: ByteOrder,
    first_line: int = 1,
) -> Iterator[InetSocket | ParseError]:
    """Decode the lines of one inet table (header included) in file order.

    ``first_line`` is the line number of the first of ``lines`` when they are
    a later part of the file (no header among them).

    Yields an :class:`InetSocket` per row and a :class:`ParseError` for each line
    that is not one; the first line is the header and is skipped unless it is
    itself a data row (a file with its header missing).  ``tcp*`` rows need the
    fields up to ``retrnsmt``, datagram rows up to ``tm->when``, as netstat does;
    a row cut short after that keeps None for the missing fields and is reported.

    >>> rows = decode_inet(["  sl  local_address ...",
    ...     "   0: 0100007F:0016 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 42 1"],
    ...     path="net/tcp", table="tcp", byteorder="little")
    >>> row = next(rows)
    >>> (str(row.local.address), row.local.port, row.st, row.rx_queue, row.inode)
    ('127.0.0.1', 22, 10, 1, 42)
    """
    table = Table(table)
    datagram = table.datagram
    min_fields = 6 if datagram else 7
    endpoints: dict[str, Endpoint] = {}
    head_match = _HEAD.match
    for lineno, line in enumerate(lines, start=first_line):
        if line.endswith("\r"):
            if lineno > 1:
                yield ParseError(path, lineno, "line", "ends in \\r (a CRLF line ending): read without it", line)
            line = line[:-1]
        m = head_match(line)
        if lineno == 1:
            if m is None:
                # netstat never checks the header's text; netread says when it is not the kernel's
                if "local_address" not in line:
                    yield ParseError(path, lineno, "header", "unexpected: not this table's header; the rows are read anyway", line)
                continue
            yield ParseError(path, lineno, "header", "missing: the first line is a data row, shown as one", line)
        if m is None:
            yield _diagnose(line, path, lineno, min_fields)
            continue
        sl, local_tok, remote_tok, st, tx, rx, tr, when = m.groups()
        try:
            local = endpoints.get(local_tok) or endpoints.setdefault(local_tok, decode_endpoint(local_tok, byteorder))
        except ValueError as exc:
            yield ParseError(path, lineno, "local_address", f"bad value {local_tok!r}: {exc}", line)
            continue
        try:
            remote = endpoints.get(remote_tok) or endpoints.setdefault(
                remote_tok, decode_endpoint(remote_tok, byteorder)
            )
        except ValueError as exc:
            yield ParseError(path, lineno, "rem_address", f"bad value {remote_tok!r}: {exc}", line)
            continue
        if remote.address.version != local.address.version:
            remote = _as_family(remote_tok, local_tok, local.address.version, byteorder)
            yield ParseError(
                path, lineno, "rem_address",
                f"{len(remote_tok.partition(':')[0])} hex digits, the local address has {len(local_tok.partition(':')[0])}:"
                f" read as netstat reads it (the local address decides the family), {remote.address}",
                line,
            )
        values, problem, rest = _scan_tail(line[m.end() :], path, lineno, line)
        if problem is not None:
            yield problem
            if values[min_fields - 7] is None if min_fields > 6 else False:
                continue  # netstat needs the fields up to retrnsmt (tcp) read
            # else: reported, and the row is still shown as netstat shows it
        retrnsmt, uid, timeout, inode = values
        retrnsmt_token = c_split(line[m.end() :])[0] if problem is None else ""
        drops = None
        extra = c_split(rest) if inode is not None else []  # ref pointer [rto ato qp cwnd ssthresh | drops]
        if datagram and len(extra) >= 3 and _DEC_TOKEN.fullmatch(extra[2]):
            drops = saturated(extra[2], 10)
        if problem is None:
            most = MAX_EXTRA_DATAGRAM if datagram else MAX_EXTRA_TCP
            if len(extra) > most:
                yield ParseError(path, lineno, "line", f"{10 + len(extra)} fields, the kernel prints at most {10 + most}: the rest is ignored", line)
            long = [(n, t) for n, t in (("st", st), ("tx_queue", tx), ("rx_queue", rx), ("tm->when", when), ("retrnsmt", retrnsmt_token)) if len(t) > 16]
            if long:
                name, token = long[0]
                yield ParseError(path, lineno, name, f"{len(token)} hex digits, more than 64 bits: read as netstat reads it, saturated", line)
        yield InetSocket(
            table,
            lineno,
            saturated(sl, 10),
            local,
            remote,
            saturated(st, 16),
            saturated(tx, 16),
            saturated(rx, 16),
            saturated(tr, 16),
            saturated(when, 16),
            retrnsmt,
            uid,
            timeout,
            inode,
            drops,
        )
