"""Which processes hold which sockets: netstat -p's scan of ``<proc>/<pid>/fd``.

As netstat 2.10's prg_cache_load: every numeric directory under the root, in
directory order; each ``fd/*`` link whose target is ``socket:[N]`` (or the old
``[0000]:N``) names a holder of inode N.  Every holder is kept, in scan order
(netstat shows the first); each holding process's argv[0] (netread/parse/links.py)
and ``comm`` are read once.  Links are only ever read with readlink(), never
followed, so a snapshot's dangling links work and nothing outside it is opened
through them.
"""

from __future__ import annotations

import errno
import os

from netread.model import Owner
from netread.model import Owners
from netread.parse.links import CMDLINE_BYTES
from netread.parse.links import argv0
from netread.parse.links import socket_inodes
from netread.proc.workers import cpus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from netread.proc.source import StrPath

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: /proc/<pid>/comm is at most TASK_COMM_LEN (16) bytes; a snapshot's may be anything.
COMM_BYTES = 64


def root_dir(root: StrPath, top: str = "") -> int:
    """A snapshot's ``root`` as a directory fd, opened through the chain of descriptors from the
    directory it was named by (``top``; ``root`` itself when empty), none of it followed
    (proc/source.open_dir_in): every read of the scan is relative to it, so a part of the
    root swapped for a symlink while netread looks leads nowhere."""
    from netread.proc.source import open_dir_in

    root = os.fspath(root)
    top = top or root
    return open_dir_in(top, "" if root == top else os.path.relpath(root, top))


def process_names(root: StrPath, confined: bool = False, top: str = "") -> list[str] | None:
    """The ``<pid>`` entries under ``root``, in directory order (None if it cannot be listed);
    ``confined`` (a snapshot, read through :func:`root_dir`) leaves out those that are symlinks."""
    try:
        if not confined:
            entries = os.scandir(root)
        else:
            base = root_dir(root, top)
            try:
                entries = os.scandir(base)  # its own copy of the fd
            finally:
                os.close(base)
    except OSError:
        return None
    with entries:
        return [e.name for e in entries if e.name.isascii() and e.name.isdigit() and not (confined and e.is_symlink())]


def scan_owners(root: StrPath, confined: bool = False, names: list[str] | None = None, top: str = "") -> Owners:
    """Every process under ``root`` holding a socket, and the sockets each holds (only the
    processes ``names`` names, if given).

    Processes that vanish or deny access are skipped, as netstat skips them;
    ``confined`` (a snapshot) reads everything relative to :func:`root_dir` (``top``: the
    directory the snapshot was named by) and skips ``<pid>`` entries that are symlinks.
    """
    owners = Owners()
    if names is None:
        names = process_names(root, confined, top)
        if names is None:
            owners.failed = True
            return owners
    base = None
    if confined:
        try:
            base = root_dir(root, top)
        except OSError:
            owners.failed = True
            return owners
    try:
        for name in names:
            try:
                # readlinkat() on an open fd directory: one path lookup per process, not per fd
                fd_dir = _open_fd_dir(root, name, base)
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    owners.denied = True
                continue
            try:
                _scan_fds(fd_dir, root, name, owners, base)
            finally:
                os.close(fd_dir)
    finally:
        if base is not None:
            os.close(base)
    return owners


def _open_fd_dir(root: StrPath, name: str, base: int | None) -> int:
    """``<root>/<name>/fd`` as a directory fd; in a snapshot (``base``, its root's fd) neither
    ``<name>`` nor ``fd`` may be a symlink (each opened relative to the one before, so a swap
    while we look is refused too)."""
    if base is None:
        return os.open(os.path.join(root, name, "fd"), _DIR_FLAGS)
    pid_dir = os.open(name, _DIR_FLAGS, dir_fd=base)
    try:
        return os.open("fd", _DIR_FLAGS, dir_fd=pid_dir)
    finally:
        os.close(pid_dir)


