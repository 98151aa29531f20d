"""``read_sockets``: the one pipeline under every output (netstat text, JSON/NDJSON/CSV, --explain, the API).

It reads the tables a :func:`netread.select.plan` names, in netstat's order
and with netstat's stop rule, decodes them (the fast path for pieces in the
kernel's exact format, the careful decoder for the rest), scans the owners
beside the reads, and resolves names and users, all before anything is
rendered.  What went wrong is kept, in order, in ``Sockets.messages``; the
command line prints it.
"""

from __future__ import annotations

import gc
import itertools

from netread.errors import ParseError
from netread.errors import SourceError
from netread.model import Absent
from netread.model import InetSocket
from netread.model import Owners
from netread.model import Sockets
from netread.model import Table
from netread.model import UnixSocket
from netread.model import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Generator
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Sequence
    from typing import TypeVar

    from netread.model import IPAddress
    from netread.model import Message
    from netread.proc.source import ByteOrder
    from netread.proc.source import Lines
    from netread.proc.source import ProcSource
    from netread.proc.source import Spooled
    from netread.resolve import Resolver
    from netread.select import Family

    T = TypeVar("T")
    Tables = Iterator[tuple[Table, Iterator[tuple[int, bytes | ParseError]]]]


class paused_gc:  # a context manager, named as the function it was (contextlib costs start-up)
    """The cyclic garbage collector off while a table's records are made: they are acyclic
    tuples, and at 10^5 rows the collector's passes over them cost a quarter of the time."""

    __slots__ = ("_enabled",)

    def __enter__(self) -> None:
        self._enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            gc.enable()


def read_sockets(
    source: ProcSource,
    families: Sequence[Family],
    *,
    owners: bool = False,
    names: Resolver | None = None,
    users: Callable[[int], str | None] | None = None,
    keep_inet: Callable[[InetSocket], bool] | None = None,
    keep_unix: Callable[[UnixSocket], bool] | None = None,
) -> Sockets:
    """Read, decode and complete the sockets of ``families`` from ``source``.

    ``owners`` runs the ``<pid>/fd`` scan (in a child, while the tables are
    read); ``names`` looks every address up at once, before this returns;
    ``users`` names each uid of the rows (the snapshot's names win);
    ``keep_inet``/``keep_unix`` drop rows as they are read (netstat's -a/-l rule).
    """
    with SocketStream(source, families, owners=owners, names=names, users=users, keep_inet=keep_inet, keep_unix=keep_unix) as stream:
        return stream.collect()


