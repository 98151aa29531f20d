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
from netread.parse.numbers import saturated

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import Literal

    ByteOrder = Literal["little", "big"]

_HEX = "[0-9A-Fa-f]+"
#: The fields every row must have, up to tm->when.  Only hex digits reach int().
_HEAD = re.compile(
    rf"\s*([0-9]+):\s+({_HEX}:{_HEX})\s+({_HEX}:{_HEX})\s+({_HEX})\s+({_HEX}):({_HEX})\s+({_HEX}):({_HEX})(?=\s|$)"
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
    fields = line.split()
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
        tail = line[m.end() :].split(None, 4)
        values: list[int | None] = [None, None, None, None]
        problem: ParseError | None = None
        for index, (token, pattern, base) in enumerate(
            zip(tail, (_HEX_TOKEN, _DEC_TOKEN, _SIGNED_TOKEN, _DEC_TOKEN), (16, 10, 10, 10))
        ):
            if pattern.fullmatch(token) is None:
                problem = ParseError(path, lineno, FIELDS[6 + index], f"bad value {token!r}", line)
                break
            values[index] = saturated(token, base, signed=index in (1, 2))  # uid and timeout are read with %d
        if problem is None and len(tail) < 4:
            problem = ParseError(path, lineno, FIELDS[6 + len(tail)], "missing (line ends early)", line)
        if problem is not None:
            yield problem
            if FIELDS.index(problem.field) < min_fields:
                continue
            # else: reported, and the row is still shown as netstat shows it
        retrnsmt, uid, timeout, inode = values
        drops = None
        extra = tail[4].split() if len(tail) == 5 else []  # ref pointer [rto ato qp cwnd ssthresh | drops]
        if datagram and len(extra) >= 3 and _DEC_TOKEN.fullmatch(extra[2]):
            drops = saturated(extra[2], 10)
        if problem is None:
            most = MAX_EXTRA_DATAGRAM if datagram else MAX_EXTRA_TCP
            if len(extra) > most:
                yield ParseError(path, lineno, "line", f"{10 + len(extra)} fields, the kernel prints at most {10 + most}: the rest is ignored", line)
            long = [(n, t) for n, t in (("st", st), ("tx_queue", tx), ("rx_queue", rx), ("tm->when", when), ("retrnsmt", tail[0])) if len(t) > 16]
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
