"""``netread diff A B [listing flags]``: what changed between two snapshots, or a snapshot and now.

A and B are each a snapshot (a directory, a tarball, a sosreport, as ``--proc`` takes) or ``-``
for the live system.  Each side is read as the listing reads it (the same flags, filters,
``--netns``), then netread/diff.py compares them and netread/render/diff.py writes the result:
text, ``--format json`` or ``ndjson``.  ``--exit-code`` ends with status 1 when something changed,
as ``git diff --exit-code``; the status is otherwise the worse of the two listings'.
"""

from __future__ import annotations

import sys

from netread.cli.status import ExitStatus
from netread.errors import UsageError
from netread.escape import escape_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from netread.cli.report import Report
    from netread.cli.request import Request
    from netread.render.diff import Side
    from netread.resolve import Resolver
    from netread.select import Filters
    from netread.select import Options

#: The listing's options that take a value (the next argument, or after ``=``).
VALUED = ("-A", "--protocol", "--netns", "--format", "--state", "--port", "--sport", "--dport", "--pid", "--program", "--user")

USAGE = """\
Usage: netread diff [OPTIONS] A B [LISTING FLAGS]

  What changed from A to B: sockets opened (+), closed (-) and changed (~), the
  programs holding more sockets in a state, the counters that grew.  A and B are
  snapshots (a directory, a tarball or a sosreport, as --proc takes) or - for
  the live system.

  Takes the listing's flags: -t -u -U -w -x -4 -6 -A, -l -a, -n and
  --numeric-*, -W, -e, -p, -o, --state --port --sport --dport --pid --program
  --user, --netns all|NAME|PATH|PID.

Options:
  --explain          Say what each change likely means.
  --format FORMAT    netstat (default), json or ndjson.
  --exit-code        Exit with status 1 when something changed.
  -h, --help         Show this message and exit.
"""


def split(argv: Sequence[str]) -> tuple[list[str], bool, list[str]]:
    """(the two sides, --exit-code, the listing's arguments) of ``argv``; a UsageError otherwise."""
    sides: list[str] = []
    listing: list[str] = []
    exit_code = False
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            sides += args[i:]
            break
        if arg == "--exit-code":
            exit_code = True
        elif arg in VALUED:
            if i >= len(args):
                raise UsageError(f"{arg} needs a value")
            listing += [arg, args[i]]
            i += 1
        elif arg == "-" or not arg.startswith("-"):
            sides.append(arg)
        else:
            listing.append(arg)
    if len(sides) != 2:
        raise UsageError(f"diff takes two snapshots (or - for the live system), not {len(sides)}; see netread diff --help")
    if sides == ["-", "-"]:
        raise UsageError("at most one side can be the live system (-)")
    return sides, exit_code, listing


def listing_request(args: list[str], command: str = "diff") -> Request | int:
    """The :class:`Request` the listing flags ``args`` make, as ``netread ARGS`` would build it (the
    status of a usage error typer said, when they make none), for ``command`` (diff or watch:
    watch takes ``--proc``, a directory it reads again each cycle)."""
    from netread.cli.quick import quick_parse

    request = quick_parse(args)
    if request is None:
        from netread.cli.app import build_request

        built = build_request(args)
        if isinstance(built, int):
            return built
        request = built
    if request.modes or request.continuous:
        raise UsageError(f"{command} shows socket listings: -s, -r, -i, -g, -M and -c have no place in it")
    if command != "diff":
        return request
    if request.proc is not None:
        raise UsageError("diff reads the two sides it is given: --proc has no place in it")
    if request.output not in ("netstat", "json", "ndjson"):
        raise UsageError(f"diff writes --format netstat, json or ndjson, not {request.output}")
    return request


def main(argv: Sequence[str]) -> int:
    """``netread diff``: the exit status."""
    from netread.cli.listing import guarded

    if any(a in ("-h", "--help") for a in argv):
        sys.stdout.write(USAGE)
        return ExitStatus.OK
    return guarded(lambda: _diff(argv), "netread diff")


