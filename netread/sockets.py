"""``read_sockets``: the one pipeline under every output (netstat text, JSON/NDJSON/CSV, --explain, the API).

It reads the tables a :func:`netread.select.plan` names, in netstat's order
and with netstat's stop rule, decodes them (the fast path for pieces in the
kernel's exact format, the careful decoder for the rest), scans the owners
beside the reads, and resolves names and users, all before anything is
rendered.  What went wrong is kept, in order, in ``Sockets.messages``; the
command line prints it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import TypeVar

from netread.errors import ParseError
from netread.errors import SourceError
from netread.model import Absent
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import Message
from netread.model import Sockets
from netread.model import Table
from netread.model import UnixSocket
from netread.model import Unresolved
from netread.parse.inet import decode_inet
from netread.parse.inet_fast import kernel_records
from netread.parse.unix import decode_unix
from netread.proc.processes import scan_in_background
from netread.proc.source import ProcSource
from netread.select import Family

if TYPE_CHECKING:
    from netread.resolve import Resolver


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a table's records are made: they are acyclic
    tuples, and at 10^5 rows the collector's passes over them cost a quarter of the time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
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
    with paused_gc():
        return _read_sockets(source, families, owners, names, users, keep_inet, keep_unix)


def _read_sockets(
    source: ProcSource,
    families: Sequence[Family],
    owners: bool,
    names: Resolver | None,
    users: Callable[[int], str | None] | None,
    keep_inet: Callable[[InetSocket], bool] | None,
    keep_unix: Callable[[UnixSocket], bool] | None,
) -> Sockets:
    waiting = scan_in_background(source.root, source.confined) if owners else None
    messages: list[Message] = []
    walk = Walk(source, families, messages)
    inet: list[InetSocket] | None = None
    unix: list[UnixSocket] | None = None
    try:
        if walk.has_inet:
            inet = []
            for table, chunks in walk.inet():
                def fast(piece: bytes, lineno: int, table: Table = table) -> list[InetSocket] | None:
                    return kernel_records(piece.decode("utf-8", "surrogateescape"), table, source.byteorder, lineno)

                for piece in inet_pieces(source, table, chunks, messages, fast):
                    inet.extend(piece if keep_inet is None else filter(keep_inet, piece))
        if walk.lists_unix:
            lines = walk.unix()
            unix = [] if lines is None else decode_unix_rows(source, lines, messages, keep_unix)
    finally:
        found_owners = waiting() if waiting is not None else None  # the child is reaped on errors too
    if names is not None and inet:
        late = names.prefetch(_addresses(inet))
        if late:
            messages.append(Unresolved(len(late), names.deadline))
    names_of: dict[int, str | None] = {}
    if users is not None:
        for uid in {r.uid for r in inet or () if r.uid is not None}:
            names_of[uid] = source.users.get(uid) if source.users is not None else users(uid)
    return Sockets(inet, unix, found_owners, names_of, messages, walk.stopped)


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

    def inet(self) -> Iterator[tuple[Table, Iterator[tuple[int, bytes]]]]:
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

    def unix(self) -> list[str] | None:
        """The lines of the unix table, None when it is absent or unreadable (either is said)."""
        family = self.unix_family
        if family is None:
            return None
        try:
            lines = self.source.read_net(Table.UNIX)
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


T = TypeVar("T")


def inet_pieces(
    source: ProcSource,
    table: Table,
    chunks: Iterator[tuple[int, bytes]],
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
            if lineno == 1:
                header, _, piece = piece.partition(b"\n")
                # the careful decoder judges the header (missing, or not the kernel's)
                yield careful_rows(decode_inet([_text(header)], path=path, table=table, byteorder=source.byteorder), messages)
                lineno = 2
            rows = fast(piece, lineno)
            if rows is not None:
                yield rows
            else:
                lines = _text(piece).split("\n")[:-1]
                yield careful_rows(decode_inet(lines, path=path, table=table, byteorder=source.byteorder, first_line=lineno), messages)
    except SourceError as exc:
        messages.append(exc)
        return
    if empty:
        messages.append(ParseError(path, 1, "header", "missing: the file is empty", ""))


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
    source: ProcSource, lines: list[str], messages: list[Message], keep: Callable[[UnixSocket], bool] | None
) -> list[UnixSocket]:
    """The records of the unix table's ``lines`` that ``keep`` keeps; problems go to ``messages``."""
    path = source.net_path(Table.UNIX)
    if not lines:
        messages.append(ParseError(path, 1, "header", "missing: the file is empty", ""))
    rows = []
    for row in decode_unix(lines, path=path):
        if isinstance(row, ParseError):
            messages.append(row)
        elif keep is None or keep(row):
            rows.append(row)
    return rows
