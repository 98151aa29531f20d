"""The netstat text listing with SCTP in it: tcp, then sctp, then udp, udplite, raw and unix.

netstat 2.10's main() calls sctp_info() between tcp_info() and udp_info(); sctp_info
reads ``net/sctp/eps`` with -a or -l and ``net/sctp/assocs`` with -a or without -l
(then ``net/sctp6/*``, which kernels do not write), and an absent file of an explicit
-S ends the listing there with status 1 ("no support for `AF INET (sctp)'"), as an
absent tcp file does.  This module runs the listing in those three parts, so the
plain listing (listing.py) is untouched when no SCTP is listed.  json, ndjson and csv
carry the same rows as records (``#/$defs/sctp``), and the filters (--state, --port...)
keep or drop them as they do the other rows (:func:`sctp_keeper`).
"""

from __future__ import annotations

from netread.errors import ParseError
from netread.errors import SourceError
from netread.model import Absent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    from netread.cli.listing import Writer
    from netread.cli.listing import _Rows
    from netread.cli.report import Report
    from netread.model import Message
    from netread.model import Owners
    from netread.model import SctpSocket
    from netread.proc.source import ProcSource
    from netread.render.netstat import NetstatFormatter
    from netread.render.records import Record
    from netread.resolve import Resolver
    from netread.select import Family
    from netread.select import Filters
    from netread.select import Options

FAMILY = "AF INET (sctp)"


def sctp_files(opts: Options) -> list[list[tuple[str, bool, bool]]]:
    """Per sctp_info call (eps, then assocs), its files: (file under net/, association?, IPv4?)."""
    kinds = []
    if opts.all or opts.listening:
        kinds.append(("eps", False))
    if opts.all or not opts.listening:
        kinds.append(("assocs", True))
    calls = []
    for name, association in kinds:
        files = []
        if not opts.explicit or opts.inet:
            files.append((f"sctp/{name}", association, True))
        if not opts.explicit or opts.inet6:
            files.append((f"sctp6/{name}", association, False))
        calls.append(files)
    return calls


def read_sctp(source: ProcSource, opts: Options, messages: list[Message]) -> tuple[list[SctpSocket], bool]:
    """The SCTP records netstat would list, and whether the listing stops after them: an absent
    IPv4 file of an explicit -S is said, its IPv6 file still read (INFO_GUTS6), then it stops."""
    from netread.parse.sctp import decode_sctp

    rows: list[SctpSocket] = []
    say = (opts.explicit or opts.verbose) and not opts.noprot
    for files in sctp_files(opts):
        stopped = False
        for name, association, ipv4 in files:
            try:
                lines = source.read_net(name)
            except SourceError as exc:
                messages.append(exc)
                continue
            if lines is None:
                if ipv4:
                    if say:
                        messages.append(Absent(FAMILY))
                    stopped = opts.required
                continue
            label = "sctp" if ipv4 else "sctp6"
            for record in decode_sctp(lines, path=source.net_path(name), association=association, label=label):
                if isinstance(record, ParseError):
                    messages.append(record)
                else:
                    rows.append(record)
        if stopped:
            return rows, True
    return rows, False


