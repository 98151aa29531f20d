"""``netread -r``: the routing tables (net/route, net/rt_cache, net/ipv6_route), as netstat 2.10's ``-r``.

lib/getroute.c route_info: each address family asked for (``-4``, ``-6``,
``-A``, ``-x``; ``inet`` by default) is printed in turn, and the first that
fails ends the run with its status: a missing or empty file, or a header
without a column netstat needs, is 1; a family without routing (``unix``) is
``No routing for address family`` and 3.  ``-F`` is the FIB (the default),
``-C`` the cache, both: the FIB then the cache.  ``-n``, ``--numeric-hosts``
and ``-N`` print numbers; otherwise names come from netread/resolve.py.
"""

from __future__ import annotations

import ipaddress
import sys

from netread.cli.report import Report
from netread.cli.request import UnknownFamily
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.escape import escape_text
from netread.parse import route as parse
from netread.render import netstat_routes as text
from netread.render.explain_routes import route_legend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from netread.cli.request import Request
    from netread.cli.status import Output
    from netread.parse.route import Route
    from netread.parse.route import Route6
    from netread.parse.route import RouteTable
    from netread.proc.source import ProcSource
    from netread.resolve import Resolver

#: Families netstat knows but has no routing printer for (lib/getroute.c).
NO_ROUTING = ("unix",)
#: The statuses rprint_* return.
NOT_READ = 1
#: rprint_cache's exit(-1) when proc_guess_fmt cannot read the header.
CACHE_UNREADABLE = 255
#: route_info's E_OPTERR for a family without routing (netstat's usage status).
NO_ROUTING_STATUS = 3


def families(request: Request) -> list[str]:
    """netstat's afname list for -r: ``-4``, ``-6``, ``-x`` and every ``-A`` entry in command-line
    order; ``inet`` when none."""
    chosen: list[str] = list(request.family_order)
    if not chosen:  # a Request built without the order (the quick parser's): -4, -6, -x, then -A
        chosen = [name for name in ("inet", "inet6", "unix") if name in request.flags]
        chosen += [name for entry in request.protocol for name in entry.split(",")]
    chosen = [name for name in chosen if name]
    for name in chosen:
        if name not in ("inet", "inet6", "unix"):
            raise UnknownFamily(name)
    return chosen or ["inet"]


def run(request: Request) -> int:
    """Print what ``netstat -r`` prints for ``request``; netstat's exit status."""
    from netread.proc.source import ProcSource

    names = families(request)  # an unknown family is an error before anything is printed
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    from netread.cli.report import say_source

    say_source(source)
    numeric = bool(request.flags & {"numeric", "numeric_hosts", "symbolic"})
    fib = "fib" in request.flags or "cache" not in request.flags
    cache = "cache" in request.flags
    ext = text.ext_level(request.extend_level)
    explain = "explain" in request.flags
    output = request.output
    out = stdout()
    report = Report(sys.stderr)
    resolver: Resolver | None = None
    if not numeric and output == "netstat":
        from netread.resolve import Resolver

        resolver = Resolver()
    if output != "netstat":
        from netread.cli.route_records import write_records

        return write_records(request, source, names, fib, cache, out, report)
    for family in names:
        if family in NO_ROUTING:
            out.flush()
            sys.stderr.write(f"No routing for address family `{family}'.\n")
            return NO_ROUTING_STATUS
        tables = (("fib", fib), ("cache", cache))
        for kind, wanted in tables:
            if not wanted:
                continue
            if family == "inet":
                status = _inet(source, kind, ext, numeric, resolver, out, report, explain)
            else:
                status = _inet6(source, kind, ext, numeric, resolver, out, report, explain)
            if status:
                out.flush()
                report.status(False, False)
                return status
    out.flush()
    return report.status("strict" in request.flags, False)


def _absent(source: ProcSource, name: str, family: str, out: Output) -> int:
    """rprint_*'s perror and ``... not configured in this system.``: status 1."""
    out.flush()
    sys.stderr.write(f"{escape_text(source.net_path(name))}: No such file or directory\n")
    out.write(f"{family} not configured in this system.\n".encode())
    return NOT_READ


def _inet(
    source: ProcSource, kind: str, ext: int, numeric: bool, resolver: Resolver | None, out: Output, report: Report, explain: bool
) -> int:
    name = "route" if kind == "fib" else "rt_cache"
    lines = source.read_net(name)
    if lines is None:
        return _absent(source, name, "INET (IPv4)", out)
    report.messages(getattr(lines, "skipped", {}).values())
    if kind == "fib":
        out.write(text.fib_head(ext))
        table = parse.parse_route(lines, path=source.net_path(name))
    else:
        table = parse.parse_rt_cache(lines, path=source.net_path(name))
        if table.empty:  # proc_guess_fmt's -1: rprint_cache prints its title, then perror and exit(-1)
            out.write(text.CACHE_TITLE)
            out.flush()
            sys.stderr.write(f"{escape_text(source.net_path(name))}: empty file\n")
            return CACHE_UNREADABLE
        out.write(text.cache_head(ext, table.layout or 0))
    status = _ended(table, source.net_path(name), out)
    if status is not None and kind == "fib":
        return status  # rprint_cache warns and goes on (status 0)
    report.messages(table.problems)
    rows: list[Route] = table.rows  # type: ignore[assignment]
    found = _names4(rows, resolver, kind, report) if resolver is not None else text.RouteNames()
    if kind == "fib":
        out.write(b"".join(text.fib_lines(rows, ext, found, numeric)))
        if explain and ext:
            out.write(route_legend(text.FIB_HEADERS[ext], "".join(text.fib_flags(r.flags) for r in rows), inet6=False))
    else:
        out.write(b"".join(text.cache_lines(rows, ext, table.layout or 0, found, numeric)))
        if explain and ext:
            out.write(route_legend(text.cache_head(ext, table.layout or 0), "", inet6=False))
    return ExitStatus.OK


