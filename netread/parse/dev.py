"""``netstat -i``'s files: net/dev (the counters), net/if_inet6 (the IPv6 addresses), and the order
netstat lists interfaces in.

Pure: text in, records out.  net/dev is read as net-tools 2.10 reads it
(lib/interface.c ``if_readlist_proc``, ``get_name`` with Debian's 15-byte cut,
``get_dev_fields``' sscanf), so a line netstat half-understands gives the same
half here; what netstat takes silently but is not what the kernel writes is
also reported, as a :class:`~netread.errors.ParseError` naming file, line and
field.  The kernel's own format: ``%6s: %7llu %7llu ...`` per device
(net/core/net-procfs.c ``dev_seq_printf_stats``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re

from netread.errors import ParseError
from netread.parse.ifreq import IfReq

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence

#: net/dev's counters in the order the kernel's layout 3 prints them (RX | TX).
COUNTERS = (
    "rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo", "rx_frame", "rx_compressed", "rx_multicast",
    "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo", "collisions", "tx_carrier", "tx_compressed",
)  # fmt: skip
#: The counters netstat scans for each layout (procnetdev_version: 3 "compressed", 2 "bytes", 1 neither).
LAYOUT_FIELDS = {
    3: COUNTERS,
    2: COUNTERS[:6] + COUNTERS[8:15],
    1: COUNTERS[1:6] + COUNTERS[9:15],
}
#: fgets(buf, 512): a longer line is read as several.
FGETS = 511
#: IFNAMSIZ - 1: the Debian build's get_name copies at most this many bytes (CVE-2025-46836 fix).
NAME_BYTES = 15
_SPACE = " \t\n\v\f\r"
#: A line as the kernel writes it (``%6s: %7llu ...``, 16 counters): decoded without sscanf's rules.
_KERNEL_LINE = re.compile(r" *([!-9;-~]{1,15}):((?: +[0-9]{1,20}){16}) *\n?")
_LIMIT = (1 << 64) - 1


@dataclasses.dataclass(frozen=True, slots=True)
class DevCounters:
    """One interface's counters from net/dev (a counter netstat did not reach is 0)."""

    rx_bytes: int = 0
    rx_packets: int = 0
    rx_errors: int = 0
    rx_dropped: int = 0
    rx_fifo: int = 0
    rx_frame: int = 0
    rx_compressed: int = 0
    rx_multicast: int = 0
    tx_bytes: int = 0
    tx_packets: int = 0
    tx_errors: int = 0
    tx_dropped: int = 0
    tx_fifo: int = 0
    collisions: int = 0
    tx_carrier: int = 0
    tx_compressed: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class NetDev:
    """net/dev as netstat reads it: the names in file order (a repeated name once, its last
    counters), the layout the second header line chose, and what was malformed."""

    counters: dict[str, DevCounters]
    layout: int
    problems: list[ParseError]


@dataclasses.dataclass(frozen=True, slots=True)
class Inet6Address:
    """One net/if_inet6 row: ``fe800000000000000000000000000001 02 40 20 80     eth0``."""

    address: ipaddress.IPv6Address
    ifindex: int
    prefixlen: int
    scope: int
    flags: int
    device: str


def fgets_lines(text: str) -> list[str]:
    """``text`` as fgets(512) hands it out: each line with its newline, a line of more than 511
    bytes in 511-byte pieces.

    >>> fgets_lines("a\\nb"), len(fgets_lines("x" * 600 + "\\n"))
    (['a\\n', 'b'], 2)
    """
    return _with_newlines(text)


def _with_newlines(text: str) -> list[str]:
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        if last and not line:
            break
        out += _pieces(line if last else line + "\n")
    return out


def _pieces(line: str) -> list[str]:
    raw = line.encode("utf-8", "surrogateescape")
    if len(raw) <= FGETS:
        return [line]
    return [raw[i : i + FGETS].decode("utf-8", "surrogateescape") for i in range(0, len(raw), FGETS)]


