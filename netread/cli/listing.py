"""The netstat socket listing: which tables are read, in which order, and what is printed.

This follows netstat 2.10's main(): one Internet section (tcp, tcp6, udp,
udp6, udplite, udplite6, raw, raw6, in that order) under one banner, then the
unix section.  A requested family whose IPv4 file is absent ends the listing
with status 1 after its IPv6 file, as netstat does; absent IPv6 files are
skipped silently.  With -p the owners are looked up once per listing, after
the tables are read, so the fd scan can stop as soon as every socket shown
has its owner.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import BinaryIO
from typing import TextIO

from netread.errors import ParseError
from netread.filters import Filters
from netread.errors import SourceError
from netread.render import netstat_fast as fast
from netread.parse.inet import HEAD
from netread.parse.inet import decode_inet
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import UnixSocket
from netread.resolve import Resolver
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import banner
from netread.render.netstat import inet_header
from netread.render.netstat import inet_selected
from netread.render.netstat import unix_header
from netread.render.netstat import unix_selected
from netread.select import Options
from netread.proc.processes import Owners
from netread.proc.processes import scan_in_background
from netread.proc.processes import scan_owners
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.parse.unix import decode_unix

#: (option name, IPv4 table, IPv6 table, netstat's name for the family)
INET_FAMILIES = (
    ("tcp", "tcp", "tcp6", "AF INET (tcp)"),
    ("udp", "udp", "udp6", "AF INET (udp)"),
    ("udplite", "udplite", "udplite6", "AF INET (udplite)"),
    ("raw", "raw", "raw6", "AF INET (raw)"),
)

NOT_ALL_IDENTIFIED = (
    "(Not all processes could be identified, non-owned process info\n"
    " will not be shown, you would have to be root to see it all.)\n"
)


class Report:
    """What went wrong while listing, for the caller to print and count."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.problems = 0
        self.unreadable = 0

    def problem(self, error: ParseError) -> None:
        self.problems += 1
        self.err.write(f"netread: warning: {error.message()}\n")

    def summary(self, strict: bool) -> int:
        """The count at the end; the exit status --strict asks for (1 when anything was wrong)."""
        if self.problems:
            what = "problem" if self.problems == 1 else "problems"
            self.err.write(f"netread: {self.problems} {what} in the tables (each named above); every other row is shown\n")
        return 1 if strict and self.problems else 0

    def unreadable_table(self, error: SourceError) -> None:
        self.unreadable += 1
        self.err.write(f"netread: {error}\n")

    def unresolved(self, count: int, deadline: float) -> None:
        """Some addresses had no answer from the resolver in time (netstat would wait)."""
        self.err.write(
            f"netread: warning: {count} address lookup(s) got no answer within {deadline:g} s;"
            " shown as numbers (-n skips lookups)\n"
        )

    def no_support(self, name: str) -> None:
        self.err.write(f"netread: no support for `{name}' on this system.\n")

    def owners(self, owners: Owners) -> None:
        """netstat's two warnings when some processes could not be read (prg_cache_load)."""
        if owners.failed or (owners.denied and not owners.by_inode):
            self.err.write(f'(No info could be read for "-p": geteuid()={os.geteuid()} but you should be root.)\n')
        elif owners.denied:
            self.err.write(NOT_ALL_IDENTIFIED)


class Plan:
    """The rows one listing prints, read before anything is written (--explain)."""

    def __init__(self) -> None:
        self.inet: list[InetSocket] | None = None
        self.unix: list[UnixSocket] | None = None
        self.status = 0


def _keep_rows(rows: Iterator[InetSocket | ParseError], report: Report, opts: Options) -> Iterator[InetSocket]:
    for row in rows:
        if isinstance(row, ParseError):
            report.problem(row)
        elif inet_selected(row, opts):
            yield row


#: What _read returns for a table that exists but cannot be read (already reported).
_UNREADABLE: list[str] = []


def _read(source: ProcSource, table: str, report: Report) -> list[str] | None:
    try:
        lines = source.read_net(table)
    except SourceError as exc:
        report.unreadable_table(exc)
        return _UNREADABLE
    if lines == []:
        report.problem(ParseError(str(source.net_path(table)), 1, "header", "missing: the file is empty", ""))
    return lines


