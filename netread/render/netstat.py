"""Rows and headers exactly as net-tools netstat 2.10 prints them.

Widths, truncation and state names come from netstat.c (tcp_do_one,
udp_do_one, raw_do_one, unix_do_one, addr_do_one, finish_this_one) and were
checked against the real binary on the same files (the oracle tests,
tests/test_oracle_*.py).  Where netstat misbehaves
(undefined state numbers, unix paths cut at whitespace, control bytes written
raw) the text here differs on purpose; README "Differences from netstat".
"""

from __future__ import annotations

import itertools

from netread.escape import escape_text
from netread.model import UNIX_FLAGS
from netread.model import UNKNOWN
from netread.model import InetSocket
from netread.model import Owners
from netread.model import Table
from netread.model import TcpState
from netread.model import UnixSocket
from netread.model import UnixState
from netread.model import timer_word
from netread.model import unix_type_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import AnyStr
    from typing import Protocol
    from typing import TypeVar

    from netread.model import IPAddress
    from netread.parse.inet import ByteOrder
    from netread.select import Options

    K = TypeVar("K")
    V = TypeVar("V")

    class Names(Protocol):
        """Host and service names, already looked up (netread.resolve.Resolver): the renderer asks, never waits."""

        def host(self, address: IPAddress) -> str | None: ...

        def service(self, port: int, proto: str) -> str | None: ...

#: Texts kept per cache before it is emptied (memory stays flat on huge or hostile tables).
COLUMN_CACHE = 1 << 13
#: addr_do_one's short_len: host + port longer than this are cut (unless -W).
ADDR_SHORT_LEN = 22
ADDR_COLUMN = 23
#: The address text buffer of tcp/udp/raw_do_one holds 127 bytes and a NUL (-W only).
ADDR_BUFFER = 127

INET_HEADER = "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
UNIX_HEADER = "Proto RefCnt Flags       Type       State         I-Node  "


def banner(kind: str, opts: Options) -> str:
    """``Active Internet connections (servers and established)`` and the like."""
    what = "Internet connections" if kind == "inet" else "UNIX domain sockets"
    if opts.all:
        scope = "(servers and established)"
    elif opts.listening:
        scope = "(only servers)"
    else:
        scope = "(w/o servers)"
    return f"Active {what} {scope}"


def inet_header(opts: Options) -> str:
    header = INET_HEADER
    if opts.extend:
        header += " User       Inode     "
    if opts.programs:
        header += " " + "PID/Program name".ljust(20)
    if opts.timers:
        header += " Timer"
    return header


def unix_header(opts: Options) -> str:
    header = UNIX_HEADER
    if opts.programs:
        header += " " + "PID/Program name".ljust(20)
    return header + " Path"


def _c_long(value: int) -> int:
    """The value as printf ``%ld`` shows an ``unsigned long`` scanned by ``%lX``."""
    if value > 0x7FFFFFFFFFFFFFFF:
        value = min(value, 0xFFFFFFFFFFFFFFFF) - (1 << 64)
    return value


def numeric_host(address: IPAddress) -> str:
    """netstat -n host text: dotted IPv4, inet_ntop IPv6, IPv4-mapped shown as IPv4."""
    if address.version == 4:
        return str(address)
    mapped = address.ipv4_mapped
    if mapped is not None:
        return str(mapped)
    # inet_ntop, not ipaddress: they differ on IPv4-compatible ::a.b.c.d.
    import socket

    return socket.inet_ntop(socket.AF_INET6, address.packed)


PROGNAME_WIDTH = 20


def _c_int(value: int) -> int:
    """The value as printf ``%d`` shows an ``int`` (uid 4294967294 prints -2)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value > 0x7FFFFFFF else value


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _ljust(text: str, width: int) -> str:
    """``text`` padded to ``width`` bytes, as printf's ``%-Ns`` pads (it counts bytes, not characters)."""
    if text.isascii():
        return text.ljust(width)
    return text + " " * (width - len(_encode(text)))


def addr_do_one(host: AnyStr, service: AnyStr, colon: AnyStr, wide: bool) -> AnyStr:
    """netstat's ``host:service`` (addr_do_one): cut to 22 bytes and a colon unless ``wide``, the
    service kept (up to 18 bytes) and the host shortened; never more than its 127-byte buffer."""
    if not wide and len(host) + len(service) > ADDR_SHORT_LEN:
        port_len = min(len(service), ADDR_SHORT_LEN - 4)
        return host[: ADDR_SHORT_LEN - port_len] + colon + service[:port_len]
    return (host + colon + service)[:ADDR_BUFFER]


def _address_bytes(host: bytes, service: bytes, wide: bool) -> str:
    """addr_do_one on bytes, for names that are not ASCII: netstat counts and cuts bytes.

    The cut comes first and the escape after, so a character cut in two leaves
    stray bytes, shown escaped rather than raw, and no escape is cut.
    """
    return escape_text(addr_do_one(host, service, b":", wide).decode("utf-8", "surrogateescape"))


