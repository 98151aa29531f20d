"""``netread capture``: save what a listing of this machine needs, laid out like /proc.

What is saved (each file read once, tables first and the fd scan after, as a
listing reads them):

- ``net/``: every socket table, and the counters ``snmp``, ``snmp6``,
  ``netstat``, ``sockstat``, ``sockstat6``, ``sctp/snmp`` (-s; only while the
  sctp module is loaded), the SCTP endpoints and associations ``sctp/eps``,
  ``sctp/assocs`` (-S; the same), and the multicast groups ``igmp``, ``igmp6`` (``-g``),
  byte for byte;
- for each process holding a socket listed in those tables: its socket fd
  links as symlinks ``fd/<n> -> socket:[N]`` (nothing else of ``fd/``),
  ``cmdline``, ``comm``, and the ``Name:`` and ``Uid:`` lines of ``status``;
- the sysctls ``--explain`` reads (``sys/net/core/somaxconn`` ...);
- for ``-i``: ``net/dev`` and ``net/if_inet6`` (above), the kernel's ioctl
  answers about every interface and IPv4 label (``kernel/ifreq``, see
  netread/parse/ifreq.py) and copies of
  ``/sys/class/net/<if>/{mtu,tx_queue_len,type,address,flags,operstate}``
  under ``sysfs/class/net/`` (only when /sys is this network namespace's);
- ``snapshot.json``: the manifest (:data:`MANIFEST_FORMAT`): capture time,
  host name, kernel release, machine, byte order, clock-tick rate, the names
  of the uids seen, netread's version.

``netread --proc DIR`` then prints what ``netread`` printed on the machine at
capture time, and net-tools netstat can read DIR as its /proc.  What could
not be read (permission) is listed and the rest is saved.
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import io
import json
import os
import shutil
import sys
import tarfile
import time
from pathlib import Path

from netread._version import __version__
from netread.errors import CaptureError
from netread.model import INET_TABLES
from netread.model import InetSocket
from netread.model import SctpSocket
from netread.model import UnixSocket
from netread.parse.inet import decode_inet
from netread.parse.links import CMDLINE_BYTES
from netread.parse.links import socket_inode
from netread.parse.unix import decode_unix

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from typing import Literal

    from netread.proc.namespaces import Namespace

MANIFEST_FORMAT = 1
NET_FILES = (*INET_TABLES, "unix", "snmp", "snmp6", "netstat", "sockstat", "sockstat6", "route", "ipv6_route", "rt_cache", "ndisc", "igmp", "igmp6", "dev", "if_inet6", "sctp/snmp", "sctp/eps", "sctp/assocs")
SYSCTLS = (
    "sys/net/core/somaxconn",
    "sys/net/core/rmem_default",
    "sys/net/core/rmem_max",
    "sys/net/core/wmem_default",
    "sys/net/core/wmem_max",
    "sys/net/ipv4/ip_local_port_range",
    "sys/net/ipv4/tcp_fin_timeout",
    "sys/net/ipv4/tcp_max_orphans",
    "sys/net/ipv4/tcp_orphan_retries",
    "sys/net/ipv4/tcp_max_syn_backlog",
    "sys/net/ipv4/tcp_syncookies",
    "sys/net/ipv4/tcp_tw_reuse",
    "sys/net/ipv4/tcp_keepalive_time",
)
PROCESS_FILES = ("cmdline", "comm", "status")
#: The processes of a namespace whose cgroup a capture keeps (its container labels), at most.
MAX_NETNS_PIDS = 4096
#: Of a cgroup file, at most this much is kept (its lines name the containers).
MAX_CGROUP = 1 << 16
#: /proc files are small; a bigger read means something is wrong (a table of a huge host is ~150 MB).
MAX_FILE = 1 << 30


@dataclasses.dataclass(frozen=True)
class Entry:
    """One thing to write: a file with ``data``, or a symlink to ``link``; ``path`` is relative."""

    path: str
    data: bytes | None = None
    link: str | None = None


@dataclasses.dataclass
class Capture:
    entries: list[Entry] = dataclasses.field(default_factory=list)
    #: What could not be read, one sentence each.
    problems: list[str] = dataclasses.field(default_factory=list)
    manifest: dict[str, object] = dataclasses.field(default_factory=dict)
    sockets: int = 0
    processes: int = 0
    #: The manifest's ``interfaces``: where the kernel's answers and the sysfs copies are, the names.
    interfaces: dict[str, object] | None = None


#: Read size: /proc/sys allocates the whole request in the kernel, so huge reads fail with ENOMEM.
CHUNK = 1 << 18


def _read(path: Path, capture: Capture, what: str) -> bytes | None:
    try:
        with open(path, "rb", buffering=0) as handle:
            return _read_handle(handle)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ESRCH):
            capture.problems.append(f"{what}: {os.strerror(exc.errno or 0)}")
        return None


def _status_lines(status: bytes) -> bytes:
    """The ``Name:`` and ``Uid:`` lines of /proc/<pid>/status: all a listing needs, nothing private."""
    return b"".join(line for line in status.splitlines(keepends=True) if line.startswith((b"Name:", b"Uid:")))


def saved_cmdline(cmdline: bytes) -> bytes:
    r"""What a capture keeps of a ``cmdline``: argv[0] as netstat reads it (the first string of the
    first 511 bytes) and its NUL, which is all a listing shows; the arguments are left out.

    >>> saved_cmdline(b"/usr/bin/mysql\0-uroot\0-phunter2\0"), saved_cmdline(b"sshd: root@pts/0"), saved_cmdline(b"")
    (b'/usr/bin/mysql\x00', b'sshd: root@pts/0\x00', b'')
    """
    first = cmdline[:CMDLINE_BYTES].split(b"\0", 1)[0]
    return first + b"\0" if cmdline else b""


def _status_uid(status: bytes) -> int | None:
    for line in status.splitlines():
        if line.startswith(b"Uid:"):
            fields = line.split()
            return int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
    return None


def _user_names(uids: Iterable[int]) -> dict[str, str]:
    import pwd

    names = {}
    for uid in sorted(set(uids)):
        try:
            names[str(uid)] = pwd.getpwuid(uid).pw_name
        except (KeyError, OverflowError):
            pass
    return names


def collect(
    root: Path = Path("/proc"),
    *,
    now: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc),
    user_names: Callable[[Iterable[int]], dict[str, str]] = _user_names,
    full_cmdline: bool = False,
    netns: bool = False,
    interfaces: bool | None = None,
) -> Capture:
    """Read everything a snapshot of ``root`` holds (the live /proc by default); write nothing.

    Of each owner's ``cmdline`` only what a listing shows is kept: its first
    string within netstat's 511 bytes (:func:`saved_cmdline`), so secrets
    passed in arguments do not end up in a snapshot meant to be sent away;
    ``full_cmdline`` keeps it whole.  ``netns`` saves every other network
    namespace's tables too, where a live /proc has them (:func:`_other_namespaces`),
    and lists the namespaces in the manifest.  ``interfaces`` (by default: when ``root`` is the live
    /proc) asks the kernel about its interfaces for ``-i`` (:func:`_interfaces`).
    """
    capture = Capture()
    inodes: set[int] = set()
    uids: set[int] = set()
    tables: list[tuple[str, str, bytes]] = []  # (directory, name, data)
    for name in NET_FILES:
        data = _read(root / "net" / name, capture, f"net/{name}")
        if data is not None:
            tables.append(("net", name, data))
    namespaces: list[dict[str, object]] = []
    if netns:
        namespaces = _other_namespaces(root, capture, tables)
    for directory, name, data in tables:
        capture.entries.append(Entry(f"{directory}/{name}", data))
        if name in INET_TABLES or name == "unix":
            lines = data.decode("utf-8", "surrogateescape").split("\n")
            rows = decode_unix(lines, path=name) if name == "unix" else decode_inet(lines, path=name, table=name, byteorder=_byteorder())
            for row in rows:
                if isinstance(row, (InetSocket, UnixSocket)) and row.inode:
                    inodes.add(row.inode)
                    capture.sockets += 1
                if isinstance(row, InetSocket) and row.uid is not None:
                    uids.add(row.uid)
        elif name in ("sctp/eps", "sctp/assocs"):
            from netread.parse.sctp import decode_sctp

            lines = data.decode("utf-8", "surrogateescape").split("\n")
            for record in decode_sctp(lines, path=name, association=name == "sctp/assocs"):
                if isinstance(record, SctpSocket):
                    inodes.add(record.inode)
                    uids.add(record.uid)
                    capture.sockets += 1
    denied = 0
    try:
        pids = sorted((e.name for e in os.scandir(root) if e.name.isascii() and e.name.isdigit()), key=int)
    except OSError as exc:
        capture.problems.append(f"{root}: cannot list processes: {os.strerror(exc.errno or 0)}")
        pids = []
    for pid in pids:
        fd_dir = root / pid / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError as exc:
            denied += exc.errno == errno.EACCES
            continue
        links = []
        for fd in sorted((f for f in fds if f.isdigit()), key=int):
            try:
                target = os.readlink(fd_dir / fd)
            except OSError:
                continue
            inode = socket_inode(target)
            if inode is not None and inode in inodes:
                links.append(Entry(f"{pid}/fd/{fd}", link=target))
        if not links:
            continue
        files = {name: _read(root / pid / name, capture, f"{pid}/{name}") for name in PROCESS_FILES}
        if files["cmdline"] is None:
            continue  # gone while we looked: as a listing would skip it
        capture.processes += 1
        capture.entries += links
        for name, data in files.items():
            if data is not None:
                if name == "status":
                    data = _status_lines(data)
                elif name == "cmdline" and not full_cmdline:
                    data = saved_cmdline(data)
                capture.entries.append(Entry(f"{pid}/{name}", data))
        uid = _status_uid(files["status"] or b"")
        if uid is not None:
            uids.add(uid)
    if denied:
        capture.problems.append(
            f"{denied} process(es) did not let us read their fds (not root?): their sockets will show no owner"
        )
    for name in SYSCTLS:
        data = _read(root / name, capture, name)
        if data is not None:
            capture.entries.append(Entry(name, data))
    if interfaces if interfaces is not None else root == Path("/proc"):
        _interfaces(capture)
    capture.manifest = {
        "format": MANIFEST_FORMAT,
        "captured_at": now().isoformat(timespec="seconds"),
        "hostname": _text(root / "sys/kernel/hostname") or os.uname().nodename,
        "kernel": _text(root / "sys/kernel/osrelease") or os.uname().release,
        "machine": os.uname().machine,
        "byteorder": _byteorder(),
        "clk_tck": os.sysconf("SC_CLK_TCK"),
        "users": user_names(uids),
        "made_by": f"netread {__version__} capture",
    }
    if netns:
        capture.manifest["netns"] = namespaces
    if capture.interfaces is not None:
        capture.manifest["interfaces"] = capture.interfaces
    return capture


def _other_namespaces(root: Path, capture: Capture, tables: list[tuple[str, str, bytes]]) -> list[dict[str, object]]:
    """Every network namespace under ``root`` (proc/namespaces.py): the tables of each but the
    capturer's own appended to ``tables`` where live /proc has them (``<pid>/net``,
    ``<pid>/task/<tid>/net``; ``netns/<inode>/net`` for one with no task), its ``ns/net`` link
    saved; the manifest's ``netns`` list returned."""
    from netread.proc import namespaces

    found = namespaces.discover(str(root))
    listed: list[dict[str, object]] = []
    cgroups: set[int] = set()
    for ns in found.namespaces:
        pids = list(ns.pids[:MAX_NETNS_PIDS])
        entry: dict[str, object] = {
            "inode": ns.inode, "ns_id": ns.ns_id, "via": ns.via, "path": ns.path, "pid": ns.pid, "tid": ns.tid,
            "names": list(ns.names), "initial": ns.initial, "pids": pids,
        }  # fmt: skip
        for pid in pids:  # the container labels are worked out when the snapshot is read
            if pid in cgroups:
                continue
            cgroups.add(pid)
            data = _read(root / str(pid) / "cgroup", capture, f"{pid}/cgroup")
            if data is not None:
                capture.entries.append(Entry(f"{pid}/cgroup", data[:MAX_CGROUP]))
        if ns.via == "self":
            listed.append(entry)
            continue
        if ns.inode is None:  # another user's: grouped, not named; its tables are still readable
            entry["via"], entry["fingerprint"] = "pid", ns.fingerprint
        directory = ns.path if ns.via in ("pid", "task") else f"netns/{ns.inode}/net"
        entry["path"] = directory
        if not _save_tables(root, ns, directory, capture, tables):
            continue
        if ns.via in ("pid", "task") and ns.inode is not None:
            capture.entries.append(Entry(f"{os.path.dirname(directory)}/ns/net", link=ns.label))
        listed.append(entry)
    listed += _socket_namespaces(root, capture, tables, {ns.inode for ns in found.namespaces})
    if found.denied:
        capture.problems.append(f"the namespaces of {found.denied} processes or threads of other users could not be named (their ns/net needs ptrace access)")
    return listed


