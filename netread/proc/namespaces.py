"""Every network namespace a /proc can reach, and one :class:`ProcSource` for each.

``/proc/<pid>/net/*`` are the tables of that task's network namespace, and
``/proc/<pid>/ns/net`` names it (``net:[INODE]``); see
reference/namespaces-and-containers.md.  :func:`discover` finds the namespaces:

- of every process (``<pid>/ns/net``), the first pid in /proc order representing it;
- of threads in a namespace of their own (``<pid>/task/<tid>/ns/net``), and of the
  threads of a process whose leader has exited (its ``ns/net`` is gone);
- of nsfs bind mounts (``ip netns add``, docker's ``/var/run/docker/netns``: the
  mountinfo lines of fstype ``nsfs``), and of nsfs file descriptors held open
  (``fd/N`` that stat() shows on nsfs): these have no task, and are read after
  ``setns`` (root only), or said to be unreadable;
- without the right to read ``ns/net`` (another user's processes), the
  namespace is still told apart by the inode of its ``net/tcp`` entry (the
  same for every process of one namespace), though not named.

:func:`open_tables` opens a namespace's tables at once: through a directory
descriptor of its representative (which pins the pid: a pid reused by another
process gives ESRCH, never another namespace's tables), with ``ns/net`` read
before and after; or after ``setns`` into it, switching back before anything
else is done.  Files already open stay bound to their namespace, so the
listing reads them at leisure.
"""

from __future__ import annotations

import errno
import os
import sys

from netread.errors import ParseError
from netread.errors import SourceError
from netread.parse.netns import net_inode
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    import io
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from typing import NamedTuple
else:
    from netread._namedtuple import NamedTuple

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
#: CLONE_NEWNET: setns()'s namespace type, and what ioctl(NS_GET_NSTYPE) answers for a network namespace.
CLONE_NEWNET = 0x40000000
#: ioctl(fd, NS_GET_NSTYPE) on an nsfs file: its namespace type.
NS_GET_NSTYPE = 0xB703
#: ioctl(fd, NS_GET_ID) on an nsfs file: the 64-bit namespace id of Linux >= 6.11 (never reused).
NS_GET_ID = 0x8008B70D
#: Every table a listing may read, and the counters --explain weighs them against.
TABLES = ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix", "snmp", "netstat", "sockstat", "sockstat6")


class Namespace(NamedTuple):
    """One network namespace, as :func:`discover` found it."""

    #: The namespace's inode (``net:[INODE]``); None when it could not be read (another user's).
    inode: int | None
    #: How it is read: "self" (the reader's own), "pid", "task" (a thread's), "mount", "fd" or
    #: "socket" (no task: after setns into ``path``; "socket": found through a socket's SIOCGSKNS).
    via: str
    #: "pid", "task": the tables' directory under the root (``42/net``, ``42/task/43/net``);
    #: "mount", "fd": the nsfs file to enter; "self": ``net``.
    path: str
    #: The representative process (the first in /proc order), or the holder of the fd.
    pid: int | None = None
    #: The thread, when only a thread is in it.
    tid: int | None = None
    #: Its bind mounts (``/run/netns/red``...).
    names: tuple[str, ...] = ()
    #: Every process in it, in /proc order (their cgroups label the namespace).
    pids: tuple[int, ...] = ()
    #: The 64-bit namespace id (Linux >= 6.11), when the kernel gives one.
    ns_id: int | None = None
    #: The reader's own namespace.
    own: bool = False
    #: The initial namespace (pid 1's, or kthreadd's): the host's.
    initial: bool = False
    #: Without ``inode``: the inode of its ``net/tcp`` entry, which tells namespaces apart.
    fingerprint: int | None = None

    @property
    def label(self) -> str:
        """``net:[INODE]``, or ``net:[?]`` when the inode could not be read."""
        return f"net:[{self.inode}]" if self.inode is not None else "net:[?]"