def _scan_fds(fd_dir: int, root: StrPath, name: str, owners: Owners, base: int | None = None) -> None:
    """Record the sockets one process holds."""
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return
    readlink = os.readlink
    try:
        targets = [readlink(fd, dir_fd=fd_dir) for fd in fds]
    except OSError:  # an fd closed while we looked: each on its own, that one skipped
        targets = []
        for fd in fds:
            try:
                targets.append(readlink(fd, dir_fd=fd_dir))
            except OSError:
                continue
    inodes = socket_inodes(targets)
    if not inodes:
        return
    pid = int(name)
    if pid not in owners.processes:
        owner = _owner(root, name, pid, base)
        if owner is None:
            return  # gone, or its cmdline not readable: skipped as netstat skips it
        owners.processes[pid] = owner
    holders = owners.holders
    mine: dict[int, tuple[int, ...]] = dict.fromkeys(inodes, (pid,))
    for inode in mine.keys() & holders.keys():  # a second holder is rare: it follows the first
        mine[inode] = (*holders[inode], pid)
    holders.update(mine)


def _read(root: StrPath, name: str, file: str, most: int, base: int | None = None) -> bytes | None:
    from netread.proc.source import open_regular
    from netread.proc.source import regular

    try:
        if base is not None:  # the chain of descriptors from the snapshot's root, nothing followed
            pid_dir = os.open(name, _DIR_FLAGS, dir_fd=base)
            try:
                handle = regular(os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=pid_dir))
            finally:
                os.close(pid_dir)
        else:
            handle = open_regular(os.path.join(root, name, file), os.O_NOFOLLOW)
        with handle:
            return handle.read(most)
    except OSError:
        return None


def _owner(root: StrPath, name: str, pid: int, base: int | None = None) -> Owner | None:
    cmdline = _read(root, name, "cmdline", CMDLINE_BYTES, base)
    if cmdline is None:
        return None
    comm = _read(root, name, "comm", COMM_BYTES, base)
    return Owner(
        pid,
        argv0(cmdline).decode("utf-8", "surrogateescape"),
        None if comm is None else comm.rstrip(b"\n").decode("utf-8", "surrogateescape"),
    )


def scan_in_background(root: StrPath, confined: bool = False, top: str = "") -> Callable[[], Owners]:
    """Start :func:`scan_owners` now; call the result to wait for it.

    The fd scan and reading the tables are both mostly system calls, so doing
    them at the same time hides one behind the other.  With more than one CPU
    and no other thread running, the scan runs in a forked child (threads
    would share one interpreter lock); otherwise in a thread.
    """
    import threading

    if hasattr(os, "fork") and cpus() > 1 and threading.active_count() == 1:
        return _scan_in_child(root, confined, top)
    done: list[Owners] = []
    thread = threading.Thread(target=lambda: done.append(scan_owners(root, confined, top=top)), name="netread-owners", daemon=True)
    thread.start()

    def wait() -> Owners:
        thread.join()
        return done[0] if done else Owners(failed=True)

    return wait


#: The pipe a scan's child writes its result into (Linux's pipe-max-size for unprivileged users).
RESULT_PIPE = 1 << 20
#: CPUs from which the scan is split: the listing parses and (live) a cat child reads the table
#: while it runs, so with fewer a second scanning child only takes turns with them (measured on
#: 2 CPUs: netread.connections("tcp") on 40k sockets 0.36-0.39x psutil with one child, 0.41-0.45x with two).
SPLIT_CPUS = 4
#: Open fds under the root from which the scan is split between two children (two CPUs).
SPLIT_FDS = 4000