def _save_tables(root: Path, ns: Namespace, directory: str, capture: Capture, tables: list[tuple[str, str, bytes]]) -> bool:
    """``ns``'s tables read and appended to ``tables`` under ``directory``; False (said) if it could not be read."""
    from netread.errors import SourceError
    from netread.proc import namespaces

    try:
        opened = namespaces.open_tables(str(root), ns, NET_FILES)
    except SourceError as exc:
        capture.problems.append(str(exc))
        return False
    for name in NET_FILES:
        handle = opened.pop(name, None)
        if handle is not None:
            with handle:
                tables.append((directory, name, _read_handle(handle)))
    return True


def _socket_namespaces(root: Path, capture: Capture, tables: list[tuple[str, str, bytes]], seen: set[int | None]) -> list[dict[str, object]]:
    """The namespaces only sockets hold (their creator gone, no mount, no nsfs fd): found through
    the sockets processes hold that no table lists (SIOCGSKNS, root only), their tables appended
    to ``tables`` under ``netns/<inode>/net``; their manifest entries returned."""
    from netread.proc import namespaces
    from netread.proc.processes import scan_owners

    listed_inodes = {inode for _directory, name, data in tables for inode in namespaces.table_inodes(name, data)}
    entries: list[dict[str, object]] = []
    for orphan in namespaces.orphan_sockets(str(root), scan_owners(root).holders, listed_inodes):
        got = namespaces.socket_namespace(str(root), orphan)
        if got is None:
            capture.problems.append(f"socket:[{orphan.inode}] ({orphan.protocol}) held by pid {orphan.pid} is in no table: its namespace could not be entered (root only)")
            continue
        ns, nsfd = got
        try:
            if ns.inode in seen:
                continue
            seen.add(ns.inode)
            directory = f"netns/{ns.inode}/net"
            if not _save_tables(root, ns, directory, capture, tables):
                continue
            entries.append({"inode": ns.inode, "ns_id": ns.ns_id, "via": "socket", "path": directory, "pid": ns.pid, "tid": None, "names": [], "initial": False, "pids": []})
        finally:
            os.close(nsfd)
    return entries


