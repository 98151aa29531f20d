"""What the kernel answers about one interface by ioctl, and the two ways a snapshot keeps it.

netstat -i asks the live kernel, per name, for SIOCGIFFLAGS, SIOCGIFHWADDR,
SIOCGIFMTU, SIOCGIFMAP, SIOCGIFTXQLEN and the IPv4 SIOCGIFADDR,
SIOCGIFDSTADDR, SIOCGIFBRDADDR, SIOCGIFNETMASK (net-tools lib/interface.c
``if_fetch``), and adds the names SIOCGIFCONF lists (every IPv4 address label).
None of that is in /proc (reference/netstat-other-modes.md 5.1, 5.9).  A
snapshot keeps it in one of two forms, both decoded here (pure):

- ``kernel/ifreq``, written by ``netread capture``: the ioctl answers, one
  name a line (:func:`encode_ifreq` / :func:`decode_ifreq`), exact;
- ``sysfs/class/net/<if>/{mtu,tx_queue_len,type,address,flags,operstate}``:
  copies of /sys/class/net (:func:`from_sysfs`); the flags are then worked out
  as the kernel's dev_get_flags() does, without the user-set PROMISC/ALLMULTI
  (gflags is not in sysfs), and there are no IPv4 addresses.
"""

from __future__ import annotations

import dataclasses
import ipaddress

from netread.errors import ParseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# include/uapi/linux/if.h net_device_flags
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_NOTRAILERS = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MASTER = 0x400
IFF_SLAVE = 0x800
IFF_MULTICAST = 0x1000
IFF_PORTSEL = 0x2000
IFF_AUTOMEDIA = 0x4000
IFF_DYNAMIC = 0x8000
IFF_LOWER_UP = 0x10000
IFF_DORMANT = 0x20000

#: The sysfs files a snapshot may hold per device (/sys/class/net/<if>/...).
SYSFS_FILES = ("mtu", "tx_queue_len", "type", "address", "flags", "operstate")
#: kernel/ifreq's header: its columns, in order.
IFREQ_HEADER = "Iface Flags Mtu TxQueueLen HwType HwAddr Irq BaseAddr MemStart MemEnd Dma Port Listed Inet Netmask Broadcast Destination"
_COLUMNS = IFREQ_HEADER.split()

Address = ipaddress.IPv4Address


@dataclasses.dataclass(frozen=True, slots=True)
class Inet4:
    """SIOCGIFADDR's address and the three asked after it (None: that ioctl failed)."""

    address: Address
    netmask: Address | None
    broadcast: Address | None
    destination: Address | None


@dataclasses.dataclass(frozen=True, slots=True)
class IfReq:
    """The kernel's answers for one name (an alias label ``eth0:1`` has its own)."""

    name: str
    #: SIOCGIFFLAGS: dev_get_flags(), the low 16 bits (netstat prints them as a signed short).
    flags: int
    mtu: int = 0
    #: SIOCGIFTXQLEN; None when it failed (netstat then prints no ``txqueuelen``).
    tx_queue_len: int | None = None
    #: SIOCGIFHWADDR: the ARPHRD type and the first 8 bytes of the address.
    hw_type: int = 0
    hw_address: bytes = bytes(8)
    #: SIOCGIFMAP: irq, base_addr, mem_start, mem_end, dma, port.
    irq: int = 0
    base_addr: int = 0
    mem_start: int = 0
    mem_end: int = 0
    dma: int = 0
    port: int = 0
    #: Listed by SIOCGIFCONF (it has an IPv4 address): netstat lists it even when net/dev does not.
    listed: bool = False
    inet: Inet4 | None = None


def _address(value: Address | None) -> str:
    return "-" if value is None else str(value)