def list_with_sctp(
    source: ProcSource, opts: Options, out: Writer, report: Report, names: Resolver | None, filters: Filters, output: str = "netstat", header: bool = True
) -> int:
    """Print the listing of ``opts`` with its SCTP section (netstat text, or json/ndjson/csv
    records); return the exit status."""
    from netread import select
    from netread.cli.listing import _Rows

    families = select.plan(opts)
    first = [f for f in families if f.tables[0].proto == "tcp"]
    rest = [f for f in families if f.tables[0].proto != "tcp"]
    if output != "netstat":
        done: list[int] = []
        from netread.cli.listing import source_about
        from netread.cli.listing import write_records

        write_records(out, output, _record_parts(source, opts, report, names, filters, first, rest, done), source_about(source), header=header)
        return done[0]
    from netread.cli.listing import _encode
    from netread.render.netstat import banner
    from netread.render.netstat import inet_header
    from netread.render.netstat import unix_section
    from netread.render.netstat_sctp import sctp_row

    out.write(_encode(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
    with _Rows(source, opts, report, names, filters, first) as rows:
        fmt = _formatter(source, opts, rows, names)
        for piece in rows.inet_pieces():
            out.write(_encode("".join([fmt.inet_row(row) + "\n" for row in piece])))
        if rows.stream.stopped:
            return report.status(opts.strict, True)
        sctp, stopped = _sctp_rows(source, opts, report, filters, rows.owners, _users(source, rows.users))
        out.write(_encode("".join([sctp_row(fmt, sock) for sock in sctp])))
        if stopped:
            return report.status(opts.strict, True)
    with _Rows(source, opts, report, names, filters, rest) as rows:
        fmt = _formatter(source, opts, rows, names)
        for piece in rows.inet_pieces():
            out.write(_encode("".join([fmt.inet_row(row) + "\n" for row in piece])))
        unix = rows.unix_rows()
        if unix is not None:
            out.write(_encode(unix_section(fmt, unix)))
        return report.status(opts.strict, rows.stream.stopped)


def _sctp_rows(source: ProcSource, opts: Options, report: Report, filters: Filters, owners: Owners | None, users: Callable[[int], str | None]) -> tuple[list[SctpSocket], bool]:
    """:func:`read_sctp`, its messages said, the filters applied."""
    messages: list[Message] = []
    sctp, stopped = read_sctp(source, opts, messages)
    report.messages(messages)
    if filters.active:
        kept = sctp_keeper(filters, owners, users)
        sctp = [sock for sock in sctp if kept(sock)]
    return sctp, stopped


def sctp_keeper(filters: Filters, owners: Owners | None, users: Callable[[int], str | None]) -> Callable[[SctpSocket], bool]:
    """What :meth:`netread.select.Filters.matches` means for an SCTP socket: --state by the
    record's state name, --port/--sport/--dport by its local and (an association's) remote port,
    --pid/--program by its holders, --user by uid or name."""
    from netread.model import Table
    from netread.model import state_name

    def kept(sock: SctpSocket) -> bool:
        if filters.states is not None and state_name(Table.TCP, sock.st) not in filters.states:
            return False
        remote = sock.remote_port if sock.association else None
        if filters.port is not None and sock.local_port not in filters.port and remote not in filters.port:
            return False
        if filters.sport is not None and sock.local_port not in filters.sport:
            return False
        if filters.dport is not None and remote not in filters.dport:
            return False
        holders = owners.of(sock.inode) if owners is not None else []
        if filters.pid is not None and all(o.pid != filters.pid for o in holders):
            return False
        if filters.program is not None and all(filters.program not in (o.program, o.comm) for o in holders):
            return False
        if filters.user is not None:
            if filters.user.isascii() and filters.user.isdigit():  # select.parse_user made it canonical
                return sock.uid == int(filters.user)
            return users(sock.uid) == filters.user
        return True

    return kept


def _users(source: ProcSource, users: dict[int, str | None]) -> Callable[[int], str | None]:
    """The user name of a uid: the snapshot's names first, else the passwd lookup; kept in ``users``."""

    def user(uid: int) -> str | None:
        if uid not in users:
            if source.users is not None:
                users[uid] = source.users.get(uid)
            else:
                from netread.resolve import user_name

                users[uid] = user_name(uid)
        return users[uid]

    return user


def _formatter(source: ProcSource, opts: Options, rows: _Rows, names: Resolver | None) -> NetstatFormatter:
    from netread.render.netstat import NetstatFormatter

    return NetstatFormatter(opts, owners=rows.owners, clk_tck=source.clk_tck, user_name=_users(source, rows.users), names=names)


def _record_parts(
    source: ProcSource,
    opts: Options,
    report: Report,
    names: Resolver | None,
    filters: Filters,
    first: list[Family],
    rest: list[Family],
    done: list[int],
) -> Iterator[list[Record]]:
    """The records of the three parts, a batch at a time; the exit status appended to ``done``."""
    from netread.cli.listing import _Rows
    from netread.cli.listing import fleet_of
    from netread.render.records import record_batches
    from netread.render.records import sctp_record

    fleet = fleet_of(source)  # one listing: the same for the three parts
    with _Rows(source, opts, report, names, filters, first) as rows:
        yield from record_batches(rows.inet_pieces(), lambda: None, rows.owners, rows.users, source.clk_tck, fleet)
        if rows.stream.stopped:
            done.append(report.status(opts.strict, True))
            return
        owners, user = rows.owners, _users(source, rows.users)
        sctp, stopped = _sctp_rows(source, opts, report, filters, owners, user)
        for sock in sctp:
            user(sock.uid)
        yield [sctp_record(s, owners.of(s.inode) if owners is not None else None, rows.users, fleet) for s in sctp]
        if stopped:
            done.append(report.status(opts.strict, True))
            return
    with _Rows(source, opts, report, names, filters, rest) as rows:
        yield from record_batches(rows.inet_pieces(), rows.unix_rows, rows.owners, rows.users, source.clk_tck, fleet)
        done.append(report.status(opts.strict, rows.stream.stopped))
