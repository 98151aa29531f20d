"""The names the kernel gives a namespace: ``readlink(<pid>/ns/net)`` and nsfs's mount root.

Both are ``"%s:[%u]"`` of the namespace type and its inode number
(fs/nsfs.c ``ns_get_name`` for the link, ``nsfs_show_path`` for the root field of
an nsfs line in mountinfo).  A snapshot keeps ``<pid>/ns/net`` as a dangling
symlink with the same text, so one parser serves live and captured files.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from netread._namedtuple import NamedTuple

#: ns->inum is an unsigned int (include/linux/ns_common.h), printed with %u.
_INODE_MAX = 0xFFFFFFFF


class NsName(NamedTuple):
    """A namespace as the kernel names it: its type (``ops->name``) and inode."""

    type: str
    inode: int


def _type_ok(text: str) -> bool:
    """``ops->name`` is a short lower-case identifier (net, mnt, pid, cgroup, time, ...)."""
    return 0 < len(text) <= 32 and text.isascii() and all(c.islower() or c == "_" for c in text)


def ns_name(text: str) -> NsName | None:
    """``type:[inode]`` as ns_get_name prints it, else None (no sign, no leading zero, 32 bits).

    >>> ns_name("net:[4026531833]"), ns_name("mnt:[4026531841]")
    (NsName(type='net', inode=4026531833), NsName(type='mnt', inode=4026531841))
    >>> ns_name("net:[04026531833]"), ns_name("net:[4294967296]"), ns_name("net:[\\u0663]"), ns_name("/run/netns/red")
    (None, None, None, None)
    """
    kind, bracket, rest = text.partition(":[")
    if not bracket or not rest.endswith("]") or not _type_ok(kind):
        return None
    digits = rest[:-1]
    if not (0 < len(digits) <= 10 and digits.isascii() and digits.isdigit()) or (digits[0] == "0" and digits != "0"):
        return None
    inode = int(digits)
    return NsName(kind, inode) if inode <= _INODE_MAX else None


def net_inode(target: str) -> int | None:
    """The netns inode in a ``readlink(<pid>/ns/net)`` (or a saved ``ns/net`` link), else None.

    >>> net_inode("net:[4026531833]"), net_inode("mnt:[4026531841]"), net_inode("net:[]")
    (4026531833, None, None)
    """
    name = ns_name(target)
    return name.inode if name is not None and name.type == "net" else None