def _read_handle(handle: io.FileIO) -> bytes:
    from netread.proc.source import read_all

    return read_all(handle, MAX_FILE, CHUNK)


def _interfaces(capture: Capture) -> None:
    """``kernel/ifreq`` and ``sysfs/class/net/<if>/*``: what ``-i`` asks the kernel, for replay."""
    import socket

    from netread.parse.dev import decode_net_dev
    from netread.parse.ifreq import SYSFS_FILES
    from netread.parse.ifreq import encode_ifreq
    from netread.proc.interfaces import IFREQ_FILE
    from netread.proc.interfaces import SYSFS_DIR
    from netread.proc.interfaces import live_answers

    dev = next((e.data for e in capture.entries if e.path == "net/dev"), None)
    listed = list(decode_net_dev(dev.decode("utf-8", "surrogateescape")).counters) if dev is not None else []
    try:
        devices = socket.if_nameindex()
        answers, known = live_answers([*(name for _, name in devices), *listed])
    except OSError as exc:
        capture.problems.append(f"interfaces: the kernel did not answer ({os.strerror(exc.errno or 0)}): -i will not replay")
        return
    capture.entries.append(Entry(IFREQ_FILE, encode_ifreq(answers).encode("utf-8", "surrogateescape")))
    sysfs = Path("/sys/class/net")
    try:
        listed_in_sysfs = set(os.listdir(sysfs))
    except OSError:
        listed_in_sysfs = set()
    # /sys is this network namespace's only if it lists the same devices with the same indexes
    ours = bool(devices) and listed_in_sysfs == {name for _, name in devices}
    ours = ours and all(_text(sysfs / name / "ifindex") == str(index) for index, name in devices)
    if ours:
        for _, name in devices:
            for file in SYSFS_FILES:
                data = _read(sysfs / name / file, capture, f"/sys/class/net/{name}/{file}")
                if data is not None:
                    capture.entries.append(Entry(f"{SYSFS_DIR}/{name}/{file}", data))
    capture.interfaces = {
        "kernel": IFREQ_FILE,
        "sysfs": SYSFS_DIR if ours else None,
        "names": known,
    }


