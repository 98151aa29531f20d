"""A listing, from a :class:`Request` to bytes on stdout and an exit status.

Every output goes through one pipeline: ``read_sockets`` (netread/sockets.py)
reads the tables :func:`netread.select.plan` names, the selection (netstat's
-a/-l rule and the filters) runs once on the records, and one renderer per
output writes them (netstat text, json/ndjson/csv, --explain).  The one
special case is the plain numeric netstat listing (no names, no filters, no
--explain): it streams each piece of a table from the fast path straight to
text, so it is fast and its memory stays flat however big the table is
(:func:`_stream`; tests/test_fast.py holds it equal to the record path).
"""

from __future__ import annotations

import os
import sys

from netread.cli.report import Report
from netread.cli.report import say_source
from netread.cli.status import ExitStatus
from netread.cli.status import OutputError
from netread.cli.status import quiet_broken_pipe
from netread.cli.status import stdout
from netread.errors import NetreadError
from netread.model import INET_TABLES
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.select import Filters
from netread.select import Options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from typing import Protocol
    from typing import TextIO

    from netread.cli.request import Request
    from netread.model import InetSocket
    from netread.model import Message
    from netread.model import Table
    from netread.model import UnixSocket
    from netread.parse.inet import ByteOrder
    from netread.parse.inet_columns import Columns
    from netread.parse.snmp import Facts
    from netread.proc.workers import Worker
    from netread.render.explain import Explained
    from netread.render.netstat import NetstatFormatter
    from netread.render.records import Record
    from netread.resolve import Resolver
    from netread.select import Family
    from netread.sockets import SocketStream
    from netread.sockets import Tables

    class Writer(Protocol):
        """Where a listing's bytes go: stdout (cli/status.Output) or a test's BytesIO."""

        def write(self, data: bytes, /) -> object: ...


def execute(request: Request) -> int:
    """Run ``request`` (again every second with -c); the one place a :class:`NetreadError` becomes a status."""
    if request.modes:
        return guarded(lambda: _other_mode(request))
    return guarded(lambda: _run(request))


def _other_mode(request: Request) -> int:
    from netread.cli.modes import run_mode

    if request.netns is not None:
        from netread.errors import UsageError

        raise UsageError("--netns goes with the socket listing, not with -s, -r, -i, -g or -M: they read the reader's own namespace")

    return run_mode(request, request.mode)


def guarded(action: Callable[[], int], who: str = "netread") -> int:
    """``action()``'s status; a NetreadError is one line on stderr and its exit code; a closed pipe
    ends quietly with 0, and Ctrl-C kills netread with SIGINT, as they end netstat."""
    try:
        return action()
    except NetreadError as exc:
        if isinstance(exc, OutputError) and sys.stdout is not None:
            quiet_broken_pipe()  # what is still buffered cannot fail again at exit
        try:
            sys.stderr.write(f"{who}: {exc}\n")  # escaped by NetreadError.__str__: it may quote a command-line value or a path
        except (OSError, AttributeError):  # stderr closed or full as well: the status says it
            pass
        return exc.exit_code
    except BrokenPipeError:
        quiet_broken_pipe()
        return ExitStatus.OK
    except KeyboardInterrupt:
        from netread.cli.status import die_of_sigint

        die_of_sigint()


def _run(request: Request) -> int:
    import time

    opts = request.options()
    names = None
    if not opts.numeric:
        from netread.resolve import Resolver

        names = Resolver()
    filters = _filters(request, names)  # usage errors before the source is opened
    out = stdout()  # closed: one error before anything is read
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    ignored = say_source(source)  # once, not every -c cycle
    color = opts.explain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    header = True
    while True:
        if request.netns is not None:
            from netread.cli.netns import list_namespaces

            status = list_namespaces(request.netns, source, opts, out, names=names, output=request.output, filters=filters, color=color, header=header)
        else:
            status = list_once(source, opts, out, sys.stderr, names=names, output=request.output, filters=filters, color=color, header=header)
        out.flush()
        if ignored and opts.strict:
            status = status or ExitStatus.ERROR  # --strict: the manifest had a bad value
        if not request.continuous or status:
            return status
        header = False  # -c --format csv: one header, then every cycle's rows
        time.sleep(1)  # netstat's wait_continous()


