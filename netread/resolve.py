"""Names for addresses and ports, found the way netstat 2.10 finds them without -n.

Ports (``get_sname``): the services database is read once, into one list per
protocol (``tcp``, ``udp``, ``raw``); the *last* line for a port wins, which is
not what getservbyport() returns.  The ``raw`` list is the ``raw`` services
plus all of ``/etc/protocols``, protocols taking precedence, so a raw socket's
local "port" (its protocol number) prints as ``icmp``.  Both files are parsed
with glibc's rules for them (a ``#`` anywhere starts a comment; a service port
is read by ``strtoul`` with base 0, so ``0x10/tcp`` is port 16; a malformed
line is skipped).  Names are cut to 63 bytes (netstat's 64-byte buffer).

Hosts (``INET_rresolve``, ``INET6_rresolve``, ``fix_v4_address``): ``0.0.0.0``
is never looked up.  An IPv4 address whose first octet is 0 is a *network* for
netstat (``getnetbyaddr``, /etc/networks); any other goes through
``gethostbyaddr`` and a name is cut to 127 bytes.  IPv6 ``::`` prints ``[::]``;
any other IPv6 address, IPv4-mapped ones included, goes through
``getnameinfo`` as IPv6 (so ``::ffff:127.0.0.1`` is not named by an IPv4
hosts line), and a name of 128 bytes or more does not fit and gives the
number.  For an IPv4-mapped address the text is then cut after the last ``:``
before its first ``.``, which turns ``::ffff:10.0.0.1`` into ``10.0.0.1`` and
leaves ``host.example`` alone.  A failed lookup prints the number.

Unlike netstat, a dead resolver cannot hang a listing: every distinct address
is looked up once per run, concurrently, and whatever has not answered within
the deadline is shown as a number (and reported).  A lookup that answers later
is used by the next ``-c`` cycle.
"""

from __future__ import annotations

import ipaddress
import os
import re
import time
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from netread.model import IPAddress

#: get_sname's buffer holds 63 bytes of name; INET_sprint's 127.
SERVICE_NAME_BYTES = 63
HOST_NAME_BYTES = 127
#: How long one listing waits for the resolver, in seconds, before showing numbers.
RESOLVE_DEADLINE = 5.0
MAX_WORKERS = 16

HostLookup = Callable[[IPAddress], "str | None"]
#: getnetbyaddr() is not reentrant; made with the first Resolver (threading is imported late).
_NETDB_LOCK: Any = None

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


def looked_up(address: IPAddress) -> bool:
    """Whether netstat asks the resolver about ``address``: everything but ``0.0.0.0`` and ``::``.

    >>> looked_up(ipaddress.ip_address("::ffff:10.0.0.1")), looked_up(ipaddress.ip_address("0.0.0.0"))
    (True, False)
    """
    return any(address.packed)


def fix_v4_address(text: str) -> str:
    """netstat's fix_v4_address, for IPv4-mapped addresses: keep what follows the ``:`` before the first ``.``.

    >>> fix_v4_address("::ffff:10.0.0.1"), fix_v4_address("host.example"), fix_v4_address("a:b.c")
    ('10.0.0.1', 'host.example', 'b.c')
    """
    dot = text.find(".")
    if dot < 0:
        return text
    return text[text.rfind(":", 0, dot) + 1 :]


def _getnetbyaddr(net: int) -> str | None:
    """libc getnetbyaddr(net, AF_INET) (not in Python's socket module; not reentrant)."""
    import ctypes
    import socket

    try:
        libc = ctypes.CDLL(None)
        func = libc.getnetbyaddr
    except (OSError, AttributeError):
        return None
    func.restype = ctypes.POINTER(ctypes.c_char_p)  # struct netent starts with char *n_name
    func.argtypes = (ctypes.c_uint32, ctypes.c_int)
    global _NETDB_LOCK
    if _NETDB_LOCK is None:  # normally made by Resolver(), before any lookup thread starts
        import threading

        _NETDB_LOCK = threading.Lock()
    with _NETDB_LOCK:
        entry = func(net, socket.AF_INET)
        name = entry[0] if entry else None
    return None if name is None else name.decode("utf-8", "surrogateescape")