class Discovery(NamedTuple):
    """What :func:`discover` found, and what it could not identify."""

    namespaces: list[Namespace]
    #: Processes and threads in namespaces that could not be named (``ns/net`` denied), by count.
    denied: int = 0
    #: Processes that went away while they were looked at.
    vanished: int = 0


def _readlink(path: str, dir_fd: int | None = None) -> str | None:
    try:
        return os.readlink(path, dir_fd=dir_fd)
    except OSError:
        return None


def discover(root: str = LIVE_ROOT, *, threads: bool = True, mounts: bool = True, fds: bool = True) -> Discovery:
    """Every network namespace under the live ``root``: the reader's own first, then the others
    by inode (a stable order), each once."""
    own_link = _readlink(f"{root}/thread-self/ns/net") or _readlink(f"{root}/self/ns/net")
    own = net_inode(own_link or "")
    initial = None
    for first in ("1", "2"):
        initial = initial or net_inode(_readlink(f"{root}/{first}/ns/net") or "")
    found: dict[int, dict[str, object]] = {}
    fingerprints: dict[int, list[tuple[int, int | None]]] = {}  # net/tcp's inode -> (pid, tid) in it
    known_prints: dict[int, int] = {}
    denied = vanished = 0

    def note(inode: int, via: str, path: str, pid: int | None, tid: int | None = None) -> None:
        entry = found.get(inode)
        if entry is None:
            found[inode] = {"via": via, "path": path, "pid": pid, "tid": tid, "pids": [pid] if pid is not None and via != "fd" else []}
        elif pid is not None and via == "pid":
            pids = entry["pids"]
            assert isinstance(pids, list)
            if not pids or pids[-1] != pid:
                pids.append(pid)
            if entry["via"] != "pid":  # a process in it is a better representative than a thread or an fd
                entry.update(via=via, path=path, pid=pid, tid=None)

    try:
        names = sorted((e for e in os.listdir(root) if e.isascii() and e.isdigit()), key=int)
    except OSError as exc:
        raise SourceError(f"{root}: cannot list: {exc.strerror}") from exc
    for name in names:
        pid = int(name)
        try:
            link = os.readlink(f"{root}/{name}/ns/net")
        except OSError as exc:
            if exc.errno == errno.EACCES:
                denied += 1
                fp = _fingerprint(f"{root}/{name}/net/tcp")
                if fp is not None:
                    fingerprints.setdefault(fp, []).append((pid, None))
                if threads:  # a thread of its own namespace is told apart the same way
                    for tid, tfp in _thread_prints(root, name, fp):
                        fingerprints.setdefault(tfp, []).append((pid, tid))
                continue
            if exc.errno not in (errno.ENOENT, errno.ESRCH):
                continue
            if not os.path.isdir(f"{root}/{name}"):
                vanished += 1
                continue
            link = ""  # a zombie, or a leader that has exited: its threads may live on
        inode = net_inode(link)
        if inode is not None:
            note(inode, "pid", f"{name}/net", pid)
        if threads:
            for tid, tinode in _threads(root, name, inode):
                note(tinode, "task", f"{name}/task/{tid}/net", pid, tid)
        if fds and inode is not None:
            for fd_path, finode in _nsfs_fds(root, name):
                note(finode, "fd", fd_path, pid)
    mount_names: dict[int, list[str]] = {}
    if mounts:
        for inode, point in _nsfs_mounts(root):
            mount_names.setdefault(inode, []).append(point)
            if inode not in found:
                note(inode, "mount", point, None)
    for inode, entry in found.items():  # the known namespaces' fingerprints name the denied groups
        path = entry["path"]
        if entry["via"] in ("pid", "task") and isinstance(path, str):
            fp = _fingerprint(f"{root}/{path}/tcp")
            if fp is not None:
                known_prints[fp] = inode
    out: list[Namespace] = []
    for inode, entry in found.items():
        pid_, tid_, pids_ = entry["pid"], entry["tid"], entry["pids"]
        where = entry["path"]
        assert isinstance(where, str)
        ns_file = where if entry["via"] in ("mount", "fd") else f"{root}/{os.path.dirname(where)}/ns/net"
        assert (pid_ is None or isinstance(pid_, int)) and (tid_ is None or isinstance(tid_, int)) and isinstance(pids_, list)
        out.append(
            Namespace(
                inode,
                "self" if inode == own else str(entry["via"]),
                "net" if inode == own else str(entry["path"]),
                pid_,
                tid_,
                tuple(mount_names.get(inode, ())),
                tuple(pids_),
                ns_id=_ns_id(f"{root}/self/ns/net" if inode == own else ns_file),
                own=inode == own,
                initial=inode == initial,
            )
        )
    denied = 0
    if initial is None:  # pid 1's and 2's ns/net denied: their tables still tell which is theirs
        first_print = _fingerprint(f"{root}/1/net/tcp") or _fingerprint(f"{root}/2/net/tcp")
        if first_print in known_prints:
            out = [ns._replace(initial=True) if ns.inode == known_prints[first_print] else ns for ns in out]
    for fp, holders in sorted(fingerprints.items()):
        if fp in known_prints:
            continue  # another user's processes in a namespace already listed
        denied += len(holders)
        rep, rep_tid = holders[0]
        path = f"{rep}/net" if rep_tid is None else f"{rep}/task/{rep_tid}/net"
        out.append(
            Namespace(
                None, "pid" if rep_tid is None else "task", path, rep, rep_tid, (), tuple(p for p, t in holders if t is None),
                initial=fp == _fingerprint(f"{root}/1/net/tcp"), fingerprint=fp,
            )
        )  # fmt: skip
    out.sort(key=lambda ns: (not ns.own, ns.inode is None, ns.inode or 0, ns.fingerprint or 0))
    return Discovery(out, denied, vanished)


