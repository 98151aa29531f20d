"""A second CPU for a big table: a forked child that applies a pure function to pieces sent to it.

netstat reads and prints a table on one CPU; a server has more.  The listing hands
every other piece of a big table to a :class:`Worker`, formats the piece between
itself, and prints the child's text when its turn comes: the order of the output is
the table's, and at most one piece is ever on its way (so neither pipe can fill while
the other waits, and the memory is a piece's).  The child only computes: it opens
nothing, and it never writes to the listing's stdout or stderr.  A child that fails,
or cannot be started, only means the listing does that piece itself: :meth:`Worker.result`
answers None, as it does for a piece the function refuses.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

#: The length that says "no result" (the function refused the piece).
_REFUSED = 0xFFFFFFFF
#: Room in each pipe for a piece or its text (Linux's pipe-max-size for unprivileged users).
PIPE_SIZE = 1 << 20


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Worker:
    """A forked child running ``work(tag, data) -> bytes | None`` on each job, one at a time."""

    __slots__ = ("_child", "_jobs", "_pending", "_results")

    def __init__(self, work: Callable[[int, bytes], bytes | None]) -> None:
        import signal

        jobs_read, self._jobs = os.pipe()
        self._results, results_write = os.pipe()
        for fd in (self._jobs, results_write):
            _enlarge(fd)
        self._pending = False
        self._child = os.fork()
        if self._child == 0:  # the child: serve jobs until the pipe closes; never return, never clean up
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                os.close(self._jobs)
                os.close(self._results)
                _serve(jobs_read, results_write, work)
                status = 0
            finally:
                os._exit(status)
        os.close(jobs_read)
        os.close(results_write)

    @classmethod
    def start(cls, work: Callable[[int, bytes], bytes | None], busy: int = 1) -> Worker | None:
        """A worker, or None where it would not run beside the ``busy`` processes already working
        (this one, and a cat child feeding a live table) on a CPU of its own, or cannot fork safely."""
        import sys

        threading = sys.modules.get("threading")  # not imported: no thread but this one
        if not hasattr(os, "fork") or cpus() <= busy or (threading is not None and threading.active_count() > 1):
            return None
        try:
            return cls(work)
        except OSError:
            return None

    @property
    def alive(self) -> bool:
        return self._child > 0

    def submit(self, tag: int, data: bytes) -> bool:
        """Send a job (after the last one's result was taken); False if the child is gone."""
        if not self.alive or self._pending:
            return False
        try:
            _write_all(self._jobs, (tag & 0xFF).to_bytes(1, "big") + len(data).to_bytes(4, "big") + data)
        except OSError:
            self.close()
            return False
        self._pending = True
        return True

    def result(self) -> bytes | None:
        """The text of the job submitted last; None if the function refused it or the child failed."""
        if not self._pending:
            return None
        self._pending = False
        head = _read_exactly(self._results, 4)
        if head is None:
            self.close()
            return None
        size = int.from_bytes(head, "big")
        if size == _REFUSED:
            return None
        data = _read_exactly(self._results, size)
        if data is None:
            self.close()
        return data

    def close(self) -> None:
        """End the child (at once) and reap it; safe to call again."""
        if self._child <= 0:
            return
        import signal

        child, self._child = self._child, 0
        for fd in (self._jobs, self._results):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(child, 0)
        except ChildProcessError:  # SIGCHLD ignored by whoever started us: reaped already
            pass


def _serve(jobs: int, results: int, work: Callable[[int, bytes], bytes | None]) -> None:
    while True:
        head = _read_exactly(jobs, 5)
        if head is None:
            return
        data = _read_exactly(jobs, int.from_bytes(head[1:], "big"))
        if data is None:
            return
        text = work(head[0], data)
        _write_all(results, _REFUSED.to_bytes(4, "big") if text is None else len(text).to_bytes(4, "big") + text)


def _enlarge(fd: int) -> None:
    import fcntl

    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:
        pass  # a smaller pipe only means more turns


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``; None at an early end of file."""
    parts = []
    while size:
        part = os.read(fd, min(size, PIPE_SIZE))
        if not part:
            return None
        parts.append(part)
        size -= len(part)
    return b"".join(parts)
