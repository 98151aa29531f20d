"""Which table a line is from, told from its shape, for ``--explain-line`` when no table is given.

A unix record starts with a hex kernel pointer and ':'; an inet row with its
``sl`` and ':' then ``HEXADDRESS:HEXPORT``.  The address length tells IPv4
from IPv6 and the field count the row variant (parse/inet_format.py): 12 or 17
fields are tcp, 13 a datagram row, read as udp (udplite and raw print the same).

>>> row = "0: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 9 2 0 0"
>>> g = guess(row.split(), "little")
>>> g.table, g.sure, g.notes[0]
('udp', True, 'An inet socket row: the address has 8 hex digits, so it is IPv4.')
"""

from __future__ import annotations

import dataclasses
import re

from netread.explain.line_address import packed
from netread.explain.line_address import protocol_name
from netread.explain.line_base import read_hex
from netread.parse.inet_format import DATAGRAM_FIELD_COUNT
from netread.parse.inet_format import TCP_FIELD_COUNTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.explain.line_base import ByteOrder

_SL = re.compile(r"[0-9]+:")
_PAIR = re.compile(r"[0-9A-Fa-f]+:[0-9A-Fa-f]+")
_UNIX_NUM = re.compile(r"(?:[0-9A-Fa-f]{16}|[0-9A-Fa-f]{8}):")


@dataclasses.dataclass(frozen=True, slots=True)
class Guess:
    """The table a line seems to be from, and the notes that say why."""

    table: str
    notes: tuple[str, ...]
    #: True when the field count (or the unix shape) settles the row format.
    sure: bool


def row_format(table: str) -> str:
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


def guess(tokens: list[str], byteorder: ByteOrder) -> Guess | None:
    """Tell the table from the shape of the line, or None."""
    if not tokens:
        return None
    first, second = tokens[0], tokens[1] if len(tokens) > 1 else ""
    if _PAIR.fullmatch(second) is None and _UNIX_NUM.fullmatch(first) is not None:
        digits = len(first) - 1
        return Guess(
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
    if n in TCP_FIELD_COUNTS:
        notes.append(
            f"{n} fields: only TCP rows have 12 (TIME_WAIT or request socket) or 17 (full socket) fields."
        )
        return Guess("tcp" + suffix, tuple(notes), True)
    if n == DATAGRAM_FIELD_COUNT:
        notes.append(
            "13 fields ending in ref, pointer and drops: a datagram row, read here as udp"
            f"{suffix}. udplite{suffix} and raw{suffix} print the same format, so the line may come from"
            " either of them too."
        )
        notes.extend(_raw_hints(tokens, byteorder))
        return Guess("udp" + suffix, tuple(notes), True)
    st = read_hex(tokens[3]) if n > 3 else None
    tr = read_hex(tokens[5].partition(":")[0]) if n > 5 else None
    if tr:
        notes.append(
            f"{n} fields fit no row variant, but a running timer (tr {tr}) only appears in TCP rows."
        )
        return Guess("tcp" + suffix, tuple(notes), False)
    if st is not None and st not in (0x01, 0x07):
        notes.append(
            f"{n} fields fit no row variant, but state {st:02X} only appears in TCP rows"
            " (datagram rows show 01 or 07)."
        )
        return Guess("tcp" + suffix, tuple(notes), False)
    if n > DATAGRAM_FIELD_COUNT:
        notes.append(f"{n} fields fit no row variant; more than 13 only happens in TCP rows.")
        return Guess("tcp" + suffix, tuple(notes), False)
    notes.append(
        f"{n} fields fit no row variant (tcp has 12 or 17, udp/udplite/raw 13): read as tcp{suffix},"
        f" but it may as well be a cut-short udp{suffix}, udplite{suffix} or raw{suffix} row."
    )
    return Guess("tcp" + suffix, tuple(notes), False)


def is_header(tokens: list[str]) -> bool:
    """Whether the line is the header of an inet table or of /proc/net/unix."""
    return ("sl" in tokens and "local_address" in tokens) or tokens[:2] == ["Num", "RefCount"]


def _raw_hints(tokens: list[str], byteorder: ByteOrder) -> list[str]:
    """Notes on reading a 13-field row as raw: the local "port" is a protocol."""
    local_port = read_hex(tokens[1].partition(":")[2])
    remote_hex, _, remote_port_hex = tokens[2].partition(":")
    hints: list[str] = []
    if local_port is not None and local_port <= 0xFF:
        hints.append(
            f'If it is from raw, the local "port" {local_port} is the IP protocol number'
            f" ({protocol_name(local_port)}) and the remote port is always 0."
        )
    remote = packed(remote_hex, byteorder)
    if read_hex(remote_port_hex) == 0 and remote is not None and any(remote):
        hints.append(
            "The remote address is set but the remote port is 0: that is what a connect()ed raw socket"
            " shows (a connected udp socket has a remote port), so raw is likely."
        )
    return hints
