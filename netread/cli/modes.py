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