def _filters(request: Request, names: Resolver | None) -> Filters:
    from netread.errors import UsageError
    from netread.select import FilterError
    from netread.select import parse_pid
    from netread.select import parse_port
    from netread.select import parse_states
    from netread.select import parse_user

    def services(name: str) -> frozenset[int]:
        from netread.resolve import Resolver

        return (names or Resolver()).ports_named(name)

    try:
        return Filters(
            states=parse_states(request.state) if request.state is not None else None,
            port=parse_port(request.port, "--port", services) if request.port is not None else None,
            sport=parse_port(request.sport, "--sport", services) if request.sport is not None else None,
            dport=parse_port(request.dport, "--dport", services) if request.dport is not None else None,
            pid=parse_pid(request.pid) if request.pid is not None else None,
            program=request.program,
            user=parse_user(request.user) if request.user is not None else None,
        )
    except FilterError as exc:
        raise UsageError(str(exc)) from None


def list_once(
    source: ProcSource,
    opts: Options,
    out: Writer,
    err: TextIO,
    *,
    names: Resolver | None = None,
    output: str = "netstat",
    filters: Filters | None = None,
    color: bool = False,
    header: bool = True,
) -> int:
    """Print one listing of ``source`` to ``out``; return the exit status.

    ``names`` does the name lookups unless ``opts`` asks for numbers; pass the
    same one to every ``-c`` cycle so each address is looked up once per run.
    """
    filters = filters or Filters()
    report = Report(err)
    if not opts.explain and (opts.sctp or (not opts.explicit and (source.has_net("sctp") or source.has_net("sctp6")))):
        from netread.cli.listing_sctp import list_with_sctp  # only where SCTP is listed: not start-up's

        return list_with_sctp(source, opts, out, report, names, filters, output, header)
    if output == "netstat" and not opts.explain and not filters.active and opts.numeric_hosts:
        return _stream(source, opts, out, report, names)
    if opts.explain:
        return _explained(source, opts, out, report, names, output, filters, color)
    return _streamed(source, opts, out, report, names, output, filters, header)


def _explained(
    source: ProcSource, opts: Options, out: Writer, report: Report, names: Resolver | None, output: str, filters: Filters, color: bool
) -> int:
    """--explain, streamed like the listing: the rows are written (or made records) a piece at a
    time, and the states and the findings are worked out from what each piece leaves (counts,
    a few rows of evidence), so memory does not grow with the table.  What went wrong is said as
    it comes; the -p warning and the counters' problems after the rows, as ever."""
    from netread.render.explain import Explained

    if output == "netstat":
        facts = _facts(source)
        with _Rows(source, opts, report, names, filters, say_owners=False) as rows:
            explained = Explained(opts, source.clk_tck, names, rows.owners, rows.users, facts, snapshot=source.root != LIVE_ROOT, color=color)
            if rows.stream.inet is not None:
                out.write(_encode(explained.inet_head()))
                for piece in rows.inet_pieces():
                    out.write(_encode(explained.inet_rows(piece)))
                out.write(_encode(explained.inet_end()))
            section = rows.unix_rows()
            if section is not None:
                out.write(_encode(explained.unix_head()))
                for batch in _batched(section):
                    out.write(_encode(explained.unix_rows(batch)))
                out.write(_encode(explained.unix_end()))
            _said_after(rows, report, facts)
            out.write(_encode(explained.end()))
            return report.status(opts.strict, rows.stream.stopped)
    done: list[int] = []
    found: list[Record] = []
    write_records(out, output, explained_pieces(source, opts, report, names, filters, done, found), source_about(source), findings=found if output == "json" else None)
    return done[0]


