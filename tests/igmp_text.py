"""net/igmp and net/igmp6 as the kernel writes them, and hypothesis strategies for both.

The encoders follow net/ipv4/igmp.c igmp_mc_seq_show and net/ipv6/mcast.c
igmp6_mc_seq_show.  The strategies draw kernel-format files and the odd but
deterministic lines netstat's sscanf still reads the same way every time
(short hex, long names, wrapped counts, junk lines it calls bogus); they
never draw igmp6 hex of 24 digits or fewer, where netstat prints
uninitialised memory (tests/oracle/test_oracle_groups.py has that case).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from hypothesis import strategies as st

IGMP_HEADER = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter"
#: What the kernel prints for a group of a device: tabs, the host-order word, users, timer, reporter.
Group4 = tuple[int, int]  # (address as a network-order 32-bit value, users)
Device4 = tuple[int, str, int, str, Sequence[Group4]]  # (index, name, count, querier, groups)
Row6 = tuple[int, str, str, int, int, int]  # (index, name, hex group, users, flags, timer)


def group_word(address: str, byteorder: str = "little") -> int:
    """The number the kernel prints for ``address`` (``%08X`` of the network-order word)."""
    return int.from_bytes(ipaddress.IPv4Address(address).packed, byteorder)  # type: ignore[arg-type]


def igmp_text(devices: Sequence[Device4], header: bool = True) -> str:
    """A whole net/igmp (2.1+ layout)."""
    lines = [IGMP_HEADER] if header else []
    for index, name, count, querier, groups in devices:
        lines.append(f"{index}\t{name:<10}: {count:5d} {querier:>7}")
        for word, users in groups:
            lines.append(f"\t\t\t\t{word:08X} {users:5d} 0:00000000\t\t0")
    return "".join(line + "\n" for line in lines)


def igmp6_text(rows: Sequence[Row6]) -> str:
    """A whole net/igmp6."""
    return "".join(f"{i:<4d} {name:<15} {hexgroup} {users:5d} {flags:08X} {timer}\n" for i, name, hexgroup, users, flags, timer in rows)


def hex6(address: str) -> str:
    return ipaddress.IPv6Address(address).packed.hex()


# -- strategies ---------------------------------------------------------------------------

#: Interface names: printable ASCII without blanks or ':' (netstat cuts igmp names at the last ':').
_NAME_CHARS = st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=":")
names = st.text(_NAME_CHARS, min_size=1, max_size=15)
#: Users as the kernel prints them, plus values netstat's %d wraps.
users = st.one_of(st.integers(0, 20), st.integers(0, 2**31 - 1), st.integers(-(2**31), 2**32 + 5))
groups4 = st.one_of(
    st.integers(0, 2**32 - 1),
    st.sampled_from([group_word("224.0.0.1"), group_word("224.0.0.251"), group_word("239.255.255.250"), 0]),
)
queriers = st.sampled_from(["V1", "V2", "V3"])


@st.composite
def igmp_devices(draw: st.DrawFn, max_devices: int = 4) -> list[Device4]:
    devices = []
    for index in range(draw(st.integers(0, max_devices))):
        groups = draw(st.lists(st.tuples(groups4, users), max_size=5))
        devices.append((index + 1, draw(names), len(groups), draw(queriers), groups))
    return devices


@st.composite
def igmp6_rows(draw: st.DrawFn, max_rows: int = 8) -> list[Row6]:
    rows = []
    for _ in range(draw(st.integers(0, max_rows))):
        raw = draw(st.one_of(st.binary(min_size=16, max_size=16), st.sampled_from([b"\xff\x02" + bytes(13) + b"\x01", b"\xff\x01" + bytes(13) + b"\x01"])))
        rows.append((draw(st.integers(0, 9999)), draw(names), raw.hex(), draw(users), draw(st.integers(0, 15)), draw(st.integers(0, 10**6))))
    return rows


#: Lines netstat reads the same way every time though the kernel never writes them.
_QUIRK4 = st.one_of(
    st.builds(lambda h, u: f"\t\t\t\t{h} {u}", st.text("0123456789ABCDEFabcdef", min_size=1, max_size=9), users),  # short or 9-digit hex
    st.builds(lambda n: f"7\t{n}: 1 V3", st.text(_NAME_CHARS, min_size=11, max_size=20)),  # a long name, cut at 15 bytes
    st.builds(lambda n: f"8\t{n}:x: 1 V3", names),  # cut at the last ':'
    st.sampled_from(["\t\t\t\tzz 1", "\t\t\t\t010000E0", "junk", "x\tlo: 1", "\t\t\t\t010000E0 -", "\t\t\t\t010000E0 +7"]),  # bogus lines
)
_QUIRK6 = st.one_of(
    st.builds(lambda n, h, u: f"3 {n} {h} {u} 0 0", names, st.text("0123456789abcdefABCDEF", min_size=25, max_size=64), users),  # 25-64 hex digits
    st.builds(lambda n: f"4 {n} ff020000000000000000000000000001 1 0 0", st.text(_NAME_CHARS, min_size=16, max_size=24)),  # a long name
    st.sampled_from(["junk", "1 lo", "1 lo zz 1", "1 lo ff020000000000000000000000000001", "x lo ff020000000000000000000000000001 1"]),  # bogus
)


@st.composite
def igmp_files(draw: st.DrawFn) -> tuple[str, str]:
    """(net/igmp, net/igmp6): kernel text with quirky lines mixed in."""
    lines4 = igmp_text(draw(igmp_devices())).split("\n")[:-1]
    for _ in range(draw(st.integers(0, 3))):
        lines4.insert(draw(st.integers(1, len(lines4))), draw(_QUIRK4))
    lines6 = igmp6_text(draw(igmp6_rows())).split("\n")[:-1]
    for _ in range(draw(st.integers(0, 3))):
        lines6.insert(draw(st.integers(0, len(lines6))), draw(_QUIRK6))
    return "".join(line + "\n" for line in lines4), "".join(line + "\n" for line in lines6)