def system_lookup(address: IPAddress) -> str | None:
    """The system resolver's name for ``address``, or None."""
    import socket

    try:
        if isinstance(address, ipaddress.IPv4Address):
            if address.packed[0] == 0:
                return _getnetbyaddr(int(address))
            return socket.gethostbyaddr(str(address))[0]
        name = socket.getnameinfo((socket.inet_ntop(socket.AF_INET6, address.packed), 0, 0, 0), 0)[0]
        # INET6_rresolve's 128-byte buffer: a longer name does not fit and the number is shown.
        return name if len(name.encode("utf-8", "surrogateescape")) <= HOST_NAME_BYTES else None
    except (OSError, UnicodeError, ValueError):
        return None


def _cut(name: str) -> str:
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= HOST_NAME_BYTES:
        return name
    return raw[:HOST_NAME_BYTES].decode("utf-8", "surrogateescape")


class Resolver:
    """Service and host names for one run of netread (kept across ``-c`` cycles).

    ``etc`` is where ``services`` and ``protocols`` are read from; ``lookup``
    turns an address into a name (the system resolver by default); ``deadline``
    bounds how long :meth:`prefetch` waits.
    """

    def __init__(
        self,
        *,
        etc: str | os.PathLike[str] = "/etc",
        lookup: HostLookup = system_lookup,
        deadline: float = RESOLVE_DEADLINE,
    ) -> None:
        self.etc = etc
        self.deadline = deadline
        self._lookup = lookup
        self._services: dict[str, dict[int, str]] | None = None
        self._names: dict[IPAddress, str | None] = {}
        self._pending: set[IPAddress] = set()
        self._queue: list[IPAddress] = []
        self._workers = 0
        import threading

        self._cond = threading.Condition()
        global _NETDB_LOCK
        if _NETDB_LOCK is None:
            _NETDB_LOCK = threading.Lock()

    # -- ports -------------------------------------------------------------

    def service(self, port: int, proto: str) -> str | None:
        """The name netstat shows for ``port`` of ``proto`` (tcp, udp or raw), or None."""
        if self._services is None:
            self._services = service_tables(self._read("services"), self._read("protocols"))
        table = self._services.get(proto)
        return None if table is None else table.get(port)

    def _read(self, name: str) -> bytes:
        try:
            with open(os.path.join(self.etc, name), "rb") as handle:
                return handle.read()
        except OSError:
            return b""

    # -- hosts -------------------------------------------------------------

    def host(self, address: IPAddress) -> str | None:
        """The resolved text for ``address`` (``[::]`` for ``::``), or None to print it as a number."""
        if not looked_up(address):
            return "[::]" if address.version == 6 else None
        if address not in self._names and address not in self._pending:
            self.prefetch((address,))  # one not prefetched; a late one is not waited for again
        name = self._names.get(address)
        if name is not None and isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return fix_v4_address(name)
        return name

    def prefetch(self, addresses: Iterable[IPAddress]) -> list[IPAddress]:
        """Look up every distinct address at once; return those that missed the deadline."""
        wanted: set[IPAddress] = set()
        for address in addresses:
            if address not in self._names and looked_up(address):
                wanted.add(address)
        if not wanted:
            return []
        with self._cond:
            fresh = wanted - self._pending
            self._pending |= fresh
            self._queue.extend(fresh)
            import threading

            while self._workers < min(MAX_WORKERS, len(self._pending)):
                self._workers += 1
                threading.Thread(target=self._work, name="netread-resolver", daemon=True).start()
            self._cond.notify_all()
            end = time.monotonic() + self.deadline
            while not wanted.isdisjoint(self._pending):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return sorted(wanted & self._pending, key=str)

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._workers -= 1
                    return
                key = self._queue.pop()
            name = self._lookup(key)
            with self._cond:
                self._names[key] = None if name is None else _cut(name)
                self._pending.discard(key)
                self._cond.notify_all()