def plan_listing(source: ProcSource, opts: Options, report: Report) -> Plan:
    """Read and decode every table the options ask for as records, stopping where netstat stops."""
    plan = Plan()
    if opts.inet_section:
        plan.inet = rows = []
        status = [0]
        for table, chunks in _inet_tables(source, opts, report, status):
            for _, piece in table_pieces(table, chunks, source, report, True, careful=True):
                rows.extend(_keep_rows(iter(piece), report, opts))  # type: ignore[arg-type]
        if status[0]:
            plan.status = status[0]
            return plan
    if opts.wants("unix"):
        unix = _unix_rows(source, opts, report)
        plan.unix = unix or []
        if unix is None and opts.explicit:
            plan.status = 1
    return plan


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _inet_tables(source: ProcSource, opts: Options, report: Report, status: list[int]) -> Iterator[tuple[str, Iterator[tuple[int, str]]]]:
    """The inet tables to list, in netstat's order, each as an iterator of text chunks.

    Sets ``status[0]`` to 1 and stops where netstat stops: after the IPv6 file
    of an explicitly requested family whose IPv4 file is absent.
    """
    for flag, table4, table6, name in INET_FAMILIES:
        if not opts.wants(flag):
            continue
        missing = False
        for table, read in ((table4, not opts.explicit or opts.inet), (table6, not opts.explicit or opts.inet6)):
            if not read:
                continue
            try:
                chunks = source.net_chunks(table)
            except SourceError as exc:
                report.unreadable_table(exc)
                continue
            if chunks is None:
                if table == table4:
                    missing = opts.explicit
                    if opts.explicit or opts.verbose:
                        report.no_support(name)
                continue
            yield table, chunks
        if missing:
            status[0] = 1
            return


#: A decoded piece of a table: the fast path's field tuples, or the careful decoder's records.
Piece = tuple[str, list[fast.Row]] | tuple[str, list[InetSocket | ParseError]]


def table_pieces(
    table: str,
    chunks: Iterator[tuple[int, str]],
    source: ProcSource,
    report: Report,
    detail: bool,
    careful: bool = False,
) -> Iterator[Piece]:
    """Decode ``table`` chunk by chunk: the fast path when every line is in the kernel's format
    (unless ``careful``: records for every row)."""
    path = str(source.net_path(table))
    empty = True
    try:
        for lineno, text in chunks:
            empty = False
            if lineno == 1:
                header, _, text = text.partition("\n")
                # the careful decoder judges the header (missing, or not the kernel's)
                head = list(decode_inet([header], path=path, table=table, byteorder=source.byteorder))
                if head:
                    yield "careful", head
                lineno = 2
            rows = None if careful else fast.kernel_rows(text, detail, not table.startswith("tcp"))
            if rows is not None:
                yield "fast", rows
            else:
                lines = text.split("\n")[:-1]
                yield "careful", list(decode_inet(lines, path=path, table=table, byteorder=source.byteorder, first_line=lineno))
    except SourceError as exc:
        report.unreadable_table(exc)
        return
    if empty:
        yield "careful", [ParseError(path, 1, "header", "missing: the file is empty", "")]


def _format_piece(fmt: NetstatFormatter, table: str, piece: Piece, source: ProcSource, report: Report) -> list[str]:
    kind, rows = piece
    if kind == "fast":
        return fast.format_rows(fmt, table, rows, source.byteorder)  # type: ignore[arg-type]
    lines = []
    for row in rows:
        if isinstance(row, ParseError):
            report.problem(row)
        elif isinstance(row, InetSocket) and inet_selected(row, fmt.opts):
            lines.append(fmt.inet_row(row) + "\n")
    return lines


def _piece_addresses(piece: Piece, byteorder: str) -> Iterator[IPAddress]:
    from netread.parse.inet import decode_address

    kind, rows = piece
    if kind == "fast":
        for token in fast.row_addresses(rows):  # type: ignore[arg-type]
            yield decode_address(token, byteorder)  # type: ignore[arg-type]
    else:
        for row in rows:
            if isinstance(row, InetSocket):
                yield row.local.address
                yield row.remote.address


