"""``netstat -s``: counter files in, netstat 2.10's text (or records) out.

Pure.  netstat prints each counter through one state machine whose indent
state is shared by every section and file (statistics.c printval/newtable;
reference/netstat-other-modes.md 3.4-3.6):

* a known title (``Ip``, ``Icmp``, ``Tcp``, ``Udp``, ``Sctp``, ``TcpExt``; in
  snmp6 ``Ip6``, ``Icmp6``, ``Udp6``, ``Tcp6``) prints ``Title:`` only when its
  protocol flag is on, and resets the indent to 4 even when it is off;
* any other title (``IcmpMsg``, ``IpExt``, ``UdpLite6``...) always prints,
  with all its counters, and keeps the indent the section before left;
* a counter is looked up with glibc bsearch over the table in netstat's source
  order (not sorted, so some keys are never found: they print as ``Name: value``).

Names and titles from the files pass :func:`netread.escape.escape_text`.
"""

from __future__ import annotations

from netread.escape import escape_text
from netread.escape import undecodable_escaped
from netread.render import netstat_stats_tables as tables

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import NamedTuple

    from netread.parse.netstat_counters import CounterFile
    from netread.parse.netstat_counters import Section
    from netread.render.netstat_stats_tables import Entry
else:
    from netread._namedtuple import NamedTuple


class Selection(NamedTuple):
    """netstat's four -s protocol flags: raw (-w), tcp (-t), udp (-u), sctp (-S)."""

    raw: bool = True
    tcp: bool = True
    udp: bool = True
    sctp: bool = True


#: snmptabs: the titles net/snmp, net/netstat and net/sctp/snmp know -> (table, flag).
PAIR_TABLES: dict[str, tuple[tuple[Entry, ...], str]] = {
    "Ip": (tables.IP_TABLE, "raw"),
    "Icmp": (tables.ICMP_TABLE, "raw"),
    "Tcp": (tables.TCP_TABLE, "tcp"),
    "Udp": (tables.UDP_TABLE, "udp"),
    "Sctp": (tables.SCTP_TABLE, "sctp"),
    "TcpExt": (tables.TCPEXT_TABLE, "tcp"),
}
#: snmp6tabs: Tcp6 shares Tcptab (whose keys have no Tcp6 prefix: never found).
SNMP6_TABLES: dict[str, tuple[tuple[Entry, ...], str]] = {
    "Ip6": (tables.IP6_TABLE, "raw"),
    "Icmp6": (tables.ICMP6_TABLE, "raw"),
    "Udp6": (tables.UDP6_TABLE, "udp"),
    "Tcp6": (tables.TCP_TABLE, "tcp"),
}
_INDENT = {"plain": 4, "in": 8, "out": 8}
_HISTOGRAM = {"in": "ICMP input histogram:", "out": "ICMP output histogram:"}


def _c_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def lookup(table: tuple[Entry, ...], name: str) -> Entry | None:
    """glibc ``bsearch`` of ``name`` (strcmp, byte order) over ``table`` as it is ordered.

    >>> lookup(tables.TCPEXT_TABLE, "TCPTimeouts") is None, lookup(tables.TCPEXT_TABLE, "TW")[2]
    (True, 'nonzero')
    """
    key = _c_bytes(name)
    lo, hi = 0, len(table)
    while lo < hi:
        mid = (lo + hi) // 2
        probe = table[mid][0].encode("ascii")
        if key < probe:
            hi = mid
        elif key > probe:
            lo = mid + 1
        else:
            return table[mid]
    return None


def known(section: Section) -> tuple[tuple[Entry, ...], str] | None:
    """The table and flag of a section's title, or None where netstat does not know it."""
    return (SNMP6_TABLES if section.kind == "snmp6" else PAIR_TABLES).get(section.title)


def shown(section: Section, selection: Selection) -> bool:
    """Whether netstat prints this section: its flag for a known title; always for any other."""
    entry = known(section)
    return entry is None or bool(getattr(selection, entry[1]))


def lines(files: Iterable[CounterFile], selection: Selection) -> Iterator[str]:
    """netstat -s's lines (without newlines), file after file, in the files' order."""
    state = "plain"
    for counter_file in files:
        for section in counter_file.sections:
            entry = known(section)
            if entry is not None:
                if getattr(selection, entry[1]):
                    yield f"{escape_text(section.title)}:"
                state = "plain"
                if not getattr(selection, entry[1]):
                    continue
            else:
                yield f"{escape_text(section.title)}:"
            table = () if entry is None else entry[0]
            for counter in section.counters:
                found = lookup(table, counter.name) if table else None
                if found is None:
                    if counter.value:
                        yield f"{' ' * _INDENT[state]}{escape_text(counter.name)}: {counter.value}"
                    continue
                _, text, rule = found
                if rule in ("static", "empty"):
                    continue
                if rule in _HISTOGRAM:
                    if state != rule:
                        yield " " * _INDENT[state] + _HISTOGRAM[rule]
                    if counter.value > 0:
                        yield " " * 8 + text.replace("%llu", str(counter.value))
                    state = rule
                    continue
                if rule == "always" or counter.value:
                    yield "    " + text.replace("%llu", str(counter.value))
                state = "plain"


def text(files: Iterable[CounterFile], selection: Selection) -> str:
    """:func:`lines` as one text, each line ended by a newline."""
    return "".join(line + "\n" for line in lines(files, selection))


def records(files: Iterable[CounterFile], selection: Selection) -> list[dict[str, object]]:
    """One ``{"section", "name", "value"}`` record per counter of every section netstat shows, in file order
    (zeros too: a record is the kernel's number, not netstat's choice of lines)."""
    return [
        {"section": undecodable_escaped(section.title), "name": undecodable_escaped(counter.name), "value": counter.value}
        for counter_file in files
        for section in counter_file.sections
        if shown(section, selection)
        for counter in section.counters
    ]


def explained(files: Iterable[CounterFile], selection: Selection) -> Iterator[str]:
    """--explain's lines after netstat's: every counter that signals trouble in a section netstat shows,
    with its value and one line of prose; each starts with ``#`` (no netstat -s line does)."""
    from netread.explain.counters import TROUBLE

    found = [
        (section.title, counter.name, counter.value, TROUBLE[(section.title, counter.name)])
        for counter_file in files
        for section in counter_file.sections
        if shown(section, selection)
        for counter in section.counters
        if (section.title, counter.name) in TROUBLE
    ]
    yield "#"
    if not found:
        yield "# No counter that signals trouble is in these sections."
        return
    rising = sum(1 for item in found if item[2])
    yield f"# Counters that signal trouble ({rising} of {len(found)} above 0; they count since boot, so watch whether they rise):"
    for title, name, value, prose in found:
        mark = "!" if value else " "
        yield f"# {mark} {escape_text(title)} {escape_text(name)} = {value}: {prose}"
