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
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any
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
    from netread.model import Sockets
    from netread.parse.snmp import Facts
    from netread.render.netstat import NetstatFormatter
    from netread.resolve import Resolver
    from netread.sockets import Walk


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
    """The plain numeric listing, streamed: each piece of a table is printed as it is read.

    With -p the rows are held until the owners are known (the fd scan runs in a
    child beside the reads); otherwise memory stays flat.
    """
    from netread import select
    from netread.model import Message
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
            pieces: Iterable[tuple[Table, list[Any]]] = _inet_pieces(source, walk, fmt, report)
            if opts.programs:
                pieces = list(pieces)  # hold the rows until their owners are known
            take_owners()
            out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
            for table, piece in pieces:  # streamed as read when nothing is held
                out.write(_piece_text(source, fmt, table, piece))
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


def _inet_pieces(source: ProcSource, walk: Walk, fmt: NetstatFormatter, report: Report) -> Iterator[tuple[Table, list[Any]]]:
    """Every inet table of ``walk``, a piece at a time: the fast path's tokens where a piece is in the
    kernel's format, the careful decoder's records elsewhere."""
    from netread.parse.inet_fast import Row
    from netread.parse.inet_fast import kernel_rows
    from netread.sockets import inet_pieces

    opts = fmt.opts
    detail = opts.extend or opts.programs or opts.timers
    for table, chunks in walk.inet():

        def fast(text: str, _lineno: int, table: Table = table) -> list[Row] | None:
            return kernel_rows(text, detail, table.datagram)

        for piece in inet_pieces(source, table, chunks, walk.messages, fast):
            yield table, piece
            if not opts.programs:  # said as they come when streaming
                report.messages(walk.messages)
                walk.messages.clear()


def _piece_text(source: ProcSource, fmt: NetstatFormatter, table: Table, piece: list[Any]) -> bytes:
    from netread.model import InetSocket
    from netread.render.netstat_fast import format_rows
    from netread.select import keep_inet

    if piece and isinstance(piece[0], InetSocket):
        keep = keep_inet(fmt.opts)
        return _encode("".join([fmt.inet_row(r) + "\n" for r in piece if keep is None or keep(r)]))
    return _encode("".join(format_rows(fmt, table, piece, source.byteorder)))