def encode_ifreq(answers: list[IfReq]) -> str:
    """kernel/ifreq's text for ``answers``: the header, then one line each.

    >>> print(encode_ifreq([IfReq("lo", 0x49, 65536, 1000, 772, listed=True,
    ...     inet=Inet4(Address("127.0.0.1"), Address("255.0.0.0"), Address("0.0.0.0"), Address("127.0.0.1")))]), end="")
    Iface Flags Mtu TxQueueLen HwType HwAddr Irq BaseAddr MemStart MemEnd Dma Port Listed Inet Netmask Broadcast Destination
    lo 0x49 65536 1000 772 0000000000000000 0 0x0 0x0 0x0 0 0 1 127.0.0.1 255.0.0.0 0.0.0.0 127.0.0.1
    """
    lines = [IFREQ_HEADER]
    for a in answers:
        inet = a.inet
        four = ["-"] * 4 if inet is None else [str(inet.address), _address(inet.netmask), _address(inet.broadcast), _address(inet.destination)]
        fields = [
            a.name, f"0x{a.flags:x}", str(a.mtu), "-" if a.tx_queue_len is None else str(a.tx_queue_len), str(a.hw_type),
            a.hw_address.hex(), str(a.irq), f"0x{a.base_addr:x}", f"0x{a.mem_start:x}", f"0x{a.mem_end:x}", str(a.dma),
            str(a.port), "1" if a.listed else "0", *four,
        ]  # fmt: skip
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


def _int(token: str, base: int, low: int, high: int) -> int | None:
    text = token[2:] if base == 16 and token[:2] in ("0x", "0X") else token
    digits = text[1:] if text[:1] == "-" and low < 0 else text
    allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    if not digits or len(digits) > 20 or any(c not in allowed for c in digits):
        return None
    value = int(text, base)
    return value if low <= value <= high else None


def _ipv4(token: str) -> Address | None:
    try:
        return Address(token)
    except ValueError:
        return None


def decode_ifreq(text: str, path: str = "kernel/ifreq") -> tuple[dict[str, IfReq], list[ParseError]]:
    """kernel/ifreq's answers by name; a malformed line is reported and left out (its name then
    gets netstat's "Device not found").

    >>> answers, bad = decode_ifreq(IFREQ_HEADER + "\\nd0 0x83 1500 1000 1 02aabbccddee0000 0 0x0 0x0 0x0 0 0 0 - - - -\\n")
    >>> answers["d0"].flags, answers["d0"].hw_address.hex(), answers["d0"].inet, bad
    (131, '02aabbccddee0000', None, [])
    """
    answers: dict[str, IfReq] = {}
    problems: list[ParseError] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if lineno == 1 or not line.strip():
            continue
        parts = line.split()
        if len(parts) != len(_COLUMNS):
            field = _COLUMNS[len(parts)] if len(parts) < len(_COLUMNS) else "Destination"
            problems.append(ParseError(path, lineno, field, "missing" if len(parts) < len(_COLUMNS) else "too many fields", line))
            continue
        answer = _ifreq_line(parts, path, lineno, line, problems)
        if answer is not None:
            answers[answer.name] = answer
    return answers, problems


#: column -> (base, lowest, highest) of its number.
_NUMBERS = {
    "Flags": (16, 0, 0xFFFF),
    "Mtu": (10, -(1 << 31), (1 << 31) - 1),
    "TxQueueLen": (10, -(1 << 31), (1 << 31) - 1),
    "HwType": (10, 0, 0xFFFF),
    "Irq": (10, 0, 0xFF),
    "BaseAddr": (16, 0, 0xFFFF),
    "MemStart": (16, 0, (1 << 64) - 1),
    "MemEnd": (16, 0, (1 << 64) - 1),
    "Dma": (10, 0, 0xFF),
    "Port": (10, 0, 0xFF),
    "Listed": (10, 0, 1),
}


