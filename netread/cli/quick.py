"""The quick parser: a command line made only of netstat's listing flags, without typer.

Importing typer costs ~40 ms, more than formatting 10,000 sockets, so a
command line made only of netstat's listing flags (``-tuwxanpeo``,
``--numeric-hosts``, ``--proc DIR``...) is parsed here into a
:class:`~netread.cli.request.Request`.  Anything else (``--help``,
``capture``, ``--explain-line``, ``--format``, a typo, a stray word) is read
as netstat reads it (netread/cli/argv.py), which reports netstat's usage
errors and spells the rest canonically, for this parser again or the typer
application in netread/cli/app.py, which declares every option and builds
the same Request.  tests/test_entry.py checks that the two
parsers agree.
"""

from __future__ import annotations

from netread.cli.request import FAMILIES
from netread.cli.request import Request

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Short flags -> the Options field (or pseudo-field) they set.
SHORT = {
    "t": "tcp",
    "u": "udp",
    "U": "udplite",
    "w": "raw",
    "x": "unix",
    "4": "inet",
    "6": "inet6",
    "l": "listening",
    "a": "all",
    "n": "numeric",
    "W": "wide",
    "e": "extend",
    "p": "programs",
    "o": "timers",
    "c": "continuous",
    "v": "verbose",
    "N": "symbolic",
    "C": "cache",
    "F": "fib",
    "d": "debug",
}
LONG = {
    "--tcp": "tcp",
    "--udp": "udp",
    "--udplite": "udplite",
    "--raw": "raw",
    "--unix": "unix",
    "--inet": "inet",
    "--inet6": "inet6",
    "--listening": "listening",
    "--all": "all",
    "--numeric": "numeric",
    "--numeric-hosts": "numeric_hosts",
    "--numeric-ports": "numeric_ports",
    "--numeric-users": "numeric_users",
    "--wide": "wide",
    "--extend": "extend",
    "--programs": "programs",
    "--timers": "timers",
    "--continuous": "continuous",
    "--verbose": "verbose",
    "--explain": "explain",
    "--strict": "strict",
    "--symbolic": "symbolic",
    "--cache": "cache",
    "--fib": "fib",
}
#: More family options than this may not fit netstat's afname (cli/argv.py says when they do not).
MANY_FAMILIES = 50


def quick_parse(argv: Sequence[str]) -> Request | None:
    """Parse a command line of listing flags only; None for anything else (typer's job).

    >>> sorted(quick_parse(["-tuwxan", "--proc", "snap"]).flags)  # type: ignore[union-attr]
    ['all', 'numeric', 'raw', 'tcp', 'udp', 'unix']
    >>> quick_parse(["--help"]) is None, quick_parse(["capture", "d"]) is None
    (True, True)
    """
    flags: set[str] = set()
    protocol: list[str] = []
    proc: str | None = None
    netns: str | None = None
    args = list(argv)
    families = 0  # netstat's afname holds 255 bytes: past ~50 families it says so (cli/argv.py)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in LONG:
            flags.add(LONG[arg])
            families += arg in ("--inet", "--inet6", "--unix")
        elif arg in ("--proc", "-A", "--protocol", "--netns") or arg.startswith(("--proc=", "--protocol=", "--netns=")):
            if "=" in arg:
                value = arg.split("=", 1)[1]
            elif i < len(args):
                value, i = args[i], i + 1
            else:
                return None
            if not value or value.startswith("-"):
                return None  # let cli/argv.py say what is wrong
            if arg.startswith(("-A", "--protocol")) and not all(name in FAMILIES for name in value.split(",")):
                return None  # an alias (ip, tcpip) or a family netread does not list: cli/argv.py's
            if arg.startswith("--proc"):
                if proc is not None:
                    return None
                proc = value
            elif arg.startswith("--netns"):
                if netns is not None:
                    return None
                netns = value
            else:
                protocol.append(value)
                families += value.count(",") + 1
        elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and all(c in SHORT for c in arg[1:]):
            flags.update(SHORT[c] for c in arg[1:])
            families += sum(c in "46x" for c in arg[1:])
        else:
            return None
    if families > MANY_FAMILIES:
        return None
    return Request(frozenset(flags), tuple(protocol), proc, netns=netns)