def _no_user(uid: int) -> str | None:
    return None


def remember(cache: dict[K, V], key: K, value: V) -> V:
    """``cache[key] = value``, the cache emptied first when it holds :data:`COLUMN_CACHE` texts:
    no cache grows with the number of distinct addresses, ports, users or queues of a table."""
    if len(cache) >= COLUMN_CACHE:
        cache.clear()
    cache[key] = value
    return value


class NetstatFormatter:
    """Formats decoded rows as netstat lines; keeps address and user texts, at most
    :data:`COLUMN_CACHE` of each kind (:func:`remember`)."""

    def __init__(
        self,
        opts: Options,
        *,
        owners: Owners | None = None,
        clk_tck: int = 100,
        user_name: Callable[[int], str | None] | None = None,
        names: Names | None = None,
    ) -> None:
        self.opts = opts
        #: Name lookups; None means numbers (as with -n).
        self.names = names
        self.owners = owners if owners is not None else Owners()
        self.clk_tck = clk_tck
        self._user_name = user_name or _no_user
        self._hosts: dict[IPAddress, str] = {}
        self._ports: dict[tuple[int, str], str] = {}
        self._token_hosts: dict[str, str] = {}
        #: For netread.render.netstat_fast: padded address columns by endpoint token, per family; queue texts by token.
        self.columns: dict[str, dict[str, str]] = {}
        self.queue_texts: dict[str, str] = {}
        self._token_ports: dict[tuple[str, str], str] = {}
        self._users: dict[int, str] = {}
        self._programs: dict[int, str] = {}
        self._unix_columns: dict[tuple[bool, int, int, int], tuple[str, str]] = {}

    def host(self, address: IPAddress) -> str:
        """The host part of an address: a name unless --numeric-hosts, else the number; not escaped
        (:meth:`join_address` cuts it first, as netstat cuts the bytes, then escapes the cut text)."""
        text = self._hosts.get(address)
        if text is None:
            name = None if self.opts.numeric_hosts or self.names is None else self.names.host(address)
            text = remember(self._hosts, address, numeric_host(address) if name is None else name)
        return text

    def port(self, port: int, family: str) -> str:
        """get_sname: ``*`` for port 0, else the service name of ``family`` (tcp, udp, raw) or the number; not escaped."""
        if port == 0:
            return "*"
        if self.opts.numeric_ports or self.names is None:
            return str(port)
        text = self._ports.get((port, family))
        if text is None:
            name = self.names.service(port, family)
            text = remember(self._ports, (port, family), str(port) if name is None else name)
        return text

    def address(self, address: IPAddress, port: int, family: str) -> str:
        """addr_do_one: ``host:port``, cut to 23 bytes unless --wide."""
        return self.join_address(self.host(address), self.port(port, family))

    def join_address(self, host: str, service: str) -> str:
        """addr_do_one's cut, given the host and service texts (raw): the cut is made first, on the
        bytes as netstat makes it, and the cut text escaped, so no escape is ever cut in two."""
        if not (host.isascii() and service.isascii()):
            return _address_bytes(_encode(host), _encode(service), self.opts.wide)
        return escape_text(addr_do_one(host, service, ":", self.opts.wide))

    def host_of_token(self, token: str, byteorder: ByteOrder) -> str:
        """:meth:`host` for the hex address token of a /proc line (cached by token)."""
        text = self._token_hosts.get(token)
        if text is None:
            from netread.parse.inet import decode_address

            text = remember(self._token_hosts, token, self.host(decode_address(token, byteorder)))
        return text

    def port_of_token(self, token: str, family: str) -> str:
        """:meth:`port` for the 4-hex-digit port token of a /proc line (cached)."""
        key = (token, family)
        text = self._token_ports.get(key)
        if text is None:
            text = remember(self._token_ports, key, self.port(int(token, 16), family))
        return text

    def endpoints(self, sock: InetSocket) -> tuple[str, str]:
        """Local and remote ``host:port`` as the columns show them, but never cut."""
        family = Table(sock.table).services
        return (
            escape_text(self.host(sock.local.address) + ":" + self.port(sock.local.port, family)),
            escape_text(self.host(sock.remote.address) + ":" + self.port(sock.remote.port, family)),
        )

    def inet_state(self, sock: InetSocket, family: str) -> str:
        return state_text(sock.st, family)

    def timer(self, sock: InetSocket, family: str) -> str:
        """netstat -o: ``word (secs/retransmits/probes)``."""
        return self.timer_text(sock.timer, sock.when, sock.retrnsmt or 0, sock.timeout or 0, family)

    def timer_text(self, code: int, when: int, retrnsmt: int, timeout: int, family: str) -> str:
        retr = 0 if family == "udp" else _c_long(retrnsmt)  # udp_do_one resets retr
        probes = _c_int(timeout)
        if family == "tcp":
            if code == 0:
                return f"off (0.00/{retr}/{probes})"
            return "%s (%2.2f/%d/%d)" % (timer_word(Table.TCP, code), when / self.clk_tck, retr, probes)
        if code == 0:
            return f"off (0.00/{retr}/{probes})"
        return "%s (%2.2f/%d/%d)" % (timer_word(Table.UDP, code), when / 100, retr, probes)

    def inet_row(self, sock: InetSocket) -> str:
        """One Internet row, without its newline."""
        table = Table(sock.table)
        family = table.services
        local = self.address(sock.local.address, sock.local.port, family)
        remote = self.address(sock.remote.address, sock.remote.port, family)
        line = "%-5s %6d %6d %s %s %-11s" % (
            table.label,
            _c_long(sock.rx_queue),
            _c_long(sock.tx_queue),
            _ljust(local, ADDR_COLUMN),
            _ljust(remote, ADDR_COLUMN),
            self.inet_state(sock, family),
        )
        opts = self.opts
        if opts.extend:
            line += " " + self.user(sock.uid) + " " + ("%-10d" % sock.inode if sock.inode is not None else "-         ")
        if opts.programs:
            line += " " + self.program(sock.inode)
        if opts.timers:
            line += " " + self.timer(sock, family)
        return line

    def user(self, uid: int | None) -> str:
        """finish_this_one: the user name, or the uid with --numeric-users or when unknown."""
        if uid is None:
            return "%-10s" % "-"
        text = self._users.get(uid)
        if text is None:
            name = None if self.opts.numeric_users else self._user_name(uid)
            text = remember(self._users, uid, _ljust(escape_text(name), 10) if name is not None else "%-10d" % _c_int(uid))
        return text

    def program(self, inode: int | None) -> str:
        """``pid/name`` padded to 20 bytes, or ``-``."""
        pids = None if inode is None else self.owners.holders.get(inode)
        if not pids:
            return "-".ljust(PROGNAME_WIDTH)
        text = self._programs.get(pids[0])  # made once per process (a server holds thousands of sockets)
        if text is None:
            from netread.parse.links import netstat_label

            owner = self.owners.processes[pids[0]]
            label = netstat_label(owner.pid, owner.program)
            text = remember(self._programs, pids[0], _ljust(escape_text(label.decode("utf-8", "surrogateescape")), PROGNAME_WIDTH))
        return text

    def unix_row(self, sock: UnixSocket) -> str:
        """One unix row, without its newline."""
        key = (sock.protocol == 0, sock.flags, sock.type, sock.st)
        middle = self._unix_columns.get(key)
        if middle is None:  # flags, type and state take few values: their text is made once each
            flags = "[ " + "".join(name + " " for bit, name in UNIX_FLAGS if sock.flags & bit) + "]"
            state = "" if sock.st == UnixState.UNCONNECTED and not sock.listening else sock.state_name
            middle = remember(self._unix_columns, key, ("unix" if key[0] else "??", " %-11s %-10s %-13s " % (flags, unix_type_name(sock.type), state)))
        line = "%-5s %-6d" % (middle[0], _c_long(sock.refcount)) + middle[1]
        line += "%-8d" % sock.inode if sock.inode is not None else "-       "
        if self.opts.programs:
            line += " " + self.program(sock.inode)
        path = sock.path
        if sock.suspect == "forged":  # part of the previous name, not a socket: never shown as a plain row
            return line + " [forged] " + (escape_text(path) if path is not None else "")
        return line + " " + (escape_text(path) if path is not None else "")


