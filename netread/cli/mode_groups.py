"""``netread -g``: multicast group memberships, with the socket listings netstat prints around them.

netstat 2.10 treats ``-g`` as one more socket kind (netstat.c main, reference
netstat-other-modes.md 1.1 and 6).  In its loop the Internet listing comes
first when a protocol flag is on (``-t``, ..., or ``-4``/``-6``/``-A inet``
alone, which switch them all on), then the groups table, then the unix
listing when ``-x`` (or ``-A unix``) was given.  ``/proc/net/igmp`` is read
unless only IPv6 was asked for, ``/proc/net/igmp6`` unless only IPv4 was.
A missing igmp says ``no support for `AF INET (igmp)'`` and gives status 1,
after the IPv6 rows, and then no unix listing follows; with ``-4``/``-6``
alone it is silent.  The socket listings are netread.cli.listing's.

The filters (``--state``, ``--port``...) apply to those socket listings, not to the groups.
``--format json/ndjson/csv`` write the memberships as records
(render/group_records.py); ``--explain`` labels the columns.  One listing is
printed; ``-c`` is cli/modes.py's.
"""

from __future__ import annotations

import os
import sys

from netread.cli.listing import _filters
from netread.cli.listing import list_once
from netread.cli.report import Report
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.errors import SourceError
from netread.errors import UsageError
from netread.model import Absent
from netread.model import Unresolved
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.cli.listing import Writer
    from netread.cli.request import Request
    from netread.model import IPAddress
    from netread.model import Message
    from netread.parse.igmp import Groups
    from netread.resolve import Resolver
    from netread.select import Options

#: netstat's name for the IPv4 file in its "no support" message.
IGMP_FAMILY = "AF INET (igmp)"


def run(request: Request) -> int:
    """Print what ``netstat -g`` with the same flags prints; its exit status."""
    opts = request.options()._replace(explicit=True)  # -g is one of netstat's socket kinds (flag_arg)
    protos = opts.tcp or opts.udp or opts.udplite or opts.raw or opts.sctp
    if request.output != "netstat" and (protos or opts.unix):
        raise UsageError(f"-g with socket tables and --format {request.output}: ask for the groups and the sockets separately")
    names = None
    if not opts.numeric_hosts:
        from netread.resolve import Resolver

        names = Resolver()
    filters = _filters(request, names)  # the socket listings' (usage errors before anything is read)
    out = stdout()
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    from netread.cli.report import say_source

    say_source(source)
    color = opts.explain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if protos:
        status = list_once(source, opts._replace(unix=False), out, sys.stderr, names=names, output=request.output, filters=filters, color=color)
        if status:
            return status
    status = groups_once(source, opts, out, Report(sys.stderr), names=names, output=request.output)
    out.flush()
    if status or not opts.unix:
        return status
    unix_only = opts._replace(tcp=False, udp=False, udplite=False, raw=False, sctp=False)
    return list_once(source, unix_only, out, sys.stderr, names=names, output=request.output, filters=filters, color=color)


def groups_once(source: ProcSource, opts: Options, out: Writer, report: Report, *, names: Resolver | None = None, output: str = "netstat") -> int:
    """The groups table of ``source`` (igmp, igmp6 as ``opts``' families ask) to ``out``; the status."""
    from netread.parse.igmp import parse_groups

    v4, v6 = opts.inet, opts.inet6
    if not (v4 or v6):  # netstat: -g without a family reads both
        v4 = v6 = True
    messages: list[Message] = []
    failed = False

    def lines(name: str, read: bool) -> list[str] | None:
        nonlocal failed
        if not read:
            return None
        try:
            found = source.read_net(name)
        except SourceError as exc:  # unreadable: netstat spins forever on a read error (README)
            messages.append(exc)
            failed = True
            return None
        if found is None and name == "igmp" and not opts.noprot:
            messages.append(Absent(IGMP_FAMILY))
            failed = True
        if found is not None:
            too_long = getattr(found, "skipped", {})  # read_net's Lines: lines too long to hold, each reported
            messages.extend(too_long.values())
            skipped.update((source.net_path(name), lineno) for lineno in too_long)
        return found

    skipped: set[tuple[str, int]] = set()
    igmp, igmp6 = lines("igmp", v4), lines("igmp6", v6)
    groups = parse_groups(igmp, igmp6, byteorder=source.byteorder, igmp_path=source.net_path("igmp"), igmp6_path=source.net_path("igmp6"))
    messages.extend(p for p in groups.problems if (p.path, p.lineno) not in skipped)  # said once, as too long
    found = _names(groups, names, messages)
    report.messages(messages)
    out.write(_render(groups, found, source, output, opts.explain))
    status = report.status(opts.strict, False)
    return ExitStatus.ERROR if failed else status


def _names(groups: Groups, names: Resolver | None, messages: list[Message]) -> dict[IPAddress, str] | None:
    """Each group's name, looked up once (all at once, one deadline), or None with -n."""
    if names is None:
        return None
    wanted = {m.group for m in groups.memberships}
    late = names.prefetch(wanted)
    if late:
        messages.append(Unresolved(len(late), names.deadline))
    found: dict[IPAddress, str] = {}
    for address in wanted:
        name = names.host(address)
        if name is not None:
            found[address] = name
    return found


def _render(groups: Groups, names: dict[IPAddress, str] | None, source: ProcSource, output: str, explain: bool) -> bytes:
    if output == "netstat":
        from netread.render.netstat_groups import HEADER
        from netread.render.netstat_groups import group_rows
        from netread.render.netstat_groups import groups_header

        legend = ""
        if explain:
            from netread.render.explain import Explainer

            legend = Explainer().legend("groups", HEADER)
        text = groups_header() + legend + group_rows(groups.memberships, names)
        return text.encode("utf-8", "surrogateescape")
    from netread.cli.listing import fleet_of
    from netread.render import group_records

    fleet = fleet_of(source)
    records = [{**fleet, **group_records.membership_record(m, names)} for m in groups.memberships]
    if output == "json":
        from netread._version import __version__

        facts: dict[str, object] = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
        return group_records.json_document(__version__, records, facts)
    if output == "ndjson":
        return group_records.ndjson_lines(records)
    return group_records.csv_text(records)