def _ns_id(path: str) -> int | None:
    """ioctl(NS_GET_ID): the namespace's 64-bit id, never reused (Linux >= 6.11); None before."""
    got = _nsfs_ioctl(path, NS_GET_ID, bytes(8))
    return int.from_bytes(got, sys.byteorder) if isinstance(got, bytes) else None


def _fingerprint(path: str) -> int | None:
    """The inode of a ``net/tcp`` entry: one per namespace, readable by anyone (reference 1.5)."""
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _threads(root: str, name: str, leader: int | None) -> Iterable[tuple[int, int]]:
    """(tid, namespace inode) of each thread of process ``name`` not in the leader's namespace."""
    try:
        tids = os.listdir(f"{root}/{name}/task")
    except OSError:
        return
    if len(tids) == 1 and leader is not None:
        return
    for tid in tids:
        if tid == name or not tid.isdigit():
            continue
        inode = net_inode(_readlink(f"{root}/{name}/task/{tid}/ns/net") or "")
        if inode is not None and inode != leader:
            yield int(tid), inode


def _thread_prints(root: str, name: str, leader: int | None) -> Iterable[tuple[int, int]]:
    """(tid, fingerprint) of each thread of another user's process whose tables are not the leader's."""
    try:
        tids = os.listdir(f"{root}/{name}/task")
    except OSError:
        return
    for tid in tids:
        if tid != name and tid.isdigit():
            fp = _fingerprint(f"{root}/{name}/task/{tid}/net/tcp")
            if fp is not None and fp != leader:
                yield int(tid), fp


def _nsfs_dev(root: str) -> int | None:
    try:
        return os.stat(f"{root}/self/ns/net").st_dev
    except OSError:
        return None


