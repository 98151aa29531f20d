"""The counter files netstat -s reads, read as netstat 2.10 reads them: net/snmp, net/netstat, net/snmp6, net/sctp/snmp.

Pure: bytes in, :class:`CounterFile` out.  The bytes are handled one byte a
character (latin-1), so netstat's byte counts (fgets' 1024-byte pieces) hold;
names are handed out decoded as UTF-8 with ``surrogateescape``.  Values follow
C ``strtoull`` (:func:`netread.parse.numbers.strtoull`): what netstat shows
for a value that is not a plain decimal (0, a wrapped negative, a saturated
huge one) is what netread shows, and each such value is also reported as a
:class:`~netread.errors.ParseError` naming file, line and field.  See
reference/netstat-other-modes.md 3.2 and 3.3 (statistics.c process_fd,
process6_fd, process_fd2).
"""

from __future__ import annotations

import dataclasses
import re

from netread.errors import ParseError
from netread.escape import escape_text
from netread.parse.numbers import strtoull

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

#: What process_fd splits names at (strspn/strcspn " \t\n").
_SEP = " \t\n"
_WORD = re.compile(r"[^ \t\n]*")
#: A value as the kernel prints one (%lu, or %ld as Tcp MaxConn's -1): nothing to report.
_CLEAN = re.compile(r"-?[0-9]{1,20}")
_C_SPACE = " \t\n\v\f\r"
_C_WORD = re.compile(r"[ \t\n\v\f\r]*([^ \t\n\v\f\r]*)")
#: A value line of plain decimals only (after its ':'), at most 19 digits each: no strtoull corner in it.
_PLAIN_VALUES = re.compile(r"(?:[ \t\n]+-?[0-9]{1,19})*[ \t\n]*")
_NAMES = re.compile(r"[^ \t\n]+")
_SEP_CHAR = re.compile(r"[ \t\n]")
_MASK = (1 << 64) - 1
#: fgets(buf, 1024): at most 1023 bytes a piece.
_FGETS = 1023