def get_name(line: str) -> tuple[str, str]:
    """net-tools 2.10 (Debian) ``get_name``: the interface name at the start of a net/dev line,
    and the rest, where the numbers start.

    An alias ``eth0:1:`` keeps its ``:1``; at most 15 bytes are copied, and what is left of a
    longer name is the start of the numbers (which then do not parse).

    >>> get_name("  eth0: 1 2"), get_name("v1:2: 5"), get_name("eth9 1 2")
    (('eth0', ' 1 2'), ('v1:2', ' 5'), ('eth9', ' 1 2'))
    """
    raw = line.encode("utf-8", "surrogateescape").split(b"\0", 1)[0]  # a C string ends at its NUL
    p = 0
    while p < len(raw) and raw[p] in b" \t\n\v\f\r":
        p += 1
    name = bytearray()
    while p < len(raw) and raw[p] not in b" \t\n\v\f\r" and len(name) < NAME_BYTES:
        if raw[p] == 0x3A:  # ':' may start an alias ``:digits:``
            dot = p
            p += 1
            while p < len(raw) and 0x30 <= raw[p] <= 0x39:
                p += 1
            if p < len(raw) and raw[p] == 0x3A:
                p = dot
                name.append(raw[p])
                p += 1
                while p < len(raw) and 0x30 <= raw[p] <= 0x39 and len(name) < NAME_BYTES:
                    name.append(raw[p])
                    p += 1
            else:
                p = dot
            if p < len(raw) and raw[p] == 0x3A:
                p += 1
            break
        name.append(raw[p])
        p += 1
    return bytes(name).decode("utf-8", "surrogateescape"), raw[p:].decode("utf-8", "surrogateescape")


def scan_u64(text: str, pos: int) -> tuple[int | None, int]:
    """scanf ``%llu`` at ``pos``: (the value as strtoull gives it, where it stopped), or (None, pos).

    >>> scan_u64(" 12 x", 0), scan_u64(" -1", 0)[0], scan_u64(" 99999999999999999999", 0)[0], scan_u64(" x", 0)
    ((12, 3), 18446744073709551615, 18446744073709551615, (None, 0))
    """
    i = pos
    n = len(text)
    while i < n and text[i] in _SPACE:
        i += 1
    negative = False
    if i < n and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    if i == start:
        return None, pos
    digits = text[start:i].lstrip("0")
    if len(digits) > 20:
        return _LIMIT, i
    value = int(digits or "0")
    if value > _LIMIT:
        return _LIMIT, i
    return ((-value) & _LIMIT) if negative else value, i


def layout_of(header: str) -> int:
    """procnetdev_version: the layout net/dev's second line announces.

    >>> layout_of(" face |bytes packets compressed"), layout_of(" face |bytes packets"), layout_of("")
    (3, 2, 1)
    """
    if "compressed" in header:
        return 3
    return 2 if "bytes" in header else 1


