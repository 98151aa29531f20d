"""net/igmp and net/igmp6: multicast group memberships, read as netstat 2.10's ``igmp_do_one`` reads them.

The kernel writes (net/ipv4/igmp.c igmp_mc_seq_show, net/ipv6/mcast.c igmp6_mc_seq_show)::

    Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter     <- net/igmp's header
    1\tlo        :     1      V3                                    <- a device: %d\t%-10s: %5d %7s
    \t\t\t\t010000E0     1 0:00000000\t\t0                          <- a group of it: %08X (host order) %5d
    1    lo              ff020000000000000000000000000001     1 0000000C 0   <- net/igmp6: %-4d %-15s %pi6 %5d

netstat reads both files with one set of ``static`` state, and this module keeps
it in :class:`_State`, per call (netstat's is per process, reference 6.3):

* line 0 of a file that contains ``Device`` is a header and is consumed (an
  ``Idx`` prefix means the 2.1+ layout, with the device index); a line 0
  without it marks everything from then on as igmp6, also for the file after;
* an IPv4 device line (not starting with TAB) is ``sscanf("%d\\t%15c")``: 15
  raw bytes, no NUL, over a 16-byte buffer, cut at its last ``:``; a short
  line leaves the tail of the previous name (``ab\\n`` over ``verylongname123``);
* a group line is ``sscanf("\\t%8[0-9A-Fa-f] %d")``, the group the 32-bit value
  stored in the writer's byte order, the device the last device line's;
* an igmp6 line is ``sscanf("%d %15s %64[0-9A-Fa-f] %d")``, the group read as
  four ``%08X`` words.

Pure: lines in, :class:`Membership` records and :class:`~netread.errors.ParseError`
messages out.  Where netstat prints ``warning, got bogus igmp line N.`` the
line gives one ParseError naming the file, line and field.  One case differs
on purpose: igmp6 hex of 24 digits or fewer, where netstat prints words of
uninitialised memory, gives no row, only the error (README "Differences from netstat").
"""

from __future__ import annotations

import dataclasses
import ipaddress

from netread.errors import ParseError
from netread.parse.scanf import Scan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from netread.parse.inet import ByteOrder


@dataclasses.dataclass(frozen=True, slots=True)
class Membership:
    """One group membership, as netstat shows it: ``%-15s %-6d %s`` (device, users, group)."""

    #: ``igmp`` or ``igmp6``: the file the line is in.
    file: str
    #: 1-based line number in that file.
    lineno: int
    #: The interface name netstat prints (what is left in its 16-byte buffer), undecoded bytes as surrogates.
    device: str
    #: The ``Users`` count (netstat's ``%d``: 32 bits, signed).
    users: int
    group: ipaddress.IPv4Address | ipaddress.IPv6Address
    #: The interface index (igmp's device line ``Idx``, igmp6's first field); None in the 2.0 layout.
    ifindex: int | None = None


@dataclasses.dataclass
class Groups:
    """What :func:`parse_groups` read: the memberships in netstat's order, and what was wrong."""

    memberships: list[Membership] = dataclasses.field(default_factory=list)
    problems: list[ParseError] = dataclasses.field(default_factory=list)


class _State:
    """igmp_do_one's static variables: the igmp6 mark, the Idx layout, the device buffer."""

    __slots__ = ("device", "idx", "ifindex", "igmp6")

    def __init__(self) -> None:
        self.igmp6 = False
        self.idx = False
        self.device = bytearray(16)
        self.ifindex: int | None = None

    def name(self) -> str:
        """The device buffer as ``%s`` prints it: up to its first NUL."""
        raw = bytes(self.device)
        return raw[: raw.index(0)].decode("utf-8", "surrogateescape") if 0 in raw else raw.decode("utf-8", "surrogateescape")

    def set_chars(self, got: bytes) -> None:
        """``%15c`` into the buffer: no NUL written, so a short name leaves the old tail; then cut at the last ``:``."""
        self.device[: len(got)] = got
        text = bytes(self.device)
        end = text.index(0) if 0 in text else len(text)
        colon = text.rfind(b":", 0, end)
        if colon >= 0:
            self.device[colon] = 0

    def set_word(self, got: bytes) -> None:
        """``%15s`` into the buffer: the word and a NUL."""
        self.device[: len(got)] = got
        self.device[len(got)] = 0


