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
from collections.abc import Callable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import BinaryIO
from typing import TextIO

from netread.cli.report import Report
from netread.cli.request import Request
from netread.cli.status import ExitStatus
from netread.cli.status import quiet_broken_pipe
from netread.errors import NetreadError
from netread.model import Table
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.select import Filters
from netread.select import Options

if TYPE_CHECKING:
    from netread.model import Message
    from netread.model import Sockets
    from netread.parse.snmp import Facts
    from netread.render.netstat import NetstatFormatter
    from netread.resolve import Resolver


def execute(request: Request) -> int:
    """Run ``request`` (again every second with -c); the one place a :class:`NetreadError` becomes a status."""
    return guarded(lambda: _run(request))


def guarded(action: Callable[[], int], who: str = "netread") -> int:
    """``action()``'s status; a NetreadError is one line on stderr and its exit code; Ctrl-C and a
    closed pipe end quietly with 0, as netstat ends."""
    try:
        return action()
    except NetreadError as exc:
        sys.stderr.write(f"{who}: {exc}\n")
        return exc.exit_code
    except BrokenPipeError:
        quiet_broken_pipe()
        return ExitStatus.OK
    except KeyboardInterrupt:
        return ExitStatus.OK


def _run(request: Request) -> int:
    import time

    opts = request.options()
    names = None
    if not opts.numeric:
        from netread.resolve import Resolver

        names = Resolver()
    filters = _filters(request, names)  # usage errors before the source is opened
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    color = opts.explain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    while True:
        status = list_once(source, opts, sys.stdout.buffer, sys.stderr, names=names, output=request.output, filters=filters, color=color)
        sys.stdout.flush()
        if not request.continuous or status:
            return status
        time.sleep(1)  # netstat's wait_continous()


def _filters(request: Request, names: Resolver | None) -> Filters:
    from netread.errors import UsageError
    from netread.select import FilterError
    from netread.select import parse_port
    from netread.select import parse_states

    def services(name: str) -> frozenset[int]:
        from netread.resolve import Resolver

        return (names or Resolver()).ports_named(name)

    try:
        return Filters(
            states=parse_states(request.state) if request.state is not None else None,
            port=parse_port(request.port, "--port", services) if request.port is not None else None,
            sport=parse_port(request.sport, "--sport", services) if request.sport is not None else None,
            dport=parse_port(request.dport, "--dport", services) if request.dport is not None else None,
            pid=request.pid,
            program=request.program,
            user=request.user,
        )
    except FilterError as exc:
        raise UsageError(str(exc)) from None


def list_once(
    source: ProcSource,
    opts: Options,
    out: BinaryIO,
    err: TextIO,
    *,
    names: Resolver | None = None,
    output: str = "netstat",
    filters: Filters | None = None,
    color: bool = False,
) -> int:
    """Print one listing of ``source`` to ``out``; return the exit status.

    ``names`` does the name lookups unless ``opts`` asks for numbers; pass the
    same one to every ``-c`` cycle so each address is looked up once per run.
    """
    filters = filters or Filters()
    report = Report(err)
    if output == "netstat" and not opts.explain and not filters.active and opts.numeric_hosts:
        return _stream(source, opts, out, report, names)
    from netread import select
    from netread.resolve import user_name
    from netread.sockets import read_sockets

    sockets = read_sockets(
        source,
        select.plan(opts),
        owners=opts.programs or filters.need_owners,
        names=names if not opts.numeric_hosts else None,
        users=user_name,
        keep_inet=select.keep_inet(opts),
        keep_unix=select.keep_unix(opts),
    )
    report.messages(sockets.messages)
    if sockets.owners is not None and opts.programs:
        report.owners(sockets.owners)
    if filters.active:
        sockets = select.filtered(sockets, filters)
    if output == "netstat" and not opts.explain:
        from netread.render.netstat import render_listing

        out.write(_encode("".join(render_listing(sockets, opts, source.clk_tck, names))))
    elif opts.explain and output == "netstat":
        from netread.render.explain import render_explained

        out.write(_encode(render_explained(sockets, opts, source.clk_tck, names, _facts(source), snapshot=source.root != LIVE_ROOT, color=color)))
    else:
        out.write(_machine(sockets, opts, source, output, names))
    return report.status(opts.strict, sockets.stopped)


def _facts(source: ProcSource) -> Facts:
    from netread.parse.snmp import read_facts

    return read_facts(source.read_text)