def explained_pieces(
    source: ProcSource, opts: Options, report: Report, names: Resolver | None, filters: Filters, done: list[int], found: list[Record]
) -> Iterator[list[Record]]:
    """--explain's records, a batch at a time, each row given to the rules as it goes; at the
    end, its findings' records appended to ``found`` and its exit status to ``done``."""
    from netread.render.explain import Explained
    from netread.render.records import finding_record
    from netread.render.records import record_batches

    fleet = fleet_of(source)  # before the tables are read
    facts = _facts(source)
    with _Rows(source, opts, report, names, filters, say_owners=False) as rows:
        explained = Explained(opts, source.clk_tck, names, rows.owners, rows.users, facts, snapshot=source.root != LIVE_ROOT)

        def inet() -> Iterator[list[InetSocket]]:
            for piece in rows.inet_pieces():
                explained.watch.inet(piece)
                yield piece

        def unix() -> Iterator[UnixSocket] | None:
            section = rows.unix_rows()
            return None if section is None else _counted(section, explained)

        yield from record_batches(inet(), unix, rows.owners, rows.users, source.clk_tck, fleet)
        _said_after(rows, report, facts)
        found.extend(finding_record(f, fleet) for f in explained.findings())
        done.append(report.status(opts.strict, rows.stream.stopped))


def _batched(rows: Iterator[UnixSocket]) -> Iterator[list[UnixSocket]]:
    import itertools

    from netread.render.netstat import UNIX_BATCH

    while batch := list(itertools.islice(rows, UNIX_BATCH)):
        yield batch


def _counted(rows: Iterator[UnixSocket], explained: Explained) -> Iterator[UnixSocket]:
    """``rows``, each batch given to ``explained``'s rules first."""
    for batch in _batched(rows):
        explained.count_unix(batch)
        yield from batch


def _said_after(rows: _Rows, report: Report, facts: Facts) -> None:
    """What --explain says once the rows are read: netstat's -p warning, the counters' problems."""
    if rows.owners is not None and rows.opts.programs:
        report.owners(rows.owners)
    report.messages(facts.problems)


def _socket_stream(source: ProcSource, opts: Options, filters: Filters, names: Resolver | None, families: list[Family] | None = None) -> SocketStream:
    """The stream of the tables ``opts`` lists, with what the options and filters need: owners,
    names, users, netstat's -a/-l rule."""
    from netread import select
    from netread.resolve import user_name
    from netread.sockets import SocketStream

    return SocketStream(
        source,
        select.plan(opts) if families is None else families,
        owners=opts.programs or filters.need_owners,
        names=names if not opts.numeric_hosts else None,
        users=user_name,
        keep_inet=select.keep_inet(opts),
        keep_unix=select.keep_unix(opts),
    )


def _streamed(
    source: ProcSource, opts: Options, out: Writer, report: Report, names: Resolver | None, output: str, filters: Filters, header: bool = True
) -> int:
    """netstat text with names or filters, json, ndjson and csv: written a piece of a table at a
    time (``SocketStream``), so memory does not grow with the table."""
    if output != "netstat":
        done: list[int] = []
        write_records(out, output, record_pieces(source, opts, report, names, filters, done), source_about(source), header=header)
        return done[0]
    from netread.render.netstat import NetstatFormatter
    from netread.render.netstat import banner
    from netread.render.netstat import inet_header
    from netread.render.netstat import unix_pieces

    with _Rows(source, opts, report, names, filters) as rows:
        fmt = NetstatFormatter(opts, owners=rows.owners, clk_tck=source.clk_tck, user_name=rows.users.get, names=names)
        if rows.stream.inet is not None:
            out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
            for piece in rows.inet_pieces():
                out.write(_encode("".join([fmt.inet_row(row) + "\n" for row in piece])))
        unix = rows.unix_rows()
        if unix is not None:
            for text in unix_pieces(fmt, unix):
                out.write(_encode(text))
        return report.status(opts.strict, rows.stream.stopped)


