"""nsfs bind mounts in ``/proc/<pid>/mountinfo``: which namespace inode each mount point names.

``ip netns add red`` bind-mounts an nsfs file on ``/run/netns/red``, Docker on
``/var/run/docker/netns/<sandbox>``, containerd and CNI on ``/var/run/netns/cni-<uuid>``,
podman on ``netns-<uuid>`` under ``/run/netns`` (rootful) or ``$XDG_RUNTIME_DIR/netns``
(rootless).  Each such mount is a mountinfo line whose filesystem type is ``nsfs`` and
whose root field is the namespace's name (fs/nsfs.c ``nsfs_show_path``)::

    4420 29 0:4 net:[4026532387] /run/netns/red rw,nosuid,nodev,noexec,relatime shared:635 - nsfs nsfs rw

The line format is proc(5)'s (fs/proc_namespace.c ``show_mountinfo``): mount id,
parent id, major:minor, root, mount point, mount options, optional fields ended by
``-``, then filesystem type, source and super options.  Paths are written with
space, tab, newline and backslash as octal escapes (``\\040``, ``\\011``, ``\\012``,
``\\134``; fs/seq_file.c ``seq_path_root`` with the set ``" \\t\\n\\\\"``), which
:func:`unescape` decodes.  Pure: text in, records out; a malformed line is left out
and reported as a :class:`~netread.errors.ParseError` naming the file, line and field.
"""

from __future__ import annotations

import re

from netread.errors import ParseError
from netread.parse.netns import ns_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from enum import Enum
    from typing import NamedTuple
else:
    from netread._enum import Enum
    from netread._namedtuple import NamedTuple

#: ``\ooo``: the kernel writes only ASCII this way (mangle sets are space, tab, newline, backslash, '#').
_OCTAL = re.compile(r"\\([0-3][0-7][0-7])")
_DECIMAL = re.compile(r"[0-9]{1,10}")
_DEVICE = re.compile(r"[0-9]{1,10}:[0-9]{1,10}")
#: fs/nsfs.c registers the filesystem as "nsfs" (kernels before 3.19 showed namespace files on proc).
NSFS = "nsfs"


class Origin(str, Enum):
    """Whose directory an nsfs mount point is in, which says what its last component names."""

    #: ``/run/netns/NAME`` or ``/var/run/netns/NAME``: ``ip netns`` (iproute2 ip/ipnetns.c NETNS_RUN_DIR),
    #: also containerd's and CNI's ``cni-<uuid>`` and rootful podman's ``netns-<uuid>``.
    IP_NETNS = "ip-netns"
    #: ``/var/run/docker/netns/ID``: a Docker sandbox, which ``ip netns`` does not list (moby/moby#42466).
    DOCKER = "docker"
    #: ``/run/user/UID/netns/NAME``: rootless podman's ``$XDG_RUNTIME_DIR/netns`` (containers/common pkg/netns).
    ROOTLESS = "rootless"
    #: any other place: the mount point is the only name.
    OTHER = "other"


class NsfsMount(NamedTuple):
    """One nsfs mount: the namespace it pins and where, with the line it came from."""

    lineno: int
    mount_id: int
    #: the namespace type (``net``, ``mnt``, ``uts``, ...) and inode from the root field; None
    #: where the kernel writes the root as ``/`` (older kernels, before nsfs_show_path: Docker
    #: 1.9's test fixture has ``145 230 0:3 / /run/docker/netns/default rw - nsfs nsfs rw``),
    #: so that only a stat of the mount point tells them.
    type: str | None
    inode: int | None
    #: decoded (``\\040`` is a space again).
    mount_point: str
    origin: Origin
    #: the name the origin gives it: the last component, or the whole mount point for OTHER.
    name: str


def unescape(field: str) -> str:
    """A mountinfo path with the kernel's octal escapes decoded.

    >>> unescape("/run/netns/with\\\\040space"), unescape("/a\\\\134040b"), unescape("/tab\\\\011x\\\\012y")
    ('/run/netns/with space', '/a\\\\040b', '/tab\\tx\\ny')
    """
    if "\\" not in field:
        return field
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), field)


