"""net/sctp/eps and net/sctp/assocs: the SCTP endpoints and associations netstat -S lists.

The kernel writes them in net/sctp/proc.c (sctp_eps_seq_show, sctp_assocs_seq_show)::

     ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS
    ffff8880106ab000 ffff88801b1e2000 2   10  12   22    0     123   10.0.0.1 10.0.0.2

     ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS ...
    ffff88800e6b1000 ffff88801b1e2800 2   1   4  1234    5  3  7  0 127 22 40000  *10.0.0.1 <-> *192.168.1.9 \t 30000 ...

Addresses are ``%pI4`` (dotted quad) or ``%pI6`` (eight groups of four hex digits), each
followed by a space; ``*`` marks an association's primary path.  Fields are split as
netstat 2.10 splits them (sctp_eps_do_one, sctp_assoc_do_one): strtok on blanks, the
endpoint's addresses up to a tab, an association's two lists around ``<->``.  The first
line is the header and is skipped unread, as netstat skips it.  Pure: lines in, records
and :class:`~netread.errors.ParseError` out.
"""

from __future__ import annotations

import ipaddress
import re

from netread.errors import ParseError
from netread.model import SctpSocket

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator

    from netread.model import IPAddress

_BLANKS = " \t\n"
#: An association's address lists end at any of these (netstat's strtok delimiters).
_LIST_END = "<->\t\n"
_DIGITS = re.compile(r"[0-9]{1,20}")  # 2^64 - 1 has 20 digits
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_IPV6 = re.compile(r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}")
#: The fields before the addresses, by netstat's names for them.
EPS_FIELDS = ("ENDPT", "SOCK", "STY", "SST", "HBKT", "LPORT", "UID", "INODE")
ASSOC_FIELDS = ("ASSOC", "SOCK", "STY", "SST", "ST", "HBKT", "ASSOC-ID", "TX_QUEUE", "RX_QUEUE", "UID", "INODE", "LPORT", "RPORT")
#: Largest value of each number netstat keeps (an int, an unsigned, an unsigned long).
_INT = (1 << 31) - 1
_UNSIGNED = (1 << 32) - 1
_ULONG = (1 << 64) - 1


class _Bad(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _strtok(text: str, pos: int, delims: str) -> tuple[str | None, int]:
    """C's strtok from ``pos``: the next token and where the scan goes on (past its delimiter)."""
    end = len(text)
    while pos < end and text[pos] in delims:
        pos += 1
    if pos >= end:
        return None, end
    start = pos
    while pos < end and text[pos] not in delims:
        pos += 1
    return text[start:pos], min(pos + 1, end)


def _number(text: str, field: str, most: int) -> int:
    if not _DIGITS.fullmatch(text) or int(text) > most:
        raise _Bad(field, f"not a number 0-{most}")
    return int(text)


def _address(text: str, field: str) -> IPAddress:
    """``10.0.0.1`` or ``fe80:0000:...:0001`` (``*`` first: the primary path) as an address."""
    token = text[1:] if text.startswith("*") else text
    try:
        if ":" in token:
            if _IPV6.fullmatch(token):
                return ipaddress.IPv6Address(token)
        elif _IPV4.fullmatch(token):
            return ipaddress.IPv4Address(token)
    except ValueError:
        pass
    raise _Bad(field, "not an address as the kernel prints it (%pI4 or %pI6)")


def _addresses(text: str | None, field: str) -> tuple[IPAddress, ...]:
    if text is None:
        raise _Bad(field, "missing")
    tokens: list[IPAddress] = []
    pos = 0
    while True:  # blanks as strtok knows them (str.split would also cut at \x1c or \u2028)
        token, pos = _strtok(text, pos, _BLANKS)
        if token is None:
            return tuple(tokens)
        tokens.append(_address(token, field))


def _fields(line: str, names: tuple[str, ...]) -> tuple[list[str], int]:
    values: list[str] = []
    pos = 0
    for name in names:
        token, pos = _strtok(line, pos, _BLANKS)
        if token is None:
            raise _Bad(name, "missing (netstat: bogus sctp line)")
        values.append(token)
    return values, pos


def _endpoint(line: str, label: str) -> SctpSocket:
    values, pos = _fields(line, EPS_FIELDS)
    rest, _ = _strtok(line, pos, "\t\n")
    return SctpSocket(
        association=False,
        st=_number(values[3], "SST", _INT),
        local_port=_number(values[5], "LPORT", _INT) & 0xFFFF,
        remote_port=0,
        local=_addresses(rest or "", "LADDRS"),
        remote=(),
        tx_queue=0,
        rx_queue=0,
        uid=_number(values[6], "UID", _UNSIGNED),
        inode=_number(values[7], "INODE", _ULONG),
        label=label,
    )


def _association(line: str, label: str) -> SctpSocket:
    values, pos = _fields(line, ASSOC_FIELDS)
    local, pos = _strtok(line, pos, _LIST_END)
    remote, _ = _strtok(line, pos, _LIST_END)
    return SctpSocket(
        association=True,
        st=_number(values[3], "SST", _INT),
        local_port=_number(values[11], "LPORT", _INT) & 0xFFFF,
        remote_port=_number(values[12], "RPORT", _INT) & 0xFFFF,
        local=_addresses(local, "LADDRS"),
        remote=_addresses(remote, "RADDRS"),
        tx_queue=_number(values[7], "TX_QUEUE", _UNSIGNED),
        rx_queue=_number(values[8], "RX_QUEUE", _UNSIGNED),
        uid=_number(values[9], "UID", _UNSIGNED),
        inode=_number(values[10], "INODE", _ULONG),
        label=label,
    )


def decode_sctp(lines: Iterable[str], *, path: str, association: bool, label: str = "sctp") -> Iterator[SctpSocket | ParseError]:
    """The records of ``eps`` (``association`` False) or ``assocs`` lines; a line that cannot be
    read is a :class:`ParseError` naming its field, in its place.

    >>> line = "ffff8880 ffff8881 2   10  12   22    0     123   10.0.0.1 10.0.0.2 "
    >>> [(s.st, s.local_port, [str(a) for a in s.local], s.inode) for s in decode_sctp(["header", line], path="eps", association=False)]
    [(10, 22, ['10.0.0.1', '10.0.0.2'], 123)]
    """
    decode = _association if association else _endpoint
    for lineno, line in enumerate(lines, 1):
        if lineno == 1:
            continue
        try:
            yield decode(line, label)
        except _Bad as exc:
            yield ParseError(path, lineno, exc.field, str(exc), line)
