"""Where /proc comes from: the live /proc or a directory laid out like it.

This is the only module that reads the filesystem.  Everything else receives
text from a :class:`ProcSource`, so a snapshot and the live system go through
the same code, and the root is a value, never a global.
"""

from __future__ import annotations

import errno
import os
import sys

from netread.errors import SourceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import io
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Literal
    from typing import NamedTuple
    from typing import Protocol

    ByteOrder = Literal["little", "big"]
    #: A path as the os module takes it.
    StrPath = str | os.PathLike[str]

    class _Reader(Protocol):
        def readinto(self, buffer: memoryview, /) -> int | None: ...
else:
    from netread._namedtuple import NamedTuple

LIVE_ROOT = "/proc"


_CLK_TCK = os.sysconf("SC_CLK_TCK")


class ProcSource(NamedTuple):
    """A /proc tree and the byte order of the host that wrote it.

    ``byteorder`` matters because /proc/net prints addresses as host-order
    32-bit words; a snapshot taken on a big-endian machine must be decoded as
    such wherever it is read.
    """

    #: The /proc root, as a string path.
    root: str
    byteorder: ByteOrder
    #: Clock ticks per second of the writing host: tm->when is in these (USER_HZ).
    clk_tck: int = _CLK_TCK
    #: uid -> user name on the captured host (the manifest's ``users``); None: ask this host.
    users: dict[int, str] | None = None
    #: A snapshot: no file is read through a symlink that leads out of ``root``.
    confined: bool = False

    @classmethod
    def live(cls) -> ProcSource:
        """The running system's /proc, in this host's byte order."""
        return cls(LIVE_ROOT, sys.byteorder)

    @classmethod
    def snapshot(cls, path: StrPath) -> ProcSource:
        """A captured /proc: a directory laid out like /proc, a tarball of one, or a sosreport.

        A tarball (``.tar``, ``.tar.gz``, ``.tar.xz``...) is unpacked into a
        private temporary directory first (regular files, directories and
        symlinks only, nothing outside it).  A sosreport root is recognised by
        its ``proc/net``.  The byte order, tick rate and user names come from
        ``snapshot.json`` when there is one; a sosreport's byte order from its
        ``uname -a``; otherwise they are this host's.
        """
        # os.path, not pathlib (nor json unless there is a manifest): start-up stays short
        path = _shown(os.fspath(path))
        _reachable(path)
        if os.path.isfile(path):
            path = str(_unpack(path))
        elif not os.path.isdir(path):
            raise SourceError(f"{path}: not a directory")
        root = _locate(path)
        byteorder = _sosreport_byteorder(path) or sys.byteorder
        clk_tck = os.sysconf("SC_CLK_TCK")
        users = None
        manifest = _under(root, "snapshot.json")
        if os.path.isfile(manifest) and not _inside(manifest, root):
            raise SourceError(f"{manifest}: a symlink out of the snapshot; not read")
        if os.path.isfile(manifest):
            import json

            try:
                with open(manifest, encoding="utf-8") as handle:
                    facts = json.loads(handle.read())
                declared = facts.get("byteorder", byteorder)
                clk_tck = facts.get("clk_tck", clk_tck)
                names = facts.get("users")
                if names is not None:
                    users = {int(uid): str(name) for uid, name in dict(names).items()}
            except (OSError, ValueError, AttributeError, TypeError) as exc:
                raise SourceError(f"{manifest}: cannot read the manifest: {exc}") from exc
            if declared not in ("little", "big"):
                raise SourceError(f"{manifest}: byteorder must be \"little\" or \"big\", not {declared!r}")
            if not isinstance(clk_tck, int) or clk_tck <= 0:
                raise SourceError(f"{manifest}: clk_tck must be a positive integer, not {clk_tck!r}")
            byteorder = declared
        return cls(root, byteorder, clk_tck, users, confined=True)

    def net_path(self, name: str) -> str:
        """The path of ``net/<name>`` under this root."""
        return os.path.join(self.root, "net", name)

    def read_net(self, name: str) -> list[str] | None:
        """The lines of ``net/<name>`` without their newlines, or None if the file is absent.

        The bytes are decoded as UTF-8 with ``surrogateescape``, so nothing is
        lost, and split on ``\\n`` only, as fgets() does.  Any error other than
        absence raises :class:`SourceError`.
        """
        path = self.net_path(name)
        self._confine(path)
        try:
            with open_regular(path) as handle:
                data = handle.read()
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise SourceError(f"{path}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
        lines = data.decode("utf-8", "surrogateescape").split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines

    def net_chunks(self, name: str, size: int = 1 << 17) -> Iterator[tuple[int, bytes]] | None:
        """``net/<name>`` as (number of its first line, bytes of whole lines) pieces, or None if absent.

        For tables too big to hold: each piece is about ``size`` bytes and ends
        with a newline (one is added to a last line without).  The file is
        opened now, so a permission error raises :class:`SourceError` here;
        one while reading raises it from the iterator.
        """
        path = self.net_path(name)
        self._confine(path)
        try:
            handle = open_regular(path)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise SourceError(f"{path}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
        return _chunks(handle, path, size, overlap=self.root == LIVE_ROOT and os.path.exists(CAT))

    def read_text(self, relative: str, limit: int = 1 << 16) -> str | None:
        """A small file under the root (``sys/net/core/somaxconn``, ``net/snmp``), or None if unreadable.

        For the facts --explain adds to a listing: a missing or unreadable file
        only means that fact is not shown, so no error is raised.
        """
        path = os.path.join(self.root, relative)
        if self.confined and not _inside(path, self.root):
            return None
        try:
            with open_regular(path) as handle:
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return None

    def _confine(self, path: str) -> None:
        """In a snapshot, refuse a file that is (or is reached through) a symlink leading out of it."""
        if self.confined and not _inside(path, self.root):
            raise SourceError(f"{path}: a symlink out of the snapshot; not read")



def open_regular(path: StrPath, flags: int = 0) -> io.FileIO:
    """Open a file for reading only if it is a regular file (a FIFO or device in a snapshot
    would block or never end); /proc's files are regular files too."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _inside(path: str, root: str) -> bool:
    """Whether ``path``, every symlink on the way resolved, is still under ``root``."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _chunks(handle: io.FileIO, path: str, size: int, overlap: bool) -> Iterator[tuple[int, bytes]]:
    lineno = 1
    rest = b""
    reader: _Reader = handle
    with handle:
        try:
            while True:
                # /proc hands out about a page per read(): fill one buffer with many, without a new
                # allocation per read()
                buf = bytearray(len(rest) + size)
                buf[: len(rest)] = rest
                view = memoryview(buf)
                got = len(rest)
                try:
                    while got < len(buf):
                        n = reader.readinto(view[got:])
                        if not n:
                            break
                        got += n
                except OSError as exc:
                    raise SourceError(f"{path}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
                finally:
                    view.release()
                if got < len(buf):  # end of file
                    if isinstance(reader, _Feeder):
                        reader.finish(path)
                    if got:
                        yield lineno, bytes(buf[:got]) if buf[got - 1] == 10 else bytes(buf[:got]) + b"\n"
                    return
                if overlap and reader is handle:  # a big table: the kernel's share of the rest goes on beside us
                    reader = _Feeder.start(handle) or handle
                cut = buf.rfind(b"\n") + 1
                rest = bytes(buf[cut:])
                size = len(buf) if cut == 0 else size  # no newline yet: double the next buffer (linear, not quadratic)
                if cut:
                    piece = bytes(buf[:cut])
                    yield lineno, piece
                    lineno += piece.count(b"\n")
        finally:
            if isinstance(reader, _Feeder):
                reader.close()


#: The helper that reads a big live table into a pipe while netread parses what came before.
CAT = "/bin/cat"
PIPE_SIZE = 1 << 20


class _Feeder:
    """``/bin/cat`` reading the rest of an open /proc table into a pipe.

    /proc/net/tcp gives about 4 KiB per read(), and the kernel's work behind
    each is a third of netstat's time; a child doing those reads into a 1 MiB
    pipe lets it run on another core while this process parses
    (``../shared/reference/performance-notes.md`` section 2).  The child reads
    the file netread opened (the same open file, so the same offset and the
    same checks); if it cannot be started, netread goes on reading itself.
    """

    def __init__(self, pid: int, pipe: io.FileIO) -> None:
        self.pid = pid
        self.pipe = pipe

    @classmethod
    def start(cls, handle: io.FileIO) -> _Feeder | None:
        try:
            read_end, write_end = os.pipe2(os.O_CLOEXEC)
        except OSError:
            return None
        try:
            import fcntl

            fcntl.fcntl(write_end, 1031, PIPE_SIZE)  # F_SETPIPE_SZ
        except OSError:
            pass  # a smaller pipe still overlaps
        try:
            actions = [(os.POSIX_SPAWN_DUP2, handle.fileno(), 0), (os.POSIX_SPAWN_DUP2, write_end, 1), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
            pid = os.posix_spawn(CAT, [CAT], {}, file_actions=actions)
        except OSError:
            os.close(read_end)
            return None
        finally:
            os.close(write_end)
        return cls(pid, os.fdopen(read_end, "rb", buffering=0))

    def readinto(self, buffer: memoryview, /) -> int | None:
        return self.pipe.readinto(buffer)

    def finish(self, path: str) -> None:
        """At the end of the pipe: the child's read errors are this table's."""
        status = self._reap()
        if status:
            raise SourceError(f"{path}: read failed (the reading child exited with {status})")

    def close(self) -> None:
        self.pipe.close()
        if self.pid:
            try:
                os.kill(self.pid, 15)
            except OSError:
                pass
            self._reap()

    def _reap(self) -> int:
        pid, self.pid = self.pid, 0
        if not pid:
            return 0
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:
            return 0


#: Machines whose kernel writes /proc/net words big-endian (uname -m).
BIG_ENDIAN_MACHINES = frozenset({"s390", "s390x", "ppc", "ppc64", "sparc", "sparc64", "mips", "mips64", "m68k", "parisc", "parisc64", "armeb", "aarch64_be"})
#: Limits for unpacking a snapshot tarball (a 1M-socket host is about 150 MB of tables).
MAX_UNPACKED = 4 << 30
MAX_MEMBERS = 1 << 22


def _shown(path: str) -> str:
    """``path`` as pathlib shows it (no ``//``, ``/.`` parts or trailing ``/``; a leading ``//``
    kept, as POSIX allows), for messages."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    lead = "//" if path.startswith("//") and not path.startswith("///") else "/" if path.startswith("/") else ""
    return lead + "/".join(parts) or "."


def _under(directory: str, name: str) -> str:
    """``directory/name`` as pathlib joins it: ``.`` adds nothing."""
    return name if directory == "." else os.path.join(directory, name)


def _subdirs(path: str) -> list[str]:
    """The directories in ``path`` that are not symlinks, in the order the directory lists them."""
    try:
        names = os.listdir(path)
    except OSError:
        return []
    return [c for c in (_under(path, n) for n in names) if os.path.isdir(c) and not os.path.islink(c)]


def _reachable(path: str) -> None:
    """A SourceError unless ``path`` exists and this user may read it: a directory on the way
    that cannot be entered is "Permission denied", not "no such file"."""
    try:
        os.stat(path)
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file or directory") from None
    except (OSError, ValueError) as exc:  # EACCES, ENOTDIR, ELOOP, ENAMETOOLONG; ValueError: a NUL in the name
        raise SourceError(f"{path}: cannot be opened: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        if os.path.isdir(path):
            os.stat(os.path.join(path, "."))  # search permission: its files can be reached
        else:
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))  # a FIFO must not block here
    except OSError as exc:
        raise SourceError(f"{path}: cannot be opened: {exc.strerror or exc}") from None


def _locate(path: str) -> str:
    """The /proc root inside ``path``: itself, its ``proc/`` (a sosreport), or its single top directory."""
    for candidate in (path, _under(path, "proc")):
        if os.path.isdir(os.path.join(candidate, "net")) and (candidate == path or _plain_inside(candidate, path)):
            return candidate
    children = _subdirs(path)
    if len(children) == 1:
        for candidate in (children[0], _under(children[0], "proc")):
            if os.path.isdir(os.path.join(candidate, "net")) and _plain_inside(candidate, path):
                return candidate
    raise SourceError(f"{path}: no net/ directory in it (nor proc/net, as in a sosreport), so it is not a /proc snapshot")


def _plain_inside(candidate: str, path: str) -> bool:
    """``candidate`` is no symlink and stays inside ``path`` (a ``proc -> /proc`` link is not a snapshot)."""
    return not os.path.islink(candidate) and _inside(candidate, path)


def _sosreport_byteorder(path: str) -> ByteOrder | None:
    """A sosreport says which machine it came from in sos_commands/kernel/uname_-a."""
    for base in (path, *_subdirs(path)):
        uname = _under(base, os.path.join("sos_commands", "kernel", "uname_-a"))
        if not _inside(uname, path):
            continue
        try:
            with open_regular(uname) as handle:
                words = handle.read(4096).decode("utf-8", "replace").split()
        except OSError:
            continue
        if any(word in BIG_ENDIAN_MACHINES for word in words):
            return "big"
        return "little" if words else None
    return None


def _unpack(archive: str) -> Path:
    """Unpack a snapshot tarball into a private temporary directory, removed at exit.

    Only directories, regular files and symlinks are made; a member with an
    absolute name, a ``..`` part, or a path through one of the archive's own
    symlinks is skipped, so nothing is written outside the directory.
    """
    import atexit
    import shutil
    import tarfile
    import tempfile
    from pathlib import Path
    from pathlib import PurePosixPath

    try:
        tar = tarfile.open(archive, "r:*")
    except OSError as exc:
        raise SourceError(f"{archive}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
    except tarfile.TarError:
        raise SourceError(f"{archive}: not a directory, and not a tar archive (plain, gzip, bzip2 or xz)") from None
    dest = Path(tempfile.mkdtemp(prefix="netread-snapshot-"))
    atexit.register(shutil.rmtree, dest, True)
    links: set[str] = set()
    total = members = 0
    try:
        with tar:
            for member in tar:
                members += 1
                parts = [p for p in PurePosixPath(member.name).parts if p != "."]
                if not parts or member.name.startswith("/") or ".." in parts:
                    continue
                if any("/".join(parts[:i]) in links for i in range(1, len(parts))):
                    continue
                name = "/".join(parts)
                target = dest / name
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                if not (member.isfile() or member.issym()):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists() or target.is_symlink():
                    continue  # a repeated name: the first one stays
                if member.issym():
                    os.symlink(member.linkname, target)
                    links.add(name)
                    continue
                total += member.size
                if total > MAX_UNPACKED or members > MAX_MEMBERS:
                    raise SourceError(f"{archive}: more than {MAX_UNPACKED >> 20} MiB or {MAX_MEMBERS} members; not unpacked")
                source = tar.extractfile(member)
                if source is None:
                    continue
                with source, open(target, "xb") as out:
                    shutil.copyfileobj(source, out)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SourceError(f"{archive}: cannot unpack: {exc}") from exc
    return dest
