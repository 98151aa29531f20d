"""Addresses and ports of an inet row, for ``--explain-line``: their decoding step by step, and their meaning.

An address is one ``%08X`` word (IPv4) or four (IPv6), each in the byte order
of the machine that wrote the file; :func:`address_value` shows every step
from the words to the ``inet_ntop`` text netstat prints.
"""

from __future__ import annotations

import ipaddress
import socket

from netread.explain.glossary import IP_PROTOCOLS
from netread.explain.line_base import HEX
from netread.parse.inet import decode_address

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.explain.line_base import ByteOrder


def packed(hexaddr: str, byteorder: ByteOrder) -> bytes | None:
    """The address bytes of an 8- or 32-hex-digit token, or None for any other token."""
    if len(hexaddr) not in (8, 32) or HEX.fullmatch(hexaddr) is None:
        return None
    return decode_address(hexaddr, byteorder).packed


def ntop(data: bytes) -> str:
    """The address as ``inet_ntop`` (and so netstat) writes it."""
    return socket.inet_ntop(socket.AF_INET if len(data) == 4 else socket.AF_INET6, data)


def _spaced(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


def address_value(hexaddr: str, byteorder: ByteOrder) -> str:
    """The per-word decoding of an address, ending in its ``inet_ntop`` text.

    >>> address_value("7F000001", "big")
    'word 0x7F000001, big-endian bytes 7F 00 00 01 → 127.0.0.1'
    >>> address_value("0000000000000000FFFF00000100007F", "little")  # doctest: +NORMALIZE_WHITESPACE
    'words 00000000 00000000 FFFF0000 0100007F, little-endian bytes
     00 00 00 00 | 00 00 00 00 | 00 00 FF FF | 7F 00 00 01 → ::ffff:127.0.0.1'
    """
    data = packed(hexaddr, byteorder)
    if data is None:
        raise ValueError(f"{len(hexaddr)} hex digits, want 8 (IPv4) or 32 (IPv6)")
    words = [hexaddr[i : i + 8].upper() for i in range(0, len(hexaddr), 8)]
    chunks = [_spaced(data[i : i + 4]) for i in range(0, len(data), 4)]
    label = f"word 0x{words[0]}" if len(words) == 1 else f"words {' '.join(words)}"
    return f"{label}, {byteorder}-endian bytes {' | '.join(chunks)} → {ntop(data)}"


def other_order(byteorder: ByteOrder) -> ByteOrder:
    return "big" if byteorder == "little" else "little"


def looks_local(data: bytes) -> bool:
    """Whether the address is loopback (IPv4-mapped loopback too)."""
    ip = ipaddress.ip_address(data)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def address_meaning(data: bytes, local: bool, family_ok: bool, table: str) -> str:
    """What the address means; ``family_ok`` is False when its length is not that of ``table``'s addresses."""
    ip = ipaddress.ip_address(data)
    text = ntop(data)
    whose = "The local address the socket is bound to" if local else "The peer's address"
    words = "one %08X word" if len(data) == 4 else "four %08X words"
    parts = [f"{whose}, printed as {words} in the byte order of the machine that wrote the file."]
    if not any(data):
        if local:
            parts.append(f"{text}: any local address (wildcard).")
        else:
            parts.append("All zeros: no peer (a listening or unconnected socket).")
        if len(data) == 16:
            parts.append("netstat prints it as :: (as [::] when it resolves names).")
    elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        proto = table if table.endswith("6") else "tcp6/udp6"
        parts.append(
            f"An IPv4-mapped address (::ffff:a.b.c.d): IPv4 traffic on an IPv6 socket. netstat prints it"
            f" as plain {ip.ipv4_mapped} while Proto stays {proto}."
        )
    elif str(ip) != text:
        parts.append(
            f"inet_ntop (and so netstat) writes it as {text}, in the dotted IPv4-compatible form;"
            f" Python's ipaddress would write {ip}."
        )
    if not family_ok:
        want = "IPv6 (32 hex digits)" if table.endswith("6") else "IPv4 (8 hex digits)"
        parts.append(f"The {table} table holds {want} addresses.")
    return " ".join(parts)


def port_meaning(port: int, local: bool, proto: str) -> tuple[str, str]:
    """(value, meaning) of a port; for raw tables the local "port" is the protocol number."""
    if proto == "raw":
        if local:
            meaning = (
                "Not a port: a raw socket shows its IP protocol number here (1 icmp, 6 tcp, 17 udp,"
                " 58 ipv6-icmp, 255 raw). netstat shows the protocol name from /etc/protocols."
            )
            return f"{port} = IP protocol {protocol_name(port)}", meaning
        meaning = "Always 0 for a raw socket, which has no ports; netstat prints it as *."
        if port:
            meaning += f" {port} is not what the kernel prints here."
        return str(port), meaning
    side = "local" if local else "remote"
    if port == 0:
        what = "no port yet (unbound)" if local else "no peer port (listening or unconnected)"
        return "0", f"The {side} port, %04X hex: 0 means {what}. netstat prints port 0 as *."
    return str(port), (
        f"The {side} port, %04X hex → {port} decimal; netstat shows the service name from /etc/services"
        " unless -n."
    )


def protocol_name(number: int) -> str:
    """The /etc/protocols name of an IP protocol number, or what is known of it."""
    return IP_PROTOCOLS.get(number, "with no well-known name" if number <= 0xFF else "out of range (> 255)")
