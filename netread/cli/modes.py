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