def _parts(root: StrPath, names: list[str], base: int | None = None) -> list[list[str]]:
    """``names`` in one part, or two consecutive ones holding about as many fds each (the size of
    ``<pid>/fd`` is its count of open fds on Linux 6.2 and later; before, the processes are counted)."""
    sizes = []
    for name in names:
        try:
            if base is None:
                sizes.append(os.stat(os.path.join(root, name, "fd"), follow_symlinks=False).st_size)  # never through a link
                continue
            pid_dir = os.open(name, _DIR_FLAGS, dir_fd=base)  # a snapshot's: nothing followed
            try:
                sizes.append(os.stat("fd", dir_fd=pid_dir, follow_symlinks=False).st_size)
            finally:
                os.close(pid_dir)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    if len(names) < 2 or (total < SPLIT_FDS and (total or len(names) < 256)):
        return [names]
    if not total:
        sizes, total = [1] * len(names), len(names)
    half, cut = 0, 0
    while cut < len(names) - 1 and half + sizes[cut] <= total // 2:
        half += sizes[cut]
        cut += 1
    cut = max(cut, 1)
    return [names[:cut], names[cut:]]


def _merged(parts: list[Owners]) -> Owners:
    """The owners of consecutive parts of the scan, as one scan in order would find them."""
    owners = parts[0]
    for part in parts[1:]:
        holders = owners.holders
        for inode, pids in part.holders.items():
            before = holders.get(inode)
            holders[inode] = pids if before is None else (*before, *pids)
        owners.processes.update(part.processes)
        owners.denied = owners.denied or part.denied
        owners.failed = owners.failed or part.failed
    return owners


def _scan_in_child(root: StrPath, confined: bool, top: str = "") -> Callable[[], Owners]:
    """The scan in a forked child, or two when there are many fds (each scans half the processes)."""
    names = process_names(root, confined, top)
    if names is None:
        return lambda: Owners(failed=True)
    parts = [names]
    if cpus() >= SPLIT_CPUS:
        try:
            base = root_dir(root, top) if confined else None
        except OSError:
            return lambda: Owners(failed=True)
        try:
            parts = _parts(root, names, base)
        finally:
            if base is not None:
                os.close(base)
    waits = [_scan_part_in_child(root, confined, part, top) for part in parts]  # only called with 2+ CPUs
    done: list[Owners] = []

    def wait() -> Owners:
        if not done:
            try:
                parts = [w() for w in waits]
            except BaseException:
                for w in waits:
                    w(abort=True)  # every child killed and reaped, at once (Ctrl-C)
                raise
            done.append(_merged(parts))
        return done[0]

    return wait


def _scan_part_in_child(root: StrPath, confined: bool, names: list[str], top: str = "") -> Callable[..., Owners]:
    import fcntl
    import marshal
    import signal

    read_end, write_end = os.pipe()
    try:  # room for the whole result (~12 bytes a socket), so that the child ends while we parse
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, RESULT_PIPE)
    except OSError:
        pass  # a smaller pipe: the child waits for us to read, as before
    child = os.fork()
    if child == 0:  # the child: scan, send the result, leave without running any cleanup
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.close(read_end)
            owners = scan_owners(root, confined, names, top)
            processes = {pid: tuple(owner) for pid, owner in owners.processes.items()}
            data = marshal.dumps((owners.holders, processes, owners.denied, owners.failed))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
            os.close(write_end)  # the end of the data now, not after this process's memory is freed
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    done: list[Owners] = []

    def reap(kill: bool) -> int:
        if kill:
            os.kill(child, signal.SIGKILL)
        try:
            return os.waitpid(child, 0)[1]
        except ChildProcessError:  # SIGCHLD ignored by whoever started us: the child reaped itself
            return 0

    def wait(abort: bool = False) -> Owners:
        """The child's result; once only (later calls return it again); on any error, Ctrl-C
        included, the child is killed and reaped before the error goes on; ``abort`` kills it now."""
        if done:
            return done[0]
        if abort:
            os.close(read_end)
            reap(kill=True)
            done.append(Owners(failed=True))
            return done[0]
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        except BaseException:
            reap(kill=True)
            done.append(Owners(failed=True))
            raise
        status = reap(kill=False)
        if status != 0 or not data:
            done.append(scan_owners(root, confined, names, top))  # the child failed: scan here
        else:
            holders, processes, denied, failed = marshal.loads(data)
            done.append(Owners(holders, {pid: Owner(*fields) for pid, fields in processes.items()}, denied, failed))
        return done[0]

    return wait
