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
#: -A / --protocol families.
FAMILIES = ("inet", "inet6", "unix")


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


class UnknownFamily(UsageError):
    """netstat's ``Unknown address family `foo'.`` (status 1, as netstat's)."""

    exit_code = 1

    def __init__(self, family: str) -> None:
        super().__init__(f"Unknown address family `{family}'.")