def _machine(sockets: Sockets, opts: Options, source: ProcSource, output: str, names: Resolver | None) -> bytes:
    """--format json, ndjson or csv; with --explain (json only) the findings too."""
    from netread._version import __version__
    from netread.render import formats
    from netread.render.records import finding_record
    from netread.render.records import records

    rows = records(sockets, source.clk_tck)
    if output == "ndjson":
        return formats.ndjson_lines(rows)
    if output == "csv":
        return formats.csv_text(rows)
    facts: dict[str, object] = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
    findings = None
    if opts.explain:
        from netread.render.explain import listing_findings

        found = listing_findings(sockets, opts, source.clk_tck, names, _facts(source), snapshot=source.root != LIVE_ROOT)
        findings = [finding_record(f) for f in found]
    return formats.json_document(__version__, rows, facts, findings)


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _stream(source: ProcSource, opts: Options, out: BinaryIO, report: Report, names: Resolver | None) -> int:
    """The plain numeric listing, streamed: each piece of a table is printed as it is read, and
    nothing is kept from one piece to the next.

    With -p the fd scan runs in a child while the first pieces are read (up to
    :data:`HELD` bytes of them); the rows are printed once the owners are known.
    """
    from netread import select
    from netread.proc.processes import scan_in_background
    from netread.render.netstat import NetstatFormatter
    from netread.render.netstat import banner
    from netread.render.netstat import inet_header
    from netread.render.netstat import unix_section
    from netread.resolve import user_name
    from netread.sockets import Walk
    from netread.sockets import decode_unix_rows

    scanning = scan_in_background(source.root, source.confined) if opts.programs else None  # all processes, as netstat
    users = source.users.get if source.users is not None else user_name
    fmt = NetstatFormatter(opts, clk_tck=source.clk_tck, user_name=users, names=names)
    messages: list[Message] = []
    walk = Walk(source, select.plan(opts), messages)

    def take_owners() -> None:
        nonlocal scanning
        if scanning is not None:
            wait, scanning = scanning, None  # called once, even when it raises (Ctrl-C)
            fmt.owners = wait()
            report.owners(fmt.owners)

    try:
        if walk.has_inet:
            tables = walk.inet()
            if opts.programs:
                tables = _prefetched(tables, take_owners)
            take_owners()
            out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
            for text in _inet_pieces(source, tables, walk.messages, fmt):
                out.write(text)
                report.messages(messages)  # said as they come
                messages.clear()
            report.messages(messages)
            messages.clear()
        if walk.lists_unix:
            lines = walk.unix()
            rows = [] if lines is None else decode_unix_rows(source, lines, messages, select.keep_unix(opts))
            report.messages(messages)
            take_owners()
            out.write(_encode(unix_section(fmt, rows)))  # banner and header even when the file is absent
    finally:
        if scanning is not None:
            scanning()  # reap the scanning child on errors too
    return report.status(opts.strict, walk.stopped)


#: Bytes of table text read ahead while the -p fd scan runs; beyond them the scan is waited for.
HELD = 8 << 20

Tables = Iterator[tuple[Table, Iterator[tuple[int, bytes]]]]


def _prefetched(tables: Tables, take_owners: Callable[[], None]) -> Tables:
    """``tables``, the first :data:`HELD` bytes of them read before ``take_owners()`` waits for
    the scan (the reads and the scan overlap; the rows need the owners before they are printed)."""
    held: list[tuple[Table, list[tuple[int, bytes]], Iterator[tuple[int, bytes]], NetreadError | None]] = []
    size = 0
    for table, chunks in tables:
        got: list[tuple[int, bytes]] = []
        error = None
        try:
            for lineno, piece in chunks:
                got.append((lineno, piece))
                size += len(piece)
                if size >= HELD:
                    break
        except NetreadError as exc:  # a read error: raised again where it happened
            error = exc
        held.append((table, got, chunks, error))
        if size >= HELD:
            break
    take_owners()
    for table, got, rest, error in held:
        yield table, _replay(got, rest, error)
    yield from tables


def _replay(got: list[tuple[int, bytes]], rest: Iterator[tuple[int, bytes]], error: NetreadError | None) -> Iterator[tuple[int, bytes]]:
    yield from got
    if error is not None:
        raise error
    yield from rest


def _inet_pieces(source: ProcSource, tables: Tables, messages: list[Message], fmt: NetstatFormatter) -> Iterator[bytes]:
    """The rows of every inet table of ``tables``, a piece at a time, as netstat prints them: from the
    columnar fast path where a piece is in the kernel's format (numbers only, no -e/-p/-o), the fast
    path's tokens with service names or those flags, the careful decoder's records elsewhere."""
    from netread.parse.inet_columns import kernel_columns
    from netread.parse.inet_fast import kernel_rows
    from netread.render.netstat_columns import numeric_rows
    from netread.render.netstat_fast import format_rows
    from netread.select import keep_inet
    from netread.sockets import inet_pieces

    opts = fmt.opts
    detail = opts.extend or opts.programs or opts.timers or not opts.numeric_ports  # more than the columns have
    keep = keep_inet(opts)
    byteorder = source.byteorder
    for table, chunks in tables:

        def fast(piece: bytes, _lineno: int, table: Table = table) -> bytes | None:
            if detail:
                rows = kernel_rows(piece.decode("utf-8", "surrogateescape"), True, table.datagram)
                return None if rows is None else _encode("".join(format_rows(fmt, table, rows, byteorder)))
            cols = kernel_columns(piece, table, byteorder)
            return None if cols is None else numeric_rows(cols, table, opts.all, opts.listening, opts.wide)

        for piece in inet_pieces(source, table, chunks, messages, fast):
            if isinstance(piece, bytes):
                yield piece
            else:
                yield _encode("".join([fmt.inet_row(r) + "\n" for r in piece if keep is None or keep(r)]))
