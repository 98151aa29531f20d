"""Where /proc comes from: the live /proc or a directory laid out like it.

This is the only module that reads the filesystem.  Everything else receives
text from a :class:`ProcSource`, so a snapshot and the live system go through
the same code, and the root is a value, never a global.
"""

from __future__ import annotations

import errno
import os
import sys

from netread.errors import ParseError
from netread.errors import SourceError
from netread.model import Ignored

TYPE_CHECKING = False
if TYPE_CHECKING:
    import io
    from collections.abc import Callable
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Literal
    from typing import NamedTuple
    from typing import Protocol

    from netread.model import Owners

    ByteOrder = Literal["little", "big"]
    #: A path as the os module takes it.
    StrPath = str | os.PathLike[str]

    class _Reader(Protocol):
        def readinto(self, buffer: memoryview, /) -> int | None: ...
else:
    from netread._namedtuple import NamedTuple

LIVE_ROOT = "/proc"


class Fleet(NamedTuple):
    """The facts every record carries so that many hosts' outputs concatenate (:meth:`ProcSource.fleet`)."""

    host: str | None
    #: ISO 8601 UTC to the second, ``2026-12-02T06:13:57Z``.
    taken_at: str | None
    netns: int | None


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
    #: A snapshot's directory as it was named (``root`` is it, or its ``proc/`` or single top
    #: directory inside): its files are opened from here, so no part of ``root`` is followed.
    top: str = ""
    #: Where the tables are, relative to ``root``: ``net`` (the reader's network namespace, or a
    #: snapshot's first), ``<pid>/net``, ``<pid>/task/<tid>/net``, ``netns/<inode>/net``.
    net: str = "net"
    #: The tables already open (proc/namespaces.py opens a namespace's tables at once, through a
    #: pinned pid or after setns): name -> file, each taken once; a name absent here is absent.
    opened: dict[str, io.FileIO] | None = None
    #: The owners of every socket, scanned once for all the namespaces of a listing.
    owners: Owners | None = None
    #: With --netns: the labels of the namespace the tables are in (for --explain's findings).
    netns_labels: tuple[str, ...] = ()
    #: A snapshot's host name and capture time as its manifest declares them (``hostname``,
    #: ``captured_at``); None where it declares none.
    host: str | None = None
    captured_at: str | None = None
    #: The inode of the network namespace the tables are in, where known: a snapshot's (its
    #: manifest's ``netns`` entry for ``net/``), a --netns section's; the live reader's own is
    #: looked up by :meth:`fleet`.
    netns: int | None = None
    #: What was wrong with a snapshot's manifest and left out (each value is ignored, the
    #: rest read); the listing says them.
    problems: tuple[Ignored, ...] = ()

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
        problems: tuple[Ignored, ...] = ()
        facts = _manifest(root)
        host = captured_at = netns = None
        if facts is not None:
            manifest = _under(root, "snapshot.json")
            byteorder, clk_tck, users, problems = _manifest_values(manifest, facts, byteorder, clk_tck)
            host, captured_at, netns, more = _manifest_fleet(manifest, facts)
            problems += more
        return cls(root, byteorder, clk_tck, users, confined=True, top=path, host=host, captured_at=captured_at, netns=netns, problems=problems)

    def fleet(self, now: Callable[[], float] | None = None) -> Fleet:
        """Where and when the tables come from, for records that many hosts' outputs share: the
        host name (a snapshot's manifest's, else its ``sys/kernel/hostname``; live, this
        machine's), the time they were read as ISO 8601 UTC to the second (a snapshot's
        ``captured_at``, None without one; live, ``now()``, this moment by default) and the
        network namespace's inode (None when not known)."""
        import time

        if self.root != LIVE_ROOT or self.confined:
            host = self.host if self.host is not None else self._hostname()
            return Fleet(host, None if self.captured_at is None else utc_time(self.captured_at), self.netns)
        netns = self.netns
        if self.net == "net":  # the reader's own namespace (a --netns section of another has its inode)
            try:
                netns = os.stat(os.path.join(self.root, "self", "ns", "net")).st_ino
            except OSError:
                netns = None
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if now is None else now()))
        return Fleet(self._hostname() or os.uname().nodename, stamp, netns)

    def _hostname(self) -> str | None:
        """``sys/kernel/hostname`` under the root (the UTS name; its trailing newline removed)."""
        try:
            with self.open("sys/kernel/hostname") as handle:
                name = handle.read(MAX_HOSTNAME + 1).decode("utf-8", "surrogateescape").rstrip("\n")
        except OSError:
            return None
        return name[:MAX_HOSTNAME] or None

    def net_path(self, name: str) -> str:
        """The path of the table ``name`` under this root (``/proc/net/tcp``, ``/proc/42/net/tcp``)."""
        return os.path.join(self.root, self.net, name)

    def has_net(self, name: str) -> bool:
        """Whether ``net/<name>`` exists under this root (``sctp``: the module is loaded)."""
        return os.path.exists(self.net_path(name))

    def scan_owners(self) -> Callable[[], Owners]:
        """Start the ``<pid>/fd`` scan of every process under the root; call the result to wait
        for it (the owners already known, when a listing of many namespaces scanned them once)."""
        known = self.owners
        if known is not None:
            return lambda: known
        from netread.proc.processes import scan_in_background

        return scan_in_background(self.root, self.confined, self.top)

    def open(self, relative: str) -> io.FileIO:
        """Open the regular file ``relative`` under the root for reading, in bytes.

        A snapshot's file is opened through one chain of directory descriptors
        (:func:`open_in`): a symlink leading out of the snapshot, or a file
        swapped for one while netread looks, is refused (``OSError`` ``EXDEV``),
        never followed.  The live /proc is opened by its path (its ``net`` is a
        symlink to ``self/net``).
        """
        if self.confined:
            top = self.top or self.root
            inner = "" if self.root == top else os.path.relpath(self.root, top)
            return open_in(top, f"{inner}/{relative}" if inner else relative)
        return open_regular(os.path.join(self.root, relative))

    def read_net(self, name: str) -> list[str] | None:
        """The lines of ``net/<name>`` without their newlines, or None if the file is absent.

        The bytes are decoded as UTF-8 with ``surrogateescape``, so nothing is
        lost, and split on ``\\n`` only, as fgets() does.  The file is read in
        pieces, as :meth:`net_chunks` reads it: a line longer than
        :data:`MAX_LINE` is never held; it is replaced by :data:`SKIPPED` (no
        record) and its :class:`ParseError` is in the result's ``skipped``.
        Any error other than absence raises :class:`SourceError`.
        """
        chunks = self.net_chunks(name, overlap=False)
        if chunks is None:
            return None
        lines = Lines()
        for lineno, piece in chunks:
            if isinstance(piece, ParseError):
                lines.append(SKIPPED_HEADER if lineno == 1 else SKIPPED)
                lines.skipped[lineno] = piece
                continue
            lines += piece.decode("utf-8", "surrogateescape").split("\n")[:-1]
        return lines

    def spool_net(self, name: str) -> Lines | Spooled | None:
        """``net/<name>`` read now, as :meth:`read_net` reads it, in a form that can be read
        again and again, or None if the file is absent.

        A table of up to :data:`HELD_BYTES` is held as its lines (:class:`Lines`); a bigger
        one is written to an unnamed temporary file as it is read and read back from there
        (:class:`Spooled`), so memory does not grow with the table, and every reading of it
        is the same (a live table changes from one read to the next).  Errors are raised
        here, as :meth:`read_net` raises them.
        """
        chunks = self.net_chunks(name, overlap=False)
        if chunks is None:
            return None
        lines = Lines()
        held = 0
        spool: Spooled | None = None
        for lineno, piece in chunks:
            if isinstance(piece, ParseError):
                (lines if spool is None else spool).skipped[lineno] = piece
                piece = (SKIPPED_HEADER if lineno == 1 else SKIPPED).encode() + b"\n"
            if spool is not None:
                spool.write(piece)
                continue
            lines += piece.decode("utf-8", "surrogateescape").split("\n")[:-1]
            held += len(piece)
            if held > HELD_BYTES:
                spool = Spooled(lines.skipped)
                spool.write("".join([line + "\n" for line in lines]).encode("utf-8", "surrogateescape"))
                lines = Lines()
        return lines if spool is None else spool

    def net_chunks(self, name: str, size: int = 1 << 17, *, overlap: bool = True) -> Iterator[tuple[int, bytes | ParseError]] | None:
        """``net/<name>`` as (number of its first line, bytes of whole lines) pieces, or None if absent.

        For tables too big to hold: each piece is about ``size`` bytes and ends
        with a newline (one is added to a last line without).  A line longer
        than :data:`MAX_LINE` (or ``size``) bytes is skipped, read in pieces to
        its newline and never held: in its place comes (its number, a
        :class:`ParseError`).  The file is opened now, so a permission error
        raises :class:`SourceError` here; one while reading raises it from the
        iterator.
        """
        path = self.net_path(name)
        try:
            handle = self._table(name)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise SourceError(f"{path}: {_reason(exc)}") from exc
        live = self.root == LIVE_ROOT
        return _chunks(handle, path, size, overlap=overlap and live and os.path.exists(CAT), seq=live)

    def close(self) -> None:
        """Close the tables opened for this source (:attr:`opened`) that were not read."""
        for handle in (self.opened or {}).values():
            handle.close()

    def _table(self, name: str) -> io.FileIO:
        if self.opened is None:
            return self.open(f"{self.net}/{name}")
        handle = self.opened.pop(name, None)
        if handle is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), self.net_path(name))
        return handle

    def read_text(self, relative: str, limit: int = 1 << 16) -> str | None:
        """A small file under the root (``sys/net/core/somaxconn``, ``net/snmp``), or None if unreadable.

        For the facts --explain adds to a listing: a missing or unreadable file
        only means that fact is not shown, so no error is raised.  Of another
        network namespace than the reader's, ``net/...`` is that namespace's
        file, and ``sys/...`` is read beside its ``net`` (a snapshot's
        ``netns/<inode>/sys``): the live ``/proc/sys`` is always the reader's.
        """
        if self.net != "net" and relative.startswith(("net/", "sys/")):
            relative = f"{os.path.dirname(self.net)}/{relative}"
            if self.opened is not None and relative.startswith(f"{os.path.dirname(self.net)}/net/"):
                handle = self.opened.pop(os.path.basename(relative), None)
                if handle is None:
                    return None
                with handle:
                    return handle.read(limit).decode("utf-8", "replace")
        try:
            with self.open(relative) as handle:
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return None


    def read_bytes(self, relative: str, limit: int = 1 << 24) -> bytes:
        """A file under the root as bytes (its first ``limit``), for the counter files of -s.

        Raises :class:`OSError` as the open or a read does (``ENOENT`` absent,
        ``EINVAL`` not a regular file, ``EXDEV`` a symlink out of a snapshot), so
        the caller can say what netstat says for each.
        """
        with self.open(relative) as handle:
            return read_all(handle, limit)