class _Rows:
    """The rows of a streamed listing: its ``SocketStream`` (owners, names, users), the filters
    applied, the messages said as the pieces come."""

    def __init__(
        self,
        source: ProcSource,
        opts: Options,
        report: Report,
        names: Resolver | None,
        filters: Filters,
        families: list[Family] | None = None,
        *,
        say_owners: bool = True,
    ) -> None:
        self.stream = _socket_stream(source, opts, filters, names, families)
        self.opts, self._report, self._filters = opts, report, filters
        self._say_owners = say_owners

    def __enter__(self) -> _Rows:
        from netread import select

        stream = self.stream.__enter__()
        self.owners, self.users = stream.owners, stream.users
        if self.owners is not None and self.opts.programs and self._say_owners:
            self._report.owners(self.owners)
        self._kept = select.keeper(self._filters, self.owners, self.users) if self._filters.active else None
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def _said(self) -> None:
        self._report.messages(self.stream.messages)
        self.stream.messages.clear()

    def inet_pieces(self) -> Iterator[list[InetSocket]]:
        kept = self._kept
        for piece in self.stream.inet or ():
            self._said()
            yield piece if kept is None else [s for s in piece if kept(s)]
        self._said()

    def unix_rows(self) -> Iterator[UnixSocket] | None:
        """The unix rows as they are read (the messages said as they come); None when not listed."""
        rows = self.stream.unix_rows()
        return None if rows is None else _said_as_read(rows, self._said, self._kept)


def record_pieces(
    source: ProcSource, opts: Options, report: Report, names: Resolver | None, filters: Filters, done: list[int]
) -> Iterator[list[Record]]:
    """The records of a listing, a batch at a time; its exit status appended to ``done`` at the end."""
    from netread.render.records import record_batches

    fleet = fleet_of(source)
    with _Rows(source, opts, report, names, filters) as rows:
        yield from record_batches(rows.inet_pieces(), rows.unix_rows, rows.owners, rows.users, source.clk_tck, fleet)
        done.append(report.status(opts.strict, rows.stream.stopped))


def fleet_of(source: ProcSource) -> dict[str, object]:
    """The fleet fields of every record of a listing of ``source`` (its host, the time its tables
    are read, its namespace), worked out once, before the tables are read."""
    from netread.render.records import fleet_fields

    return fleet_fields(*source.fleet())


def source_about(source: ProcSource) -> dict[str, object]:
    """The JSON document's ``source``."""
    return {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}


def write_records(
    out: Writer,
    output: str,
    batches: Iterator[list[Record]],
    about: dict[str, object],
    *,
    header: bool = True,
    csv_keys: tuple[str, ...] | None = None,
    findings: list[Record] | None = None,
) -> None:
    """json (one document, written as it goes), ndjson or csv (``header`` first) of ``batches``;
    json with --explain ends with ``findings``, read once the batches are written (they fill it)."""
    from netread.render import formats

    if output == "json":
        from netread._version import __version__

        for chunk in formats.json_chunks(__version__, batches, about, None if findings is None else lambda: findings):
            out.write(chunk)
        return
    if output == "csv" and header:
        out.write(formats.csv_header(csv_keys))
    for records in batches:
        out.write(formats.ndjson_lines(records) if output == "ndjson" else formats.csv_rows(records, keys=csv_keys))


def _said_as_read(rows: Iterator[UnixSocket], said: Callable[[], None], kept: Callable[[UnixSocket], bool] | None) -> Iterator[UnixSocket]:
    """``rows`` that ``kept`` keeps, the messages said as they come (each before the rows after
    it) and once more at the end (the note on the ambiguous records)."""
    count = 0
    for row in rows:
        count += 1
        if not count % 4096:
            said()
        if kept is None or kept(row):
            yield row
    said()