def state_text(st: int, family: str) -> str:
    """The State column for state number ``st`` of a tcp, udp or raw row (``family``: the services name).

    tcp: netstat's tcp_state[] (01-0B; UNKNOWN past it, where netstat reads past its table);
    udp: ESTABLISHED or blank for TCP_CLOSE; raw: the number.
    """
    if family == "tcp":
        state = TcpState.printed(st)
        return UNKNOWN if state is None else state.name
    if family == "udp":
        return TcpState.ESTABLISHED.name if st == TcpState.ESTABLISHED else "" if st == TcpState.CLOSE else UNKNOWN
    return str(st)


def unix_section(fmt: NetstatFormatter, rows: Iterable[UnixSocket]) -> str:
    """The unix section: banner, header and rows (the banner and header even with no rows)."""
    return "".join(unix_pieces(fmt, rows))


#: Unix rows formatted into one piece of text by :func:`unix_pieces`.
UNIX_BATCH = 4096


def unix_pieces(fmt: NetstatFormatter, rows: Iterable[UnixSocket]) -> Iterator[str]:
    """:func:`unix_section` a piece at a time: banner and header, then :data:`UNIX_BATCH` rows
    per piece, as ``rows`` come (a streamed listing holds one piece)."""
    opts = fmt.opts
    yield banner("unix", opts) + "\n" + unix_header(opts) + "\n"
    row_text = fmt.unix_row
    it = iter(rows)
    while True:
        piece = [row_text(row) + "\n" for row in itertools.islice(it, UNIX_BATCH)]
        if not piece:
            return
        yield "".join(piece)