def list_sockets(
    source: ProcSource,
    opts: Options,
    out: BinaryIO,
    err: TextIO,
    user_name: Callable[[int], str | None] | None = None,
    names: Resolver | None = None,
    color: bool = False,
    output: str = "netstat",
    filters: Filters | None = None,
) -> int:
    """Print one netstat listing of ``source`` to ``out``; return the exit status.

    ``output`` is netstat (the default), json, ndjson or csv; ``filters`` keep
    only some sockets (in every format; netstat's banners and headers stay).

    ``names`` does the name lookups unless ``opts`` asks for numbers; pass the
    same one to every ``-c`` cycle so each address is looked up once per run.
    Tables are read in pieces and printed as they are read, so memory stays
    flat however big they are; with name lookups the addresses of all tables
    are gathered first so that they can be looked up together.
    """
    report = Report(err)
    if user_name is None and source.users is not None:
        user_name = source.users.get  # the names of the captured host
    if names is None and not (opts.numeric_hosts and opts.numeric_ports):
        names = Resolver()
    if opts.explain:
        return _list_explained(source, opts, out, report, user_name, names, color)
    if output != "netstat" or (filters is not None and filters.active):
        return _list_records(source, opts, out, report, user_name, names, output, filters or Filters())
    scanning = scan_in_background(source.root, source.confined) if opts.programs else None  # all processes, as netstat
    fmt = NetstatFormatter(opts, clk_tck=source.clk_tck, user_name=user_name, names=names)

    def take_owners() -> None:
        nonlocal scanning
        if scanning is not None:
            fmt.owners = scanning()
            report.owners(fmt.owners)
            scanning = None

    status = [0]
    detail = opts.extend or opts.programs or opts.timers
    if opts.inet_section:
        lookups = names is not None and not opts.numeric_hosts
        pieces: Iterable[tuple[str, Piece]] = (
            (table, piece)
            for table, chunks in _inet_tables(source, opts, report, status)
            for piece in table_pieces(table, chunks, source, report, detail)
        )
        if lookups or opts.programs:  # hold the rows until their names and owners are known
            pieces = list(pieces)
        take_owners()
        out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
        if lookups:
            _prefetch(names, (a for _, piece in pieces for a in _piece_addresses(piece, source.byteorder)), report)
        for table, piece in pieces:  # streamed as read when nothing is held
            out.write(_encode("".join(_format_piece(fmt, table, piece, source, report))))
        if status[0]:
            return _status(report, opts, status[0])
    if opts.wants("unix"):
        rows = _unix_rows(source, opts, report)
        take_owners()
        text = banner("unix", opts) + "\n" + unix_header(opts) + "\n"  # printed even when the file is absent
        out.write(_encode(text + "".join([fmt.unix_row(row) + "\n" for row in rows or ()])))
        if rows is None and opts.explicit:
            return _status(report, opts, 1)
    return _status(report, opts, 0)


def _prefetch(names: Resolver | None, addresses: Iterable[IPAddress], report: Report) -> None:
    """Look every address up at once (one deadline), and say how many got no answer in time."""
    if names is None:
        return
    late = names.prefetch(addresses)
    if late:
        report.unresolved(len(late), names.deadline)


def _status(report: Report, opts: Options, status: int) -> int:
    """The exit status: the count of problems said, then ``status`` (1 for a missing family) or
    --strict's, or 1 for an unreadable table."""
    strict = report.summary(opts.strict)
    return status or max(strict, 1 if report.unreadable else 0)


def _unix_rows(source: ProcSource, opts: Options, report: Report) -> list[UnixSocket] | None:
    """The unix rows to show, or None (after netstat's message) when the file is absent."""
    lines = _read(source, "unix", report)
    if lines is None:
        if opts.explicit or opts.verbose:
            report.no_support("AF UNIX")
        return None
    rows = []
    for row in decode_unix(lines, path=str(source.net_path("unix"))):
        if isinstance(row, ParseError):
            report.problem(row)
        elif unix_selected(row, opts):
            rows.append(row)
    return rows


def _plan_owners(plan: Plan, source: ProcSource) -> Owners:
    """The owners of the sockets a plan holds: the scan stops once every one is found."""
    wanted = [r.inode for r in plan.inet or () if r.inode is not None]
    wanted += [r.inode for r in plan.unix or () if r.inode is not None]
    return scan_owners(source.root, wanted, source.confined)