def _facts(source: ProcSource) -> Facts:
    from netread.parse.snmp import read_facts

    facts = read_facts(source.read_text, source.root)
    if source.netns_labels:
        import dataclasses

        facts = dataclasses.replace(facts, netns_labels=source.netns_labels)
    return facts


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _stream(source: ProcSource, opts: Options, out: Writer, report: Report, names: Resolver | None) -> int:
    """The plain numeric listing, streamed: each piece of a table is printed as it is read, and
    nothing is kept from one piece to the next.

    With -p the fd scan runs in a child while the first pieces are read and
    parsed (up to ``sockets.READ_AHEAD`` bytes of them); the rows are printed once the
    owners are known.
    """
    from netread import select
    from netread.render.netstat import NetstatFormatter
    from netread.render.netstat import banner
    from netread.render.netstat import inet_header
    from netread.render.netstat import unix_pieces
    from netread.sockets import READ_AHEAD
    from netread.sockets import Walk
    from netread.sockets import read_ahead
    from netread.sockets import unix_rows

    scanning = None
    turns: Turns | None = None
    if opts.programs:
        scanning = source.scan_owners()  # all processes, as netstat

    def users(uid: int) -> str | None:  # -e only: the users' lookup is imported when asked
        if source.users is not None:
            return source.users.get(uid)
        from netread.resolve import user_name

        return user_name(uid)

    fmt = NetstatFormatter(opts, clk_tck=source.clk_tck, user_name=users, names=names)
    messages: list[Message] = []
    walk = Walk(source, select.plan(opts), messages)

    def take_owners(say: bool = True) -> None:
        nonlocal scanning
        if scanning is not None:
            wait, scanning = scanning, None  # called once, even when it raises (Ctrl-C)
            fmt.owners = wait()
            if say:
                report.owners(fmt.owners)

    try:
        if walk.has_inet:
            plain = opts.numeric_ports and not (opts.extend or opts.programs or opts.timers)
            # a live table is fed by a cat child (proc/source.py): the worker needs a third CPU there
            turns = Turns(opts, source.byteorder, busy=2 if source.root == LIVE_ROOT else 1) if plain else None
            pieces: Iterator[Parsed] = _inet_pieces(source, walk.inet(), walk.messages, fmt, turns)
            if turns is not None:
                pieces = one_ahead(pieces)
            if opts.programs:  # the first pieces read and parsed while the owners are scanned
                pieces = read_ahead(pieces, lambda parsed: parsed.size, READ_AHEAD)
            take_owners()
            out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
            for parsed in pieces:
                out.write(parsed.text())
                report.messages(messages)  # said as they come
                messages.clear()
            report.messages(messages)
            messages.clear()
        if walk.lists_unix:
            lines = walk.unix()
            rows = iter(()) if lines is None else unix_rows(source, lines, messages, select.keep_unix(opts))
            note = scanning is not None
            if note:  # the rows need the owners; their note comes after the table's messages, as netstat says it
                take_owners(say=False)

            def said() -> None:
                report.messages(messages)
                messages.clear()

            for text in unix_pieces(fmt, _said_as_read(rows, said, None)):  # banner and header even when the file is absent
                out.write(_encode(text))
            if note:
                report.owners(fmt.owners)
    finally:
        if turns is not None:
            turns.close()  # the second CPU's child ended and reaped, on errors too
        if scanning is not None:
            scanning()  # reap the scanning child on errors too
    return report.status(opts.strict, walk.stopped)


class Parsed:
    """A piece of a table, parsed; ``text()`` prints it (with -p, once the owners are known)."""

    __slots__ = ("size", "text")

    def __init__(self, size: int, text: Callable[[], bytes]) -> None:
        self.size = size
        self.text = text


def _inet_pieces(source: ProcSource, tables: Tables, messages: list[Message], fmt: NetstatFormatter, turns: Turns | None = None) -> Iterator[Parsed]:
    """The rows of every inet table of ``tables``, a piece at a time, as netstat prints them: from the
    columnar fast path where a piece is in the kernel's format (numbers only, or -e/-p/-o), the fast
    path's tokens with service names, the careful decoder's records elsewhere.  With ``turns``
    (the plain numeric listing), every other piece is made by a second CPU (:class:`Turns`)."""
    from netread.select import keep_inet
    from netread.sockets import LINE_BYTES
    from netread.sockets import decode_piece
    from netread.sockets import inet_pieces

    opts = fmt.opts
    detail = bool(opts.extend or opts.programs or opts.timers)
    keep = keep_inet(opts)
    byteorder = source.byteorder

    def careful_text(rows: list[InetSocket]) -> bytes:
        return _encode("".join([fmt.inet_row(r) + "\n" for r in rows if keep is None or keep(r)]))

    def careful(rows: list[InetSocket]) -> Parsed:
        return Parsed(LINE_BYTES * len(rows), lambda: careful_text(rows))

    for table, chunks in tables:

        def fast(piece: bytes, lineno: int, table: Table = table) -> Parsed | None:
            if not opts.numeric_ports:  # service names: the tokens, with their (bounded) caches
                from netread.parse.inet_fast import kernel_rows
                from netread.render.netstat_fast import format_rows

                rows = kernel_rows(piece.decode("utf-8", "surrogateescape"), True, table.datagram)
                return None if rows is None else Parsed(len(piece), lambda: _encode("".join(format_rows(fmt, table, rows, byteorder))))
            if turns is not None:  # made when printed, here or by the second CPU; careful only if refused
                return turns.parsed(piece, table, lambda: careful_text(decode_piece(source, table, piece, lineno, messages)))
            # imported with the first piece that has rows: its patterns (and re) are not start-up's
            from netread.parse.inet_columns import kernel_columns
            from netread.render.netstat_columns import detail_suffixes
            from netread.render.netstat_columns import numeric_rows

            cols = kernel_columns(piece, table, byteorder, detail)
            if cols is None:
                return None

            def text(cols: Columns = cols) -> bytes:
                suffixes = detail_suffixes(cols, table, fmt) if detail else None
                return numeric_rows(cols, table, opts.all, opts.listening, opts.wide, suffixes)

            return Parsed(len(piece), text)

        for piece in inet_pieces(source, table, chunks, messages, fast):
            yield piece if isinstance(piece, Parsed) else careful(piece)


