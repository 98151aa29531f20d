"""A :class:`Request`: what one command line asks for, built by both parsers (quick.py and app.py)."""

from __future__ import annotations

from netread.errors import UsageError
from netread.select import Options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from netread._namedtuple import NamedTuple

#: The boolean flags a listing takes: Options fields, plus numeric (-n) and continuous (-c).
FLAGS = (
    "tcp", "udp", "udplite", "raw", "unix", "inet", "inet6", "listening", "all", "numeric", "numeric_hosts",
    "numeric_ports", "numeric_users", "wide", "extend", "programs", "timers", "continuous", "verbose",
    "explain", "strict",
)  # fmt: skip
#: Flags netstat accepts for its other modes, carried for them in Request.flags and ignored by the
#: listing: -N --symbolic (-r prints numbers), -C --cache / -F --fib (-r's table), -d (netstat's
#: flag_deb, never read), -S --sctp (-s: the SCTP counters; the listing: Options.sctp).
MODE_FLAGS = ("symbolic", "cache", "fib", "debug", "sctp")
#: -A / --protocol families.
FAMILIES = ("inet", "inet6", "unix")
#: netstat's modes other than the socket listing, by the flag that asks for each: -s, -r, -i, -M are
#: counted (more than one is a usage error, as netstat's); -g is a kind of listing netstat runs
#: beside the socket tables (reference/netstat-other-modes.md 1.1).
MODES = ("statistics", "route", "interfaces", "masquerade", "groups")
COUNTED_MODES = ("statistics", "route", "interfaces", "masquerade")


class Request(NamedTuple):
    """A listing, as the command line asked for it (values still as typed)."""

    flags: frozenset[str] = frozenset()
    protocol: tuple[str, ...] = ()
    proc: str | None = None
    output: str = "netstat"
    state: str | None = None
    port: str | None = None
    sport: str | None = None
    dport: str | None = None
    pid: str | None = None
    program: str | None = None
    user: str | None = None
    #: The other modes asked for, once per flag given, in command-line order (-s -r -i -M -g).
    modes: tuple[str, ...] = ()
    #: --netns: "all", or one namespace (a name under /run/netns, a path, a pid); None: the reader's.
    netns: str | None = None
    #: How many times -e was given (netstat's flag_exp - 1: -ee shows more in -r and -i).
    extend_level: int = 0
    #: -4, -6, -x and each -A family in command-line order (netstat's afname list; -r prints in it).
    family_order: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        """The mode netstat would run: "sockets" (the listing, with -g's groups when asked), or
        statistics/route/interfaces/masquerade; two counted flags are netstat's usage error (3)."""
        counted = [m for m in self.modes if m in COUNTED_MODES]
        if len(counted) > 1:
            raise TwoModes()
        if counted:
            return counted[0]
        return "groups" if "groups" in self.modes else "sockets"

    @property
    def families(self) -> tuple[str, ...]:
        """netstat's ``afname`` as a tuple: the families asked for, in command-line order where
        cli/argv.py spelled them (``-6 -4`` is ``("inet6", "inet")``); () for netstat's default."""
        named = [name for entry in self.protocol for name in entry.split(",")]
        return (*named, *(name for name in FAMILIES if name in self.flags and name not in named))

    @property
    def continuous(self) -> bool:
        return "continuous" in self.flags

    @property
    def filtered(self) -> bool:
        return any(v is not None for v in (self.state, self.port, self.sport, self.dport, self.pid, self.program, self.user))

    def options(self) -> Options:
        """netstat's resolved options; an unknown -A family is netstat's error (status 1)."""
        chosen = {name: name in self.flags for name in FLAGS}
        for entry in self.protocol:
            for family in entry.split(","):
                if family not in FAMILIES:
                    raise UnknownFamily(family)
                chosen[family] = True
        chosen["sctp"] = "sctp" in self.flags
        numeric = chosen.pop("numeric")
        chosen.pop("continuous")
        for kind in ("hosts", "ports", "users"):
            chosen[f"numeric_{kind}"] = numeric or chosen[f"numeric_{kind}"]
        opts = Options.resolve(**chosen)
        if self.continuous and self.output == "json":
            raise UsageError(
                "-c goes with --format netstat, ndjson or csv, not json: one JSON document cannot grow by a listing"
                " every second (ndjson writes one socket a line, every cycle)"
            )
        if opts.explain and self.output in ("ndjson", "csv"):
            raise UsageError(f"--explain goes with --format netstat or json, not {self.output}: findings are not rows")
        return opts


class TwoModes(UsageError):
    """Two of -s, -r, -i, -M (or one twice): netstat prints its usage and exits 3 (cli/argv.py says
    so first, with the usage text; this is the same rule for a Request built otherwise)."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__("give one of -s, -r, -i, -M")


class UnknownFamily(UsageError):
    """netstat's ``Unknown address family `foo'.`` (status 1, as netstat's)."""

    exit_code = 1

    def __init__(self, family: str) -> None:
        super().__init__(f"Unknown address family `{family}'.")
