"""The counters and sysctls --explain weighs the rows against: net/snmp, net/netstat, sys/net/*.

Pure: :func:`read_facts` takes a reader of files relative to the /proc root
(:meth:`netread.proc.source.ProcSource.read_text`).  Only ASCII digits are
numbers (``str.isdigit`` and ``int`` also take ``²`` and ``٣``), and a value
past 64 bits is never handed to ``int`` (whose 4300-digit limit raises): such
a value is left out and reported, as a :class:`~netread.errors.ParseError`
naming the file, line and field, in :attr:`Facts.problems`.
"""

from __future__ import annotations

import dataclasses
import os
import re

from netread.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

#: A decimal the kernel prints (%u, %lu, %d, %ld): ASCII digits, 64 bits at most.
_NUMBER = re.compile(r"-?[0-9]{1,20}")
_LIMIT = (1 << 64) - 1


@dataclasses.dataclass(frozen=True)
class Facts:
    """Numbers from the same /proc as the tables (None or absent when the file was not there)."""

    somaxconn: int | None = None
    port_range: tuple[int, int] | None = None
    fin_timeout: int | None = None
    #: ``"TcpExt:ListenOverflows"`` -> value, from net/netstat and net/snmp.
    counters: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The values that are not numbers, each named by file, line and field (left out above).
    problems: list[ParseError] = dataclasses.field(default_factory=list)
    #: With --netns: the labels of the namespace the tables are in (``host``, ``docker:<id12>``...).
    netns_labels: tuple[str, ...] = ()


def number(token: str) -> int | None:
    """``token`` as the kernel writes a decimal (ASCII digits, an optional ``-``, 64 bits), else None.

    >>> number("4096"), number("-1"), number("\\u00b2"), number("\\u0663"), number("9" * 4300), number("18446744073709551616")
    (4096, -1, None, None, None, None)
    """
    if _NUMBER.fullmatch(token) is None:
        return None
    value = int(token)
    return value if -_LIMIT <= value <= _LIMIT else None


def _fields(line: str) -> list[str]:
    """A line split as the kernel separates numbers: on spaces and tabs only."""
    return line.replace("\t", " ").split(" ")


def _sysctl(text: str | None, path: str, fields: tuple[str, ...], problems: list[ParseError]) -> tuple[int, ...] | None:
    """A sysctl file of ``len(fields)`` numbers on its first line; None (and a problem) otherwise."""
    if not text:
        return None
    line = text.split("\n", 1)[0]
    tokens = [t for t in _fields(line) if t]
    values = []
    for i, field in enumerate(fields):
        token = tokens[i] if i < len(tokens) else None
        value = None if token is None else number(token)
        if value is None:
            reason = "missing" if token is None else "not a decimal number of at most 64 bits (ASCII digits only)"
            problems.append(ParseError(path, 1, field, reason, line))
            return None
        values.append(value)
    return tuple(values)


def parse_counters(text: str | None, path: str = "net/snmp", problems: list[ParseError] | None = None) -> dict[str, int]:
    """net/snmp and net/netstat: pairs of lines ``Prefix: names...`` / ``Prefix: values...``.

    A value that is not a number is left out, and reported in ``problems``.

    >>> parse_counters("Udp: InDatagrams RcvbufErrors\\nUdp: 10 2\\n")
    {'Udp:InDatagrams': 10, 'Udp:RcvbufErrors': 2}
    >>> found = []
    >>> parse_counters("Udp: InDatagrams RcvbufErrors\\nUdp: \\u00b2 2\\n", "snap/net/snmp", found), found[0].message()[:43]
    ({'Udp:RcvbufErrors': 2}, 'snap/net/snmp:2: field Udp:InDatagrams: not')
    """
    counters: dict[str, int] = {}
    lines = (text or "").split("\n")
    for index in range(0, len(lines) - 1, 2):
        names, values = lines[index], lines[index + 1]
        prefix, _, rest = names.partition(":")
        vprefix, _, vrest = values.partition(":")
        if prefix != vprefix:
            continue
        for name, value in zip([t for t in _fields(rest) if t], [t for t in _fields(vrest) if t]):
            parsed = number(value)
            if parsed is None:
                if problems is not None:
                    problems.append(ParseError(path, index + 2, f"{prefix}:{name}", "not a decimal number of at most 64 bits (ASCII digits only)", values))
                continue
            counters[f"{prefix}:{name}"] = parsed
    return counters


def read_facts(read: Callable[[str], str | None], root: str = "") -> Facts:
    """Facts from a reader of files relative to the /proc root (``ProcSource.read_text``); ``root``
    names the files in the problems."""
    problems: list[ParseError] = []

    def path(relative: str) -> str:
        return os.path.join(root, relative) if root else relative

    def sysctl(relative: str, *fields: str) -> tuple[int, ...] | None:
        return _sysctl(read(relative), path(relative), fields, problems)

    ports = sysctl("sys/net/ipv4/ip_local_port_range", "low", "high")
    somaxconn = sysctl("sys/net/core/somaxconn", "somaxconn")
    fin_timeout = sysctl("sys/net/ipv4/tcp_fin_timeout", "tcp_fin_timeout")
    counters = parse_counters(read("net/snmp"), path("net/snmp"), problems)
    counters.update(parse_counters(read("net/netstat"), path("net/netstat"), problems))
    return Facts(
        somaxconn=None if somaxconn is None else somaxconn[0],
        port_range=None if ports is None else (ports[0], ports[1]),
        fin_timeout=None if fin_timeout is None else fin_timeout[0],
        counters=counters,
        problems=problems,
    )
