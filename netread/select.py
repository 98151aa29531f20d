"""What a listing reads and keeps: netstat 2.10's flag rules, table order and stop rule, and the filters.

netstat's main() resolves its flags (:meth:`Options.resolve`), reads one
Internet section (tcp, tcp6, udp, udp6, udplite, udplite6, raw, raw6, in that
order, with SCTP between tcp6 and udp: netread/cli/listing_sctp.py) then unix
(:func:`plan`), and keeps servers, the rest, or both
(:func:`keep_inet`, :func:`keep_unix`).  The filters (--state, --port...) work
on the model's records, so they mean the same in every output.
"""

from __future__ import annotations

from netread.model import LISTENING
from netread.model import UNKNOWN
from netread.model import InetSocket
from netread.model import Owner
from netread.model import Table
from netread.model import TcpState
from netread.model import UnixSocket
from netread.model import UnixState

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from collections.abc import Sequence
    from typing import NamedTuple

    from netread.model import Owners
    from netread.model import Sockets
else:
    from netread._namedtuple import NamedTuple


class Options(NamedTuple):
    """What to list and how; field names follow netstat's long options.

    Build it with :meth:`resolve`, which applies netstat's defaulting rules
    (no protocol flag means every protocol and unix; ``-4``/``-6`` alone mean
    every inet protocol and no unix).
    """

    tcp: bool = False
    udp: bool = False
    udplite: bool = False
    raw: bool = False
    unix: bool = False
    #: -S --sctp (listed by netread/cli/listing_sctp.py, between tcp and udp, as netstat does).
    sctp: bool = False
    inet: bool = False
    inet6: bool = False
    listening: bool = False
    all: bool = False
    numeric_hosts: bool = False
    numeric_ports: bool = False
    numeric_users: bool = False
    wide: bool = False
    extend: bool = False
    programs: bool = False
    timers: bool = False
    verbose: bool = False
    #: --explain: legend, state glossary and findings around the rows.
    explain: bool = False
    #: --strict: any malformed line makes the exit status 1.
    strict: bool = False
    #: True when any socket-kind flag was given (netstat's ``flag_arg``).
    explicit: bool = False
    #: ``-4``/``-6``/``-A inet`` without a protocol flag (netstat's ``flag_noprot``): absent
    #: tables are then skipped silently, whatever else was asked.
    noprot: bool = False

    @classmethod
    def resolve(cls, **flags: bool) -> Options:
        """Apply netstat's rules for which tables and families are read.

        >>> o = Options.resolve(inet=True)
        >>> (o.tcp, o.udp, o.raw, o.unix, o.inet6, o.noprot)
        (True, True, True, False, False, True)
        """
        opts = cls(**flags)
        protos = opts.tcp or opts.udp or opts.udplite or opts.raw or opts.sctp
        changes: dict[str, bool] = {}
        if (opts.inet or opts.inet6) and not protos:
            changes.update(tcp=True, udp=True, udplite=True, raw=True, sctp=True, noprot=True)
            protos = True
        if protos and not (opts.inet or opts.inet6):
            changes.update(inet=True, inet6=True)
        changes["explicit"] = protos or opts.unix
        return opts._replace(**changes)

    def wants(self, proto: str) -> bool:
        """Whether the section for ``proto`` (tcp, sctp, udp, udplite, raw, unix) is listed."""
        return not self.explicit or bool(getattr(self, proto))

    @property
    def required(self) -> bool:
        """Whether an absent table of a listed family is an error (status 1, listing stops)."""
        return self.explicit and not self.noprot

    @property
    def numeric(self) -> bool:
        return self.numeric_hosts and self.numeric_ports


class Family(NamedTuple):
    """One of netstat's ``*_info()`` calls: the tables it reads and its name in messages."""

    name: str
    tables: tuple[Table, ...]
    #: An absent first table ends the listing after this family, with status 1.
    required: bool
    #: Say "no support" for an absent first table.
    say_absent: bool


#: (the -t/-u/-U/-w option, IPv4 table, IPv6 table, netstat's name for the family)
INET_FAMILIES = (
    ("tcp", Table.TCP, Table.TCP6, "AF INET (tcp)"),
    ("udp", Table.UDP, Table.UDP6, "AF INET (udp)"),
    ("udplite", Table.UDPLITE, Table.UDPLITE6, "AF INET (udplite)"),
    ("raw", Table.RAW, Table.RAW6, "AF INET (raw)"),
)


