"""/etc/services, /etc/protocols, /etc/hosts and nsswitch.conf, parsed with glibc's rules for them, and netstat's text rules for names.

Pure functions of the files' bytes (netread/proc/etc.py reads them).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Iterable

#: get_sname's buffer holds 63 bytes of name.
SERVICE_NAME_BYTES = 63

# glibc's files parsers (nss_files/files-service.c, files-proto.c): a field
# ends at C isspace(), which is what \s means for a bytes pattern.
_NAME = re.compile(rb"(\S+)\s*")
_FIELD = re.compile(rb"\S*")
_STRTOUL_BASE0 = re.compile(rb"\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_STRTOUL_BASE10 = re.compile(rb"\s*([+-]?)([0-9]+)")


def _strtou32(sign: bytes, digits: bytes, base: int) -> int | None:
    """The number glibc 2.36's files parsers take from ``digits``, or None when they refuse the line.

    strtoul() semantics (a minus sign wraps modulo 2**64), then anything above
    32 bits, which includes every negative number but -0, is refused (found by
    experiment with getent).
    """
    if base == 10:
        value = int(digits)
    elif digits[:2] in (b"0x", b"0X"):
        value = int(digits[2:], 16)
    else:
        value = int(digits, 8 if digits.startswith(b"0") else 10)
    if sign == b"-" and value:
        return None
    return value if value <= 0xFFFFFFFF else None


def _entries(data: bytes) -> Iterable[bytes]:
    """Lines as glibc's LINE_PARSER sees them: cut at NUL and ``#``, leading blanks gone."""
    for line in data.split(b"\n"):
        line = line.split(b"\0", 1)[0].split(b"#", 1)[0].lstrip()
        if line:
            yield line


def _name(raw: bytes) -> str:
    return raw[:SERVICE_NAME_BYTES].decode("utf-8", "surrogateescape")


def parse_services(data: bytes) -> dict[str, dict[int, str]]:
    r"""``{proto: {port: name}}`` from /etc/services text, the last line for a port winning.

    >>> parse_services(b"first 80/tcp\nsecond 80/tcp www # comment\nbad 81 /tcp\n")
    {'tcp': {80: 'second'}}
    """
    table: dict[str, dict[int, str]] = {}
    for line in _entries(data):
        name = _NAME.match(line)
        assert name is not None  # a non-empty, left-stripped line starts with a name
        number = _STRTOUL_BASE0.match(line, name.end())
        if number is None:
            continue
        end = number.end()
        if end < len(line) and line[end : end + 1] != b"/":
            continue
        port = _strtou32(number.group(1), number.group(2), 0)
        if port is None:
            continue
        while line[end : end + 1] == b"/":
            end += 1
        proto = _FIELD.match(line, end)
        assert proto is not None  # \S* always matches
        table.setdefault(proto.group().decode("latin-1"), {})[port & 0xFFFF] = _name(name.group(1))
    return table


def parse_protocols(data: bytes) -> dict[int, str]:
    r"""``{number: name}`` from /etc/protocols text, the last line for a number winning.

    >>> parse_protocols(b"icmp 1 ICMP\nipv6-icmp 58\n")
    {1: 'icmp', 58: 'ipv6-icmp'}
    """
    table: dict[int, str] = {}
    for line in _entries(data):
        name = _NAME.match(line)
        assert name is not None
        number = _STRTOUL_BASE10.match(line, name.end())
        if number is None or not (number.end() == len(line) or line[number.end() : number.end() + 1].isspace()):
            continue
        proto = _strtou32(number.group(1), number.group(2), 10)
        if proto is not None:
            table[proto & 0xFFFF] = _name(name.group(1))
    return table


def service_tables(services: bytes, protocols: bytes) -> dict[str, dict[int, str]]:
    """netstat's three lookup lists: tcp, udp, and raw (raw services, then protocols over them)."""
    parsed = parse_services(services)
    raw = dict(parsed.get("raw", {}))
    raw.update(parse_protocols(protocols))
    return {"tcp": parsed.get("tcp", {}), "udp": parsed.get("udp", {}), "raw": raw}


