"""netstat's modes other than the socket listing: ``-s``, ``-r``, ``-i``, ``-M``, ``-g``.

Each mode is one module of this package, ``netread.cli.mode_<name>``, with
``run(request) -> int``: it opens the source, calls its parser (``parse/``)
and renderer (``render/``), and returns the exit status.  The module is
imported only when its mode is asked for, so the socket listing's start-up
does not pay for it.  ``run`` prints once; :func:`run_mode` repeats it every
second for ``-c`` (netstat.c ``main``: ``for (;;) { i = route_info(...); if (i
|| !flag_cnt) break; wait_continous(); }``), except ``-s``, which netstat
prints once whatever ``-c`` says.
"""

from __future__ import annotations

import importlib
import sys

from netread.cli.status import ExitStatus
from netread.cli.status import OutputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.cli.request import Request

#: mode -> the module that runs it.
RUNNERS = {
    "statistics": "netread.cli.mode_statistics",
    "route": "netread.cli.mode_route",
    "interfaces": "netread.cli.mode_interfaces",
    "masquerade": "netread.cli.mode_masquerade",
    "groups": "netread.cli.mode_groups",
}
#: The modes netstat prints once even with -c.
ONCE = ("statistics",)
#: mode -> its flag, for messages.
FLAG = {"statistics": "-s", "route": "-r", "interfaces": "-i", "masquerade": "-M", "groups": "-g"}


def run_mode(request: Request, mode: str) -> int:
    """Run ``mode`` for ``request`` (again every second with -c, until a run fails); the status it ends with."""
    try:
        module = importlib.import_module(RUNNERS[mode])
    except ModuleNotFoundError:
        sys.stderr.write(f"netread: {FLAG[mode]} is not in this version of netread yet\n")
        return ExitStatus.ERROR
    while True:
        status: int = module.run(request)
        if status or not request.continuous or mode in ONCE:
            return status
        _wait_continuous()


def _wait_continuous() -> None:
    """netstat.c ``wait_continous()``: flush stdout, sleep a second."""
    import time

    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None
    time.sleep(1)


def interface_selection(argv: list[str]) -> str | None:
    """getopt's complaint netstat prints for ``--interfaces=X`` or ``-I...``, or None: netstat 2.10
    has no per-interface selection, and exits 3 there (reference/netstat-other-modes.md 5.7).

    >>> interface_selection(["--interfaces=eth0"]), interface_selection(["-aI"]), interface_selection(["-Ax", "-i"])
    ("option '--interfaces' doesn't allow an argument", "invalid option -- 'I'", None)
    """
    for arg in argv:
        if arg == "--":
            return None
        if arg.startswith("--interfaces="):
            return "option '--interfaces' doesn't allow an argument"
        if arg.startswith("-") and not arg.startswith("--"):
            for char in arg[1:]:
                if char == "I":
                    return "invalid option -- 'I'"
                if char == "A":
                    break  # the rest is -A's value
    return None


#: The options of cli/app.py that take a value (the argument after them is not a stray one).
VALUE_OPTIONS = frozenset({
    "-A", "--protocol", "--format", "--state", "--port", "--sport", "--dport", "--pid", "--program", "--user",
    "--explain-line", "--table", "--byte-order", "--proc",
})  # fmt: skip


def without_strays(argv: list[str]) -> list[str]:
    """``argv`` without the arguments netstat ignores in ``-i`` (``netstat -i eth0`` lists every
    interface, reference/netstat-other-modes.md 1.1); unchanged unless -i is asked for and the
    first argument that is not an option is not netread's ``capture``.

    >>> without_strays(["-i", "eth0"]), without_strays(["-ia", "--proc", "snap", "x"]), without_strays(["-t", "x"])
    (['-i'], ['-ia', '--proc', 'snap'], ['-t', 'x'])
    """
    kept: list[str] = []
    strays = 0
    interfaces = False
    takes_value = False
    for arg in argv:
        if takes_value:
            kept.append(arg)
            takes_value = False
        elif arg == "--":
            return argv
        elif arg.startswith("--"):
            kept.append(arg)
            interfaces |= arg == "--interfaces"
            takes_value = arg in VALUE_OPTIONS
        elif arg.startswith("-") and len(arg) > 1:
            kept.append(arg)
            group = arg[1:].split("A", 1)
            interfaces |= "i" in group[0]
            takes_value = len(group) == 2 and group[1] == ""
        elif strays == 0 and arg == "capture":  # the subcommand, not a stray argument
            return argv
        else:
            strays += 1
    return kept if interfaces and strays else argv

