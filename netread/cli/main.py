"""The ``netread`` entry point, and the listing command both front ends share.

Importing typer costs ~40 ms, more than formatting 10,000 sockets, so a
command line made only of netstat's listing flags (``-tuwxanpeo``,
``--numeric-hosts``, ``--proc DIR``...) is parsed here, by :func:`quick_parse`,
and listed without it.  Anything else (``--help``, ``capture``,
``--explain-line``, a typo) goes to the typer application in netread/cli.py,
which declares every option and reports errors.  Both call :func:`listing`.
tests/test_entry.py checks that the two parsers agree.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from netread.filters import Filters

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
}
FLAGS = sorted(set(SHORT.values()) | set(LONG.values()))
FAMILIES = ("inet", "inet6", "unix")


class Parsed:
    """What :func:`quick_parse` understood: flag names, -A families, --proc."""

    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.protocol: list[str] = []
        self.proc: str | None = None


def quick_parse(argv: Sequence[str]) -> Parsed | None:
    """Parse a command line of listing flags only; None for anything else (typer's job).

    >>> sorted(quick_parse(["-tuwxan", "--proc", "snap"]).flags)
    ['all', 'numeric', 'raw', 'tcp', 'udp', 'unix']
    >>> quick_parse(["--help"]) is None, quick_parse(["capture", "d"]) is None
    (True, True)
    """
    parsed = Parsed()
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in LONG:
            parsed.flags.add(LONG[arg])
        elif arg in ("--proc", "-A", "--protocol") or arg.startswith(("--proc=", "--protocol=")):
            if "=" in arg:
                value = arg.split("=", 1)[1]
            elif i < len(args):
                value, i = args[i], i + 1
            else:
                return None
            if not value or value.startswith("-"):
                return None  # let typer say what is wrong
            if arg.startswith("--proc"):
                if parsed.proc is not None:
                    return None
                parsed.proc = value
            else:
                parsed.protocol.append(value)
        elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and all(c in SHORT for c in arg[1:]):
            parsed.flags.update(SHORT[c] for c in arg[1:])
        else:
            return None
    return parsed


def listing(
    flags: set[str],
    protocol: Sequence[str],
    proc: str | Path | None,
    output: str = "netstat",
    filters: Filters | None = None,
) -> int:
    """Run the listing (repeatedly with -c) in ``output`` format; return the exit status."""
    import time

    from netread.errors import NetreadError
    from netread.cli.listing import list_sockets
    from netread.resolve import Resolver
    from netread.select import Options
    from netread.proc.source import ProcSource

    chosen = {name: name in flags for name in FLAGS}
    for entry in protocol:
        for family in entry.split(","):
            if family not in FAMILIES:
                sys.stderr.write(f"netread: Unknown address family `{family}'.\n")
                return 1
            chosen[family] = True
    numeric = chosen.pop("numeric")
    continuous = chosen.pop("continuous")
    for kind in ("hosts", "ports", "users"):
        chosen[f"numeric_{kind}"] = numeric or chosen[f"numeric_{kind}"]
    opts = Options.resolve(**chosen)
    color = opts.explain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        source = ProcSource.live() if proc is None else ProcSource.snapshot(proc)
        names = None if opts.numeric_hosts and opts.numeric_ports else Resolver()
        while True:
            status = list_sockets(source, opts, sys.stdout.buffer, sys.stderr, names=names, color=color, output=output, filters=filters)
            sys.stdout.flush()
            if not continuous or status:
                return status
            time.sleep(1)  # netstat's wait_continous()
    except NetreadError as exc:
        sys.stderr.write(f"netread: {exc}\n")
        return exc.exit_code
    except BrokenPipeError:
        quiet_broken_pipe()
        return 0
    except KeyboardInterrupt:
        return 0


def quiet_broken_pipe() -> None:
    """The reader went away (``netread | head``): end quietly, as netstat does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run() -> None:
    """Console-script entry point."""
    parsed = quick_parse(sys.argv[1:])
    if parsed is not None:
        status = listing(parsed.flags, parsed.protocol, parsed.proc)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        sys.exit(status)
    from netread.cli.app import app

    try:
        app()
    except BrokenPipeError:
        quiet_broken_pipe()
        sys.exit(0)
