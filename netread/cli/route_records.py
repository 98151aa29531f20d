"""``netread -r --format json|ndjson|csv``: the routing tables as records (schema: ``#/$defs/route``)."""

from __future__ import annotations

import csv
import io
import json

from netread.cli.status import ExitStatus
from netread.escape import escape_text
from netread.parse import route as parse
from netread.render.route_records import ROUTE_KEYS
from netread.render.route_records import route4_record
from netread.render.route_records import route6_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from netread.cli.report import Report
    from netread.cli.request import Request
    from netread.cli.status import Output
    from netread.proc.source import ProcSource
    from netread.render.route_records import Record


def collect(source: ProcSource, families: Sequence[str], fib: bool, cache: bool, report: Report) -> tuple[list[Record], int]:
    """The records of every table asked for, in netstat's order; status 1 when one could not be read."""
    records: list[Record] = []
    status = ExitStatus.OK
    for family in families:
        if family not in ("inet", "inet6"):
            return records, 3
        for kind, wanted in (("fib", fib), ("cache", cache)):
            if not wanted:
                continue
            name = "ipv6_route" if family == "inet6" else "route" if kind == "fib" else "rt_cache"
            path = source.net_path(name)
            lines = source.read_net(name)
            if lines is None:
                report.err.write(f"netread: {path}: No such file or directory\n")
                return records, ExitStatus.ERROR
            if family == "inet6":
                for item in parse.parse_ipv6_route(lines, path=path):
                    if isinstance(item, parse.Route6):
                        if bool(item.flags & parse.RTF_CACHE) == (kind == "cache"):
                            records.append(route6_record(item, kind))
                    else:
                        report.messages((item,))
                continue
            table = parse.parse_route(lines, path=path) if kind == "fib" else parse.parse_rt_cache(lines, path=path)
            if table.empty or table.missing is not None:
                why = "is empty" if table.empty else f"does not contain required field {table.missing}"
                report.err.write(f"netread: {path} {why}\n")
                return records, ExitStatus.ERROR
            report.messages(table.problems)
            records.extend(route4_record(row, kind) for row in table.rows if isinstance(row, parse.Route))
    return records, status


def write_records(request: Request, source: ProcSource, families: Sequence[str], fib: bool, cache: bool, out: Output, report: Report) -> int:
    """Write the records as ``request.output`` asks; the status."""
    from netread._version import __version__
    from netread.cli.listing import fleet_of
    from netread.proc.source import LIVE_ROOT
    from netread.render.records import FLEET_KEYS

    fleet = fleet_of(source)  # before the tables are read
    records, status = collect(source, families, fib, cache, report)
    records = [{**fleet, **record} for record in records]
    if request.output == "json":
        about = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
        out.write(json.dumps({"netread": __version__, "source": about, "routes": records}, indent=2).encode("ascii") + b"\n")
    elif request.output == "ndjson":
        out.write(b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records))
    else:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=(*FLEET_KEYS, *ROUTE_KEYS), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_value(v) for k, v in record.items()})
        out.write(text.getvalue().encode("utf-8"))
    out.flush()
    if status:
        return status
    return report.status("strict" in request.flags, False)


def _csv_value(value: object) -> object:
    """A CSV cell: lists joined by ``|``, text terminal-safe (as the socket CSV's), None empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(map(str, value))
    return escape_text(value) if isinstance(value, str) else value