def fix_v4_address(text: str) -> str:
    """netstat's fix_v4_address, for IPv4-mapped addresses: keep what follows the ``:`` before the first ``.``.

    >>> fix_v4_address("::ffff:10.0.0.1"), fix_v4_address("host.example"), fix_v4_address("a:b.c")
    ('10.0.0.1', 'host.example', 'b.c')
    """
    dot = text.find(".")
    if dot < 0:
        return text
    return text[text.rfind(":", 0, dot) + 1 :]


def nss_sources(data: bytes, database: str) -> list[str] | None:
    r"""The sources nsswitch.conf lists for ``database``, in order (actions in brackets left out),
    or None when it has no line for it (glibc then uses its built-in default).

    >>> nss_sources(b"# c\nhosts:  files mdns4_minimal [NOTFOUND=return] dns\n", "hosts")
    ['files', 'mdns4_minimal', 'dns']
    >>> nss_sources(b"passwd: files\n", "hosts") is None
    True
    """
    for line in _entries(data):
        name, colon, rest = line.partition(b":")
        if colon and name.strip().lower() == database.encode():
            return [word for word in re.sub(rb"\[[^\]]*\]?", b" ", rest).decode("ascii", "replace").split()]
    return None


#: glibc's hosts line when nsswitch.conf has none (nss/nss_database.c).
DEFAULT_HOSTS_SOURCES = ["dns", "files"]


def _pton(text: bytes) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """inet_pton: a dotted quad, else IPv6 text (no zone index), else None."""
    import ipaddress

    try:
        word = text.decode("ascii")
        if "%" in word or "/" in word:
            return None
        return ipaddress.IPv4Address(word) if ":" not in word else ipaddress.IPv6Address(word)
    except (UnicodeError, ValueError):
        return None


def parse_hosts(data: bytes) -> tuple[dict[ipaddress.IPv4Address, str], dict[ipaddress.IPv6Address, str]]:
    r"""The canonical name (the first name of the first matching line) that glibc's files backend
    gives a reverse lookup (``gethostbyaddr``), for IPv4 (AF_INET) and IPv6 (AF_INET6) addresses.

    As nss_files/files-hosts.c parses a line: an AF_INET lookup also takes an IPv6 line that is
    IPv4-mapped (as its IPv4 address) or ``::1`` (as 127.0.0.1); an AF_INET6 lookup never takes an
    IPv4 line; a line whose address does not parse is skipped; a line with an address and no name
    names it ``""`` (netstat then prints ``:port``).

    >>> v4, v6 = parse_hosts(b"::1 ip6-localhost\n127.0.0.1 localhost # c\n10.0.0.1\n10.0.0.1 b a\n10.0.0.2 c\n")
    >>> sorted((str(k), v) for k, v in v4.items()), sorted((str(k), v) for k, v in v6.items())
    ([('10.0.0.1', ''), ('10.0.0.2', 'c'), ('127.0.0.1', 'ip6-localhost')], [('::1', 'ip6-localhost')])
    """
    import ipaddress

    v4: dict[ipaddress.IPv4Address, str] = {}
    v6: dict[ipaddress.IPv6Address, str] = {}
    loopback = ipaddress.IPv4Address("127.0.0.1")
    for line in _entries(data):
        fields = line.split(None, 2)
        address = _pton(fields[0])
        name = fields[1].decode("utf-8", "surrogateescape") if len(fields) > 1 else ""
        if isinstance(address, ipaddress.IPv4Address):
            v4.setdefault(address, name)
        elif isinstance(address, ipaddress.IPv6Address):
            v6.setdefault(address, name)
            mapped = address.ipv4_mapped if address != ipaddress.IPv6Address("::1") else loopback
            if mapped is not None:
                v4.setdefault(mapped, name)
    return v4, v6