def plan(opts: Options) -> list[Family]:
    """The families one listing reads, in netstat's order, with netstat's rules for absent files.

    An absent IPv6 file is always skipped silently.  An absent IPv4 (or unix)
    file of an explicitly requested family is reported and ends the listing
    with status 1; with ``-4``/``-6`` alone (``noprot``) it is skipped silently.

    >>> [(f.name, [str(t) for t in f.tables], f.required) for f in plan(Options.resolve(tcp=True, inet6=True))]
    [('AF INET (tcp)', ['tcp6'], False)]
    """
    families = []
    say = (opts.explicit or opts.verbose) and not opts.noprot
    for flag, table4, table6, name in INET_FAMILIES:
        if not opts.wants(flag):
            continue
        tables = tuple(t for t, read in ((table4, not opts.explicit or opts.inet), (table6, not opts.explicit or opts.inet6)) if read)
        families.append(Family(name, tables, opts.required and table4 in tables, say and table4 in tables))
    if opts.wants("unix"):
        families.append(Family("AF UNIX", (Table.UNIX,), opts.required, say))
    return families


def keep_inet(opts: Options) -> Callable[[InetSocket], bool] | None:
    """netstat's -a/-l/default rule for inet rows (None: keep all): by remote port for tcp,
    by remote address otherwise."""
    if opts.all:
        return None
    listening = opts.listening
    return lambda sock: sock.connected != listening


def keep_unix(opts: Options) -> Callable[[UnixSocket], bool] | None:
    """netstat's rule for unix: servers are unconnected sockets with the accept flag."""
    if opts.all:
        return None
    listening = opts.listening
    return lambda sock: sock.listening == listening


# -- filters ---------------------------------------------------------------------

#: State names a --state filter accepts: the kernel's TCP names, UDP/raw's, unix's.
STATES = frozenset({s.name for s in TcpState if TcpState.printed(s)} | {s.name for s in UnixState} | {LISTENING, UNKNOWN})


class FilterError(ValueError):
    """A filter value that cannot mean anything (an unknown state, a port out of range)."""


class Filters(NamedTuple):
    """--state, --port, --sport, --dport, --pid, --program, --user; they combine with AND.

    A unix socket has no port and no uid, so a port or user filter leaves it out.
    A port filter holds every port its value names (``http`` is 80 for tcp and udp).
    """

    states: frozenset[str] | None = None
    port: frozenset[int] | None = None
    sport: frozenset[int] | None = None
    dport: frozenset[int] | None = None
    pid: int | None = None
    program: str | None = None
    user: str | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in self)

    @property
    def need_owners(self) -> bool:
        """Whether the fd scan must run (a pid or program filter) even without -p."""
        return self.pid is not None or self.program is not None

    def matches(self, sock: InetSocket | UnixSocket, owners: Sequence[Owner], user: str | None) -> bool:
        """Whether ``sock``, held by ``owners`` (every holder) and of user name ``user``, is kept.

        --pid matches any holder; --program matches argv[0] as netstat names it
        or the process name ``ps`` shows (comm).
        """
        if self.states is not None:
            state = sock.state_name
            if state not in self.states and not (state == LISTENING and "LISTEN" in self.states):
                return False
        inet = sock if isinstance(sock, InetSocket) else None
        local = None if inet is None else inet.local.port
        remote = None if inet is None else inet.remote.port
        if self.port is not None and local not in self.port and remote not in self.port:
            return False
        if self.sport is not None and local not in self.sport:
            return False
        if self.dport is not None and remote not in self.dport:
            return False
        if self.pid is not None and all(o.pid != self.pid for o in owners):
            return False
        if self.program is not None and all(self.program not in (o.program, o.comm) for o in owners):
            return False
        if self.user is not None:
            uid = None if inet is None else inet.uid
            if _ascii_number(self.user):  # parse_user bounded it to 32 bits
                return uid is not None and uid == int(self.user)
            return uid is not None and user == self.user
        return True


def parse_states(text: str) -> frozenset[str]:
    """``LISTEN,close_wait`` -> {"LISTEN", "CLOSE_WAIT"}; an unknown name is an error.

    >>> sorted(parse_states("listen,Time_Wait"))
    ['LISTEN', 'TIME_WAIT']
    """
    names = frozenset(part.strip().upper().replace("-", "_") for part in text.split(",") if part.strip())
    unknown = sorted(names - STATES)
    if unknown or not names:
        raise FilterError(f"unknown state {', '.join(shown_value(u, quote='') for u in unknown) or shown_value(text)}; known: {', '.join(sorted(STATES))}")
    return names