def numeric_text(piece: bytes, table: Table, opts: Options, byteorder: ByteOrder) -> bytes | None:
    """netstat -n's rows of a kernel-format ``piece`` (None: not in the kernel's format)."""
    from netread.parse.inet_columns import kernel_columns
    from netread.render.netstat_columns import numeric_rows

    cols = kernel_columns(piece, table, byteorder)
    return None if cols is None else numeric_rows(cols, table, opts.all, opts.listening, opts.wide)


class Turns:
    """The plain numeric listing of big tables on two CPUs: from the second piece of a table on,
    every other piece goes to a forked :class:`~netread.proc.workers.Worker` when it is read,
    and its text is taken when its turn to be printed comes; the pieces between are made here
    meanwhile (:func:`one_ahead` reads the next piece before this one is printed).  Without a
    CPU to spare for it (``busy`` processes already work: this one, and a live table's cat), or
    with the child gone, every piece is made here (measured on 2 CPUs, live 40k rows: 123 ms
    without the worker, 128 ms with it, the kernel's table in cat being the floor).  Pieces the fast path refuses
    are decoded carefully, here, when printed."""

    __slots__ = ("_busy", "_byteorder", "_count", "_opts", "_started", "_table", "_worker")

    def __init__(self, opts: Options, byteorder: ByteOrder, busy: int = 1) -> None:
        self._opts, self._byteorder, self._busy = opts, byteorder, busy
        self._table: Table | None = None
        self._count = 0  # pieces of this table so far
        self._started = False
        self._worker: Worker | None = None

    def parsed(self, piece: bytes, table: Table, careful: Callable[[], bytes]) -> Parsed:
        def here() -> bytes:
            text = numeric_text(piece, table, self._opts, self._byteorder)
            return careful() if text is None else text

        if table is not self._table:
            self._table, self._count = table, 0
        self._count += 1
        if self._count == 2 and not self._started:  # a table of more than one piece: a big one
            self._started = True
            self._worker = self._start()
        worker = self._worker
        if worker is None or self._count % 2 or not worker.submit(INET_TABLES.index(table), piece):
            return Parsed(len(piece), here)

        def there() -> bytes:
            text = worker.result()
            return here() if text is None else text  # refused, or the child failed: here

        return Parsed(len(piece), there)

    def _start(self) -> Worker | None:
        from netread.proc.workers import Worker

        opts, byteorder = self._opts, self._byteorder
        return Worker.start(lambda tag, piece: numeric_text(piece, INET_TABLES[tag], opts, byteorder), self._busy)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()


def one_ahead(items: Iterator[Parsed]) -> Iterator[Parsed]:
    """``items``, each one yielded after the next is made: a piece handed to the second CPU is on
    its way while the one before it is printed."""
    last = next(items, None)
    for item in items:
        yield last  # type: ignore[misc]
        last = item
    if last is not None:
        yield last