def _list_records(
    source: ProcSource,
    opts: Options,
    out: BinaryIO,
    report: Report,
    user_name: Callable[[int], str | None] | None,
    names: Resolver | None,
    output: str,
    filters: Filters,
) -> int:
    """Machine-readable output, or a filtered netstat listing: the rows as records, then kept or not."""
    from netread.render.records import RecordMaker

    plan = plan_listing(source, opts, report)
    owners = None
    if opts.programs or filters.need_owners:
        owners = _plan_owners(plan, source)
        if opts.programs:
            report.owners(owners)
    from netread.render.netstat import _system_user

    maker = RecordMaker(  # records carry the uid and its name whatever -n says: -n is presentation
        root=source.root,
        owners=owners,
        user_name=user_name or _system_user,
        clk_tck=source.clk_tck,
        confined=source.confined,
    )
    inet = [(row, maker.inet(row)) for row in plan.inet or ()]
    unix = [(row, maker.unix(row)) for row in plan.unix or ()]
    inet = [(row, rec) for row, rec in inet if filters.matches(rec)]
    unix = [(row, rec) for row, rec in unix if filters.matches(rec)]
    if output == "netstat":
        if inet and not opts.numeric_hosts:
            _prefetch(names, (a for row, _ in inet for a in (row.local.address, row.remote.address)), report)
        fmt = NetstatFormatter(opts, owners=owners or Owners(), clk_tck=source.clk_tck, user_name=user_name, names=names)
        if plan.inet is not None:
            text = banner("inet", opts) + "\n" + inet_header(opts) + "\n"
            out.write(_encode(text + "".join([fmt.inet_row(row) + "\n" for row, _ in inet])))
        if plan.unix is not None:
            text = banner("unix", opts) + "\n" + unix_header(opts) + "\n"
            out.write(_encode(text + "".join([fmt.unix_row(row) + "\n" for row, _ in unix])))
    else:
        from netread.render import formats

        records = [rec for _, rec in inet] + [rec for _, rec in unix]
        if output == "json":
            facts = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
            formats.write_json(records, facts, out)
        elif output == "ndjson":
            formats.write_ndjson(records, out)
        else:
            formats.write_csv(records, out)
    return _status(report, opts, plan.status)


def _list_explained(
    source: ProcSource,
    opts: Options,
    out: BinaryIO,
    report: Report,
    user_name: Callable[[int], str | None] | None,
    names: Resolver | None,
    color: bool,
) -> int:
    """--explain: the rows as records (the findings look at all of them), with the explanation around."""
    from netread.explain import findings
    from netread.render.explain import Explainer

    plan = plan_listing(source, opts, report)
    if plan.inet and not opts.numeric_hosts:
        _prefetch(names, (a for row in plan.inet for a in (row.local.address, row.remote.address)), report)
    owners = Owners()
    if opts.programs:
        owners = _plan_owners(plan, source)
        report.owners(owners)
    fmt = NetstatFormatter(opts, owners=owners, clk_tck=source.clk_tck, user_name=user_name, names=names)
    explainer = Explainer(color=color)
    if plan.inet is not None:
        header = inet_header(opts)
        text = banner("inet", opts) + "\n" + header + "\n" + explainer.legend("inet", header)
        text += "".join([fmt.inet_row(row) + "\n" for row in plan.inet])
        out.write(_encode(text + explainer.inet_states(plan.inet)))
    if plan.unix is not None:
        header = unix_header(opts)
        text = banner("unix", opts) + "\n" + header + "\n" + explainer.legend("unix", header)
        text += "".join([fmt.unix_row(row) + "\n" for row in plan.unix])
        out.write(_encode(text + explainer.unix_states(plan.unix)))
    listing = findings.Listing(
        inet=plan.inet or [],
        unix=plan.unix or [],
        endpoints=fmt.endpoints,
        owners=owners if opts.programs else None,
        facts=findings.read_facts(source.read_text),
        snapshot=source.root != LIVE_ROOT,
    )
    out.write(_encode(explainer.findings(findings.find_all(listing), len(findings.RULES))))
    return _status(report, opts, plan.status)