def parse_groups(
    igmp: Iterable[str] | None,
    igmp6: Iterable[str] | None,
    *,
    byteorder: ByteOrder,
    igmp_path: str = "net/igmp",
    igmp6_path: str = "net/igmp6",
) -> Groups:
    """The memberships of ``igmp`` then ``igmp6`` (their lines, without newlines; None: not read).

    ``byteorder`` is the writing host's: an igmp group is a network-order word
    printed as a host-order number (``010000E0`` is 224.0.0.1 on little-endian).

    >>> text = ["Idx\\tDevice    : Count Querier\\tGroup    Users Timer\\tReporter", "1\\tlo        :     1      V3",
    ...         "\\t\\t\\t\\t010000E0     1 0:00000000\\t\\t0"]
    >>> [(m.device.rstrip(), m.users, str(m.group)) for m in parse_groups(text, ["1    lo   ff020000000000000000000000000001     1 0000000C 0"],
    ...                                                          byteorder="little").memberships]
    [('lo', 1, '224.0.0.1'), ('lo', 1, 'ff02::1')]
    """
    state = _State()
    groups = Groups()
    for name, path, lines in (("igmp", igmp_path, igmp), ("igmp6", igmp6_path, igmp6)):
        if lines is None:
            continue
        for index, line in enumerate(lines):
            _one(state, groups, name, path, index, line, byteorder)
    return groups


def _one(state: _State, groups: Groups, name: str, path: str, lnr: int, line: str, byteorder: ByteOrder) -> None:
    """One fgets() line (``lnr`` 0-based, as netstat counts) of file ``name``."""
    raw = line.encode("utf-8", "surrogateescape") + b"\n"
    if 0 in raw:  # sscanf and strstr see the C string
        raw = raw[: raw.index(0)]
    if lnr == 0:
        if b"Device" not in raw:
            state.igmp6 = True
        else:
            state.idx = raw.startswith(b"Idx")
            return

    def bad(field: str, reason: str) -> None:
        groups.problems.append(ParseError(path, lnr + 1, field, reason, line))

    scan = Scan(raw)
    if state.igmp6:
        ifindex = scan.decimal()
        if ifindex is None:
            return bad("ifindex", "not a decimal number")
        scan.blanks()
        device = scan.word(15)
        if not device:
            return bad("device", "missing")
        state.set_word(device)
        scan.blanks()
        digits = scan.hex_run(64)
        if not digits:
            return bad("group", "not hex digits")
        users = scan.decimal()
        if users is None:
            return bad("users", "not a decimal number")
        if len(digits) <= 24:  # netstat reads the missing words from uninitialised memory
            return bad("group", f"{len(digits)} hex digits, not 32")
        words = [int(digits[i : i + 8], 16) for i in range(0, 32, 8)]
        group6 = ipaddress.IPv6Address(b"".join(w.to_bytes(4, "big") for w in words))
        groups.memberships.append(Membership(name, lnr + 1, state.name(), users, group6, ifindex))
        if len(digits) != 32:
            bad("group", f"{len(digits)} hex digits, not 32: read as netstat reads them")
        return
    if not raw.startswith(b"\t"):  # a device line
        ifindex = None
        if state.idx:
            ifindex = scan.decimal()
            if ifindex is None:
                return bad("Idx", "not a decimal number")
            scan.blanks()
        got = scan.chars(15)
        if not got:
            return bad("Device", "missing")
        state.set_chars(got)
        state.ifindex = ifindex
        return
    scan.blanks()
    digits = scan.hex_run(8)
    if not digits:
        return bad("Group", "not hex digits")
    scan.blanks()
    users = scan.decimal()
    if users is None:
        return bad("Users", "not a decimal number")
    group4 = ipaddress.IPv4Address(int(digits, 16).to_bytes(4, byteorder))
    groups.memberships.append(Membership(name, lnr + 1, state.name(), users, group4, state.ifindex))