def _ifreq_line(parts: list[str], path: str, lineno: int, line: str, problems: list[ParseError]) -> IfReq | None:
    values: dict[str, object] = {}
    for column, token in zip(_COLUMNS, parts):
        if column in _NUMBERS:
            if column == "TxQueueLen" and token == "-":
                values[column] = None
                continue
            base, low, high = _NUMBERS[column]
            number = _int(token, base, low, high)
            if number is None:
                problems.append(ParseError(path, lineno, column, f"not a {'hex' if base == 16 else 'decimal'} number in {low}..{high}", line))
                return None
            values[column] = number
        elif column == "HwAddr":
            if len(token) != 16 or any(c not in "0123456789abcdefABCDEF" for c in token):
                problems.append(ParseError(path, lineno, column, "not 16 hex digits", line))
                return None
            values[column] = bytes.fromhex(token)
        elif column in ("Inet", "Netmask", "Broadcast", "Destination"):
            address = None if token == "-" else _ipv4(token)
            if address is None and token != "-":
                problems.append(ParseError(path, lineno, column, "not a dotted IPv4 address or -", line))
                return None
            values[column] = address
    inet = None
    if values["Inet"] is not None:
        inet = Inet4(values["Inet"], values["Netmask"], values["Broadcast"], values["Destination"])  # type: ignore[arg-type]
    return IfReq(
        parts[0], values["Flags"], values["Mtu"], values["TxQueueLen"], values["HwType"], values["HwAddr"],  # type: ignore[arg-type]
        values["Irq"], values["BaseAddr"], values["MemStart"], values["MemEnd"], values["Dma"], values["Port"],  # type: ignore[arg-type]
        bool(values["Listed"]), inet,
    )  # fmt: skip


def running_flags(sysfs_flags: int, operstate: str) -> int:
    """dev_get_flags() from sysfs' raw ``flags`` and ``operstate`` (net/core/dev.c): PROMISC,
    ALLMULTI, RUNNING, LOWER_UP and DORMANT cleared, RUNNING set when up and operstate is up or
    unknown; the low 16 bits, as SIOCGIFFLAGS gives them.

    >>> running_flags(0x1003, "up"), running_flags(0x9, "unknown"), running_flags(0x1303, "up"), running_flags(0x1091, "down")
    (4163, 73, 4163, 4241)
    """
    flags = sysfs_flags & ~(IFF_PROMISC | IFF_ALLMULTI | IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT)
    if sysfs_flags & IFF_UP and operstate in ("up", "unknown"):
        flags |= IFF_RUNNING
    return flags & 0xFFFF


def from_sysfs(name: str, files: Mapping[str, str | None], where: str) -> tuple[IfReq | None, list[ParseError]]:
    """An interface's answers from its sysfs files (``files``: name -> text, None when absent);
    None when ``flags`` is absent or malformed (netstat's ioctl would fail: "Device not found").

    >>> got, bad = from_sysfs("eth0", {"mtu": "1400\\n", "tx_queue_len": "1000\\n", "type": "1\\n",
    ...     "address": "02:fc:00:00:00:01\\n", "flags": "0x1003\\n", "operstate": "up\\n"}, "sysfs/class/net/eth0")
    >>> got.flags, got.mtu, got.hw_address.hex(), bad
    (4163, 1400, '02fc000000010000', [])
    """
    problems: list[ParseError] = []

    def number(file: str, base: int, low: int, high: int) -> int | None:
        text = files.get(file)
        if text is None:
            return None
        line = text.split("\n", 1)[0].strip()
        value = _int(line, base, low, high)
        if value is None:
            problems.append(ParseError(f"{where}/{file}", 1, file, f"not a {'hex' if base == 16 else 'decimal'} number in {low}..{high}", line))
        return value

    raw_flags = number("flags", 16, 0, (1 << 32) - 1)
    if raw_flags is None:
        return None, problems
    operstate = (files.get("operstate") or "").split("\n", 1)[0].strip()
    address_text = (files.get("address") or "").split("\n", 1)[0].strip()
    hw_address = bytes(8)
    if address_text:
        try:
            octets = bytes(int(octet, 16) for octet in address_text.split(":"))
            if any(len(octet) != 2 for octet in address_text.split(":")):
                raise ValueError(address_text)
            hw_address = (octets[:8] + bytes(8))[:8]
        except ValueError:
            problems.append(ParseError(f"{where}/address", 1, "address", "not hex octets joined by ':'", address_text))
    mtu = number("mtu", 10, -(1 << 31), (1 << 31) - 1)
    hw_type = number("type", 10, 0, 0xFFFF)
    tx_queue_len = number("tx_queue_len", 10, -(1 << 31), (1 << 31) - 1)
    answer = IfReq(
        name,
        running_flags(raw_flags, operstate),
        mtu=0 if mtu is None else mtu,
        tx_queue_len=tx_queue_len,
        hw_type=0 if hw_type is None else hw_type,
        hw_address=hw_address,
    )
    return answer, problems