def parse_port(text: str, what: str, services: Callable[[str], frozenset[int]] | None = None) -> frozenset[int]:
    """A port number, or a service name looked up with ``services`` (as ss takes ``:http``).

    >>> sorted(parse_port("80", "--port")), sorted(parse_port("http", "--port", lambda name: frozenset({80})))
    ([80], [80])
    """
    port = bounded_number(text, 0xFFFF)
    if port is not None:
        return frozenset({port})
    if _ascii_number(text):
        raise FilterError(f"{what} wants a port number 0-65535 or a service name, not {shown_value(text)}")
    ports = services(text) if services is not None and text else frozenset()
    if not ports:
        raise FilterError(f"{what} wants a port number 0-65535 or a service name, not {shown_value(text)} (not in /etc/services)")
    return ports


#: The largest pid Linux hands out (PID_MAX_LIMIT, 2^22) is far below pid_t's 2^31 - 1.
PID_MAX = (1 << 31) - 1
#: uid_t is 32 bits; (uid_t)-1 is no user.
UID_MAX = (1 << 32) - 2


def parse_pid(text: str) -> int:
    """A --pid value: ASCII digits, 1 to 2^31 - 1 (pid_t); anything else is an error.

    >>> parse_pid("42")
    42
    """
    pid = bounded_number(text, PID_MAX)
    if pid is None or pid == 0:
        raise FilterError(f"--pid wants a process id 1-{PID_MAX}, not {shown_value(text)}")
    return pid


def parse_user(text: str) -> str:
    """A --user value: a uid (ASCII digits, 0 to 2^32 - 2) or a user name; a number past 32 bits is an error.

    ``²`` or ``٣`` are not numbers here (only ASCII digits are), so they are names.

    >>> parse_user("0"), parse_user("www-data")
    ('0', 'www-data')
    """
    if _ascii_number(text):
        if bounded_number(text, UID_MAX) is None:
            raise FilterError(f"--user wants a user name or a uid 0-{UID_MAX}, not {shown_value(text)}")
        return str(int(text))  # "007" is uid 7
    if not text:
        raise FilterError("--user wants a user name or a uid, not an empty name")
    return text


def _ascii_number(text: str) -> bool:
    """Only ASCII digits (``str.isdigit`` is also true for ``²`` and ``٣``)."""
    return text.isascii() and text.isdigit()


def bounded_number(text: str, most: int) -> int | None:
    r"""``text`` as a number 0..``most`` when it is ASCII digits within that range, else None; never
    hands int() a string of thousands of digits (its 4300-digit limit raises).

    >>> bounded_number("065535", 0xFFFF), bounded_number("65536", 0xFFFF), bounded_number("1" * 5000, 9), bounded_number("\u00b2", 9)
    (65535, None, None, None)
    """
    if not _ascii_number(text):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(most)):
        return None
    value = int(digits)
    return value if value <= most else None


def shown_value(text: str, most: int = 40, quote: str = "'") -> str:
    r"""A command-line value as a message quotes it: escaped for the terminal, cut when long.

    >>> shown_value("a\x1b[2J"), shown_value("9" * 100)
    ("'a\\x1b[2J'", "'9999999999999999999999999999999999999999...' (100 characters)")
    """
    from netread.escape import escape_text

    if len(text) <= most:
        return f"{quote}{escape_text(text)}{quote}"
    return f"{quote}{escape_text(text[:most])}...{quote} ({len(text)} characters)"


def keeper(filters: Filters, owners: Owners | None, users: Mapping[int, str | None]) -> Callable[[InetSocket | UnixSocket], bool]:
    """Whether ``filters`` keep a row, its holders from ``owners`` and its user name from ``users``."""

    def kept(sock: InetSocket | UnixSocket) -> bool:
        holders = owners.of(sock.inode) if owners is not None else []
        uid = sock.uid if isinstance(sock, InetSocket) else None
        return filters.matches(sock, holders, users.get(uid) if uid is not None else None)

    return kept


def filtered(sockets: Sockets, filters: Filters) -> Sockets:
    """``sockets`` with only the rows ``filters`` keep (the sections, owners and messages stay)."""
    kept = keeper(filters, sockets.owners, sockets.users)
    return sockets._replace(
        inet=None if sockets.inet is None else [s for s in sockets.inet if kept(s)],
        unix=None if sockets.unix is None else [s for s in sockets.unix if kept(s)],
    )
