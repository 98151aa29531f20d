"""Explain one raw line of a /proc/net socket table, field by field.

This is ``netread --explain-line LINE``: a teaching aid for people learning the
format.  It knows the lines the kernel prints (reference §§1-5):

- ``/proc/net/tcp`` and ``tcp6``: ``get_tcp4_sock`` / ``get_tcp6_sock`` (a full
  socket, 17 fields), ``get_timewait4_sock`` / ``get_timewait6_sock`` (a
  TIME_WAIT row, 12 fields) and ``get_openreq4`` / ``get_openreq6`` (a request
  socket in SYN_RECV, 12 fields), all in net/ipv4/tcp_ipv4.c and
  net/ipv6/tcp_ipv6.c;
- ``udp``/``udplite``: ``udp4_format_sock`` (net/ipv4/udp.c); ``udp6``,
  ``udplite6`` and ``raw6``: ``__ip6_dgram_sock_seq_show``
  (net/ipv6/datagram.c); ``raw``: ``raw_sock_seq_show`` (net/ipv4/raw.c), all
  13 fields;
- ``unix``: ``unix_seq_show`` (net/unix/af_unix.c).

:func:`explain_line` never raises on bad input: whatever cannot be decoded is
named in :attr:`LineExplanation.problems` and the rest is still explained.
:func:`netread.render.explain_line.render_explanation` turns the result into
terminal-safe text.

>>> e = explain_line("0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7 1 0 100 0 0 10 0",
...                  byteorder="little")
>>> (e.table, e.guessed, e.field("local_address").value)
('tcp', True, 'word 0x0100007F, little-endian bytes 7F 00 00 01 → 127.0.0.1')
>>> (e.field("local_port").value, e.field("st").value, e.problems)
('22', 'LISTEN', ())
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import socket
import sys
from collections.abc import Callable
from typing import Literal

from netread.explain.glossary import FIELD_FORMATS
from netread.explain.glossary import IP_PROTOCOLS
from netread.explain.glossary import NOT_IN_ROW
from netread.explain.glossary import REQUEST_RETRANSMIT
from netread.explain.glossary import TCP_STATE_MEANINGS
from netread.explain.glossary import TCP_TIMERS
from netread.explain.glossary import UNIX_STATE_MEANINGS
from netread.explain.glossary import UNIX_TYPE_MEANINGS
from netread.model import SO_ACCEPTCON
from netread.model import SO_NOSPACE
from netread.model import SO_WAITDATA
from netread.model import TcpState
from netread.model import UnixState
from netread.model import UnixType
from netread.parse.inet import decode_address

__all__ = ["FieldExplanation", "LineExplanation", "explain_line"]

ByteOrder = Literal["little", "big"]

#: Tables whose name may be passed as ``table``.
TABLES: tuple[str, ...] = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix")

#: ``value`` of a field that is present but could not be decoded.
NOT_DECODED = "(not decoded)"


@dataclasses.dataclass(frozen=True, slots=True)
class FieldExplanation:
    """One field of the line: its kernel header name, its text, its decoded value and what it means."""

    name: str
    raw: str
    value: str
    meaning: str


@dataclasses.dataclass(frozen=True, slots=True)
class LineExplanation:
    """The explanation of one line.

    ``table`` is the table the line was read as (``"unknown"`` when it could not
    be told); ``guessed`` is True when it was inferred from the line, and
    ``notes`` then say how.  ``problems`` name each field that could not be
    decoded, and why.
    """

    table: str
    guessed: bool
    notes: tuple[str, ...]
    fields: tuple[FieldExplanation, ...]
    problems: tuple[str, ...]

    def field(self, name: str) -> FieldExplanation | None:
        """The first field called ``name``, or None."""
        return next((f for f in self.fields if f.name == name), None)


# ---------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------

_HEX = re.compile(r"[0-9A-Fa-f]+")
_DEC = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")
_SL = re.compile(r"[0-9]+:")
_PAIR = re.compile(r"[0-9A-Fa-f]+:[0-9A-Fa-f]+")
_UNIX_NUM = re.compile(r"(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{8}):")
_AUTOBIND = re.compile(r"@[0-9a-f]{5}")
#: Longer numbers than this are not something the kernel prints (and int/str
#: conversion of huge decimal numbers is refused by Python anyway).
_MAX_DIGITS = 32


def _hex(token: str) -> int | None:
    if len(token) > _MAX_DIGITS or _HEX.fullmatch(token) is None:
        return None
    return int(token, 16)


def _dec(token: str, signed: bool = False) -> int | None:
    if len(token) > _MAX_DIGITS or (_SIGNED if signed else _DEC).fullmatch(token) is None:
        return None
    return int(token)


def _why_hex(token: str) -> str:
    if not token:
        return "empty, want hex digits"
    if len(token) > _MAX_DIGITS:
        return f"{len(token)} digits is too long for this field"
    return f"{token!r} is not hex (want digits 0-9 and A-F)"


def _why_dec(token: str, signed: bool = False) -> str:
    if len(token) > _MAX_DIGITS:
        return f"{len(token)} digits is too long for this field"
    return f"{token!r} is not a {'signed ' if signed else ''}decimal number"


class _Out:
    """Collects fields, notes and problems while a line is explained."""

    def __init__(self) -> None:
        self.fields: list[FieldExplanation] = []
        self.notes: list[str] = []
        self.problems: list[str] = []

    def add(self, name: str, raw: str, value: str, meaning: str) -> None:
        self.fields.append(FieldExplanation(name, raw, value, meaning))

    def bad(self, name: str, raw: str, why: str) -> None:
        self.problems.append(f"{name}: {why}")
        self.add(name, raw, NOT_DECODED, FIELD_FORMATS.get(name, NOT_IN_ROW))


# ---------------------------------------------------------------------------
# Which table
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Guess:
    table: str
    notes: tuple[str, ...]
    #: True when the field count (or the unix shape) settles the row format.
    sure: bool


def _row_format(table: str) -> str:
    """``tcp``, ``dgram`` or ``unix``."""
    if table == "unix":
        return "unix"
    return "tcp" if table.startswith("tcp") else "dgram"


def _family_of_tokens(tokens: list[str]) -> tuple[int, str]:
    for token in tokens[1:3]:
        digits = token.partition(":")[0]
        if len(digits) == 8:
            return 4, "the address has 8 hex digits, so it is IPv4"
        if len(digits) == 32:
            return 6, "the address has 32 hex digits (four 32-bit words), so it is IPv6"
    return 4, "no address of 8 (IPv4) or 32 (IPv6) hex digits was found; IPv4 is assumed"


def _guess(tokens: list[str], byteorder: ByteOrder) -> _Guess | None:
    """Tell the table from the shape of the line, or None."""
    if not tokens:
        return None
    first, second = tokens[0], tokens[1] if len(tokens) > 1 else ""
    if _PAIR.fullmatch(second) is None and _UNIX_NUM.fullmatch(first) is not None:
        digits = len(first) - 1
        return _Guess(
            "unix",
            (
                (
                    f"The first field is a {digits}-hex-digit kernel pointer followed by ':' and then"
                    " 8-hex-digit fields with no ADDRESS:PORT pair: a /proc/net/unix record (unix_seq_show)."
                ),
            ),
            True,
        )
    if _PAIR.fullmatch(second) is None and _SL.fullmatch(first) is None:
        return None
    family, why = _family_of_tokens(tokens)
    suffix = "6" if family == 6 else ""
    n = len(tokens)
    notes = [f"An inet socket row: {why}."]
    if n in (12, 17):
        notes.append(
            f"{n} fields: only TCP rows have 12 (TIME_WAIT or request socket) or 17 (full socket) fields."
        )
        return _Guess("tcp" + suffix, tuple(notes), True)
    if n == 13:
        notes.append(
            "13 fields ending in ref, pointer and drops: a datagram row, read here as udp"
            f"{suffix}. udplite{suffix} and raw{suffix} print the same format, so the line may come from"
            " either of them too."
        )
        notes.extend(_raw_hints(tokens, byteorder))
        return _Guess("udp" + suffix, tuple(notes), True)
    st = _hex(tokens[3]) if n > 3 else None
    tr = _hex(tokens[5].partition(":")[0]) if n > 5 else None
    if tr:
        notes.append(
            f"{n} fields fit no row variant, but a running timer (tr {tr}) only appears in TCP rows."
        )
        return _Guess("tcp" + suffix, tuple(notes), False)
    if st is not None and st not in (0x01, 0x07):
        notes.append(
            f"{n} fields fit no row variant, but state {st:02X} only appears in TCP rows"
            " (datagram rows show 01 or 07)."
        )
        return _Guess("tcp" + suffix, tuple(notes), False)
    if n > 13:
        notes.append(f"{n} fields fit no row variant; more than 13 only happens in TCP rows.")
        return _Guess("tcp" + suffix, tuple(notes), False)
    notes.append(
        f"{n} fields fit no row variant (tcp has 12 or 17, udp/udplite/raw 13): read as tcp{suffix},"
        f" but it may as well be a cut-short udp{suffix}, udplite{suffix} or raw{suffix} row."
    )
    return _Guess("tcp" + suffix, tuple(notes), False)


def _is_header(tokens: list[str]) -> bool:
    return ("sl" in tokens and "local_address" in tokens) or tokens[:2] == ["Num", "RefCount"]


def _raw_hints(tokens: list[str], byteorder: ByteOrder) -> list[str]:
    """Notes on reading a 13-field row as raw: the local "port" is a protocol."""
    local_port = _hex(tokens[1].partition(":")[2])
    remote_hex, _, remote_port_hex = tokens[2].partition(":")
    hints: list[str] = []
    if local_port is not None and local_port <= 0xFF:
        hints.append(
            f'If it is from raw, the local "port" {local_port} is the IP protocol number'
            f" ({_protocol_name(local_port)}) and the remote port is always 0."
        )
    remote = _packed(remote_hex, byteorder)
    if _hex(remote_port_hex) == 0 and remote is not None and any(remote):
        hints.append(
            "The remote address is set but the remote port is 0: that is what a connect()ed raw socket"
            " shows (a connected udp socket has a remote port), so raw is likely."
        )
    return hints


# ---------------------------------------------------------------------------
# Addresses and ports
# ---------------------------------------------------------------------------


def _packed(hexaddr: str, byteorder: ByteOrder) -> bytes | None:
    if len(hexaddr) not in (8, 32) or _HEX.fullmatch(hexaddr) is None:
        return None
    return decode_address(hexaddr, byteorder).packed


def _ntop(packed: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


def _spaced(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


def address_value(hexaddr: str, byteorder: ByteOrder) -> str:
    """The per-word decoding of an address, ending in its ``inet_ntop`` text.

    >>> address_value("7F000001", "big")
    'word 0x7F000001, big-endian bytes 7F 00 00 01 → 127.0.0.1'
    >>> address_value("0000000000000000FFFF00000100007F", "little")  # doctest: +NORMALIZE_WHITESPACE
    'words 00000000 00000000 FFFF0000 0100007F, little-endian bytes
     00 00 00 00 | 00 00 00 00 | 00 00 FF FF | 7F 00 00 01 → ::ffff:127.0.0.1'
    """
    packed = _packed(hexaddr, byteorder)
    if packed is None:
        raise ValueError(f"{len(hexaddr)} hex digits, want 8 (IPv4) or 32 (IPv6)")
    words = [hexaddr[i : i + 8].upper() for i in range(0, len(hexaddr), 8)]
    chunks = [_spaced(packed[i : i + 4]) for i in range(0, len(packed), 4)]
    label = f"word 0x{words[0]}" if len(words) == 1 else f"words {' '.join(words)}"
    return f"{label}, {byteorder}-endian bytes {' | '.join(chunks)} → {_ntop(packed)}"


def _other(byteorder: ByteOrder) -> ByteOrder:
    return "big" if byteorder == "little" else "little"


def _looks_local(packed: bytes) -> bool:
    ip = ipaddress.ip_address(packed)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _address_meaning(packed: bytes, local: bool, family_ok: bool, table: str) -> str:
    ip = ipaddress.ip_address(packed)
    text = _ntop(packed)
    whose = "The local address the socket is bound to" if local else "The peer's address"
    words = "one %08X word" if len(packed) == 4 else "four %08X words"
    parts = [f"{whose}, printed as {words} in the byte order of the machine that wrote the file."]
    if not any(packed):
        if local:
            parts.append(f"{text}: any local address (wildcard).")
        else:
            parts.append("All zeros: no peer (a listening or unconnected socket).")
        if len(packed) == 16:
            parts.append("netstat prints it as :: (as [::] when it resolves names).")
    elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        proto = table if table.endswith("6") else "tcp6/udp6"
        parts.append(
            f"An IPv4-mapped address (::ffff:a.b.c.d): IPv4 traffic on an IPv6 socket. netstat prints it"
            f" as plain {ip.ipv4_mapped} while Proto stays {proto}."
        )
    elif str(ip) != text:
        parts.append(
            f"inet_ntop (and so netstat) writes it as {text}, in the dotted IPv4-compatible form;"
            f" Python's ipaddress would write {ip}."
        )
    if not family_ok:
        want = "IPv6 (32 hex digits)" if table.endswith("6") else "IPv4 (8 hex digits)"
        parts.append(f"The {table} table holds {want} addresses.")
    return " ".join(parts)


def _port_meaning(port: int, local: bool, proto: str) -> tuple[str, str]:
    """(value, meaning) of a port; for raw tables the local "port" is the protocol number."""
    if proto == "raw":
        if local:
            meaning = (
                "Not a port: a raw socket shows its IP protocol number here (1 icmp, 6 tcp, 17 udp,"
                " 58 ipv6-icmp, 255 raw). netstat shows the protocol name from /etc/protocols."
            )
            return f"{port} = IP protocol {_protocol_name(port)}", meaning
        meaning = "Always 0 for a raw socket, which has no ports; netstat prints it as *."
        if port:
            meaning += f" {port} is not what the kernel prints here."
        return str(port), meaning
    side = "local" if local else "remote"
    if port == 0:
        what = "no port yet (unbound)" if local else "no peer port (listening or unconnected)"
        return "0", f"The {side} port, %04X hex: 0 means {what}. netstat prints port 0 as *."
    return str(port), (
        f"The {side} port, %04X hex → {port} decimal; netstat shows the service name from /etc/services"
        " unless -n."
    )


def _protocol_name(number: int) -> str:
    return IP_PROTOCOLS.get(number, "with no well-known name" if number <= 0xFF else "out of range (> 255)")


# ---------------------------------------------------------------------------
# Inet rows
# ---------------------------------------------------------------------------

_HEAD_FIELDS = ("sl", "local", "remote", "st", "queues", "timer", "retrnsmt", "uid", "timeout", "inode")
_VARIANT_FIELDS: dict[str, tuple[str, ...]] = {
    "full": _HEAD_FIELDS + ("ref", "pointer", "rto", "ato", "quick/pingpong", "cwnd", "ssthresh"),
    "timewait": _HEAD_FIELDS + ("ref", "pointer"),
    "request": _HEAD_FIELDS + ("ref", "pointer"),
    "dgram": _HEAD_FIELDS + ("ref", "pointer", "drops"),
}
_HEADER_NAME = {"queues": "tx_queue:rx_queue", "timer": "tr:tm->when"}


@dataclasses.dataclass(frozen=True, slots=True)
class _Inet:
    """What the explanation of one inet field may depend on."""

    table: str
    proto: Literal["tcp", "udp", "raw"]
    family: int
    byteorder: ByteOrder
    clk_tck: int
    variant: str
    st: int | None
    tr: int | None

    @property
    def v(self) -> str:
        return "6" if self.family == 6 else "4"

    @property
    def remote_name(self) -> str:
        return "remote_address" if self.family == 6 else "rem_address"

    @property
    def listen(self) -> bool:
        return self.proto == "tcp" and self.st == TcpState.LISTEN


def _tcp_variant(tokens: list[str]) -> str:
    """``full``, ``timewait`` or ``request``: which kernel function printed a tcp row."""
    n = len(tokens)
    if n == 17:
        return "full"
    st = _hex(tokens[3]) if n > 3 else None
    tr = _hex(tokens[5].partition(":")[0]) if n > 5 else None
    if tr == 3 or (n == 12 and st in (0x05, 0x06)):
        return "timewait"
    if (st == 0x03 and tr == 1) or n == 12:
        return "request"
    return "full"


def _variant_note(c: _Inet, n: int) -> str:
    note = _variant_text(c)
    if n == len(_VARIANT_FIELDS[c.variant]):
        return note
    return f"{note} This line has {n} field{'s' * (n != 1)}; it is explained as that kind of row as far as it goes."


def _variant_text(c: _Inet) -> str:
    if c.variant == "full":
        return f"A full TCP socket row (get_tcp{c.v}_sock): 17 fields."
    if c.variant == "timewait":
        what = (
            "an orphaned FIN_WAIT2 connection (closed by its program) kept as a timewait mini-socket"
            if c.st == TcpState.FIN_WAIT2
            else "a connection in TIME_WAIT"
        )
        return (
            f"A TIME_WAIT row (get_timewait{c.v}_sock), {what}: 12 fields; queues, retrnsmt, uid, timeout and"
            " inode are hard-coded 0, tr is 3, and nothing follows the pointer."
        )
    if c.variant == "request":
        return (
            f"A request-socket row (get_openreq{c.v}): a connection still in the handshake, shown as SYN_RECV"
            " (the kernel's NEW_SYN_RECV, 0x0C, is printed as 03); 12 fields, inode 0, the listener's uid."
        )
    fn = f"udp{c.v}_format_sock" if c.family == 4 else "__ip6_dgram_sock_seq_show"
    if c.proto == "raw" and c.family == 4:
        fn = "raw_sock_seq_show"
    return f"A datagram row ({fn}): 13 fields, the last three ref, pointer and drops."


def _explain_inet(tokens: list[str], table: str, byteorder: ByteOrder, clk_tck: int, out: _Out) -> None:
    proto: Literal["tcp", "udp", "raw"] = (
        "tcp" if table.startswith("tcp") else ("raw" if table.startswith("raw") else "udp")
    )
    n = len(tokens)
    variant = _tcp_variant(tokens) if proto == "tcp" else "dgram"
    c = _Inet(
        table=table,
        proto=proto,
        family=6 if table.endswith("6") else 4,
        byteorder=byteorder,
        clk_tck=clk_tck,
        variant=variant,
        st=_hex(tokens[3]) if n > 3 else None,
        tr=_hex(tokens[5].partition(":")[0]) if n > 5 and proto == "tcp" else None,
    )
    out.notes.append(_variant_note(c, n))
    names = _VARIANT_FIELDS[variant]
    for key, token in zip(names, tokens):
        _INET_EXPLAINERS[key](token, c, out)
    if n < len(names):
        missing = [_display_name(k, c) for k in names[n:]]
        out.problems.append(
            f"{', '.join(missing)}: missing; the line ends after {n} field{'s' * (n != 1)},"
            f" and {_rows_have(c)}."
        )
    elif n > len(names):
        for token in tokens[len(names) :]:
            out.add("(extra)", token, NOT_DECODED, f"Not part of a {table} row.")
        out.problems.append(
            f"(extra): {n - len(names)} field(s) after {_display_name(names[-1], c)}"
            f" that a {table} row does not have; {_rows_have(c)}."
        )
    if proto == "tcp" and n == 12 and not ((c.st in (5, 6) and c.tr == 3) or (c.st == 3 and c.tr == 1)):
        out.problems.append(
            "st/tr: a 12-field tcp row is a TIME_WAIT row (st 06 or 05 with tr 03) or a request socket"
            " (st 03 with tr 01), and this one is neither."
        )


def _display_name(key: str, c: _Inet) -> str:
    """The kernel header name of an entry of ``_VARIANT_FIELDS``."""
    return {"local": "local_address", "remote": c.remote_name}.get(key, _HEADER_NAME.get(key, key))


def _rows_have(c: _Inet) -> str:
    if c.proto == "tcp":
        return "a tcp row has 17 fields (full socket) or 12 (TIME_WAIT or request socket)"
    return f"a {c.table} row has 13 fields"


def _sl(token: str, c: _Inet, out: _Out) -> None:
    number = _dec(token[:-1]) if token.endswith(":") else None
    if number is None:
        out.bad("sl", token, f"{token!r} is not a decimal number followed by ':'")
        return
    if c.proto == "tcp":
        meaning = (
            "Running row number of this read (0, 1, 2, … over listeners first, then the other sockets):"
            " not an ID, and not stable from one read to the next."
        )
    else:
        meaning = "The hash-bucket index of the socket, not a row number: it is often large and can repeat."
    out.add("sl", token, str(number), meaning)


def _endpoint(token: str, c: _Inet, out: _Out, local: bool) -> None:
    addr_name = "local_address" if local else c.remote_name
    port_name = "local_port" if local else c.remote_name.replace("_address", "_port")
    hexaddr, sep, hexport = token.partition(":")
    if not sep:
        out.bad(addr_name, token, f"{token!r} has no ':'; want HEXADDRESS:HEXPORT")
        return
    packed = _packed(hexaddr, c.byteorder)
    if packed is None:
        if _HEX.fullmatch(hexaddr) is None:
            out.bad(addr_name, hexaddr, _why_hex(hexaddr))
        else:
            out.bad(addr_name, hexaddr, f"{len(hexaddr)} hex digits; want 8 (IPv4) or 32 (IPv6)")
    else:
        family_ok = (len(packed) == 16) == (c.family == 6)
        if not family_ok:
            want = "32 (IPv6)" if c.family == 6 else "8 (IPv4)"
            out.problems.append(
                f"{addr_name}: {len(hexaddr)} hex digits, but a {c.table} address has {want};"
                " decoded by its length anyway"
            )
        out.add(
            addr_name,
            hexaddr,
            address_value(hexaddr, c.byteorder),
            _address_meaning(packed, local, family_ok, c.table),
        )
        swapped = decode_address(hexaddr, _other(c.byteorder)).packed
        if _looks_local(swapped) and not _looks_local(packed) and any(packed):
            out.notes.append(
                f"{addr_name} reads as {_ntop(packed)} in {c.byteorder}-endian order but as loopback"
                f" {_ntop(swapped)} in {_other(c.byteorder)}-endian order: was the line written on a"
                f" {_other(c.byteorder)}-endian machine?"
            )
    port = _hex(hexport)
    if port is None:
        out.bad(port_name, hexport, _why_hex(hexport))
    elif port > 0xFFFF:
        out.bad(port_name, hexport, f"0x{hexport} = {port} is above 0xFFFF, the largest port")
    else:
        value, meaning = _port_meaning(port, local, c.proto)
        out.add(port_name, hexport, value, meaning)


def _st(token: str, c: _Inet, out: _Out) -> None:
    st = _hex(token)
    if st is None:
        out.bad("st", token, _why_hex(token))
        return
    if c.proto == "tcp":
        if st in TCP_STATE_MEANINGS:
            name = TcpState(st).name
            meaning = f"TCP state {st:02X} = {name} (include/net/tcp_states.h). {TCP_STATE_MEANINGS[st]}"
            out.add("st", token, name, meaning)
            return
        if st == TcpState.NEW_SYN_RECV:
            out.add(
                "st",
                token,
                "NEW_SYN_RECV",
                "0C is the kernel's NEW_SYN_RECV, which /proc never prints (request sockets show 03).",
            )
        else:
            out.add("st", token, f"unknown ({st})", "Not a TCP state the kernel prints (01 to 0B).")
        out.problems.append(f"st: {token} is not a state the kernel prints in {c.table} (01 to 0B)")
        return
    label = "bare number" if c.proto == "raw" else "State column"
    if st == 0x07:
        shown = "the bare number 7" if c.proto == "raw" else "an empty State"
        out.add(
            "st",
            token,
            "CLOSE (unconnected)",
            f"07 is TCP_CLOSE, used for a datagram socket that is not connected; netstat shows {shown}.",
        )
    elif st == 0x01:
        shown = "the bare number 1" if c.proto == "raw" else "ESTABLISHED"
        out.add(
            "st",
            token,
            "ESTABLISHED (connected)",
            f"01 is TCP_ESTABLISHED: the socket was connect()ed to the remote address; netstat shows {shown}.",
        )
    else:
        shown = f"{st}" if c.proto == "raw" else "UNKNOWN"
        out.add(
            "st",
            token,
            f"unknown ({st})",
            f"Datagram sockets show only 01 (connected) or 07 (unconnected); netstat's {label} shows {shown}.",
        )
        out.problems.append(f"st: {token} is not a state a datagram socket shows (01 or 07)")


def _queues(token: str, c: _Inet, out: _Out) -> None:
    tx_raw, sep, rx_raw = token.partition(":")
    if not sep:
        out.bad("tx_queue:rx_queue", token, f"{token!r} has no ':'; want TX:RX, two hex numbers")
        return
    tx, rx = _hex(tx_raw), _hex(rx_raw)
    order = "Printed first here, but netstat shows Recv-Q (rx_queue) first and this second, as Send-Q."
    if tx is None:
        out.bad("tx_queue", tx_raw, _why_hex(tx_raw))
    elif c.proto != "tcp":
        out.add(
            "tx_queue",
            tx_raw,
            f"{tx} bytes",
            f"Send-Q: send-buffer memory in use (sk_wmem_alloc), in bytes of buffer, not payload. {order}",
        )
    elif c.variant in ("timewait", "request"):
        out.add("tx_queue", tx_raw, f"{tx} bytes", f"Hard-coded 0 in this kind of row. {order}")
    elif c.listen:
        out.add("tx_queue", tx_raw, f"{tx} bytes", f"Always 0 for a listening socket. {order}")
    else:
        extra = " The SYN counts as one byte." if c.st == TcpState.SYN_SENT and tx else ""
        out.add(
            "tx_queue",
            tx_raw,
            f"{tx} bytes",
            "Send-Q: bytes not yet acknowledged by the peer, sent or not (write_seq - snd_una)."
            f"{extra} {order}",
        )
    order = "Printed second here, but netstat shows it first, as Recv-Q."
    if rx is None:
        out.bad("rx_queue", rx_raw, _why_hex(rx_raw))
    elif c.proto != "tcp":
        out.add(
            "rx_queue",
            rx_raw,
            f"{rx} bytes",
            "Recv-Q: receive-buffer memory of the queued datagrams (truesize, with per-packet overhead),"
            f" not payload bytes. {order}",
        )
    elif c.variant in ("timewait", "request"):
        out.add("rx_queue", rx_raw, f"{rx} bytes", f"Hard-coded 0 in this kind of row. {order}")
    elif c.listen:
        out.add(
            "rx_queue",
            rx_raw,
            f"{rx} connection{'s' * (rx != 1)}",
            "For a LISTEN socket: connections that finished the handshake and wait for accept()"
            f" (the accept queue). {order}",
        )
    else:
        extra = " The peer's FIN counts as one." if c.st == TcpState.CLOSE_WAIT and rx else ""
        out.add(
            "rx_queue",
            rx_raw,
            f"{rx} bytes",
            f"Recv-Q: bytes received but not yet read by the program (rcv_nxt - copied_seq).{extra} {order}",
        )


def _seconds(ticks: int, hz: int) -> str:
    return f"{ticks / hz:.2f} s"


def _timer(token: str, c: _Inet, out: _Out) -> None:
    tr_raw, sep, when_raw = token.partition(":")
    if not sep:
        out.bad("tr:tm->when", token, f"{token!r} has no ':'; want TR:WHEN, two hex numbers")
        return
    tr, when = _hex(tr_raw), _hex(when_raw)
    if tr is None:
        out.bad("tr", tr_raw, _why_hex(tr_raw))
    elif c.proto != "tcp":
        out.add("tr", tr_raw, str(tr), "Timer code: always 00 for datagram sockets, which report no timer.")
    elif tr in TCP_TIMERS:
        t = TCP_TIMERS[tr]
        detail = REQUEST_RETRANSMIT if tr == 1 and c.variant == "request" else t.detail
        out.add("tr", tr_raw, f"{tr} ({t.what})", f"Timer code. {detail} netstat -o shows it as '{t.word}'.")
    else:
        out.add("tr", tr_raw, f"{tr} (unknown)", "Timer code: the kernel prints only 0 to 4 here.")
        out.problems.append(f"tr: {tr_raw} is not a timer code the kernel prints (0 to 4)")
    if when is None:
        out.bad("tm->when", when_raw, _why_hex(when_raw))
        return
    if c.proto != "tcp":
        out.add(
            "tm->when",
            when_raw,
            f"{when} ticks = {_seconds(when, 100)}",
            "Always 0 for datagram sockets; netstat divides it by 100 for udp and raw.",
        )
        return
    hz = c.clk_tck
    extra = " A TIME_WAIT timer starts at 60 s (about 0x1770 ticks)." if c.variant == "timewait" else ""
    out.add(
        "tm->when",
        when_raw,
        f"{when} ticks = {_seconds(when, hz)}",
        f"Time left on the timer in clock ticks (USER_HZ, hex): seconds = ticks / {hz}."
        f" netstat -o shows the seconds first in the brackets, as in on (1.10/0/0).{extra}",
    )


def _retrnsmt(token: str, c: _Inet, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("retrnsmt", token, _why_hex(token))
        return
    if c.proto != "tcp":
        meaning = "Always 0 for datagram sockets."
    elif c.variant == "timewait":
        meaning = "Hard-coded 0 in a TIME_WAIT row."
    elif c.variant == "request":
        meaning = "How many times the SYN-ACK timer has run out for this connection request (hex)."
    else:
        meaning = (
            "Retransmissions of the oldest unacknowledged segment (icsk_retransmits). Printed in HEX,"
            " unlike uid, timeout and inode; netstat -o shows it second in the brackets (secs/retrnsmt/timeout)."
        )
    out.add("retrnsmt", token, str(value), meaning)


def _uid(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("uid", token, _why_dec(token))
        return
    if c.variant == "timewait":
        meaning = "Hard-coded 0 in a TIME_WAIT row, whoever owned the connection, so netstat -e shows root."
    elif c.variant == "request":
        meaning = "The uid of the listening socket's owner (a request socket has no owner of its own)."
    else:
        meaning = (
            "The socket owner's user id (decimal), as seen from the reader's user namespace; netstat -e"
            " shows the user name."
        )
    if value == 65534 and c.variant != "timewait":
        meaning += " 65534 is nobody, or the overflow uid of a user that is not mapped into this namespace."
    out.add("uid", token, str(value), meaning)


def _timeout(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token, signed=True)
    if value is None:
        out.bad("timeout", token, _why_dec(token, signed=True))
        return
    if c.proto != "tcp":
        meaning = "Always 0 for datagram sockets."
    elif c.variant in ("timewait", "request"):
        meaning = "Hard-coded 0 in this kind of row."
    else:
        meaning = (
            "Keepalive or zero-window probes sent and not answered (icsk_probes_out), decimal; netstat -o"
            " shows it last in the brackets."
        )
    out.add("timeout", token, str(value), meaning)


def _inode(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("inode", token, _why_dec(token))
        return
    if value:
        meaning = (
            "The socket's inode number: a program holding the socket has a /proc/<pid>/fd link to"
            f" socket:[{value}], which is how netstat -p finds it."
        )
    else:
        if c.variant == "timewait":
            why = "a TIME_WAIT mini-socket has none"
        elif c.variant == "request":
            why = "a request socket has none"
        elif c.proto == "tcp" and c.st in (TcpState.FIN_WAIT1, TcpState.LAST_ACK, TcpState.CLOSING):
            why = "the program close()d it and the kernel finishes the connection alone (orphan)"
        elif c.proto == "tcp" and c.st in (TcpState.ESTABLISHED, TcpState.SYN_RECV, TcpState.CLOSE_WAIT):
            why = "it waits in a listener's queue, not yet accept()ed, or was orphaned by close()"
        else:
            why = "it is orphaned, or not yet accept()ed, or being torn down"
        meaning = f"0: the sock has no struct socket ({why}), so no process can own it; netstat -p shows -."
    out.add("inode", token, str(value), meaning)


def _ref(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token, signed=True)
    if value is None:
        out.bad("ref", token, _why_dec(token, signed=True))
        return
    meaning = "Reference count of the kernel socket (sk_refcnt): a debugging aid, ignored by netstat."
    if c.variant == "request":
        meaning = "Printed as 0 for a request socket (the slot of the reference count)."
    out.add("ref", token, str(value), meaning)


def _pointer(token: str, c: _Inet, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("pointer", token, _why_hex(token))
        return
    shown = "all zeros: hidden by kptr_restrict" if value == 0 else "a hashed kernel address"
    out.add(
        "pointer",
        token,
        f"0x{token.upper()}",
        f"Kernel address of the socket (%pK), {shown}. Useless as an ID; netstat ignores it.",
    )


def _ticks(name: str, about: str, extra: str = "") -> Callable[[str, _Inet, _Out], None]:
    def explain(token: str, c: _Inet, out: _Out) -> None:
        value = _dec(token)
        if value is None:
            out.bad(name, token, _why_dec(token))
            return
        out.add(
            name,
            token,
            f"{value} ticks = {_seconds(value, c.clk_tck)}",
            f"{about}, in clock ticks (decimal): seconds = ticks / {c.clk_tck}.{extra}",
        )

    return explain


def _quick(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("quick/pingpong", token, _why_dec(token))
        return
    out.add(
        "quick/pingpong",
        token,
        f"{value} = quick {value >> 1}, pingpong {value & 1}",
        "(quick << 1) | pingpong: quick = ACKs still to send at once (quick-ACK mode); pingpong = 1 when"
        " the connection looks interactive and ACKs are delayed.",
    )


def _cwnd(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("cwnd", token, _why_dec(token))
        return
    out.add(
        "cwnd",
        token,
        f"{value} segments",
        "Congestion window (snd_cwnd): how many segments may be in flight unacknowledged.",
    )


def _ssthresh(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token, signed=True)
    if value is None:
        out.bad("ssthresh", token, _why_dec(token, signed=True))
        return
    if c.listen:
        out.add(
            "ssthresh",
            token,
            str(value),
            "For a LISTEN socket this slot holds the TCP Fast Open queue maximum (usually 0).",
        )
    elif value == -1:
        out.add(
            "ssthresh",
            token,
            "-1 (initial slow start)",
            "Slow-start threshold: -1 means still in the initial slow start (no threshold set yet).",
        )
    else:
        out.add(
            "ssthresh",
            token,
            f"{value} segments",
            "Slow-start threshold (snd_ssthresh): the window grows exponentially below it.",
        )


def _drops(token: str, c: _Inet, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("drops", token, _why_dec(token))
        return
    out.add(
        "drops",
        token,
        str(value),
        "Datagrams dropped for this socket (sk_drops): receive buffer full, bad checksum, filters.",
    )


def _local(token: str, c: _Inet, out: _Out) -> None:
    _endpoint(token, c, out, local=True)


def _remote(token: str, c: _Inet, out: _Out) -> None:
    _endpoint(token, c, out, local=False)


_INET_EXPLAINERS: dict[str, Callable[[str, _Inet, _Out], None]] = {
    "sl": _sl,
    "local": _local,
    "remote": _remote,
    "st": _st,
    "queues": _queues,
    "timer": _timer,
    "retrnsmt": _retrnsmt,
    "uid": _uid,
    "timeout": _timeout,
    "inode": _inode,
    "ref": _ref,
    "pointer": _pointer,
    "rto": _ticks("rto", "Retransmission timeout (icsk_rto)", " A listener shows 100, the initial 1 s."),
    "ato": _ticks("ato", "Delayed-ACK timeout (icsk_ack.ato)"),
    "quick/pingpong": _quick,
    "cwnd": _cwnd,
    "ssthresh": _ssthresh,
    "drops": _drops,
}


# ---------------------------------------------------------------------------
# Unix records
# ---------------------------------------------------------------------------

_UNIX_FIELDS = ("Num", "RefCount", "Protocol", "Flags", "Type", "St", "Inode")
_TOKEN = re.compile(r"\S+")


def _explain_unix(line: str, out: _Out) -> None:
    matches = list(_TOKEN.finditer(line))
    for name, m in zip(_UNIX_FIELDS, matches):
        _UNIX_EXPLAINERS[name](m.group(), out)
    if len(matches) < len(_UNIX_FIELDS):
        missing = _UNIX_FIELDS[len(matches) :]
        out.problems.append(
            f"{', '.join(missing)}: missing; the line ends after {len(matches)} field"
            f"{'s' * (len(matches) != 1)}, and a unix record has at least 7 (then the optional Path)."
        )
        return
    rest = line[matches[len(_UNIX_FIELDS) - 1].end() :]
    _path(rest, out)


def _num(token: str, out: _Out) -> None:
    digits = token.removesuffix(":")
    value = _hex(digits)
    if value is None or not token.endswith(":"):
        out.bad("Num", token, f"{token!r} is not a hex kernel address followed by ':'")
        return
    shown = "all zeros: hidden by kptr_restrict" if value == 0 else "a hashed kernel address"
    out.add(
        "Num",
        token,
        f"0x{digits.upper()}",
        f"Address of the kernel socket (%pK), {shown}. Not an ID: netstat ignores it.",
    )


def _refcount(token: str, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("RefCount", token, _why_hex(token))
        return
    out.add(
        "RefCount",
        token,
        str(value),
        f"Reference count of the socket, printed in HEX; netstat's RefCnt shows it in decimal ({value}).",
    )


def _protocol(token: str, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("Protocol", token, _why_hex(token))
        return
    meaning = "Always 0 for unix sockets."
    if value:
        meaning += " It is not 0 here, so netstat would print ?? as Proto."
        out.problems.append(f"Protocol: {token} is not 0, which the kernel always prints")
    out.add("Protocol", token, str(value), meaning)


def _flags(token: str, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("Flags", token, _why_hex(token))
        return
    names = []
    if value & SO_ACCEPTCON:
        names.append("__SO_ACCEPTCON (listening)")
    if value & SO_WAITDATA:
        names.append("SO_WAITDATA (netstat W; not set by current kernels)")
    if value & SO_NOSPACE:
        names.append("SO_NOSPACE (netstat N; not set by current kernels)")
    unknown = value & ~(SO_ACCEPTCON | SO_WAITDATA | SO_NOSPACE)
    if unknown:
        names.append(f"unknown bits 0x{unknown:X}")
    if not value:
        out.add("Flags", token, "0 (none)", "No flags: the socket is not listening; netstat shows [ ].")
    else:
        out.add(
            "Flags",
            token,
            ", ".join(names),
            "Socket flags (%08X): 00010000 is __SO_ACCEPTCON, set exactly when the socket listens;"
            " netstat shows it as [ ACC ].",
        )


def _type(token: str, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("Type", token, _why_hex(token))
        return
    if value in UNIX_TYPE_MEANINGS:
        out.add("Type", token, UnixType(value).name, UNIX_TYPE_MEANINGS[value])
    else:
        out.add("Type", token, f"unknown ({value})", "Not a socket type (1 STREAM, 2 DGRAM, 5 SEQPACKET).")
        out.problems.append(f"Type: {token} is not a socket type")


def _unix_st(token: str, out: _Out) -> None:
    value = _hex(token)
    if value is None:
        out.bad("St", token, _why_hex(token))
        return
    if value in UNIX_STATE_MEANINGS:
        out.add("St", token, UnixState(value).name, UNIX_STATE_MEANINGS[value])
    else:
        out.add("St", token, f"unknown ({value})", "Not a socket state (01 to 04); netstat shows UNKNOWN.")
        out.problems.append(f"St: {token} is not a socket state")


def _unix_inode(token: str, out: _Out) -> None:
    value = _dec(token)
    if value is None:
        out.bad("Inode", token, _why_dec(token))
        return
    if value:
        meaning = (
            "The socket's inode number (%5lu, space-padded): a program holding the socket has a"
            f" /proc/<pid>/fd link to socket:[{value}], which is how netstat -p finds it."
        )
    else:
        meaning = (
            "0: no struct socket, so no process owns it: the server side of a connection not yet"
            " accept()ed (St 02), or one being torn down."
        )
    out.add("Inode", token, str(value), meaning)


def _path(rest: str, out: _Out) -> None:
    if not rest:
        out.add(
            "Path",
            "",
            "(none)",
            "No path: the socket has no address (unbound, a socketpair, or an unnamed client).",
        )
        return
    if not rest.startswith(" "):
        out.problems.append("Path: the kernel separates the path from the inode by one space")
        rest = " " + rest.lstrip()
    path = rest[1:]
    extra = []
    if " " in path:
        extra.append("It contains spaces: the path is everything after the one space that follows the inode.")
    if path != path.strip():
        extra.append("It starts or ends with blanks, which are part of the name.")
    if not path.isprintable():
        extra.append("It holds control bytes or bytes that are not UTF-8; they are shown escaped, as \\xNN.")
    if _AUTOBIND.fullmatch(path):
        value = f"autobind name {path[1:]}"
        meaning = "Autobind: the kernel chose this abstract name (@ + 5 hex digits) for an unnamed socket."
    elif path.startswith("@"):
        value = f"abstract name {path[1:]!r}"
        meaning = "An abstract name (no file): the kernel shows its leading NUL byte as @."
        if "@" in path[1:]:
            meaning += (
                " Every NUL byte inside the name is also shown as @, so each later @ may be a NUL"
                " or a real @: the text is ambiguous."
            )
    elif path.startswith("/"):
        value = path
        meaning = "A filesystem path the socket is bound to (it stays listed after the file is removed)."
    else:
        value = path
        meaning = "A relative filesystem path, as given to bind(), relative to that program's directory then."
    out.add("Path", path, value, " ".join([meaning, *extra]))


_UNIX_EXPLAINERS: dict[str, Callable[[str, _Out], None]] = {
    "Num": _num,
    "RefCount": _refcount,
    "Protocol": _protocol,
    "Flags": _flags,
    "Type": _type,
    "St": _unix_st,
    "Inode": _unix_inode,
}


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def explain_line(
    line: str,
    *,
    table: str | None = None,
    byteorder: Literal["little", "big"] = sys.byteorder,
    clk_tck: int = 100,
) -> LineExplanation:
    """Explain one line of a /proc/net socket table, field by field.

    ``table`` names the file the line came from; when None it is inferred from
    the line (and ``guessed`` is True).  ``byteorder`` is that of the machine
    that wrote the line, ``clk_tck`` its USER_HZ (``getconf CLK_TCK``).  Never
    raises on bad input: what cannot be decoded is listed in ``problems``.
    """
    out = _Out()
    if byteorder not in ("little", "big"):
        out.problems.append(
            f"byteorder: {byteorder!r} is neither 'little' nor 'big'; {sys.byteorder} is used"
        )
        byteorder = sys.byteorder
    if not isinstance(clk_tck, int) or clk_tck <= 0:
        out.problems.append(f"clk_tck: {clk_tck!r} is not a positive number of ticks per second; 100 is used")
        clk_tck = 100
    text = line.removesuffix("\n")
    tokens = text.split()
    guess = _guess(tokens, byteorder)
    if table is not None and table not in TABLES:
        out.problems.append(
            f"table: {table!r} is not one of {', '.join(TABLES)}; the table is guessed instead"
        )
        table = None
    guessed = table is None
    if table is None:
        if guess is None:
            if not tokens:
                out.problems.append("line: empty; there is nothing to explain")
            elif _is_header(tokens):
                out.problems.append(
                    "line: this is the header line of a /proc/net table (it names the columns), not a socket"
                    " row; pass one of the lines below it"
                )
            else:
                out.problems.append(
                    "line: not a socket row: it starts with neither 'N:' (the sl of an inet row) followed by"
                    " HEXADDRESS:HEXPORT, nor a hex kernel pointer and ':' (a unix record)"
                )
            return _result("unknown", True, out)
        table = guess.table
        out.notes.extend(guess.notes)
    elif not tokens:
        out.problems.append("line: empty; there is nothing to explain")
        return _result(table, False, out)
    elif (
        guess is not None
        and _row_format(guess.table) != _row_format(table)
        and (guess.sure or "unix" in (table, guess.table))
    ):
        out.problems.append(
            f"table: the line does not look like a {table} row but like a {guess.table} row"
            f" ({guess.notes[-1]}); explained as {table} anyway"
        )
    elif guess is None:
        out.problems.append(f"table: the line does not look like a {table} row")
    if table == "unix":
        _explain_unix(text, out)
    else:
        _explain_inet(tokens, table, byteorder, clk_tck, out)
    return _result(table, guessed, out)


def _result(table: str, guessed: bool, out: _Out) -> LineExplanation:
    return LineExplanation(table, guessed, tuple(out.notes), tuple(out.fields), tuple(out.problems))
