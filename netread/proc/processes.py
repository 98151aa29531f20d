"""Which process owns each socket: netstat -p's scan of ``<proc>/<pid>/fd``.

As netstat 2.10's prg_cache_load: every numeric directory under the root, in
directory order; each ``fd/*`` link whose target is ``socket:[N]`` (or the old
``[0000]:N``) maps inode N to ``"<pid>/<argv0>"``, the first PID seen wins;
argv[0] is the first NUL-terminated string of the first 511 bytes of
``cmdline``, reduced to its last path component only when it starts with
``/``; the whole text is cut to 19 bytes.  Links are only ever read with
readlink(), never followed, so a snapshot's dangling links work and nothing
outside it is opened through them.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netread.proc.source import StrPath

#: netstat's PROGNAME_WIDTH buffer: 19 bytes of text and a NUL.
PROGNAME_BYTES = 19
CMDLINE_BYTES = 511


class Owners:
    """inode -> ``b"pid/name"`` (raw bytes, cut as netstat cuts them) and how the scan went."""

    __slots__ = ("by_inode", "denied", "failed")

    def __init__(self, by_inode: dict[int, bytes] | None = None, denied: bool = False, failed: bool = False) -> None:
        self.by_inode: dict[int, bytes] = {} if by_inode is None else by_inode
        #: Some ``<pid>/fd`` could not be opened for lack of permission.
        self.denied = denied
        #: The root itself could not be listed.
        self.failed = failed

    def __repr__(self) -> str:
        return f"Owners({len(self.by_inode)} sockets, denied={self.denied}, failed={self.failed})"

    def get(self, inode: int | None) -> bytes | None:
        return None if inode is None else self.by_inode.get(inode)


def socket_inode(target: str) -> int | None:
    """The inode in an fd link target, or None if it is not a socket.

    >>> socket_inode("socket:[4635]"), socket_inode("[0000]:77"), socket_inode("/dev/null")
    (4635, 77, None)
    """
    if target.startswith("socket:[") and target.endswith("]"):
        digits = target[8:-1]
    elif target.startswith("[0000]:"):
        digits = target[7:]
    else:
        return None
    if not (digits.isascii() and digits.isdigit()):
        return None
    inode = int(digits)
    # strtoul() saturates at ULONG_MAX, which netstat takes for "not a number".
    return inode if inode < 0xFFFFFFFFFFFFFFFF else None


def program_label(pid: str, cmdline: bytes) -> bytes:
    """``pid/argv0`` as netstat shows it, cut to 19 bytes.

    >>> program_label("42", b"/usr/sbin/sshd\\x00-D\\x00")
    b'42/sshd'
    >>> program_label("11699", b"sshd: root@pts/0\\x00")
    b'11699/sshd: root@pt'
    """
    argv0 = cmdline[:CMDLINE_BYTES].split(b"\0", 1)[0]
    if argv0.startswith(b"/"):
        argv0 = argv0.rsplit(b"/", 1)[1]
    return (pid.encode() + b"/" + argv0)[:PROGNAME_BYTES]


def scan_owners(root: StrPath, wanted: Collection[int] | None = None, confined: bool = False) -> Owners:
    """Map socket inodes to their first owning process under ``root``.

    With ``wanted``, the scan stops as soon as every wanted inode has an owner
    (the first owner found is the one kept either way); an empty ``wanted``
    scans everything, so the permission warnings are netstat's.  Processes that vanish
    or deny access are skipped, as netstat skips them.
    """
    owners = Owners()
    found = owners.by_inode
    remaining = set(wanted) if wanted is not None else None
    if remaining is not None:
        remaining.discard(0)
        if not remaining:
            remaining = None  # nothing to find: scan it all, for netstat's permission warnings
    try:
        entries = os.scandir(root)
    except OSError:
        owners.failed = True
        return owners
    with entries:
        for entry in entries:
            pid = entry.name
            if not (pid.isascii() and pid.isdigit()):
                continue
            if confined and entry.is_symlink():
                continue  # a snapshot's <pid> leading elsewhere: not followed
            try:
                # readlinkat() on an open fd directory: one path lookup per process, not per fd
                fd_dir = os.open(os.path.join(root, pid, "fd"), _DIR_FLAGS)
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    owners.denied = True
                continue
            try:
                done = _scan_fds(fd_dir, root, pid, found, remaining)
            finally:
                os.close(fd_dir)
            if done:
                return owners
    return owners


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _scan_fds(fd_dir: int, root: StrPath, pid: str, found: dict[int, bytes], remaining: set[int] | None) -> bool:
    """Record the sockets one process holds; True when every wanted inode has been found."""
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False
    label: bytes | None = None
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
        if label is None:
            label = _program(root, pid)
            if label is None:
                return False  # gone, or its cmdline not readable: skipped as netstat skips it
        if inode not in found:
            found[inode] = label
            if remaining is not None:
                remaining.discard(inode)
                if not remaining:
                    return True
    return False


def _program(root: StrPath, pid: str) -> bytes | None:
    from netread.proc.source import open_regular

    try:
        with open_regular(os.path.join(root, pid, "cmdline"), os.O_NOFOLLOW) as handle:
            return program_label(pid, handle.read(CMDLINE_BYTES))
    except OSError:
        return None


def scan_in_background(root: StrPath, confined: bool = False) -> Callable[[], Owners]:
    """Start a full :func:`scan_owners` now; call the result to wait for it.

    The fd scan and reading the tables are both mostly system calls, so doing
    them at the same time hides one behind the other.  With more than one CPU
    and no other thread running, the scan runs in a forked child (threads
    would share one interpreter lock); otherwise in a thread.
    """
    import threading

    if hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1:
        return _scan_in_child(root, confined)
    done: list[Owners] = []
    thread = threading.Thread(target=lambda: done.append(scan_owners(root, confined=confined)), name="netread-owners", daemon=True)
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
            owners = scan_owners(root, confined=confined)
            data = marshal.dumps((owners.by_inode, owners.denied, owners.failed))
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    def wait() -> Owners:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        try:
            _, status = os.waitpid(child, 0)
        except ChildProcessError:  # SIGCHLD ignored by whoever started us: the child reaped itself
            status = 0
        if status != 0 or not data:
            return scan_owners(root, confined=confined)  # the child failed: scan here
        by_inode, denied, failed = marshal.loads(data)
        return Owners(by_inode, denied, failed)

    return wait