def origin_of(mount_point: str) -> tuple[Origin, str]:
    """The runtime directory a mount point is in, and the name it gives the namespace.

    >>> origin_of("/run/netns/red"), origin_of("/var/run/docker/netns/1a2b3c4d5e6f")
    ((<Origin.IP_NETNS: 'ip-netns'>, 'red'), (<Origin.DOCKER: 'docker'>, '1a2b3c4d5e6f'))
    >>> origin_of("/run/user/1000/netns/netns-0c8a"), origin_of("/tmp/held")
    ((<Origin.ROOTLESS: 'rootless'>, 'netns-0c8a'), (<Origin.OTHER: 'other'>, '/tmp/held'))
    """
    directory, _, name = mount_point.rpartition("/")
    if name:
        if directory in ("/run/netns", "/var/run/netns"):
            return Origin.IP_NETNS, name
        if directory in ("/run/docker/netns", "/var/run/docker/netns"):
            return Origin.DOCKER, name
        parts = directory.split("/")
        # /run/user/<uid>/netns (and /var/run/user/<uid>/netns)
        if parts[-1] == "netns" and parts[-3:-2] == ["user"] and parts[-2].isascii() and parts[-2].isdigit():
            if parts[:-3] in (["", "run"], ["", "var", "run"]):
                return Origin.ROOTLESS, name
    return Origin.OTHER, mount_point


def _problem(path: str, lineno: int, field: str, reason: str, line: str, problems: list[ParseError] | None) -> None:
    if problems is not None:
        problems.append(ParseError(path, lineno, field, reason, line))


def nsfs_mounts(text: str, path: str = "mountinfo", problems: list[ParseError] | None = None) -> list[NsfsMount]:
    """Every nsfs mount in a mountinfo file, in file order; malformed lines go to ``problems``.

    >>> line = "4420 29 0:4 net:[4026532387] /run/netns/red rw,nosuid shared:635 - nsfs nsfs rw"
    >>> nsfs_mounts(line + "\\n")
    [NsfsMount(lineno=1, mount_id=4420, type='net', inode=4026532387, mount_point='/run/netns/red', origin=<Origin.IP_NETNS: 'ip-netns'>, name='red')]
    >>> found = []
    >>> nsfs_mounts("4420 29 0:4 /etc /x rw - nsfs nsfs rw\\n", "1/mountinfo", found), found[0].message()[:52]
    ([], '1/mountinfo:1: field root: not a namespace name type')
    """
    mounts: list[NsfsMount] = []
    for index, line in enumerate(text.split("\n")):
        lineno = index + 1
        if not line:
            continue
        fields = line.split(" ")
        try:
            dash = fields.index("-", 6)
        except ValueError:
            _problem(path, lineno, "separator", "no ' - ' after the six leading fields", line, problems)
            continue
        if len(fields) - dash - 1 < 3:
            _problem(path, lineno, "fstype", "fewer than three fields after ' - '", line, problems)
            continue
        for field, value, pattern in (
            ("mount ID", fields[0], _DECIMAL),
            ("parent ID", fields[1], _DECIMAL),
            ("major:minor", fields[2], _DEVICE),
        ):
            if pattern.fullmatch(value) is None:
                _problem(path, lineno, field, "not a number as the kernel writes it", line, problems)
                break
        else:
            if fields[dash + 1] != NSFS:
                continue
            name = ns_name(fields[3])
            if name is None and fields[3] != "/":
                _problem(path, lineno, "root", "not a namespace name type:[inode] (nor '/')", line, problems)
                continue
            point = unescape(fields[4])
            origin, short = origin_of(point)
            kind, inode = (None, None) if name is None else name
            mounts.append(NsfsMount(lineno, int(fields[0]), kind, inode, point, origin, short))
    return mounts


def netns_mounts(text: str, path: str = "mountinfo", problems: list[ParseError] | None = None) -> list[NsfsMount]:
    """The nsfs mounts of network namespaces (type ``net``, or unknown: root ``/``), in file order.

    >>> [m.name for m in netns_mounts("1 2 0:4 mnt:[4026531841] /a rw - nsfs nsfs rw\\n3 2 0:4 net:[9] /run/netns/b rw - nsfs nsfs rw\\n")]
    ['b']
    """
    return [m for m in nsfs_mounts(text, path, problems) if m.type in ("net", None)]
