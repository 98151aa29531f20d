"""``netstat -i`` (``-ia``) and ``-ie``: the interface table, as net-tools 2.10 prints it.

Pure: an :class:`Interface` (the kernel's answers, net/dev's counters,
if_inet6's rows) in, text out (lib/interface.c ``ife_print_short``,
``ife_print_long``).  Widths count bytes, as printf does; an interface name,
which the kernel takes with any byte but ``/``, ``:`` and white space, is
shown through :func:`netread.escape.escape_text` (cut to its width first).
"""

from __future__ import annotations

import dataclasses
import socket

from netread.escape import escape_text
from netread.parse import ifreq as f

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.parse.dev import Inet6Address
    from netread.parse.dev import Interface
    from netread.parse.ifreq import Address
    from netread.parse.ifreq import IfReq

TITLE = "Kernel Interface table\n"
HEADER = "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n"
NO_STATISTICS = "%-56s" % "     - no statistics available -"

#: ife_print_short's letters, in its order (P twice: PROMISC and POINTOPOINT).
SHORT_FLAGS = (
    (f.IFF_ALLMULTI, "A"), (f.IFF_BROADCAST, "B"), (f.IFF_DEBUG, "D"), (f.IFF_LOOPBACK, "L"), (f.IFF_MULTICAST, "M"),
    (f.IFF_DYNAMIC, "d"), (f.IFF_PROMISC, "P"), (f.IFF_NOTRAILERS, "N"), (f.IFF_NOARP, "O"), (f.IFF_POINTOPOINT, "P"),
    (f.IFF_SLAVE, "s"), (f.IFF_MASTER, "m"), (f.IFF_RUNNING, "R"), (f.IFF_UP, "U"),
)  # fmt: skip
#: ife_print_long's words, in its order.
LONG_FLAGS = (
    (f.IFF_UP, "UP"), (f.IFF_BROADCAST, "BROADCAST"), (f.IFF_DEBUG, "DEBUG"), (f.IFF_LOOPBACK, "LOOPBACK"),
    (f.IFF_POINTOPOINT, "POINTOPOINT"), (f.IFF_NOTRAILERS, "NOTRAILERS"), (f.IFF_RUNNING, "RUNNING"), (f.IFF_NOARP, "NOARP"),
    (f.IFF_PROMISC, "PROMISC"), (f.IFF_ALLMULTI, "ALLMULTI"), (f.IFF_SLAVE, "SLAVE"), (f.IFF_MASTER, "MASTER"),
    (f.IFF_MULTICAST, "MULTICAST"), (f.IFF_DYNAMIC, "DYNAMIC"),
)  # fmt: skip
#: ARPHRD type -> (name, title, how the address is printed: None for no address, else a printer of
#: :func:`hardware_address`), from lib/hw.c of the Debian build (no token ring, econet or
#: infiniband there); a type not here is netstat's "unspec" (see README for the few types whose
#: own address printers netread does not have).
HW_TYPES: dict[int, tuple[str, str, str | None]] = {
    1: ("ether", "Ethernet", "ether"),
    7: ("arcnet", "ARCnet", "arcnet"),
    15: ("dlci", "Frame Relay DLCI", "dlci"),
    27: ("eui64", "Generic EUI-64", "eui64"),
    774: ("fddi", "Fiber Distributed Data Interface", "fddi"),
    780: ("hippi", "HIPPI", "hippi"),
    783: ("irda", "IrLAP", "irda"),
    256: ("slip", "Serial Line IP", None),
    257: ("cslip", "VJ Serial Line IP", None),
    258: ("slip6", "6-bit Serial Line IP", None),
    259: ("cslip6", "VJ 6-bit Serial Line IP", None),
    264: ("adaptive", "Adaptive Serial Line IP", None),
    512: ("ppp", "Point-to-Point Protocol", None),
    513: ("hdlc", "(Cisco)-HDLC", None),
    516: ("lapb", "LAPB", None),
    768: ("tunnel", "IPIP Tunnel", "empty"),
    770: ("frad", "Frame Relay Access Device", None),
    772: ("loop", "Local Loopback", None),
    776: ("sit", "IPv6-in-IPv4", None),
}
UNSPEC = ("unspec", "UNSPEC", "unspec")
#: CSLIP types print their compressed counters too.
CAN_COMPRESS = (257, 259)
_UNITS = ((1 << 60, "EiB"), (1 << 50, "PiB"), (1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"))


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def name_field(name: str, width: int = 15) -> str:
    """printf ``%-15.15s`` of a name, in bytes, then escaped.

    >>> name_field("eth0") + "|", name_field("abcdefghijklmnopq") + "|"
    ('eth0           |', 'abcdefghijklmno|')
    """
    raw = _raw(name)[:width]
    shown = escape_text(raw.decode("utf-8", "surrogateescape"))
    return shown + " " * max(0, width - len(_raw(shown)))


def short_flags(flags: int) -> str:
    """The Flg column.

    >>> short_flags(0x1043), short_flags(0x49), short_flags(0)
    ('BMRU', 'LRU', '[NO FLAGS]')
    """
    return ("[NO FLAGS]" if flags == 0 else "") + "".join(letter for bit, letter in SHORT_FLAGS if flags & bit)


def short_row(interface: Interface) -> str:
    """One line of ``netstat -i``."""
    c = interface.counters
    row = name_field(interface.name) + " " + "%5d " % interface.answer.mtu
    if c is None:
        row += NO_STATISTICS
    else:
        row += "%8d %6d %6d %-6d " % (c.rx_packets, c.rx_errors, c.rx_dropped, c.rx_fifo)
        row += "%8d %6d %6d %6d " % (c.tx_packets, c.tx_errors, c.tx_dropped, c.tx_fifo)
    return row + short_flags(interface.answer.flags) + "\n"


def long_flags(flags: int) -> str:
    """``flags=N<WORDS>`` (N the signed 16-bit value).

    netstat ends the words with ``>`` in place of their last comma, and otherwise cuts the last
    character: ``flags=0<`` (its ``>`` added and cut again), ``flags=8192`` (its ``<`` cut).

    >>> long_flags(4163), long_flags(0x8000 | 0x1043 | 0x100), long_flags(0), long_flags(0x2000)
    ('flags=4163<UP,BROADCAST,RUNNING,MULTICAST>', 'flags=-28349<UP,BROADCAST,RUNNING,PROMISC,MULTICAST,DYNAMIC>', 'flags=0<', 'flags=8192')
    """
    signed = flags - 0x10000 if flags & 0x8000 else flags
    words = ",".join(word for bit, word in LONG_FLAGS if flags & bit)
    if words:
        return f"flags={signed}<{words}>"
    return "flags=0<" if flags == 0 else f"flags={signed}"


def human_bytes(value: int) -> str:
    """``(X.Y U)``'s inside: truncated tenths, netstat's strict ``>`` thresholds.

    >>> human_bytes(1024), human_bytes(1025), human_bytes(2**50), human_bytes(2**50 + 1), human_bytes(2**64 - 1)
    ('1024.0 B', '1.0 KiB', '1024.0 TiB', '1.0 PiB', '16.0 EiB')
    """
    tenths = value * 10 & ((1 << 64) - 1)
    unit = "B"
    for limit, name in _UNITS:
        if value > limit:
            tenths = value // 115292150460684697 if name == "EiB" else tenths // limit
            unit = name
            break
    return f"{tenths // 10}.{tenths % 10} {unit}"


def _ipv4(address: Address | None) -> str:
    return "[NONE SET]" if address is None else str(address)


def inet6_text(address: Inet6Address) -> str:
    """inet_ntop, then netstat's fix_v4_address: an IPv4-mapped address as its dotted quad."""
    text = socket.inet_ntop(socket.AF_INET6, address.address.packed)
    if address.address.ipv4_mapped is not None and "." in text:
        head = text[: text.index(".")]
        if ":" in head:
            return text[head.rindex(":") + 1 :]
    return text


def scope_words(scope: int) -> str:
    """``<...>`` after ``scopeid 0x..``.

    >>> scope_words(0), scope_words(0x20), scope_words(0x90), scope_words(0x1)
    ('<global>', '<link>', '<compat,host>', '')
    """
    words = []
    if scope & 0x80:
        words.append("compat")
        scope -= 0x80
    if scope == 0:
        words.append("global")
    for bit, word in ((0x20, "link"), (0x40, "site"), (0x10, "host")):
        if scope & bit:
            words.append(word)
    return f"<{','.join(words)}>" if words else ""


def hardware_address(printer: str, address: bytes) -> str:
    """The address as lib/hw.c's printer for the type shows it (netstat copies 8 bytes of
    SIOCGIFHWADDR into a zeroed buffer, so a printer reads zeros past them).

    >>> hardware_address("ether", bytes.fromhex("02fc000000010000")), hardware_address("irda", bytes.fromhex("0180"))
    ('02:fc:00:00:00:01', '00:00:ffffff80:01')
    """
    data = address[:8] + bytes(24)
    if printer == "ether":
        return ":".join(f"{b:02x}" for b in data[:6])
    if printer == "unspec":
        return "-".join(f"{b:02X}" for b in data[:16])
    if printer == "fddi":
        return "-".join(f"{b:02X}" for b in data[:6])
    if printer == "hippi":
        return ":".join(f"{b:02X}" for b in data[:6])
    if printer == "eui64":
        return ":".join(f"{b:02X}" for b in data[:8])
    if printer == "arcnet":
        return f"{data[0]:02X}"
    if printer == "dlci":
        return str(int.from_bytes(data[:2], "little", signed=True))
    if printer == "irda":  # %02x of a (signed) char: a byte past 0x7f prints as an int
        return ":".join(f"{(b - 256) & 0xFFFFFFFF:x}" if b > 0x7F else f"{b:02x}" for b in (data[3], data[2], data[1], data[0]))
    return ""  # the tunnel's printer: the empty string


def hardware_line(answer: IfReq) -> str:
    """The ``ether ...  txqueuelen N  (Ethernet)`` line."""
    name, title, printer = HW_TYPES.get(answer.hw_type, UNSPEC)
    line = f"        {name}" if printer is None else f"        {name} {hardware_address(printer, answer.hw_address)}"
    if answer.tx_queue_len is not None and answer.tx_queue_len != -1:
        line += f"  txqueuelen {answer.tx_queue_len}"
    return line + f"  ({title})\n"


def long_block(interface: Interface) -> str:
    """One block of ``netstat -ie``, with its empty line."""
    a = interface.answer
    lines = [f"{escape_text(a.name)}: {long_flags(a.flags)}  mtu {a.mtu}\n"]
    if a.inet is not None:
        line = f"        inet {a.inet.address}  netmask {_ipv4(a.inet.netmask)}"
        if a.flags & f.IFF_BROADCAST:
            line += f"  broadcast {_ipv4(a.inet.broadcast)}"
        if a.flags & f.IFF_POINTOPOINT:
            line += f"  destination {_ipv4(a.inet.destination)}"
        lines.append(line + "\n")
    for row in interface.inet6:
        lines.append(f"        inet6 {inet6_text(row)}  prefixlen {row.prefixlen}  scopeid 0x{row.scope:x}{scope_words(row.scope)}\n")
    lines.append(hardware_line(a))
    c = interface.counters
    if c is not None:
        compress = a.hw_type in CAN_COMPRESS
        lines.append(f"        RX packets {c.rx_packets}  bytes {c.rx_bytes} ({human_bytes(c.rx_bytes)})\n")
        if compress:
            lines.append(f"        RX compressed:{c.rx_compressed}\n")
        lines.append(f"        RX errors {c.rx_errors}  dropped {c.rx_dropped}  overruns {c.rx_fifo}  frame {c.rx_frame}\n")
        lines.append(f"        TX packets {c.tx_packets}  bytes {c.tx_bytes} ({human_bytes(c.tx_bytes)})\n")
        if compress:
            lines.append(f"        TX compressed {c.tx_compressed}\n")
        lines.append(
            f"        TX errors {c.tx_errors}  dropped {c.tx_dropped} overruns {c.tx_fifo}  carrier {c.tx_carrier}  collisions {c.collisions}\n"
        )
    if a.irq or a.mem_start or a.dma or a.base_addr >= 0x100:
        line = "        device "
        if a.irq:
            line += f"interrupt {a.irq}  "
        if a.base_addr >= 0x100:
            line += f"base 0x{a.base_addr:x}  "
        if a.mem_start:
            line += f"memory 0x{a.mem_start:x}-{a.mem_end:x}  "
        if a.dma:
            line += f"  dma 0x{a.dma:x}"
        lines.append(line + "\n")
    return "".join(lines) + "\n"


def render(interface: Interface, extend_level: int) -> str:
    """The row (``-i``) or the block (``-ie``, ``-iee``) of one interface."""
    return long_block(interface) if extend_level >= 1 else short_row(interface)


def record(interface: Interface) -> dict[str, object]:
    """One interface as a --format record (schema: ``#/$defs/interface``)."""
    a = interface.answer
    c = interface.counters
    inet = a.inet
    name, title, _ = HW_TYPES.get(a.hw_type, UNSPEC)
    return {
        "kind": "interface",
        "name": _text(a.name),
        "flags": [word.lower() for bit, word in LONG_FLAGS if a.flags & bit],
        "flags_value": a.flags,
        "mtu": a.mtu,
        "tx_queue_len": a.tx_queue_len,
        "hw_type": a.hw_type,
        "hw_name": name,
        "hw_title": title,
        "hw_address": a.hw_address.hex(),
        "inet": None if inet is None else str(inet.address),
        "netmask": None if inet is None or inet.netmask is None else str(inet.netmask),
        "broadcast": None if inet is None or inet.broadcast is None else str(inet.broadcast),
        "destination": None if inet is None or inet.destination is None else str(inet.destination),
        "inet6": [
            {"address": inet6_text(row), "prefixlen": row.prefixlen, "scope": row.scope, "flags": row.flags}
            for row in interface.inet6
        ],
        "counters": None if c is None else dataclasses.asdict(c),
    }


def _text(text: str) -> str:
    """A name as a record holds it: undecodable bytes as ``\\xNN`` (records are valid UTF-8)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


#: What --explain says of each column of ``-i`` (and of the ``-ie`` lines).
COLUMNS = (
    ("Iface", "the interface name (net/dev; an IPv4 label such as eth0:1 from SIOCGIFCONF)"),
    ("MTU", "the largest packet the interface sends, in bytes (SIOCGIFMTU)"),
    ("RX-OK", "packets received (net/dev rx packets)"),
    ("RX-ERR", "receive errors (net/dev rx errs; netstat 2.10 counts rx_errors only)"),
    ("RX-DRP", "received packets dropped: no buffer, or missed by the device (net/dev rx drop)"),
    ("RX-OVR", "receive FIFO overruns (net/dev rx fifo)"),
    ("TX-OK", "packets sent (net/dev tx packets)"),
    ("TX-ERR", "transmit errors (net/dev tx errs)"),
    ("TX-DRP", "packets dropped on the way out (net/dev tx drop)"),
    ("TX-OVR", "transmit FIFO overruns (net/dev tx fifo)"),
    ("Flg", "A allmulti, B broadcast, D debug, L loopback, M multicast, d dynamic, P promisc or point-to-point,"
     " N notrailers, O noarp, s slave, m master, R running, U up (SIOCGIFFLAGS)"),
)  # fmt: skip