def _nsfs_fds(root: str, name: str) -> Iterable[tuple[str, int]]:
    """(``/proc/<pid>/fd/<n>``, namespace inode) of each open network namespace file of a process."""
    fd_dir = f"{root}/{name}/fd"
    try:
        entries = os.listdir(fd_dir)
    except OSError:
        return
    for fd in entries:
        link = _readlink(f"{fd_dir}/{fd}")
        if link is None or link.startswith(("socket:", "pipe:", "anon_inode:", "/dev/")):
            continue
        inode = net_inode(link)
        if inode is not None:
            yield f"{fd_dir}/{fd}", inode
            continue
        if link.startswith(("mnt:", "uts:", "ipc:", "pid:", "user:", "cgroup:", "time:")):
            continue
        nsfs = _nsfs_dev(root)
        try:
            st = os.stat(f"{fd_dir}/{fd}")
        except OSError:
            continue
        if st.st_dev == nsfs and _is_net_ns(f"{fd_dir}/{fd}"):  # opened by a path (/run/netns/x) or unmounted
            yield f"{fd_dir}/{fd}", st.st_ino


def _is_net_ns(path: str) -> bool:
    return _nsfs_ioctl(path, NS_GET_NSTYPE) == CLONE_NEWNET


def _nsfs_ioctl(path: str, request: int, arg: bytes | None = None) -> int | bytes | None:
    """``ioctl(request)`` on the nsfs file ``path`` opened for it; None where the open or the
    ioctl fails (not an nsfs file, an older kernel)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return fcntl.ioctl(fd, request) if arg is None else fcntl.ioctl(fd, request, arg)
    except OSError:
        return None
    finally:
        os.close(fd)


def _nsfs_mounts(root: str) -> Iterable[tuple[int, str]]:
    """(namespace inode, mount point) of each network namespace bind mount in the reader's mountinfo
    (a mount whose root an older kernel wrote as ``/`` is stat()ed for its inode)."""
    from netread.parse.mountinfo import netns_mounts

    try:
        with open(f"{root}/self/mountinfo", "rb") as handle:
            text = handle.read(1 << 22).decode("utf-8", "surrogateescape")
    except OSError:
        return
    nsfs = _nsfs_dev(root)
    for mount in netns_mounts(text, f"{root}/self/mountinfo"):
        inode = mount.inode
        if inode is None:
            try:
                st = os.stat(mount.mount_point)
            except OSError:
                continue
            if st.st_dev != nsfs or not _is_net_ns(mount.mount_point):
                continue
            inode = st.st_ino
        yield inode, mount.mount_point


def open_tables(root: str, ns: Namespace, names: Iterable[str] = TABLES) -> dict[str, io.FileIO]:
    """The tables ``names`` of ``ns``, open (a table the namespace does not have is left out).

    Raises :class:`SourceError` when the namespace cannot be read: its
    representative left it (or exited) while the tables were opened, or there
    is no right to enter it.
    """
    if ns.via == "self":
        raise ValueError("the reader's own namespace is read as net/")
    if ns.via in ("pid", "task"):
        return _open_through(root, ns, tuple(names))
    return _open_inside(root, ns, tuple(names))


def _open_through(root: str, ns: Namespace, names: tuple[str, ...]) -> dict[str, io.FileIO]:
    task = os.path.dirname(ns.path)  # 42, or 42/task/43
    try:
        dfd = os.open(f"{root}/{task}", _DIR)
    except OSError as exc:
        raise SourceError(f"{root}/{task}: the process holding {ns.label} has gone") from exc
    opened: dict[str, io.FileIO] = {}
    try:
        before = _readlink("ns/net", dfd)
        for name in names:
            try:
                fd = os.open(f"net/{name}", os.O_RDONLY | os.O_CLOEXEC, dir_fd=dfd)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENOTDIR) and _readlink("ns/net", dfd) is not None:
                    continue  # the namespace has no such table
                raise SourceError(f"{root}/{task}/net/{name}: {exc.strerror}") from exc
            opened[name] = _file(fd)
        after = _readlink("ns/net", dfd)
        if ns.inode is not None and (before != after or net_inode(before or "") != ns.inode):
            raise SourceError(f"{root}/{task}: left {ns.label} while its tables were opened")
    except BaseException:
        _close_all(opened)
        raise
    finally:
        os.close(dfd)
    return opened


def _open_inside(root: str, ns: Namespace, names: tuple[str, ...]) -> dict[str, io.FileIO]:
    """After setns into ``ns.path``, this thread's tables (``thread-self/net``), then back."""
    setns = _setns()
    try:
        home = os.open(f"{root}/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise SourceError(f"{root}/thread-self/ns/net: {exc.strerror}") from exc
    opened: dict[str, io.FileIO] = {}
    try:
        try:
            target = os.open(ns.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise SourceError(f"{ns.path}: {exc.strerror}") from exc
        try:
            setns(target, CLONE_NEWNET)
        except OSError as exc:
            if exc.errno == errno.EPERM:
                raise NotEnterable(f"{ns.label} ({ns.path}): no task is in it, and entering it needs CAP_SYS_ADMIN: not listed") from exc
            raise SourceError(f"{ns.label} ({ns.path}): no task is in it, and {exc.strerror}") from exc
        finally:
            os.close(target)
        try:
            for name in names:
                try:
                    opened[name] = _file(os.open(f"{root}/thread-self/net/{name}", os.O_RDONLY | os.O_CLOEXEC))
                except FileNotFoundError:
                    continue
        finally:
            setns(home, CLONE_NEWNET)  # back before anything else is read
    except BaseException:
        _close_all(opened)
        raise
    finally:
        os.close(home)
    return opened


def _close_all(opened: dict[str, io.FileIO]) -> None:
    for handle in opened.values():
        handle.close()


def _file(fd: int) -> io.FileIO:
    import io

    return io.FileIO(fd, "rb")


def _setns() -> Callable[[int, int], None]:
    setns: Callable[[int, int], None] | None = getattr(os, "setns", None)  # Python >= 3.12
    if setns is not None:
        return setns
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def call(fd: int, nstype: int) -> None:
        if libc.setns(fd, nstype) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))

    return call


