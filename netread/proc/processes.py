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
from collections.abc import Callable
from typing import TYPE_CHECKING

from netread.model import Owner
from netread.model import Owners
from netread.parse.links import CMDLINE_BYTES
from netread.parse.links import argv0
from netread.parse.links import socket_inode

if TYPE_CHECKING:
    from netread.proc.source import StrPath

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: /proc/<pid>/comm is at most TASK_COMM_LEN (16) bytes; a snapshot's may be anything.
COMM_BYTES = 64


def scan_owners(root: StrPath, confined: bool = False) -> Owners:
    """Every process under ``root`` holding a socket, and the sockets each holds.

    Processes that vanish or deny access are skipped, as netstat skips them;
    ``confined`` (a snapshot) skips ``<pid>`` entries that are symlinks.
    """
    owners = Owners()
    try:
        entries = os.scandir(root)
    except OSError:
        owners.failed = True
        return owners
    with entries:
        for entry in entries:
            name = entry.name
            if not (name.isascii() and name.isdigit()):
                continue
            if confined and entry.is_symlink():
                continue  # a snapshot's <pid> leading elsewhere: not followed
            try:
                # readlinkat() on an open fd directory: one path lookup per process, not per fd
                fd_dir = os.open(os.path.join(root, name, "fd"), _DIR_FLAGS)
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    owners.denied = True
                continue
            try:
                _scan_fds(fd_dir, root, name, owners)
            finally:
                os.close(fd_dir)
    return owners


def _scan_fds(fd_dir: int, root: StrPath, name: str, owners: Owners) -> None:
    """Record the sockets one process holds."""
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return
    holders = owners.holders
    pid = int(name)
    readlink = os.readlink
    for fd in fds:
        try:
            target = readlink(fd, dir_fd=fd_dir)
        except OSError:
            continue
        if target[:1] not in ("s", "["):
            continue  # files, pipes, anon inodes: the common case, answered quickly
        inode = socket_inode(target)
        if inode is None:
            continue
        if pid not in owners.processes:
            owner = _owner(root, name, pid)
            if owner is None:
                return  # gone, or its cmdline not readable: skipped as netstat skips it
            owners.processes[pid] = owner
        pids = holders.get(inode)
        if pids is None:
            holders[inode] = (pid,)
        elif pids[-1] != pid:  # a second holder is rare; one process's fds come together
            holders[inode] = (*pids, pid)


def _read(root: StrPath, name: str, file: str, most: int) -> bytes | None:
    from netread.proc.source import open_regular

    try:
        with open_regular(os.path.join(root, name, file), os.O_NOFOLLOW) as handle:
            return handle.read(most)
    except OSError:
        return None


def _owner(root: StrPath, name: str, pid: int) -> Owner | None:
    cmdline = _read(root, name, "cmdline", CMDLINE_BYTES)
    if cmdline is None:
        return None
    comm = _read(root, name, "comm", COMM_BYTES)
    return Owner(
        pid,
        argv0(cmdline).decode("utf-8", "surrogateescape"),
        None if comm is None else comm.rstrip(b"\n").decode("utf-8", "surrogateescape"),
    )


def scan_in_background(root: StrPath, confined: bool = False) -> Callable[[], Owners]:
    """Start :func:`scan_owners` now; call the result to wait for it.

    The fd scan and reading the tables are both mostly system calls, so doing
    them at the same time hides one behind the other.  With more than one CPU
    and no other thread running, the scan runs in a forked child (threads
    would share one interpreter lock); otherwise in a thread.
    """
    import threading

    if hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1:
        return _scan_in_child(root, confined)
    done: list[Owners] = []
    thread = threading.Thread(target=lambda: done.append(scan_owners(root, confined)), name="netread-owners", daemon=True)
    thread.start()

    def wait() -> Owners:
        thread.join()
        return done[0] if done else Owners(failed=True)

    return wait


def _scan_in_child(root: StrPath, confined: bool) -> Callable[[], Owners]:
    import marshal
    import signal

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: scan, send the result, leave without running any cleanup
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.close(read_end)
            owners = scan_owners(root, confined)
            processes = {pid: tuple(owner) for pid, owner in owners.processes.items()}
            data = marshal.dumps((owners.holders, processes, owners.denied, owners.failed))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
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

    def wait() -> Owners:
        """The child's result; once only (later calls return it again); on any error, Ctrl-C
        included, the child is killed and reaped before the error goes on."""
        if done:
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
            done.append(scan_owners(root, confined))  # the child failed: scan here
        else:
            holders, processes, denied, failed = marshal.loads(data)
            done.append(Owners(holders, {pid: Owner(*fields) for pid, fields in processes.items()}, denied, failed))
        return done[0]

    return wait