def _byteorder() -> Literal["little", "big"]:
    return sys.byteorder


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None


def manifest_bytes(capture: Capture) -> bytes:
    return (json.dumps(capture.manifest, indent=2, sort_keys=False) + "\n").encode()


def _not_a_capture(dest: Path) -> list[str]:
    """What in ``dest`` a capture does not write (``net/`` tables, ``sys/`` sysctls, ``<pid>/``
    files and fd links, ``snapshot.json``), as paths relative to it; nothing is followed."""
    import stat

    from netread.parse.ifreq import SYSFS_FILES

    known = {f"net/{name}" for name in NET_FILES} | set(SYSCTLS) | {"snapshot.json", "kernel/ifreq"}
    dirs = {"net", "net/sctp", "sys", "kernel", "sysfs", "sysfs/class", "sysfs/class/net"}
    dirs |= {"/".join(name.split("/")[:i]) for name in SYSCTLS for i in range(1, name.count("/") + 1)}
    odd = []
    for top, subdirs, files in os.walk(dest):  # never into a symlink
        base = os.path.relpath(top, dest)
        for name in subdirs + files:
            rel = name if base == "." else f"{base}/{name}"
            parts = rel.split("/")
            mode = os.lstat(os.path.join(top, name)).st_mode
            task = _namespace_dir(parts)  # 42/net, 42/task/43/net, netns/<inode>/net and what is in them
            if parts[:3] == ["sysfs", "class", "net"] and len(parts) in (4, 5):
                ok = stat.S_ISDIR(mode) if len(parts) == 4 else stat.S_ISREG(mode) and parts[4] in SYSFS_FILES
            elif stat.S_ISDIR(mode):
                ok = rel in dirs or task in ("dir", "net") or (parts[0].isdigit() and parts[0].isascii() and (len(parts) == 1 or parts[1:] in (["fd"], ["ns"])))
            elif stat.S_ISLNK(mode):
                ok = (len(parts) == 3 and parts[0].isdigit() and parts[1] == "fd" and parts[2].isdigit()) or task == "link"
            else:
                ok = stat.S_ISREG(mode) and (rel in known or task == "table" or (len(parts) == 2 and parts[0].isdigit() and parts[1] in (*PROCESS_FILES, "cgroup")))
            if not ok:
                odd.append(rel)
    return sorted(odd)