def _diff(argv: Sequence[str]) -> int:
    from netread import diff
    from netread._version import __version__
    from netread.cli.listing import _filters
    from netread.cli.report import Report
    from netread.cli.status import stdout
    from netread.render import diff as render

    (a, b), exit_code, listing = split(argv)
    request = listing_request(listing)
    if isinstance(request, int):
        return request
    opts = request.options()
    names = None
    if not opts.numeric_hosts:
        from netread.resolve import Resolver

        names = Resolver()
    filters = _filters(request, names)
    out = stdout()
    report = Report(sys.stderr)
    statuses: list[int] = []
    before = read_side(a, request, opts, filters, names, report, statuses)
    after = read_side(b, request, opts, filters, names, report, statuses)
    changes = diff.diff_sockets(before.items, after.items)
    if request.output == "netstat":
        out.write(render.diff_text(changes, before, after, opts, names, explain=opts.explain).encode("utf-8", "surrogateescape"))
    else:
        records = render.event_records(changes, before, after)
        if request.output == "ndjson":
            from netread.render.formats import ndjson_lines

            out.write(ndjson_lines(records))
        else:
            findings = None
            if opts.explain:
                findings = render.diff_findings(changes, before, after)
            out.write(render.diff_document(__version__, records, before, after, changes, findings))
    out.flush()
    status = max(statuses, default=ExitStatus.OK)
    if exit_code and not status and changes:
        return ExitStatus.ERROR
    return status


def read_side(
    spec: str, request: Request, opts: Options, filters: Filters, names: Resolver | None, report: Report, statuses: list[int], said: set[str] | None = None
) -> Side:
    """One side, read as the listing reads it: every namespace ``--netns`` names, or the source's own.
    ``said``: the notes already written (watch reads a side every cycle: each note is said once)."""
    from netread import select
    from netread.cli.listing import _socket_stream
    from netread.cli.listing import source_about
    from netread.diff import seen
    from netread.parse.snmp import read_facts
    from netread.proc.source import LIVE_ROOT
    from netread.proc.source import ProcSource
    from netread.render.diff import Side

    source = ProcSource.live() if spec == "-" else ProcSource.snapshot(spec)
    want_owners = opts.programs or filters.need_owners
    sections: list[tuple[str | None, ProcSource]] = [(None, source)]
    if request.netns is not None:
        from netread.proc import namespaces
        from netread.select import plan

        found = namespaces.in_snapshot(source) if source.root != LIVE_ROOT else namespaces.discover(source.root)
        chosen = namespaces.choose(found.namespaces, request.netns, source)
        if want_owners:
            source = source._replace(owners=source.scan_owners()())
        tables = [str(t) for family in plan(opts) for t in family.tables] + ["snmp", "netstat"]
        sections = []
        for ns in chosen:
            try:
                sections.append((ns.label, namespaces.section_source(source, ns, tables)))
            except namespaces.NotEnterable as exc:
                if said is None or str(exc) not in said:
                    sys.stderr.write(f"netread {'diff' if said is None else 'watch'}: note: {exc}\n")
                    if said is not None:
                        said.add(str(exc))
    from netread.cli.listing import fleet_of

    items = []
    counters = {}
    fleets = {}
    users: dict[int, str | None] = {}
    owners = source.owners
    for label, section in sections:
        fleets[label] = fleet_of(section)  # before the tables are read: their time
        try:
            with _socket_stream(section, opts, filters, names) as stream:  # the listing's own stream
                sockets = stream.collect()
            facts = read_facts(section.read_text, section.root)  # before the section's files are closed
        finally:
            if section is not source:
                section.close()
        report.messages(sockets.messages)
        if sockets.owners is not None and opts.programs and owners is None:
            report.owners(sockets.owners)
        owners = owners or sockets.owners
        statuses.append(report.status(opts.strict, sockets.stopped))
        if filters.active:
            sockets = select.filtered(sockets, filters)
        items += seen(sockets._replace(netns=label))
        users.update(sockets.users)
        counters[label] = facts.counters
    about = {**source_about(source), "given": escape_text(spec)}
    return Side("the live system" if spec == "-" else spec, items, owners, users, source.clk_tck, counters, about, fleets)