@dataclasses.dataclass(frozen=True, slots=True)
class Counter:
    """One counter as netstat reads it: ``name`` and its 64-bit ``value``, from line ``lineno``."""

    name: str
    value: int
    lineno: int


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """A section netstat opens: its ``title`` (``Tcp``, ``IcmpMsg``, ``Ip6``...) and its counters in file order.

    ``kind`` is the file's layout: ``pairs`` (net/snmp, net/netstat), ``snmp6`` or ``sctp``;
    it decides which of netstat's tables know the title.
    """

    title: str
    kind: str
    lineno: int
    counters: tuple[Counter, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class CounterFile:
    """One file's sections, and what was wrong in it."""

    path: str
    sections: tuple[Section, ...]
    problems: tuple[ParseError, ...] = ()
    #: netstat stopped reading here ("Problem while parsing <file>"): a line without ':'.
    stopped: bool = False


def _name(text: str) -> str:
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def _c_string(line: str) -> str:
    """A line as C string functions see it: up to its first NUL."""
    cut = line.find("\0")
    return line if cut < 0 else line[:cut]


def _word(text: str, pos: int) -> str:
    """The word a value is read from: C spaces skipped, then up to the next C space."""
    match = _C_WORD.match(text, pos)
    return match.group(1) if match else ""


def _value_problem(path: str, lineno: int, field: str, token: str, raw: str) -> ParseError | None:
    """A value netstat reads but that is not a plain decimal of at most 64 bits: reported, not refused
    (``field`` comes from the file: it is escaped here, as ParseError escapes the rest)."""
    if _CLEAN.fullmatch(token) and (-(1 << 63) <= int(token) < 1 << 64):
        return None
    if not token:
        reason = "no value (netstat shows 0)"
    else:
        reason = f"not a decimal number of at most 64 bits: {_name(token)!r} (netstat reads it as C strtoull does)"
    return ParseError(path, lineno, escape_text(field), reason, _name(raw.rstrip("\n")))


def _split_nl(text: str) -> list[str]:
    """getline(): the lines of ``text`` with their newlines (the last may have none)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def parse_pairs(data: bytes, path: str, only: str | None = None) -> CounterFile:
    """net/snmp or net/netstat: pairs of lines ``Title: names...`` / ``Title: values...`` (process_fd).

    ``only``: the IPv6 mode's filter, sections whose title starts with it (``Tcp``).
    A line without ':' stops the file (``stopped``); a header without a value
    line ends it quietly; an empty header line (2.6 kernels) is skipped.

    >>> f = parse_pairs(b"Udp: InDatagrams NoPorts InErrors\\nUdp: -1 x 5\\n", "net/snmp")
    >>> f.sections[0].title, [(c.name, c.value) for c in f.sections[0].counters], f.problems[0].field
    ('Udp', [('InDatagrams', 18446744073709551615), ('NoPorts', 0), ('InErrors', 0)], 'Udp:NoPorts')
    """
    lines = _split_nl(data.decode("latin-1"))
    sections: list[Section] = []
    problems: list[ParseError] = []
    i = 0
    while i < len(lines):
        header = lines[i]
        i += 1
        if header.startswith("\n"):  # the empty line 2.6 kernels write after a full IcmpMsg pair
            continue
        if i >= len(lines):
            break
        values = lines[i]
        i += 1
        head, vals = _c_string(header), _c_string(values)
        colon, vcolon = head.find(":"), vals.find(":")
        if colon < 0 or vcolon < 0:
            lineno, raw = (i - 1, header) if colon < 0 else (i, values)
            problems.append(ParseError(path, lineno, "title", "no ':' in the line: netstat reads no more of this file", _name(raw.rstrip("\n"))))
            return CounterFile(path, tuple(sections), tuple(problems), stopped=True)
        title = head[:colon]
        if only is not None and not title.startswith(only):
            continue
        if _PLAIN_VALUES.fullmatch(vals, vcolon + 1):  # what every kernel writes: the quick way, same result
            sections.append(_plain_section(head, colon, vals[vcolon + 1 :], i, path, values, problems))
            continue
        counters: list[Counter] = []
        bad: ParseError | None = None
        stuck = False  # a value without digits: the cursor stays, every later value is 0 (checked once)
        sp, np = colon + 1, vcolon + 1
        while True:
            while sp < len(head) and head[sp] in _SEP:
                sp += 1
            while np < len(vals) and vals[np] in _SEP:
                np += 1
            word = _WORD.match(head, sp)
            end = word.end() if word else sp
            name = head[sp:end]
            if name:
                if bad is None:
                    bad = _value_problem(path, i, f"{_name(title)}:{_name(name)}", _word(vals, np), values)
                value = 0
                if not stuck:
                    value, end_value = strtoull(vals, np)
                    stuck, np = end_value == np, end_value
                counters.append(Counter(_name(name), value, i))
            if end >= len(head):
                break
            sp = end + 1
        if bad is not None:
            problems.append(bad)
        sections.append(Section(_name(title), "pairs", i - 1, tuple(counters)))
    return CounterFile(path, tuple(sections), tuple(problems))


def _plain_section(head: str, colon: int, vals: str, lineno: int, path: str, raw: str, problems: list[ParseError]) -> Section:
    """A section whose values are all plain decimals of at most 19 digits (so below 2**64): each name
    takes the next value, as strtoull gives them, and 0 past the last one."""
    title = _name(head[:colon])
    names = _NAMES.findall(head, colon + 1)
    numbers = [int(token) & _MASK for token in vals.split()]
    if len(numbers) < len(names):
        problems.append(ParseError(path, lineno, escape_text(f"{title}:{_name(names[len(numbers)])}"), "no value (netstat shows 0)", _name(raw.rstrip("\n"))))
        numbers += [0] * (len(names) - len(numbers))
    ascii_only = head.isascii()
    return Section(title, "pairs", lineno - 1, tuple(Counter(n if ascii_only else _name(n), v, lineno) for n, v in zip(names, numbers)))


def _fgets(data: bytes) -> list[str]:
    """fgets(buf, 1024) over ``data``: pieces of at most 1023 bytes, each ending at a newline or cut there."""
    pieces: list[str] = []
    for line in _split_nl(data.decode("latin-1")):
        while len(line) > _FGETS:
            pieces.append(line[:_FGETS])
            line = line[_FGETS:]
        pieces.append(line)
    return pieces


def _numbered(data: bytes) -> Iterator[tuple[int, str, str]]:
    """(line number, fgets piece, the piece as a C string) of each fgets call over ``data``."""
    lineno = 1
    for piece in _fgets(data):
        here = lineno
        if piece.endswith("\n"):
            lineno += 1
        yield here, piece, _c_string(piece)


def _prefix(name: str) -> str:
    """cpytitle(): the name up to and including its first '6' (all of it without one)."""
    six = name.find("6")
    return name if six < 0 else name[: six + 1]


_SCAN_NAME = re.compile(r"[ \t\n\v\f\r]*([^ \t\n\v\f\r]+)")
_SCAN_VALUE = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]")


def parse_snmp6(data: bytes, path: str) -> CounterFile:
    """net/snmp6: ``Name<spaces>value`` lines (process6_fd), sections by name prefix.

    sscanf("%s %llu") keeps the last name and value where a line has none: a
    line without a number repeats the previous value, a blank line the previous
    counter.  A new section opens where a name does not contain the current
    prefix (``Ip6``, ``Icmp6``, ``UdpLite6``...).  Before the first name and
    value netstat's buffers are uninitialised; netread takes them as an empty
    name and 0, as the Debian build shows them (README "Differences from netstat").

    >>> f = parse_snmp6(b"Ip6InReceives   4\\nIp6InHdrErrors\\nUdp6InErrors 1\\n", "net/snmp6")
    >>> [(s.title, [(c.name, c.value) for c in s.counters]) for s in f.sections]
    [('Ip6', [('Ip6InReceives', 4), ('Ip6InHdrErrors', 4)]), ('Udp6', [('Udp6InErrors', 1)])]
    """
    sections: list[Section] = []
    problems: list[ParseError] = []
    name = ""
    value = 0
    prefix = ""
    counters: list[Counter] = []
    title: str | None = None
    opened = 0
    for here, piece, line in _numbered(data):
        found = _SCAN_NAME.match(line)
        problem: ParseError | None
        if found is not None:
            name = found.group(1)
            if _SCAN_VALUE.match(line, found.end()):
                problem = _value_problem(path, here, _name(name), _word(line, found.end()), piece.rstrip("\n"))
                value = strtoull(line, found.end())[0]
            else:
                problem = ParseError(path, here, escape_text(_name(name)), "no value: netstat repeats the previous line's value", _name(piece.rstrip("\n")))
        else:
            problem = ParseError(path, here, "name", "blank line: netstat repeats the previous counter", _name(piece.rstrip("\n")))
        if problem is not None:
            problems.append(problem)
        if title is None or prefix not in name:
            if title is not None:
                sections.append(Section(_name(title), "snmp6", opened, tuple(counters)))
            prefix = title = _prefix(name)
            counters = []
            opened = here
        counters.append(Counter(_name(name), value, here))
    if title is not None:
        sections.append(Section(_name(title), "snmp6", opened, tuple(counters)))
    return CounterFile(path, tuple(sections), tuple(problems))


def parse_sctp(data: bytes, path: str) -> CounterFile:
    """net/sctp/snmp: ``Name<spaces>value`` lines (process_fd2); one ``Sctp`` section, opened even when empty.

    The name ends at the first space, TAB or newline; a line with nothing after
    it is skipped; the rest is read as C strtoul.  netstat keeps reading one
    1024-byte buffer, so a last line without a newline reads on into what the
    line before left there: that is emulated.

    >>> f = parse_sctp(b"SctpCurrEstab 3\\nSctpX\\n", "net/sctp/snmp")
    >>> f.sections[0].title, [(c.name, c.value) for c in f.sections[0].counters]
    ('Sctp', [('SctpCurrEstab', 3)])
    """
    counters: list[Counter] = []
    problems: list[ParseError] = []
    buffer = "\0" * 1024  # fgets' buffer: what a line does not overwrite stays from the lines before
    for here, piece, line in _numbered(data):
        sep = _SEP_CHAR.search(line)
        cut = len(line) if sep is None else sep.start()
        name = line[:cut]
        buffer = piece + "\0" + buffer[len(piece) + 1 :]
        buffer = buffer[:cut] + "\0" + buffer[cut + 1 :]  # *sp = '\0'
        rest = _c_string(buffer[cut + 1 :]).lstrip(_SEP)
        if not rest:
            continue
        problem = _value_problem(path, here, _name(name), _word(rest, 0), piece.rstrip("\n"))
        if problem is not None:
            problems.append(problem)
        value = strtoull(rest)[0]
        counters.append(Counter(_name(name), value, here))
    return CounterFile(path, (Section("Sctp", "sctp", 1, tuple(counters)),), tuple(problems))
