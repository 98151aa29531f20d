"""Hypothesis strategies for the counter files of -s: net/snmp, net/netstat, net/snmp6, net/sctp/snmp.

They start from what a 6.18 kernel writes (tests/counter_kernel.py) and bend it
as other kernels and broken files do: counters dropped, added (new kernel
names, and every key of netstat's tables so its bsearch is exercised), moved,
duplicated; unknown sections; more IcmpMsg pairs; the 2.6 blank line; values
0, huge, past 64 bits, negative, ``+n``, non-digits, ``12abc``; fewer or more
values than names.  Names stay printable ASCII without blanks (a control
character is escaped by netread: README "Differences from netstat"), and
snmp6 names at most 40 bytes (netstat's sscanf writes them into a 50-byte
buffer), so netstat and netread must agree byte for byte.
"""

from __future__ import annotations

from counter_kernel import NETSTAT
from counter_kernel import SCTP
from counter_kernel import SNMP
from counter_kernel import SNMP6
from hypothesis import strategies as st

from netread.render import netstat_stats_tables as tables

#: Every key of netstat's tables (Icmp6OutRouterAdvertisements without its trailing space).
TABLE_KEYS = sorted({key.strip() for name in dir(tables) if name.endswith("_TABLE") for key, _, _ in getattr(tables, name)})

_NAME_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=":")
new_name = st.text(_NAME_CHARS, min_size=1, max_size=30)

plain_value = st.one_of(
    st.just(0),
    st.integers(0, 1000),
    st.integers(0, (1 << 64) - 1),
).map(str)
odd_value = st.sampled_from(
    ["-1", "-5", "+7", "18446744073709551615", "18446744073709551616", "9" * 30, "-" + "9" * 25, "abc", "12abc", "0x10", "-", "+", "007", "-0"]
)
value = st.one_of(plain_value, plain_value, plain_value, odd_value)


@st.composite
def _names(draw: st.DrawFn, base: list[str]) -> list[str]:
    """``base`` with some names dropped, some added (new, or netstat's table keys), some moved or repeated."""
    names = [n for n in base if draw(st.integers(0, 9)) > 0]
    for _ in range(draw(st.integers(0, 4))):
        extra = draw(st.one_of(new_name, st.sampled_from(TABLE_KEYS), st.sampled_from(base or ["X"])))
        names.insert(draw(st.integers(0, len(names))), extra)
    if len(names) > 1 and draw(st.booleans()):
        names = draw(st.permutations(names))
    return names


@st.composite
def _pairs(draw: st.DrawFn, kernel: tuple[tuple[str, list[str]], ...]) -> str:
    sections = [(title, names) for title, names in kernel if draw(st.integers(0, 7)) > 0]
    if draw(st.booleans()):  # more IcmpMsg pairs, or a new section
        title = draw(st.one_of(st.sampled_from(["IcmpMsg", "UdpLite", "IpExt", "Tcp", "TcpExt", "Ip", "Udp", "Icmp"]), st.text(_NAME_CHARS, min_size=1, max_size=12)))
        names = draw(st.lists(st.one_of(new_name, st.sampled_from(TABLE_KEYS)), max_size=20))
        sections.insert(draw(st.integers(0, len(sections))), (title, names))
    sep = draw(st.sampled_from([" ", " ", " ", "  ", "\t", " \t"]))
    lines: list[str] = []
    for title, base in sections:
        names = draw(_names(base))
        values = [draw(value) for _ in names]
        cut = draw(st.integers(0, 12))
        if cut == 0 and values:  # fewer values than names
            values = values[: draw(st.integers(0, len(values) - 1))]
        elif cut == 1:  # more values than names
            values += [draw(plain_value)]
        lines.append(f"{title}:" + "".join(sep + n for n in names))
        lines.append(f"{title}:" + "".join(sep + v for v in values))
        if draw(st.integers(0, 15)) == 0:
            lines.append("")  # the 2.6 kernel's empty line after a full IcmpMsg pair
    text = "".join(line + "\n" for line in lines)
    ending = draw(st.integers(0, 15))
    if ending == 0:
        text = text.rstrip("\n")  # no final newline
    elif ending == 1:
        text += "Tcp: ActiveOpens\n"  # a header without its value line
    elif ending == 2:
        text += "no colon here\nTcp: ActiveOpens\nTcp: 9\n"  # netstat stops at the line without ':'
    return text


def snmp_text() -> st.SearchStrategy[str]:
    """net/snmp as some kernel (or a broken capture) might write it."""
    return _pairs(SNMP)


def netstat_text() -> st.SearchStrategy[str]:
    """net/netstat likewise."""
    return _pairs(NETSTAT)


_SNMP6_NAME = st.text(_NAME_CHARS, min_size=1, max_size=40)


@st.composite
def snmp6_text(draw: st.DrawFn) -> str:
    """net/snmp6: names in their groups (Ip6, Icmp6, Udp6, UdpLite6), bent; lines without a value, blank lines."""
    keys6 = [k for k in TABLE_KEYS if "6" in k]
    names = draw(_names(list(SNMP6)))
    for _ in range(draw(st.integers(0, 3))):
        names.insert(draw(st.integers(0, len(names))), draw(st.one_of(_SNMP6_NAME, st.sampled_from(keys6 or ["Ip6X"]))))
    lines = []
    for name in names:
        kind = draw(st.integers(0, 30))
        if kind == 0:
            lines.append(name)  # no value: the previous one is repeated
        elif kind == 1:
            lines.append("")  # blank: the previous counter is repeated
        else:
            lines.append(f"{name:<32}\t{draw(value)}" if kind > 3 else f"{name} {draw(value)}")
    text = "".join(line + "\n" for line in lines)
    return text.rstrip("\n") if draw(st.integers(0, 9)) == 0 else text


@st.composite
def sctp_text(draw: st.DrawFn) -> str:
    """net/sctp/snmp (``%-32s\\t%ld``), bent likewise; sometimes without a final newline."""
    names = draw(_names(list(SCTP)))
    lines = []
    for name in names:
        kind = draw(st.integers(0, 20))
        lines.append(name if kind == 0 else f"{name:<32}\t{draw(value)}")
    text = "".join(line + "\n" for line in lines)
    if draw(st.integers(0, 4)) == 0:  # the last line without its newline: netstat reads on into its buffer
        text = text.rstrip("\n") + draw(st.sampled_from(["", "\nX", "\nSctpCurrEstab"]))
    return text


@st.composite
def counter_files(draw: st.DrawFn) -> dict[str, str]:
    """``{path under the snapshot: text}``: each of the four files present or not (snmp most often)."""
    files: dict[str, str] = {}
    if draw(st.integers(0, 9)) > 0:
        files["net/snmp"] = draw(snmp_text())
    if draw(st.integers(0, 5)) > 0:
        files["net/netstat"] = draw(netstat_text())
    if draw(st.integers(0, 5)) > 0:
        files["net/snmp6"] = draw(snmp6_text())
    if draw(st.integers(0, 3)) == 0:
        files["net/sctp/snmp"] = draw(sctp_text())
    return files