def decode_net_dev(text: str, path: str = "net/dev") -> NetDev:
    """net/dev's interfaces and counters, as netstat reads them.

    >>> dev = decode_net_dev("Inter-|\\n face |bytes compressed\\n    lo:  10 2 0 0 0 0 0 0 10 2 0 0 0 0 0 0\\n")
    >>> dev.counters["lo"].rx_packets, dev.layout, dev.problems
    (2, 3, [])
    """
    pieces = fgets_lines(text)
    layout = layout_of(pieces[1] if len(pieces) > 1 else "")
    fields = LAYOUT_FIELDS[layout]
    counters: dict[str, DevCounters] = {}
    problems: list[ParseError] = []
    lineno = 2
    for piece in pieces[2:]:
        lineno += 1
        fast = _KERNEL_LINE.fullmatch(piece) if layout == 3 else None
        if fast is not None and fast.group(1) not in counters:
            numbers = [int(t) for t in fast.group(2).split()]
            if max(numbers) <= _LIMIT:  # the kernel's own line: what the careful path would give
                counters[fast.group(1)] = DevCounters(*numbers)
                continue
        name, rest = get_name(piece)
        if len(name.encode("utf-8", "surrogateescape")) == NAME_BYTES and rest[:1] == ":":
            # netstat 2.10 (Debian) stops at 15 bytes before the colon of a 15-byte name, the longest
            # the kernel allows, and then reads no counters (all 0): netread reads them (README)
            rest = rest[1:]
        old = counters.get(name)  # a repeated name keeps its place, and what its last line did not reach
        values = dataclasses.asdict(old) if old is not None else {}
        if layout == 2:
            values["rx_multicast"] = 0
        elif layout == 1:
            values.update(rx_bytes=0, tx_bytes=0, rx_multicast=0)
        if not name:
            problems.append(ParseError(path, lineno, "face", "no interface name", piece))
        pos = 0
        for field in fields:
            start = pos
            value, pos = scan_u64(rest, pos)
            if value is None:
                token = rest[pos:].split()[0] if rest[pos:].split() else ""
                if name or token:
                    reason = "missing" if not token else f"not a number: {token!r}"
                    problems.append(ParseError(path, lineno, field, reason, piece))
                break
            values[field] = value
            token = rest[start:pos].strip(_SPACE)
            if not token.isdigit() or len(token.lstrip("0")) > 20 or int(token) > _LIMIT:
                # scanf takes a sign and saturates; the kernel writes neither: shown as netstat reads it
                problems.append(ParseError(path, lineno, field, f"not a 64-bit decimal counter: {token!r} (read as {value})", piece))
        counters[name] = DevCounters(**values)
    return NetDev(counters, layout, problems)


def decode_if_inet6(text: str, path: str = "net/if_inet6") -> tuple[list[Inet6Address], list[ParseError]]:
    """net/if_inet6 rows (``%pi6 %02x %02x %02x %02x %8s``, net/ipv6/addrconf.c if6_seq_show).

    A line that is not six fields of that shape is reported and left out (netstat's fscanf
    would lose step there and print what it read before).

    >>> rows, bad = decode_if_inet6("00000000000000000000000000000001 01 80 10 80       lo\\n")
    >>> str(rows[0].address), rows[0].prefixlen, rows[0].scope, rows[0].device, bad
    ('::1', 128, 16, 'lo', [])
    """
    rows: list[Inet6Address] = []
    problems: list[ParseError] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip(_SPACE):
            continue
        parts = line.split()
        names = ("address", "ifindex", "prefixlen", "scope", "flags", "device")
        if len(parts) != 6:
            field = names[len(parts)] if len(parts) < 6 else "device"
            problems.append(ParseError(path, lineno, field, "missing" if len(parts) < 6 else "more than six fields", line))
            continue
        address, *numbers, device = parts
        if len(address) != 32 or not _hex(address):
            problems.append(ParseError(path, lineno, "address", "not 32 hex digits", line))
            continue
        width = (8, 2, 2, 2)
        values = []
        for field, token, most in zip(names[1:5], numbers, width):
            if not (1 <= len(token) <= most) or not _hex(token):
                problems.append(ParseError(path, lineno, field, f"not at most {most} hex digits", line))
                break
            values.append(int(token, 16))
        else:
            if len(device.encode("utf-8", "surrogateescape")) > 20:
                problems.append(ParseError(path, lineno, "device", "longer than 20 bytes", line))
                continue
            ifindex, prefixlen, scope, flags = values
            rows.append(Inet6Address(ipaddress.IPv6Address(bytes.fromhex(address)), ifindex, prefixlen, scope, flags, device))
    return rows, problems


def _hex(token: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in token)


# -- the order netstat lists interfaces in (lib/nstrcmp.c, lib/interface.c add_interface) --------


def _atoi(digits: bytes) -> int:
    """atoi of leading digits: strtol, saturated at 64 bits, then cut to a C int."""
    value = min(int(digits or b"0"), (1 << 63) - 1)
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _cutalias(name: bytes) -> tuple[bytes, bytes | None]:
    digit = False
    for pos in range(len(name), 0, -1):
        c = name[pos - 1]
        if c == 0x3A and digit:
            return name[: pos - 1], name[pos:]
        if not 0x30 <= c <= 0x39:
            break
        digit = True
    return name, None


