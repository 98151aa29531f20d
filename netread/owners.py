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

import dataclasses
import errno
import os
from collections.abc import Collection
from pathlib import Path

#: netstat's PROGNAME_WIDTH buffer: 19 bytes of text and a NUL.
PROGNAME_BYTES = 19
CMDLINE_BYTES = 511


@dataclasses.dataclass
class Owners:
    """inode -> ``b"pid/name"`` (raw bytes, cut as netstat cuts them) and how the scan went."""

    by_inode: dict[int, bytes] = dataclasses.field(default_factory=dict)
    #: Some ``<pid>/fd`` could not be opened for lack of permission.
    denied: bool = False
    #: The root itself could not be listed.
    failed: bool = False

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


def scan_owners(root: Path, wanted: Collection[int] | None = None) -> Owners:
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
            fd_dir = os.path.join(root, pid, "fd")
            try:
                fds = os.listdir(fd_dir)
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    owners.denied = True
                continue
            label: bytes | None = None
            for fd in fds:
                if not fd[:1].isdigit():
                    continue
                try:
                    target = os.readlink(os.path.join(fd_dir, fd))
                except OSError:
                    continue
                inode = socket_inode(target)
                if inode is None:
                    continue
                if label is None:
                    try:
                        with open(os.path.join(root, pid, "cmdline"), "rb") as handle:
                            label = program_label(pid, handle.read(CMDLINE_BYTES))
                    except OSError:
                        continue
                if inode not in found:
                    found[inode] = label
                    if remaining is not None:
                        remaining.discard(inode)
                        if not remaining:
                            return owners
    return owners
