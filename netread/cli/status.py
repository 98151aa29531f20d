"""Exit statuses, the one place a broken pipe ends quietly, and the one writer of the listing's stdout."""

from __future__ import annotations

import os
import sys

from netread.errors import NetreadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import IntEnum
    from typing import BinaryIO
    from typing import NoReturn
    from typing import TextIO
else:
    from netread._enum import IntEnum


class ExitStatus(IntEnum):
    """What netread exits with."""

    #: Everything asked for was listed (malformed lines are reported, not fatal, unless --strict).
    OK = 0
    #: netstat's 1: an explicitly requested family is absent, a table cannot be read, a bad
    #: source, an unknown address family; or --strict and a malformed line.
    ERROR = 1
    #: A value netread's own options refuse (``--format xml``, ``--port x``): typer's convention.
    USAGE = 2
    #: netstat's E_OPTERR: an option netstat does not take, a missing value, two of -s -r -i -M;
    #: its usage text goes to stderr (cli/argv.py, cli/usage.py).
    OPTERR = 3


def quiet_broken_pipe() -> None:
    """The reader went away (``netread | head``): end quietly, as netstat does.  What is still
    buffered goes to /dev/null, so the interpreter's last flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # closed, or not a file (a test's capture)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


class Stderr:
    """sys.stderr for a run of netread: what cannot be said there (``2>/dev/full``, an I/O
    error) is dropped, never a traceback, and it changes neither stdout nor the exit status.

    On the first failed write the stream's descriptor is pointed at /dev/null (as
    :func:`quiet_broken_pipe` does for stdout), so what is still buffered drains there and
    the interpreter's last flush cannot fail again (Python would exit 120).
    """

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._failed = False

    def write(self, text: str) -> int:
        if not self._failed:
            try:
                self._err.write(text)
            except (OSError, ValueError):  # full, an I/O error, or closed under us
                self._give_up()
        return len(text)

    def flush(self) -> None:
        if not self._failed:
            try:
                self._err.flush()
            except (OSError, ValueError):
                self._give_up()

    def _give_up(self) -> None:
        self._failed = True
        try:
            fd = self._err.fileno()
        except (AttributeError, ValueError, OSError):
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
        try:
            self._err.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> object:
        return getattr(self._err, name)


def tolerant_stderr() -> None:
    """Make sys.stderr a :class:`Stderr`.  Closed when Python started (``2>&-``): /dev/null is
    put on fd 2 first, so that no table or pipe netread opens becomes fd 2 (where a child's
    stderr, or a stray write, would go)."""
    err = sys.stderr
    if err is None:
        fd = os.open(os.devnull, os.O_WRONLY)
        if fd != 2:
            os.dup2(fd, 2)
            os.close(fd)
        err = sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)  # lives as long as the run
    if not isinstance(err, Stderr):
        sys.stderr = Stderr(err)


def die_of_sigint() -> NoReturn:
    """Ctrl-C: end as netstat ends, killed by SIGINT (a shell sees 130, a parent -2), after
    flushing what was written.  netstat has no handler; Python's KeyboardInterrupt is undone here:
    the default action restored, the signal sent again."""
    import signal

    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        except (OSError, ValueError):  # full or closed: nothing more can be said, the signal says it
            pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise SystemExit(128 + signal.SIGINT)  # a signal that could not kill (it cannot happen with SIG_DFL)


class OutputError(NetreadError):
    """Standard output cannot take the listing: closed (EBADF), full (ENOSPC), an I/O error.

    A reader that went away (EPIPE) is not one: that ends quietly with status 0, as netstat does.
    """


class Output:
    """The listing's stdout (bytes): a write or flush that fails is one :class:`OutputError`, not a traceback."""

    __slots__ = ("_out",)

    def __init__(self, out: BinaryIO) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        try:
            return self._out.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _cannot_write(exc) from None

    def flush(self) -> None:
        try:
            self._out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _cannot_write(exc) from None


def _cannot_write(exc: OSError) -> OutputError:
    return OutputError(f"cannot write to standard output: {exc.strerror or exc}")


def stdout() -> Output:
    """sys.stdout's bytes, through :class:`Output`; closed (``netread >&-``), an :class:`OutputError`
    before anything is read."""
    if sys.stdout is None:  # fd 1 was closed when Python started
        raise OutputError("cannot write to standard output: it is closed")
    return Output(sys.stdout.buffer)