class SocketStream:
    """``read_sockets`` a piece of a table at a time (``ProcSource.net_chunks``' pieces), for outputs
    that print as they read: memory stays flat whatever the size of the table.

    On entering, the owners are known (the fd scan runs in a child while the
    first :data:`READ_AHEAD` bytes of rows of the tables are read and decoded); then ``inet``
    yields each piece's records (names looked up, users named, piece by piece)
    and ``unix()`` returns the unix table's.  Messages are appended to
    ``messages`` as they happen; the consumer says them when it likes.
    """

    def __init__(
        self,
        source: ProcSource,
        families: Sequence[Family],
        *,
        owners: bool = False,
        names: Resolver | None = None,
        users: Callable[[int], str | None] | None = None,
        keep_inet: Callable[[InetSocket], bool] | None = None,
        keep_unix: Callable[[UnixSocket], bool] | None = None,
    ) -> None:
        self.source = source
        self.messages: list[Message] = []
        self.walk = Walk(source, families, self.messages)
        self.owners: Owners | None = None
        #: uid -> user name, for every uid of the rows so far (the snapshot's names win).
        self.users: dict[int, str | None] = {}
        self._want_owners = owners
        self._names = names
        self._user_name = users
        self._keep_inet = keep_inet
        self._keep_unix = keep_unix
        self._waiting: Callable[[], Owners] | None = None
        #: When the name lookups stop being waited for (one deadline for the whole listing), and
        #: how many addresses missed it.
        self._names_until: float | None = None
        self._late: set[IPAddress] = set()
        #: The records of each inet piece, in order; None when no inet family is listed.
        self.inet: Generator[list[InetSocket]] | None = None
        self._decoder: Generator[list[InetSocket]] | None = None

    def __enter__(self) -> SocketStream:
        if self._want_owners:
            self._waiting = self.source.scan_owners()
        try:
            if self.walk.has_inet:
                self._decoder = self._decoded(self.walk.inet())
                pieces: Iterator[list[InetSocket]] = self._decoder
                if self._waiting is not None:  # decode the first pieces while the owners are scanned
                    pieces = read_ahead(pieces, len, RECORDS_AHEAD)
                self.inet = self._completed(pieces)
            self._take_owners()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reads (a table's reading child, its file and pipe) and reap the scanning
        child, on errors too (a closed pipe, Ctrl-C) and without waiting for the collector."""
        for pieces in (self.inet, self._decoder):
            if pieces is not None:
                pieces.close()
        self.inet = self._decoder = None
        self._take_owners()

    def collect(self) -> Sockets:
        """Every row of the stream at once (what ``read_sockets`` returns)."""
        with paused_gc():
            inet = None if self.inet is None else [sock for piece in self.inet for sock in piece]
            unix = self.unix()
        return Sockets(inet, unix, self.owners, self.users, self.messages, self.stopped)

    def _take_owners(self) -> None:
        if self._waiting is not None:
            wait, self._waiting = self._waiting, None  # called once, even when it raises (Ctrl-C)
            self.owners = wait()

    @property
    def stopped(self) -> bool:
        return self.walk.stopped

    def _decoded(self, tables: Tables) -> Generator[list[InetSocket]]:
        """The records of each piece that ``keep_inet`` keeps (pieces left empty are skipped)."""
        from netread.parse.inet_fast import kernel_records

        source, keep = self.source, self._keep_inet
        for table, chunks in tables:

            def fast(piece: bytes, lineno: int, table: Table = table) -> list[InetSocket] | None:
                return kernel_records(piece.decode("utf-8", "surrogateescape"), table, source.byteorder, lineno)

            pieces = inet_pieces(source, table, chunks, self.messages, fast)
            while True:
                with paused_gc():  # while records are made, not while the consumer works (its garbage may be cyclic)
                    piece = next(pieces, None)
                if piece is None:
                    break
                rows = piece if keep is None else list(filter(keep, piece))
                if rows:
                    yield rows

    def _completed(self, pieces: Iterator[list[InetSocket]]) -> Generator[list[InetSocket]]:
        for rows in pieces:
            self._complete(rows)
            yield rows
        if self._late and self._names is not None:
            self.messages.append(Unresolved(len(self._late), self._names.deadline))  # said once, at the end

    def _complete(self, rows: list[InetSocket]) -> None:
        """Names looked up for the distinct addresses of ``rows``, their users named."""
        names = self._names
        if names is not None:
            import time

            now = time.monotonic()
            if self._names_until is None:
                self._names_until = now + names.deadline
            late = names.prefetch(_addresses(rows), timeout=max(0.0, self._names_until - now))
            if len(self._late) < 1 << 16:  # each late address counted once (a bounded set)
                self._late.update(late)
        if self._user_name is not None:
            known, given = self.users, self.source.users
            for uid in {r.uid for r in rows if r.uid is not None} - known.keys():
                known[uid] = given.get(uid) if given is not None else self._user_name(uid)

    def unix(self) -> list[UnixSocket] | None:
        """The unix table's records; None when the unix section is not listed."""
        rows = self.unix_rows()
        return None if rows is None else list(rows)

    def unix_rows(self) -> Iterator[UnixSocket] | None:
        """The unix table's records as they are decoded (the table is read first, whole, so a
        read error comes before any row); None when the unix section is not listed."""
        if not self.walk.lists_unix:
            return None
        lines = self.walk.unix()
        return iter(()) if lines is None else unix_rows(self.source, lines, self.messages, self._keep_unix)


#: Bytes of table text read and parsed ahead while the -p fd scan runs; beyond them the scan is waited for.
READ_AHEAD = 8 << 20
#: A tcp line's length (the kernel pads it to 149 bytes and a newline): bytes from a count of rows.
LINE_BYTES = 150
#: Records decoded ahead while the -p fd scan runs, for the outputs made from records (a record
#: with its addresses is about 400 bytes: READ_AHEAD's 56k rows would be 22 MiB).
RECORDS_AHEAD = 16384


def read_ahead(pieces: Iterator[T], size: Callable[[T], int], budget: int) -> Iterator[T]:
    """``pieces``, the first of them taken now until their ``size`` reaches ``budget`` (while
    something else runs: the owner scan), the rest as they come."""
    early: list[T] = []
    taken = 0
    for piece in pieces:
        early.append(piece)
        taken += size(piece)
        if taken >= budget:
            break
    return itertools.chain(early, pieces)


def _addresses(rows: Iterable[InetSocket]) -> Iterator[IPAddress]:
    for row in rows:
        yield row.local.address
        yield row.remote.address


class Walk:
    """netstat's walk over the tables of a plan: each absent table said or skipped, and the stop rule.

    An absent first table of a ``required`` family ends the walk after that
    family (``stopped``); a table that exists but cannot be read is a
    :class:`SourceError` in ``messages`` and the walk goes on.
    """

    def __init__(self, source: ProcSource, families: Sequence[Family], messages: list[Message]) -> None:
        self.source = source
        self.families = [f for f in families if f.tables[0] is not Table.UNIX]
        self.unix_family = next((f for f in families if f.tables[0] is Table.UNIX), None)
        self.messages = messages
        self.stopped = False

    @property
    def has_inet(self) -> bool:
        return bool(self.families)

    def inet(self) -> Tables:
        """Each inet table that exists, in order, as the pieces of its text."""
        for family in self.families:
            for table in family.tables:
                try:
                    chunks = self.source.net_chunks(table)
                except SourceError as exc:
                    self.messages.append(exc)
                    continue
                if chunks is not None:
                    yield table, chunks
                elif table is family.tables[0]:
                    self._absent(family)
            if self.stopped:
                return

    @property
    def lists_unix(self) -> bool:
        """Whether the unix section is listed (it is in the plan and the walk did not stop before it)."""
        return self.unix_family is not None and not self.stopped

    def unix(self) -> Lines | Spooled | None:
        """The lines of the unix table (read whole now, held or spooled: proc/source.py
        ``spool_net``), None when it is absent or unreadable (either is said)."""
        family = self.unix_family
        if family is None:
            return None
        try:
            lines = self.source.spool_net(Table.UNIX)
        except SourceError as exc:
            self.messages.append(exc)
            return None  # said; not also "empty"
        if lines is None:
            self._absent(family)
        return lines

    def _absent(self, family: Family) -> None:
        if family.say_absent:
            self.messages.append(Absent(family.name))
        self.stopped = self.stopped or family.required



def inet_pieces(
    source: ProcSource,
    table: Table,
    chunks: Iterator[tuple[int, bytes | ParseError]],
    messages: list[Message],
    fast: Callable[[bytes, int], T | None],
) -> Iterator[T | list[InetSocket]]:
    """``table`` a piece (about 1 MiB of whole lines) at a time: ``fast(piece, first_line)`` where
    it takes the piece (not None), else the careful decoder's records; problems go to ``messages``."""
    path = source.net_path(table)
    empty = True
    try:
        for lineno, piece in chunks:
            empty = False
            if isinstance(piece, ParseError):  # a line too long to read (proc/source.py): skipped
                messages.append(piece)
                continue
            if lineno == 1:
                header, _, piece = piece.partition(b"\n")
                if not _kernel_header(header):  # the careful decoder judges it (missing, or not the kernel's)
                    yield careful_rows(_decode_inet([_text(header)], path=path, table=table, byteorder=source.byteorder), messages)
                lineno = 2
                if not piece:  # the header alone
                    continue
            rows = fast(piece, lineno)
            yield rows if rows is not None else decode_piece(source, table, piece, lineno, messages)
    except SourceError as exc:
        messages.append(exc)
        return
    if empty:
        messages.append(ParseError(path, 1, "header", "missing: the file is empty", ""))


def decode_piece(source: ProcSource, table: Table, piece: bytes, lineno: int, messages: list[Message]) -> list[InetSocket]:
    """The careful decoder's records of ``piece`` (whole lines from line ``lineno`` of ``table``);
    problems go to ``messages``."""
    lines = _text(piece).split("\n")[:-1]
    return careful_rows(_decode_inet(lines, path=source.net_path(table), table=table, byteorder=source.byteorder, first_line=lineno), messages)


def _kernel_header(line: bytes) -> bool:
    """The kernel's header (``  sl  local_address ...``): no data row starts with ``sl``."""
    return line.lstrip().startswith(b"sl ") and b" local_address " in line and not line.endswith(b"\r")


def _decode_inet(lines: Iterable[str], *, path: str, table: Table, byteorder: ByteOrder, first_line: int = 1) -> Iterator[InetSocket | ParseError]:
    from netread.parse.inet import decode_inet

    return decode_inet(lines, path=path, table=table, byteorder=byteorder, first_line=first_line)


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def careful_rows(rows: Iterable[InetSocket | ParseError], messages: list[Message]) -> list[InetSocket]:
    out = []
    for row in rows:
        if isinstance(row, ParseError):
            messages.append(row)
        else:
            out.append(row)
    return out


def decode_unix_rows(
    source: ProcSource, lines: Iterable[str], messages: list[Message], keep: Callable[[UnixSocket], bool] | None
) -> list[UnixSocket]:
    """The records of the unix table's ``lines`` that ``keep`` keeps; problems go to ``messages``."""
    return list(unix_rows(source, lines, messages, keep))


def unix_rows(
    source: ProcSource, lines: Iterable[str], messages: list[Message], keep: Callable[[UnixSocket], bool] | None
) -> Iterator[UnixSocket]:
    """The records of the unix table's ``lines`` that ``keep`` keeps, as they are decoded;
    problems go to ``messages`` as they come, and the note naming the ambiguous records that
    are kept comes last (its size does not grow with the table)."""
    from netread.model import Ambiguous
    from netread.parse.unix import AMBIGUOUS
    from netread.parse.unix import NAMED
    from netread.parse.unix import decode_unix

    path = source.net_path(Table.UNIX)
    if not lines:
        messages.append(ParseError(path, 1, "header", "missing: the file is empty", ""))
    skipped: dict[int, ParseError] = getattr(lines, "skipped", None) or {}  # lines too long to read
    named: list[tuple[int, int | None]] = []
    more = 0
    for row in decode_unix(lines, path=path):
        if isinstance(row, ParseError):
            messages.append(skipped.get(row.lineno, row))
        elif not isinstance(row, UnixSocket):  # the ambiguous records: noted when they are listed
            pass
        elif keep is None or keep(row):
            if row.suspect == AMBIGUOUS:
                if len(named) < NAMED:
                    named.append((row.lineno, row.inode))
                else:
                    more += 1
            yield row
    if named:
        messages.append(Ambiguous(path, tuple(named), more))