def section_source(source: ProcSource, ns: Namespace, tables: Iterable[str] = TABLES) -> ProcSource:
    """The :class:`ProcSource` of ``ns``'s tables (the live ones opened now)."""
    if ns.via == "self":
        return source if source.root == LIVE_ROOT or ns.inode is None else source._replace(netns=ns.inode)
    if source.root != LIVE_ROOT:
        return source._replace(net=ns.path, netns=ns.inode)
    return source._replace(net=ns.path if ns.via in ("pid", "task") else f"netns/{ns.inode}/net", opened=open_tables(source.root, ns, tables), netns=ns.inode)


def inode_of(which: str, source: ProcSource) -> int | None:
    """The namespace inode ``--netns which`` names: a pid's (``<pid>/ns/net``), a name under
    ``/run/netns``, or an nsfs path (a bind mount, ``/proc/<pid>/ns/net``); None if none."""
    if which.isascii() and which.isdigit():
        if source.confined:
            return net_inode(_readlink(os.path.join(source.root, which, "ns", "net")) or "")
        return net_inode(_readlink(f"{source.root}/{which}/ns/net") or "")
    if source.confined:
        return None  # a snapshot's namespaces are named by their mounts (Namespace.names)
    path = which if "/" in which else f"/run/netns/{which}"
    try:
        return os.stat(path).st_ino if os.stat(path).st_dev == _nsfs_dev(source.root) else None
    except OSError:
        return None


def in_snapshot(source: ProcSource) -> Discovery:
    """The namespaces a snapshot holds: its manifest's ``netns`` list (``netread capture``
    writes one); a snapshot without it holds one, its ``net/``."""
    import json

    text = source.read_text("snapshot.json", 1 << 24)
    listed: object = None
    if text is not None:
        try:
            listed = json.loads(text).get("netns")
        except (ValueError, AttributeError, RecursionError):
            listed = None  # the listing itself says what is wrong with the manifest
    if listed is None:
        return Discovery([Namespace(None, "self", "net", own=True)])
    if not isinstance(listed, list):
        raise SourceError(f"{source.root}/snapshot.json: netns: not a list")
    out = []
    for number, entry in enumerate(listed):
        out.append(_manifest_namespace(entry, f"{source.root}/snapshot.json: netns[{number}]"))
    return Discovery(out)


