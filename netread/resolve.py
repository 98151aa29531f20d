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

Answers that need no network are never lost to that deadline, and do not
depend on thread timing: ``/etc/hosts`` is read here, with glibc's files rules
(netread.parse.etc.parse_hosts).  When nsswitch.conf's ``hosts:`` line lists
``files`` first, an address the file names is answered from it at once and
never queued; when ``files`` comes later (``hosts: dns files``, or glibc's
default without a hosts line), an address whose lookup has not answered by the
time it is shown gets the file's name, as glibc gives it once DNS has failed.
"""

from __future__ import annotations

import ipaddress
import itertools
import time
from collections.abc import Callable
from collections.abc import Iterable

from netread.parse.etc import DEFAULT_HOSTS_SOURCES
from netread.parse.etc import fix_v4_address
from netread.parse.etc import nss_sources
from netread.parse.etc import parse_hosts
from netread.parse.etc import service_tables
from netread.proc.etc import read_etc

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import Any

    from netread.model import IPAddress

    HostLookup = Callable[[IPAddress], str | None]

#: INET_sprint's buffer holds 127 bytes of name.
HOST_NAME_BYTES = 127
#: How long one listing waits for the resolver, in seconds, before showing numbers.
RESOLVE_DEADLINE = 5.0
MAX_WORKERS = 16
#: Names kept (the oldest are forgotten first): a listing looks up one piece of a table at a time.
NAMES_KEPT = 1 << 14
#: Lookups waiting for a worker at most (a dead resolver and a million distinct addresses: past
#: the deadline each piece's addresses would be queued; these many are, the rest stay numbers).
MAX_PENDING = 1 << 14

#: getnetbyaddr() is not reentrant; made with the first Resolver (threading is imported late).
_NETDB_LOCK: Any = None

def looked_up(address: IPAddress) -> bool:
    """Whether netstat asks the resolver about ``address``: everything but ``0.0.0.0`` and ``::``.

    >>> looked_up(ipaddress.ip_address("::ffff:10.0.0.1")), looked_up(ipaddress.ip_address("0.0.0.0"))
    (True, False)
    """
    return any(address.packed)


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
        #: -r's getnetbyaddr answers, and its gethostbyaddr ones for addresses host() treats as networks.
        self._networks: dict[ipaddress.IPv4Address, str | None] = {}
        self._networks_hosts: dict[ipaddress.IPv4Address, str | None] = {}
        self._pending: set[IPAddress] = set()
        self._queue: list[IPAddress] = []
        self._workers = 0
        #: (files first, files listed at all, the IPv4 and IPv6 answers of /etc/hosts), read once.
        self._files: tuple[bool, bool, dict[Any, str], dict[Any, str]] | None = None
        #: Whether nsswitch makes getnetbyaddr files-only (:meth:`_networks_local`), read once.
        self._nets_local: bool | None = None
        import threading

        self._cond = threading.Condition()
        global _NETDB_LOCK
        if _NETDB_LOCK is None:
            _NETDB_LOCK = threading.Lock()

    # -- ports -------------------------------------------------------------

    def service(self, port: int, proto: str) -> str | None:
        """The name netstat shows for ``port`` of ``proto`` (tcp, udp or raw), or None."""
        if self._services is None:
            self._services = service_tables(read_etc(self.etc, "services"), read_etc(self.etc, "protocols"))
        table = self._services.get(proto)
        return None if table is None else table.get(port)

    def ports_named(self, name: str) -> frozenset[int]:
        """Every port ``name`` names in the tcp or udp services list (``http`` -> {80})."""
        self.service(0, "tcp")  # read the tables
        assert self._services is not None
        return frozenset(port for proto in ("tcp", "udp") for port, text in self._services.get(proto, {}).items() if text == name)

    # -- hosts -------------------------------------------------------------

    def host(self, address: IPAddress) -> str | None:
        """The resolved text for ``address`` (``[::]`` for ``::``), or None to print it as a number."""
        if not looked_up(address):
            return "[::]" if address.version == 6 else None
        if address not in self._names and address not in self._pending:
            self.prefetch((address,))  # one not prefetched; a late one is not waited for again
        name = self._names.get(address)
        if name is None and address in self._pending:
            name = self._files_fallback(address)
        if name is not None and isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return fix_v4_address(name)
        return name

    def network(self, address: ipaddress.IPv4Address) -> str | None:
        """getnetbyaddr()'s name for a route's destination network (/etc/networks), or None.

        rprint_fib asks for a network where the destination has no host part
        (lib/inet.c INET_rresolve), with the host-order 32-bit number.
        """
        if address not in self._networks:
            if len(self._networks) >= NAMES_KEPT:
                self._networks.clear()
            name = _getnetbyaddr(int(address))
            self._networks[address] = None if name is None else _cut(name)
        return self._networks[address]

    def route_host(self, address: ipaddress.IPv4Address) -> str | None:
        """gethostbyaddr()'s name for a route's host or gateway, even where :meth:`host` would ask
        for a network (a first octet of 0: rprint_fib forces a host lookup with its 0x4000)."""
        if address.packed[0]:
            return self.host(address)
        if address not in self._networks_hosts:
            import socket

            try:
                name: str | None = _cut(socket.gethostbyaddr(str(address))[0])
            except (OSError, UnicodeError, ValueError):
                name = None
            self._networks_hosts[address] = name
        return self._networks_hosts[address]

    def prefetch(self, addresses: Iterable[IPAddress], timeout: float | None = None) -> list[IPAddress]:
        """Look up every distinct address at once; return those that missed the deadline (or
        ``timeout``, the time a listing has left: the lookups go on, the wait does not)."""
        wanted: set[IPAddress] = set()
        for address in addresses:
            if address not in self._names and looked_up(address):
                wanted.add(address)
        if not wanted:
            return []
        with self._cond:
            if self._networks_local():  # netstat's networks (0.x.x.x): /etc/networks only, asked here, never queued
                for address in [a for a in wanted if isinstance(a, ipaddress.IPv4Address) and a.packed[0] == 0]:
                    self._store(address, self._lookup(address))
                    wanted.discard(address)
                if not wanted:
                    return []
            if self._hosts_files()[0]:  # files first: what /etc/hosts names never waits for a thread
                for address in list(wanted):
                    name = self._from_files(address)
                    if name is not None:
                        self._store(address, name)
                        wanted.discard(address)
                if not wanted:
                    return []
            fresh = wanted - self._pending
            room = MAX_PENDING - len(self._pending)
            dropped: list[IPAddress] = []
            if len(fresh) > room:  # a dead resolver and a big table: the rest are not looked up
                dropped = list(itertools.islice(fresh, max(0, room), None))
                fresh.difference_update(dropped)
            self._pending |= fresh
            self._queue.extend(fresh)
            import threading

            while self._workers < min(MAX_WORKERS, len(self._pending)):
                self._workers += 1
                threading.Thread(target=self._work, name="netread-resolver", daemon=True).start()
            self._cond.notify_all()
            end = time.monotonic() + (self.deadline if timeout is None else timeout)
            while not wanted.isdisjoint(self._pending):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            # an address the files name is shown by that name (host()), so it is not reported late
            late = sorted((a for a in wanted & self._pending if self._files_fallback(a) is None), key=str)
            for address in dropped:  # answered as the files answer (or not at all), so host() does not ask again
                name = self._files_fallback(address)
                self._store(address, name)
                if name is None:
                    late.append(address)
            return late

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._workers -= 1
                    return
                key = self._queue.pop()
            name = self._lookup(key)
            with self._cond:
                self._store(key, name)
                self._pending.discard(key)
                self._cond.notify_all()

    def _store(self, key: IPAddress, name: str | None) -> None:
        """Keep ``key``'s answer (the caller holds ``_cond``)."""
        if len(self._names) >= NAMES_KEPT:  # the oldest go first: memory stays flat across -c cycles
            for old in list(itertools.islice(self._names, NAMES_KEPT // 4)):
                del self._names[old]
        self._names[key] = None if name is None else _cut(name)

    def _hosts_files(self) -> tuple[bool, bool, dict[Any, str], dict[Any, str]]:
        if self._files is None:
            sources = nss_sources(read_etc(self.etc, "nsswitch.conf"), "hosts")
            if sources is None:
                sources = DEFAULT_HOSTS_SOURCES
            listed = "files" in sources
            v4, v6 = parse_hosts(read_etc(self.etc, "hosts")) if listed else ({}, {})
            self._files = (bool(sources) and sources[0] == "files", listed, v4, v6)
        return self._files

    def _networks_local(self) -> bool:
        """Whether getnetbyaddr() reads /etc/networks only (nsswitch ``networks: files``), so it
        needs no network and is answered before any lookup thread is asked (glibc's default without
        the line consults DNS first, so those wait with the rest)."""
        if self._nets_local is None:
            sources = nss_sources(read_etc(self.etc, "nsswitch.conf"), "networks")
            self._nets_local = sources == ["files"]
        return self._nets_local

    def _from_files(self, address: IPAddress) -> str | None:
        """/etc/hosts' name for ``address`` as gethostbyaddr (IPv4) or getnameinfo (IPv6) finds it there."""
        _, _, v4, v6 = self._hosts_files()
        if isinstance(address, ipaddress.IPv4Address):
            if address.packed[0] == 0:  # a network for netstat (getnetbyaddr): not a hosts line
                return None
            return v4.get(address)
        name = v6.get(address)
        # as system_lookup: getnameinfo's 128-byte buffer cannot hold a longer name, so the number is shown
        return name if name is None or len(name.encode("utf-8", "surrogateescape")) <= HOST_NAME_BYTES else None

    def _files_fallback(self, address: IPAddress) -> str | None:
        """The files' name for an address whose lookup has not answered, when nsswitch lists files."""
        with self._cond:
            return _cut(name) if self._hosts_files()[1] and (name := self._from_files(address)) is not None else None


def user_name(uid: int) -> str | None:
    """This host's name for ``uid`` (getpwuid), or None."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return None
