"""netstat's modes other than the socket listing: ``-s``, ``-r``, ``-i``, ``-M``, ``-g``.

Each mode is one module of this package, ``netread.cli.mode_<name>``, with
``run(request) -> int``: it opens the source, calls its parser (``parse/``)
and renderer (``render/``), and returns the exit status.  The module is
imported only when its mode is asked for, so the socket listing's start-up
does not pay for it.
"""

from __future__ import annotations

import importlib
import sys

from netread.cli.status import ExitStatus

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
#: mode -> its flag, for messages.
FLAG = {"statistics": "-s", "route": "-r", "interfaces": "-i", "masquerade": "-M", "groups": "-g"}


def run_mode(request: Request, mode: str) -> int:
    """Run ``mode`` for ``request``; the status it ends with."""
    try:
        module = importlib.import_module(RUNNERS[mode])
    except ModuleNotFoundError:
        sys.stderr.write(f"netread: {FLAG[mode]} is not in this version of netread yet\n")
        return ExitStatus.ERROR
    status: int = module.run(request)
    return status


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