def _namespace_dir(parts: list[str]) -> str | None:
    """What a path of another namespace's tables is in a capture: "dir" (``42/task``,
    ``42/task/43``, ``42/task/43/ns``, ``netns``, ``netns/<inode>``), "net" (a tables' directory),
    "table" (a file in one), "link" (an ``ns/net`` link), or None (none of these)."""
    if parts[0] == "netns":
        head, rest = parts[:2], parts[2:]
        if len(head) == 2 and not head[1].isdigit():
            return None
    elif parts[0].isascii() and parts[0].isdigit():
        if parts[1:2] == ["task"]:
            if len(parts) == 2:
                return "dir"
            if not parts[2].isdigit():
                return None
            head, rest = parts[:3], parts[3:]
        else:
            head, rest = parts[:1], parts[1:]
            if not rest:
                return None
    else:
        return None
    if not rest:
        return "dir"
    if rest in (["ns"], ["ns", "net"]):
        return None if parts[0] == "netns" else ("dir" if len(rest) == 1 else "link")
    if rest[0] != "net" or len(rest) > 2:
        return None
    return "net" if len(rest) == 1 else ("table" if rest[1] in NET_FILES else None)


def _prepare_dir(dest: Path, force: bool) -> None:
    """Make ``dest`` ready for a capture: absent or empty; with ``force``, an earlier capture is
    removed, but only a directory holding nothing but what a capture writes, and never through a
    symlink (``dest`` itself included)."""
    if dest.is_symlink():
        raise CaptureError(f"{dest}: a symlink; a capture is not written through one")
    if dest.exists() and not dest.is_dir():
        raise CaptureError(f"{dest}: exists and is not a directory")
    if dest.is_dir() and any(dest.iterdir()):
        if not force:
            raise CaptureError(f"{dest}: not empty; use --force to replace an earlier capture")
        if not (dest / "snapshot.json").is_file() or (dest / "snapshot.json").is_symlink():
            raise CaptureError(f"{dest}: not empty and not a netread snapshot (no snapshot.json); not replacing it")
        odd = _not_a_capture(dest)
        if odd:
            from netread.escape import escape_text

            shown = ", ".join(escape_text(name) for name in odd[:3]) + (f" and {len(odd) - 3} more" if len(odd) > 3 else "")
            raise CaptureError(f"{dest}: holds what a capture does not write ({shown}); not replacing it")
        for child in dest.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    dest.mkdir(parents=True, exist_ok=True)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (O_CREAT|O_EXCL: never through a symlink planted there) holding ``data``."""
    with open(path, "xb") as out:
        out.write(data)


def write_dir(capture: Capture, dest: Path, *, force: bool = False) -> None:
    """Write ``capture`` as a directory laid out like /proc (fd links as dangling symlinks)."""
    try:
        _prepare_dir(dest, force)
        for entry in capture.entries:
            path = dest / entry.path
            path.parent.mkdir(parents=True, exist_ok=True)
            if entry.link is not None:
                os.symlink(entry.link, path)
            else:
                _write_new(path, entry.data or b"")
        _write_new(dest / "snapshot.json", manifest_bytes(capture))
    except OSError as exc:
        where = exc.filename or dest
        raise CaptureError(f"{where}: {os.strerror(exc.errno or 0) or exc}") from exc


#: The longest host part of a :func:`tarball_name` (a name of 255 bytes is the filesystems' limit).
MAX_NAME_HOST = 200


def tarball_name(host: str, captured_at: str) -> str:
    """``capture --tar-dir``'s file name, ``<host>-<YYYYmmddTHHMMSSZ>.tar.gz``: the host name
    sanitised to ``[A-Za-z0-9._-]`` (anything else ``_``; no ``..``, and no leading ``.`` or ``-``,
    so never a hidden file, an option or a way out of the directory), the capture time in UTC.

    >>> tarball_name("web-1.example.com", "2026-12-02T07:13:57+01:00")
    'web-1.example.com-20261202T061357Z.tar.gz'
    >>> tarball_name("../\x1b[31m/", "2026-12-02T06:13:57+00:00")
    '___31m_-20261202T061357Z.tar.gz'
    """
    import re

    from netread.proc.source import utc_time

    safe = re.sub(r"[^A-Za-z0-9._-]", "_", host)
    safe = re.sub(r"\.{2,}", ".", safe).lstrip(".-")[:MAX_NAME_HOST] or "unknown-host"
    stamp = utc_time(captured_at)
    if stamp is None:
        raise CaptureError(f"the capture time {captured_at!r} is not an ISO 8601 time")
    return f"{safe}-{stamp.replace('-', '').replace(':', '')}.tar.gz"


def write_tar_into(capture: Capture, directory: Path, *, force: bool = False) -> Path:
    """Write ``capture`` into ``directory`` (made if absent) as :func:`tarball_name` names it,
    as :func:`write_tar` writes (an existing file refused without ``force``); the path written."""
    name = tarball_name(str(capture.manifest["hostname"]), str(capture.manifest["captured_at"]))
    try:
        if not directory.is_dir():
            directory.mkdir(parents=True)
    except OSError as exc:
        raise CaptureError(f"{directory}: {os.strerror(exc.errno or 0) or exc}") from exc
    target = directory / name
    write_tar(capture, target, force=force, top=name[: -len(".tar.gz")])
    return target


def write_tar(capture: Capture, target: Path, *, force: bool = False, top: str | None = None) -> None:
    """Write ``capture`` straight into a tarball (gzip when the name ends in .gz or .tgz).

    The tarball is written to a new temporary file beside ``target`` (O_CREAT|O_EXCL, mode 0600),
    then linked at ``target`` (``link``: fails if anything, a dangling symlink included, is there)
    or, with ``force``, renamed over it when it is a regular file; a symlink at ``target`` is never
    followed, so no other file is created or truncated through it.  ``top`` names the directory
    the tarball holds everything in (by default, ``target``'s name up to its first dot).
    """
    import stat
    import tempfile

    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise CaptureError(f"{target}: {os.strerror(exc.errno or 0)}") from exc
    if mode is not None and not force:
        raise CaptureError(f"{target}: exists; use --force to replace it")
    if mode is not None and not stat.S_ISREG(mode):
        raise CaptureError(f"{target}: exists and is not a regular file{' (a symlink)' if stat.S_ISLNK(mode) else ''}; not replaced")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".netread-capture", dir=target.parent)
    except OSError as exc:
        raise CaptureError(f"{target}: {os.strerror(exc.errno or 0) or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as out:
            _tar_into(capture, target, out, top)
        if mode is None:
            os.link(temporary, target)  # never replaces, never follows
        else:
            os.rename(temporary, target)
    except OSError as exc:
        raise CaptureError(f"{target}: {os.strerror(exc.errno or 0) or exc}") from exc
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def _tar_into(capture: Capture, target: Path, out: io.BufferedWriter, top: str | None = None) -> None:
    gzip = target.name.endswith((".gz", ".tgz"))
    top = top or target.name.split(".")[0] or "snapshot"
    mtime = time.time()
    dirs: set[str] = set()

    def add_dirs(tar: tarfile.TarFile, path: str) -> None:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            name = "/".join(parts[:i])
            if name not in dirs:
                dirs.add(name)
                info = tarfile.TarInfo(f"{top}/{name}")
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
                tar.addfile(info)

    with tarfile.open(str(target), "w:gz", fileobj=out) if gzip else tarfile.open(str(target), "w", fileobj=out) as tar:
        info = tarfile.TarInfo(top)
        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
        tar.addfile(info)
        for entry in [*capture.entries, Entry("snapshot.json", manifest_bytes(capture))]:
            add_dirs(tar, entry.path)
            info = tarfile.TarInfo(f"{top}/{entry.path}")
            info.mtime = mtime
            if entry.link is not None:
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, entry.link, 0o777
                tar.addfile(info)
            else:
                data = entry.data or b""
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