def _stem(name: bytes) -> int:
    for pos in range(len(name), 0, -1):
        if not 0x30 <= name[pos - 1] <= 0x39:
            return pos
    return 0


def _cmp(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def _icmp(a: int, b: int) -> int:
    return (a > b) - (a < b)


def nstrcmp(first: str, second: str) -> int:
    """net-tools' nstrcmp: names compared with their trailing numbers as numbers and a ``:N``
    alias last (-1, 0 or 1).

    >>> nstrcmp("eth9", "eth10"), nstrcmp("v0:10", "v0:1"), nstrcmp("abcdefghijklmno", "br0"), nstrcmp("eth01", "eth1")
    (-1, 1, -1, -1)
    """
    a, aalias = _cutalias(first.encode("utf-8", "surrogateescape"))
    b, balias = _cutalias(second.encode("utf-8", "surrogateescape"))
    aindex, bindex = _stem(a), _stem(b)
    common = min(aindex, bindex)
    res = _cmp(a[:common], b[:common])  # strncmp: unsigned bytes
    if res:
        return res
    if aindex != bindex:
        return 1 if aindex > bindex else -1
    res = _icmp(_atoi(_digits(a[aindex:])), _atoi(_digits(b[bindex:])))
    if res:
        return res
    res = _cmp(a, b)
    if res:
        return res
    av = -1 if aalias is None else _atoi(_digits(aalias))
    bv = -1 if balias is None else _atoi(_digits(balias))
    if av != bv:
        return -1 if av < bv else 1
    if aalias is not None and balias is not None:
        return _cmp(aalias, balias)
    return 0


def _digits(text: bytes) -> bytes:
    end = 0
    while end < len(text) and 0x30 <= text[end] <= 0x39:
        end += 1
    return text[:end]


def order_key(name: str) -> tuple[bytes, int, bytes, int, bytes]:
    """A sort key that compares as :func:`nstrcmp` does: the stem before the trailing digits
    (strncmp over the shorter stem, then the longer one later: bytes order), the trailing number,
    the whole name without its alias, the alias number (-1: none), the alias.

    >>> order_key("eth0:1"), order_key("lo")
    ((b'eth', 0, b'eth0', 1, b'1'), (b'lo', 0, b'lo', -1, b''))
    """
    full, alias = _cutalias(name.encode("utf-8", "surrogateescape"))
    stem = _stem(full)
    return (full[:stem], _atoi(_digits(full[stem:])), full, -1 if alias is None else _atoi(_digits(alias)), alias or b"")


def interface_order(*sources: Iterable[str]) -> list[str]:
    """The names of ``sources`` (net/dev's, then SIOCGIFCONF's) in netstat's list order.

    netstat inserts each after the last one that compares smaller, walking back from the end,
    and skips one that compares equal (add_interface); the comparison is a total order
    (:func:`order_key`), so that is a binary search here.

    >>> interface_order(["lo", "ifb0", "ifb1", "eth0"], ["eth0", "eth0:1"])
    ['eth0', 'eth0:1', 'ifb0', 'ifb1', 'lo']
    """
    import bisect

    keys: list[tuple[bytes, int, bytes, int, bytes]] = []
    names: list[str] = []
    for source in sources:
        for name in source:
            key = order_key(name)
            at = bisect.bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:
                continue
            keys.insert(at, key)
            names.insert(at, name)
    return names


def base_name(name: str) -> str:
    """The device an alias label names (the kernel strips ``:...`` in its ioctls).

    >>> base_name("eth0:1"), base_name("lo")
    ('eth0', 'lo')
    """
    return name.split(":", 1)[0]


@dataclasses.dataclass(frozen=True, slots=True)
class Interface:
    """One row (or block) of the table: what the kernel answered, net/dev's counters (None:
    not in net/dev, "no statistics"), and the if_inet6 rows whose device is this name."""

    answer: IfReq
    counters: DevCounters | None
    inet6: Sequence[Inet6Address] = ()

    @property
    def name(self) -> str:
        return self.answer.name
