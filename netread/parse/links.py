"""What netstat -p reads of a process: fd link targets and argv[0] (netstat.c prg_cache_load).

Pure functions of the text of ``readlink(<pid>/fd/N)`` and of ``<pid>/cmdline``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

#: netstat's PROGNAME_WIDTH buffer: 19 bytes of text and a NUL.
PROGNAME_BYTES = 19
#: prg_cache_load reads this much of cmdline.
CMDLINE_BYTES = 511


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


#: What socket_inode takes, over the targets of one process joined by NULs (which no path holds).
_SOCKETS: re.Pattern[str] | None = None


def socket_inodes(targets: list[str]) -> list[int]:
    """:func:`socket_inode` of every target that is a socket, in order: one pattern over them all,
    for the fd scan of a busy server (tens of thousands of sockets).

    >>> socket_inodes(["socket:[4635]", "/dev/null", "[0000]:77", "socket:[]", "socket:[12]x", "pipe:[9]", "socket:[3]"])
    [4635, 77, 3]
    >>> socket_inodes(["/tmp/x\\nsocket:[5]", "socket:[18446744073709551615]", "socket:[18446744073709551614]"])
    [18446744073709551614]
    """
    global _SOCKETS
    if _SOCKETS is None:
        import re

        _SOCKETS = re.compile(r"(?<![^\x00])(?:socket:\[([0-9]+)\]|\[0000\]:([0-9]+))(?=\x00)")
    found = _SOCKETS.findall("\x00".join(targets) + "\x00")
    inodes = [int(new or old) for new, old in found]
    # strtoul() saturates at ULONG_MAX, which netstat takes for "not a number"
    return inodes if not inodes or max(inodes) < 0xFFFFFFFFFFFFFFFF else [i for i in inodes if i < 0xFFFFFFFFFFFFFFFF]


def argv0(cmdline: bytes) -> bytes:
    """argv[0] as netstat names a program: the first string of the first 511 bytes of cmdline,
    reduced to its last path component only when it starts with ``/``.

    >>> argv0(b"/usr/sbin/sshd\\x00-D\\x00"), argv0(b"./relname-worker\\x00"), argv0(b"sshd: root@pts/0\\x00")
    (b'sshd', b'./relname-worker', b'sshd: root@pts/0')
    """
    first = cmdline[:CMDLINE_BYTES].split(b"\0", 1)[0]
    return first.rsplit(b"/", 1)[1] if first.startswith(b"/") else first


def netstat_label(pid: int, program: str) -> bytes:
    """``pid/argv0`` as netstat's PID/Program name column holds it: cut to 19 bytes.

    >>> netstat_label(11699, "sshd: root@pts/0")
    b'11699/sshd: root@pt'
    """
    return (b"%d/" % pid + program.encode("utf-8", "surrogateescape"))[:PROGNAME_BYTES]