def _manifest_namespace(entry: object, where: str) -> Namespace:
    """One entry of a manifest's ``netns`` list, checked field by field."""
    if not isinstance(entry, dict):
        raise SourceError(f"{where}: not an object")

    def number(key: str) -> int | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 64:
            raise SourceError(f"{where}.{key}: not a number")
        return value

    via, path = entry.get("via"), entry.get("path")
    if via not in ("self", "pid", "task", "mount", "fd", "socket"):
        raise SourceError(f"{where}.via: not one of self, pid, task, mount, fd, socket")
    if not isinstance(path, str) or path.startswith("/") or ".." in path.split("/") or not (path == "net" or path.endswith("/net")):
        raise SourceError(f"{where}.path: not a net/ directory inside the snapshot")
    names = entry.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SourceError(f"{where}.names: not a list of strings")
    pids = entry.get("pids", [])
    if not isinstance(pids, list) or not all(isinstance(p, int) and not isinstance(p, bool) and 0 < p < 1 << 32 for p in pids):
        raise SourceError(f"{where}.pids: not a list of pids")
    return Namespace(
        number("inode"),
        str(via),
        path,
        number("pid"),
        number("tid"),
        tuple(names),
        tuple(pids),
        ns_id=number("ns_id"),
        own=via == "self",
        initial=entry.get("initial") is True,
    )


def choose(found: list[Namespace], which: str, source: ProcSource) -> list[Namespace]:
    """The namespaces ``--netns which`` lists: every one for "all"; else the one a pid, a name
    under /run/netns, a bind mount's name or path, or an nsfs path names (SourceError if none)."""
    if which == "all":
        return found
    inode = inode_of(which, source)
    for ns in found:
        if (inode is not None and ns.inode == inode) or which in ns.names or any(os.path.basename(n) == which for n in ns.names):
            return [ns]
    from netread.escape import escape_text

    raise NoSuchNamespace(f"--netns {escape_text(which)}: no such network namespace")


class NoSuchNamespace(SourceError):
    """--netns names no namespace of the source (a usage error, status 2)."""

    exit_code = 2


class NotEnterable(SourceError):
    """A namespace with no task in it, and no right to setns into it: said, not an error."""


def container_labels(source: ProcSource, ns: Namespace) -> tuple[str, ...]:
    """What a namespace's banner and records call it: ``host`` for the initial one, then the
    container of each of its processes (``/proc/<pid>/cgroup``: ``docker:<id12>``,
    ``cri-o:<id12>``...), each once, and ``pod:<uid>`` when one Kubernetes pod holds all of
    those.  A namespace is not a container (a pod's containers share one; a host-network
    container is in the host's): every container seen is named.
    """
    from netread.parse.cgroup import container_label

    labels: list[str] = ["host"] if ns.initial else []
    pods: set[str | None] = set()
    for pid in ns.pids:
        text = source.read_text(f"{pid}/cgroup")
        found = container_label(text, f"{source.root}/{pid}/cgroup") if text else None
        if found is None:
            continue
        label = f"{found.runtime.value}:{found.id[:12]}"
        if label not in labels:
            labels.append(label)
        pods.add(found.pod_uid)
    if len(pods) == 1 and None not in pods and not ns.initial:
        labels.append(f"pod:{next(iter(pods))}")
    return tuple(labels)


#: The column of the inode in each table's lines (split on blanks): inet 9, unix 6.
INODE_COLUMN = {"tcp": 9, "tcp6": 9, "udp": 9, "udp6": 9, "udplite": 9, "udplite6": 9, "raw": 9, "raw6": 9, "unix": 6}
#: SIOCGSKNS: a socket's network namespace, as an nsfs fd (needs CAP_NET_ADMIN over it).
SIOCGSKNS = 0x894C
#: What ``system.sockprotoname`` calls the sockets of the tables netread reads.
TABLE_PROTOCOLS = frozenset({"TCP", "TCPv6", "UDP", "UDPv6", "UDP-Lite", "UDPLITEv6", "RAW", "RAWv6", "UNIX", "UNIX-STREAM", "UNIX-DGRAM", "UNIX-SEQPACKET"})