def _ended(table: RouteTable, path: str, out: Output) -> int | None:
    """Status 1 where netstat stops: an empty file, a header without a column it needs."""
    if table.empty:
        return NOT_READ
    if table.missing is not None:
        out.flush()
        sys.stderr.write(f"warning: {escape_text(path)} does not contain required field {table.missing}\n")
        return NOT_READ
    return None


def _inet6(
    source: ProcSource, kind: str, ext: int, numeric: bool, resolver: Resolver | None, out: Output, report: Report, explain: bool
) -> int:
    if kind == "cache":
        ndisc = source.read_net("ndisc")
        if ndisc is not None:  # rprint_cache6 prints the 2.1-era neighbour table when there is one
            return _ndisc(source, ndisc, ext, numeric, resolver, out, report)
    lines = source.read_net("ipv6_route")
    if lines is None:
        return _absent(source, "ipv6_route", "INET6 (IPv6)", out)
    report.messages(getattr(lines, "skipped", {}).values())
    cache = kind == "cache"
    out.write((text.CACHE6_TITLE if cache else text.FIB6_TITLE) + text.FIB6_HEADER)
    rows: list[Route6] = []
    for item in parse.parse_ipv6_route(lines, path=source.net_path("ipv6_route")):
        if isinstance(item, parse.Route6):
            rows.append(item)
        else:
            report.messages((item,))
    shown = [row for row in rows if bool(row.flags & parse.RTF_CACHE) == cache]
    found = text.RouteNames()
    if resolver is not None:
        wanted = {a for row in shown for a in (row.destination, row.next_hop) if int(a)}
        _late(resolver.prefetch(wanted), report)
        found = text.RouteNames(hosts={a: n for a in wanted if (n := resolver.host(a)) is not None})
    out.write(b"".join(text.fib6_lines(shown, found, numeric, cache)))
    if explain:
        out.write(route_legend(text.FIB6_HEADER, "".join(text.fib6_flags(r.flags) for r in shown), inet6=True))
    return ExitStatus.OK


def _ndisc(source: ProcSource, lines: list[str], ext: int, numeric: bool, resolver: Resolver | None, out: Output, report: Report) -> int:
    from netread.parse.ndisc import Neighbour
    from netread.parse.ndisc import parse_ndisc

    rows: list[Neighbour] = []
    for item in parse_ndisc(lines, path=source.net_path("ndisc")):
        if isinstance(item, Neighbour):
            rows.append(item)
        else:
            report.messages((item,))
    found = text.RouteNames()
    if resolver is not None:
        wanted = {row.address for row in rows if int(row.address)}
        _late(resolver.prefetch(wanted), report)
        found = text.RouteNames(hosts={a: n for a in wanted if (n := resolver.host(a)) is not None})
    out.write(text.ndisc_head(ext) + b"".join(text.ndisc_lines(rows, ext, found, numeric, source.clk_tck)))
    return ExitStatus.OK


def _names4(rows: Sequence[Route], resolver: Resolver, kind: str, report: Report) -> text.RouteNames:
    """The lookups rprint_fib (or rprint_cache) makes for ``rows``, answered by ``resolver``."""
    hosts: set[ipaddress.IPv4Address] = set()
    networks: set[ipaddress.IPv4Address] = set()
    for row in rows:
        if kind == "fib":
            lookup = text.destination_lookup(row)
            (hosts if lookup == "host" else networks if lookup == "net" else set()).add(row.destination)
            if int(row.gateway):
                hosts.add(row.gateway)
        else:
            for address in (row.source, row.destination, row.gateway, row.spec_dst):
                assert address is not None
                lookup = text.cache_lookup(address)
                (hosts if lookup == "host" else networks if lookup == "net" else set()).add(address)
    _late(resolver.prefetch(a for a in hosts if a.packed[0]), report)
    return text.RouteNames(
        hosts={a: n for a in hosts if (n := resolver.route_host(a)) is not None},
        networks={a: n for a in networks if (n := resolver.network(a)) is not None},
    )


def _late(addresses: Sequence[ipaddress.IPv4Address | ipaddress.IPv6Address], report: Report) -> None:
    """The lookups that missed the resolver's deadline, reported once (their numbers are shown)."""
    if addresses:
        sys.stderr.write(f"netread: warning: {len(addresses)} address lookup(s) got no answer in time; shown as numbers (-n skips lookups)\n")