def read_all(handle: io.FileIO, limit: int, chunk: int = 1 << 16) -> bytes:
    """The first ``limit`` bytes of an open file, read ``chunk`` at a time (/proc/sys allocates a
    whole request in the kernel, so one huge read fails with ENOMEM)."""
    pieces: list[bytes] = []
    size = 0
    while size < limit:
        piece = handle.read(min(chunk, limit - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _reason(exc: OSError) -> str:
    """What an OSError of a snapshot's open says, as a message ends."""
    if exc.errno == errno.EXDEV:
        return "a symlink out of the snapshot; not read"
    return exc.strerror or os.strerror(exc.errno or 0)


#: The longest line read from a table (netstat's fgets reads 8 KiB pieces of a line; the kernel writes
#: lines of about 150 bytes, a unix socket's name at most 108 more, escaped a few times that).
MAX_LINE = 1 << 17
#: What stands in read_net's lines for a line too long to read: never a record, nor the rest of one.
SKIPPED = "\x00" * 256
SKIPPED_HEADER = "Inode" + SKIPPED


class Lines(list[str]):
    """The lines of a table, and the :class:`ParseError` of each line too long to read, by number."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: dict[int, ParseError] = {}


#: The most bytes of a table :meth:`ProcSource.spool_net` holds in memory.
HELD_BYTES = 4 << 20


class Spooled:
    """A table's lines kept in an unnamed temporary file: each iteration reads them again from
    its start, a piece at a time, as :meth:`ProcSource.read_net` splits them; ``skipped`` as
    :class:`Lines`' (the file holds :data:`SKIPPED` in their place).  The file goes when this
    does (or with ``close()``)."""

    def __init__(self, skipped: dict[int, ParseError]) -> None:
        import tempfile

        self.skipped = skipped
        self._file = tempfile.TemporaryFile()
        self._size = 0

    def write(self, data: bytes) -> None:
        self._file.write(data)
        self._size += len(data)

    def close(self) -> None:
        self._file.close()

    def __bool__(self) -> bool:
        return self._size > 0

    def __iter__(self) -> Iterator[str]:
        handle = self._file
        handle.flush()
        offset = 0
        rest = b""
        while offset < self._size:
            piece = os.pread(handle.fileno(), min(1 << 20, self._size - offset), offset)
            if not piece:
                break
            offset += len(piece)
            cut = piece.rfind(b"\n") + 1
            text = (rest + piece[:cut]).decode("utf-8", "surrogateescape")
            rest = piece[cut:] if cut else rest + piece
            yield from text.split("\n")[:-1]


def open_regular(path: StrPath, flags: int = 0) -> io.FileIO:
    """Open a file for reading only if it is a regular file (a FIFO or device in a snapshot
    would block or never end); /proc's files are regular files too."""
    return regular(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | flags))


#: Symlinks followed, inside a snapshot, on the way to one of its files (as the kernel's MAXSYMLINKS).
MAX_HOPS = 40
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_in(root: str, relative: str, flags: int = 0) -> io.FileIO:
    """Open ``relative`` under the snapshot directory ``root`` through one chain of descriptors.

    The root is opened as a directory, each directory on the way with
    ``openat(O_DIRECTORY|O_NOFOLLOW)`` relative to the one before, and the file
    with ``openat(O_NOFOLLOW|O_NONBLOCK)``, then ``fstat`` must say it is a
    regular file: no path is looked up twice, so a file swapped for a symlink
    between a check and the open is never followed.  A symlink met on the way
    is read (``readlinkat``) and resolved here, inside the snapshot: one that
    leads out (absolute, or ``..`` above the root) raises :class:`OSError`
    ``EXDEV``.  Other errors are the open's (``ENOENT`` for an absent file).
    """
    todo = [p for p in relative.split("/") if p not in ("", ".")]
    if not todo:
        raise OSError(errno.EISDIR, "not a file")
    fds = [os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
    hops = 0
    try:
        while todo:
            part = todo.pop(0)
            if part == "..":
                if len(fds) == 1:
                    raise OSError(errno.EXDEV, "a symlink out of the snapshot")
                os.close(fds.pop())
                continue
            last = not todo
            try:
                fd = os.open(part, (os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC | flags) if last else _DIR, dir_fd=fds[-1])
            except OSError as exc:
                if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                try:
                    target = os.readlink(part, dir_fd=fds[-1])
                except OSError:
                    raise exc from None  # not a symlink: a file where a directory was named
                hops += 1
                if target.startswith("/") or hops > MAX_HOPS:
                    raise OSError(errno.EXDEV, "a symlink out of the snapshot") from None
                todo[:0] = [p for p in target.split("/") if p not in ("", ".")]
                continue
            if last:
                return regular(fd)
            fds.append(fd)
        raise OSError(errno.EISDIR, "not a file")
    finally:
        for fd in fds:
            os.close(fd)


def open_dir_in(top: str, relative: str) -> int:
    """The directory ``relative`` under the snapshot directory ``top`` as a descriptor, each
    part opened ``O_DIRECTORY|O_NOFOLLOW`` relative to the one before (:func:`open_in`'s chain;
    a symlink on the way is refused with ``ELOOP`` or ``ENOTDIR``, not resolved)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    for part in [p for p in relative.split("/") if p not in ("", ".")]:
        try:
            if part == "..":
                raise OSError(errno.EXDEV, "out of the snapshot")
            inner = os.open(part, _DIR, dir_fd=fd)
        finally:
            os.close(fd)
        fd = inner
    return fd


def regular(fd: int) -> io.FileIO:
    """``fd`` as a file if it is a regular file; closed, and OSError, otherwise."""
    import stat

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


#: A read() of a /proc/net seq_file returns whole records until the next would overflow its buffer
#: (a page, or more once a record needed more) or the read() asked for no more: one shorter than
#: asked and than a page by more than the longest record (a unix line with a 108-byte name is
#: under 200 bytes) ended because the table did.
SEQ_SHORT = (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096) - 512


def _chunks(handle: io.FileIO, path: str, size: int, overlap: bool, seq: bool = False) -> Iterator[tuple[int, bytes | ParseError]]:
    """The pieces of ``net_chunks``: at most ``MAX_LINE`` (or ``size``) bytes of a line are ever
    held, so a table that is one huge line costs two buffers, not the line.

    ``seq`` (the live /proc): a short read (:data:`SEQ_SHORT`) is the end of the table, so the
    read() that would return 0 is not made: for tcp it walks the whole connection hash again
    (half of a small table's cost: ~1-2.5 ms per tcp table per namespace here)."""
    limit = max(MAX_LINE, size)
    lineno = 1
    rest = b""
    skipping: ParseError | None = None  # the line being skipped, to its newline
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
                        asked, got = len(buf) - got, got + n
                        if seq and n < SEQ_SHORT and n < asked and reader is handle:
                            break  # the table's end: got < len(buf) says so below
                except OSError as exc:
                    raise SourceError(f"{path}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
                finally:
                    view.release()
                end = got < len(buf)
                start = 0
                if skipping is None and rest and got > limit and buf.find(b"\n", 0, limit + 1) < 0:
                    # the first line (begun in the last buffer) is longer than the limit; every later
                    # one lies in this buffer's new ``size`` bytes, so is no longer than that
                    skipping = _too_long(path, lineno, buf, limit)
                if skipping is not None:  # the rest of a long line: only its end is looked for
                    start = buf.find(b"\n", 0, got) + 1
                    if not start and not end:
                        rest = b""
                        continue
                    yield skipping.lineno, skipping
                    lineno, skipping = lineno + 1, None
                    if not start:
                        start = got
                if end:  # end of file
                    if isinstance(reader, _Feeder):
                        reader.finish(path)
                    if got > start:
                        if got - start > limit:
                            yield lineno, _too_long(path, lineno, buf[start:], limit)
                        else:
                            yield lineno, bytes(buf[start:got]) if buf[got - 1] == 10 else bytes(buf[start:got]) + b"\n"
                    return
                if overlap and reader is handle:  # a big table: the kernel's share of the rest goes on beside us
                    reader = _Feeder.start(handle) or handle
                cut = buf.rfind(b"\n", start) + 1
                if cut:
                    piece = bytes(buf[start:cut])
                    yield lineno, piece
                    lineno += piece.count(b"\n")
                else:
                    cut = start
                if len(buf) - cut > limit:  # no newline in a whole limit's worth: skipped to its end
                    skipping = _too_long(path, lineno, buf[cut:], limit)
                    rest = b""
                else:
                    rest = bytes(buf[cut:])
        finally:
            if isinstance(reader, _Feeder):
                reader.close()


def _too_long(path: str, lineno: int, line: bytearray, limit: int) -> ParseError:
    head = bytes(line[:64]).decode("utf-8", "surrogateescape")
    return ParseError(path, lineno, "line", f"longer than {limit} bytes (no table has such lines): skipped", head)


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
#: Every member counts, directories and links too (a capture of a 1M-socket host is about as many fd links).
MAX_MEMBERS = 1 << 21
#: The longest a tarball may take to unpack.
MAX_SECONDS = 300


#: The biggest manifest read (netread writes a few hundred bytes, plus the names of the uids seen).
MAX_MANIFEST = 1 << 22
#: The deepest nesting of a manifest (netread's is 2 deep); deeper is refused before json.loads.
MAX_DEPTH = 32
#: The fastest clock a manifest may claim (USER_HZ is 100 on Linux, 1024 on Alpha).
MAX_CLK_TCK = 1_000_000


def _manifest(root: str) -> object | None:
    """The parsed ``snapshot.json`` of ``root``, None without one; anything else is a SourceError."""
    path = _under(root, "snapshot.json")
    try:
        with open_in(root, "snapshot.json") as handle:
            data = handle.read(MAX_MANIFEST + 1)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise SourceError(f"{path}: cannot read the manifest: {_reason(exc)}") from exc
    if len(data) > MAX_MANIFEST:
        raise SourceError(f"{path}: cannot read the manifest: more than {MAX_MANIFEST >> 20} MiB")
    import json
    import re

    # the depth of [ and { outside strings, before json.loads can recurse on it
    depth = 0
    for token in re.finditer(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', data):
        bracket = token.group()[0]
        if bracket in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise SourceError(f"{path}: cannot read the manifest: nested more than {MAX_DEPTH} deep")
        elif bracket in b"]}":
            depth -= 1
    try:
        facts: object = json.loads(data.decode("utf-8"), parse_int=_manifest_int)
        return facts
    except (ValueError, RecursionError) as exc:
        raise SourceError(f"{path}: cannot read the manifest: {exc}") from None


class Huge:
    """A number in a manifest too long to be anything netread writes there (Python's int() would
    refuse past 4,300 digits, and no field holds 65): a value of the wrong type, so it is ignored."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"a {self.digits}-digit number"


def _manifest_int(text: str) -> int | Huge:
    return int(text) if len(text) <= 64 else Huge(len(text))


def _manifest_values(
    path: str, facts: object, byteorder: ByteOrder, clk_tck: int
) -> tuple[ByteOrder, int, dict[int, str] | None, tuple[Ignored, ...]]:
    """The byte order, tick rate and user names a manifest declares, each checked for its type
    and range as netread/schema/netread.schema.json and ``capture`` define them (a bool is no
    number), and what was wrong: a bad value is ignored (``byteorder`` and ``clk_tck`` are this
    host's, a bad ``users`` entry is left out), once, naming its field."""
    from netread.escape import escape_text

    problems: list[Ignored] = []

    def bad(field: str, what: str, value: object) -> None:
        problems.append(Ignored(path, field, f"{what}, not {escape_text(_cut_repr(value))}"))

    if not isinstance(facts, dict):
        raise SourceError(f"{path}: the manifest must be a JSON object, not {escape_text(_cut_repr(facts))}")
    declared = facts.get("byteorder", byteorder)
    if declared not in ("little", "big") or not isinstance(declared, str):
        bad("byteorder", 'must be "little" or "big"', declared)
        declared = byteorder
    tick = facts.get("clk_tck", clk_tck)
    if type(tick) is not int or not 0 < tick <= MAX_CLK_TCK:
        bad("clk_tck", f"must be an integer from 1 to {MAX_CLK_TCK}", tick)
        tick = clk_tck
    names = facts.get("users")
    users = None
    if names is not None and not isinstance(names, dict):
        bad("users", "must be an object of uid: name", names)
    elif names is not None:
        users = {}
        wrong: list[str] = []
        for uid, name in names.items():
            if not (uid.isascii() and uid.isdigit() and len(uid) <= 10 and int(uid) < 1 << 32):
                wrong.append(f"the uid {escape_text(_cut_repr(uid))} is not a decimal number below 2**32")
            elif not isinstance(name, str) or not 0 < len(name) <= 256:
                wrong.append(f"the name of uid {uid} must be a string of 1 to 256 characters, not {escape_text(_cut_repr(name))}")
            else:
                users[int(uid)] = name
        if wrong:
            more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
            problems.append(Ignored(path, "users", f"{len(wrong)} entr{'y' if len(wrong) == 1 else 'ies'} left out: {wrong[0]}{more}"))
    return ("big" if declared == "big" else "little"), tick, users, tuple(problems)


#: The longest host name kept (HOST_NAME_MAX is 64; a manifest's FQDN may be up to 253).
MAX_HOSTNAME = 255


def _manifest_fleet(path: str, facts: object) -> tuple[str | None, str | None, int | None, tuple[Ignored, ...]]:
    """The host name, capture time and namespace inode (its ``netns`` entry for ``net``) a
    manifest (a JSON object: :func:`_manifest_values` checked) declares, and what was wrong: a
    hostname or captured_at of the wrong type is ignored (None), once, naming its field."""
    from netread.escape import escape_text

    assert isinstance(facts, dict)
    problems: list[Ignored] = []
    host, captured_at = facts.get("hostname"), facts.get("captured_at")
    if host is not None and (not isinstance(host, str) or not 0 < len(host) <= MAX_HOSTNAME):
        problems.append(Ignored(path, "hostname", f"must be a string of 1 to {MAX_HOSTNAME} characters, not {escape_text(_cut_repr(host))}"))
        host = None
    if captured_at is not None and (not isinstance(captured_at, str) or utc_time(captured_at) is None):
        problems.append(Ignored(path, "captured_at", f"must be an ISO 8601 time, not {escape_text(_cut_repr(captured_at))}"))
        captured_at = None
    netns = None
    listed = facts.get("netns")
    if isinstance(listed, list):  # checked entry by entry where --netns reads it (proc/namespaces.py)
        for entry in listed:
            if isinstance(entry, dict) and entry.get("path") == "net":
                inode = entry.get("inode")
                netns = inode if type(inode) is int and 0 <= inode < 1 << 64 else None
                break
    return host, captured_at, netns, tuple(problems)


def utc_time(text: str) -> str | None:
    """An ISO 8601 time as UTC to the second with a ``Z`` (one without a zone taken as UTC);
    None if ``text`` is not one.

    >>> utc_time("2026-11-30T07:13:26.5+01:00")
    '2026-11-30T06:13:26Z'
    """
    import datetime

    try:
        when = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        try:
            when = when.astimezone(datetime.timezone.utc)
        except OverflowError:  # year 1 with a zone east of UTC
            return None
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"


def _cut_repr(value: object, most: int = 80) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return text if len(text) <= most else text[:most] + "..."


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
        try:
            with open_in(base, "sos_commands/kernel/uname_-a") as handle:
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
    symlinks is skipped, so nothing is written outside the directory.  Every
    member counts against :data:`MAX_MEMBERS`, its data and names against
    :data:`MAX_UNPACKED`, and the whole against :data:`MAX_SECONDS`; a member
    whose name or link target holds a NUL byte, a damaged archive (the
    decompressor's error, or anything but the end-of-archive zeros after the
    last member read) and a bound passed are each one SourceError, and
    nothing of the archive is read.  SIGTERM and SIGHUP end netread through
    its exit handlers while the directory exists, so it is removed then too.
    """
    import shutil
    import tarfile
    import tempfile
    import time
    from pathlib import Path
    from pathlib import PurePosixPath

    damaged: tuple[type[Exception], ...] = (EOFError, *_decompress_errors())
    unpacking: tuple[type[Exception], ...] = (tarfile.TarError, OSError, ValueError, *damaged)
    try:
        tar = tarfile.open(archive, "r:*")
    except OSError as exc:
        if exc.errno is None:  # gzip's BadGzipFile and the like
            raise SourceError(f"{archive}: cannot unpack: {exc}") from None
        raise SourceError(f"{archive}: {exc.strerror or os.strerror(exc.errno or 0)}") from exc
    except tarfile.TarError:
        raise SourceError(f"{archive}: not a directory, and not a tar archive (plain, gzip, bzip2 or xz)") from None
    except damaged as exc:
        raise SourceError(f"{archive}: cannot unpack: {exc or type(exc).__name__}") from None
    dest = Path(tempfile.mkdtemp(prefix="netread-snapshot-"))
    _remove_at_exit(str(dest))
    links: set[str] = set()
    total = members = 0
    deadline = time.monotonic() + MAX_SECONDS

    def refuse(why: str) -> SourceError:
        return SourceError(f"{archive}: {why}; not unpacked")

    try:
        with tar:
            while True:
                member = tar.next()
                if member is None:
                    break
                tar.members.clear()  # type: ignore[attr-defined]  # tarfile keeps every header it read: a million members would stay
                members += 1
                total += len(member.name) + len(member.linkname) + 512
                if members > MAX_MEMBERS or total > MAX_UNPACKED:
                    raise refuse(f"more than {MAX_MEMBERS} members or {MAX_UNPACKED >> 20} MiB")
                if time.monotonic() > deadline:
                    raise refuse(f"more than {MAX_SECONDS} s to unpack")
                if "\0" in member.name or "\0" in member.linkname:
                    raise refuse(f"member {members} has a NUL byte in its {'name' if chr(0) in member.name else 'link target'}")
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
                if total > MAX_UNPACKED:
                    raise refuse(f"more than {MAX_MEMBERS} members or {MAX_UNPACKED >> 20} MiB")
                source = tar.extractfile(member)
                if source is None:
                    continue
                with source, open(target, "xb") as out:
                    while piece := source.read(1 << 20):
                        out.write(piece)
                        if time.monotonic() > deadline:
                            raise refuse(f"more than {MAX_SECONDS} s to unpack")
            _check_end(tar, archive, members, deadline)
    except SourceError:
        shutil.rmtree(dest, True)
        raise
    except unpacking as exc:
        shutil.rmtree(dest, True)
        raise SourceError(f"{archive}: cannot unpack (damaged after {members} members?): {exc or type(exc).__name__}") from exc
    return dest


def _decompress_errors() -> tuple[type[Exception], ...]:
    """The decompressors' own errors (LZMAError, zlib.error), for the modules this Python has."""
    found: list[type[Exception]] = []
    try:
        import lzma

        found.append(lzma.LZMAError)
    except ImportError:
        pass
    try:
        import zlib

        found.append(zlib.error)
    except ImportError:
        pass
    return tuple(found)


def _check_end(tar: object, archive: str, members: int, deadline: float) -> None:
    """After the last header tarfile read: only zeros (the end-of-archive blocks and padding) to
    the end of the stream, read to its end so that a compressed stream checks its CRC.  tarfile
    stops quietly at the first header it cannot read, so a damaged archive would lose every member
    after the damage without a word."""
    import tarfile
    import time

    assert isinstance(tar, tarfile.TarFile)
    stream = tar.fileobj
    assert stream is not None
    stream.seek(tar.offset)
    while piece := stream.read(1 << 20):
        if piece.strip(b"\0"):
            raise SourceError(f"{archive}: damaged after {members} member(s) (not an archive's end there); not unpacked")
        if time.monotonic() > deadline:
            raise SourceError(f"{archive}: more than {MAX_SECONDS} s to unpack; not unpacked")


def _remove_at_exit(path: str) -> None:
    """Remove ``path`` when netread exits, by its exit handlers, and on SIGTERM or SIGHUP (which
    would end it without them): each is made to raise SystemExit while ``path`` exists, unless
    the program has its own handler; the old handlers come back when ``path`` is removed."""
    import atexit
    import shutil
    import signal
    import threading

    restore: list[tuple[int, object]] = []

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) is signal.SIG_DFL:
                signal.signal(signum, leave)
                restore.append((signum, signal.SIG_DFL))

    def remove() -> None:
        shutil.rmtree(path, True)
        for signum, handler in restore:
            try:
                if signal.getsignal(signum) is leave:
                    signal.signal(signum, handler)  # type: ignore[arg-type]
            except ValueError:
                pass

    atexit.register(remove)