class Orphan(NamedTuple):
    """A socket a process holds that no table read lists: its namespace is not reachable from /proc."""

    inode: int
    pid: int
    fd: int
    protocol: str


def table_inodes(name: str, text: bytes, header: bool = True) -> Iterator[int]:
    """The inode column of each line of ``text``, a piece of the table ``name`` (its first line
    the header when ``header``); nothing for a file that is not a socket table."""
    column = INODE_COLUMN.get(name)
    if column is None:
        return
    lines = text.split(b"\n")
    for line in lines[1:] if header else lines:
        fields = line.split()
        if len(fields) > column and fields[column].isdigit():
            yield int(fields[column])


def listed_inodes(source: ProcSource, found: Iterable[Namespace]) -> set[int]:
    """Every non-zero inode in the tables of the namespaces ``found`` (read again a piece at a
    time, the inode column only)."""
    inodes: set[int] = set()
    for ns in found:
        try:
            section = section_source(source, ns, tuple(INODE_COLUMN))
        except SourceError:
            continue
        for table in INODE_COLUMN:
            try:
                chunks = section.net_chunks(table, overlap=False)
            except SourceError:
                continue
            for lineno, piece in chunks or ():
                if not isinstance(piece, ParseError):
                    inodes.update(table_inodes(table, piece, header=lineno == 1))
        section.close()
    inodes.discard(0)
    return inodes


def orphan_sockets(root: str, holders: dict[int, tuple[int, ...]], listed: set[int]) -> list[Orphan]:
    """The sockets of the kinds the tables list (``system.sockprotoname``) that processes hold
    but no table read lists, with the first holder's fd."""
    from netread.parse.links import socket_inode

    out: list[Orphan] = []
    missing = {inode: pids[0] for inode, pids in holders.items() if inode not in listed}
    by_pid: dict[int, set[int]] = {}
    for inode, pid in missing.items():
        by_pid.setdefault(pid, set()).add(inode)
    for pid, inodes in sorted(by_pid.items()):
        try:
            fds = os.listdir(f"{root}/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            held = socket_inode(_readlink(f"{root}/{pid}/fd/{fd}") or "")
            if held is None or held not in inodes:
                continue
            inodes.discard(held)
            try:
                protocol = os.getxattr(f"{root}/{pid}/fd/{fd}", "system.sockprotoname").decode("ascii", "replace").rstrip("\0")
            except OSError:
                protocol = "?"
            if protocol in TABLE_PROTOCOLS:
                out.append(Orphan(held, pid, int(fd), protocol))
    return sorted(out)


def socket_namespace(root: str, orphan: Orphan) -> tuple[Namespace, int] | None:
    """The namespace of an orphan socket, through a copy of its fd (pidfd_getfd) and SIOCGSKNS,
    as a Namespace to enter and the nsfs fd that keeps it (close it when done); None without
    the rights (ptrace over the holder, CAP_NET_ADMIN over the namespace)."""
    import ctypes
    import fcntl

    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        pidfd = pidfd_open(orphan.pid)
    except OSError:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        copy = libc.syscall(438, pidfd, orphan.fd, 0)  # pidfd_getfd
        if copy < 0:
            return None
        try:
            nsfd = fcntl.ioctl(copy, SIOCGSKNS)
        except OSError:
            return None
        finally:
            os.close(copy)
    finally:
        os.close(pidfd)
    inode = os.fstat(nsfd).st_ino
    ns = Namespace(inode, "socket", f"{root}/self/fd/{nsfd}", orphan.pid, ns_id=_ns_id(f"{root}/self/fd/{nsfd}"))
    return ns, nsfd
