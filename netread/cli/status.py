"""Exit statuses, and the one place a broken pipe ends quietly."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import IntEnum
else:
    from netread._enum import IntEnum


class ExitStatus(IntEnum):
    """What netread exits with."""

    #: Everything asked for was listed (malformed lines are reported, not fatal, unless --strict).
    OK = 0
    #: netstat's 1: an explicitly requested family is absent, a table cannot be read, a bad
    #: source, an unknown address family; or --strict and a malformed line.
    ERROR = 1
    #: A command line that cannot mean anything (netstat exits 3 there; typer's convention is 2).
    USAGE = 2


def quiet_broken_pipe() -> None:
    """The reader went away (``netread | head``): end quietly, as netstat does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
