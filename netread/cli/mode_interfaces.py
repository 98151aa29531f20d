"""``netread -i`` (``-ia``, ``-ie``): netstat's interface table, once.

Live, the names and counters come from /proc/net/dev and the IPv4 address
labels SIOCGIFCONF lists; everything else from the kernel by ioctl, as
netstat asks it (netread/proc/interfaces.py).  With ``--proc SNAP``, from the
snapshot's record of those answers.  Exit statuses are netstat's: 0, or 1
when the kernel does not know a listed name (the table stops there, as
netstat's does) or the source cannot be read.
"""

from __future__ import annotations

import os
import sys

from netread.cli.report import Report
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.escape import escape_text
from netread.proc.interfaces import Failed
from netread.proc.interfaces import Table
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.render import netstat_interfaces as render
from netread.render.records import FLEET_KEYS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.cli.request import Request
    from netread.parse.dev import Interface


def run(request: Request) -> int:
    """Print the interface table ``request`` asks for; netstat's exit status."""
    opts = request.options()  # an unknown -A family is status 1, as netstat's
    out = stdout()
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    from netread.cli.report import say_source

    say_source(source)
    table = Table(source)
    err = sys.stderr
    for warning in table.warnings:
        err.write(f"netread: warning: {escape_text(warning)}\n")
    if table.kernel.note is not None:
        err.write(f"netread: note: {escape_text(table.kernel.note)}\n")
    show_all = "all" in request.flags
    failed: Failed | None = None
    if request.output != "netstat":
        shown: list[Interface] = []
        for row in table.rows():
            if isinstance(row, Failed):
                failed = row
                break
            if show_all or row.answer.flags & 1:
                shown.append(row)
        if failed is None:
            out.write(_machine(shown, request.output, source))
    else:
        out.write(render.TITLE.encode())
        if request.extend_level < 1:
            out.write(render.HEADER.encode())
        for row in table.rows():
            if isinstance(row, Failed):
                failed = row
                break
            if show_all or row.answer.flags & 1:
                out.write(render.render(row, request.extend_level).encode("utf-8", "surrogateescape"))
        if opts.explain:
            out.write(_explain(request.extend_level).encode())
    out.flush()
    report = Report(err)
    report.messages(table.problems)
    if failed is not None:
        reason = "Device not found" if failed.errno == 19 else os.strerror(failed.errno)
        err.write(f"{escape_text(failed.name)}: error fetching interface information: {reason}\n")
        err.write(f"missing interface information: {os.strerror(failed.errno)}\n")
        report.status("strict" in request.flags, True)
        return ExitStatus.ERROR
    return report.status("strict" in request.flags, False)


def _machine(rows: list[Interface], output: str, source: ProcSource) -> bytes:
    """--format json (``{"netread", "source", "interfaces"}``), ndjson or csv: one record an interface."""
    import json

    from netread._version import __version__
    from netread.cli.listing import fleet_of

    fleet = fleet_of(source)
    records = [{**fleet, **render.record(row)} for row in rows]
    if output == "ndjson":
        return b"".join(json.dumps(r).encode("ascii") + b"\n" for r in records)
    if output == "csv":
        return _csv(records)
    about: dict[str, object] = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
    return json.dumps({"netread": __version__, "source": about, "interfaces": records}, indent=2).encode("ascii") + b"\n"


#: --format csv's columns: the record's scalars, the flags joined by |, the counters flattened,
#: the IPv6 addresses as address/prefixlen joined by |.
CSV_KEYS = (
    *FLEET_KEYS, "kind", "name", "flags", "flags_value", "mtu", "tx_queue_len", "hw_type", "hw_name", "hw_title", "hw_address",
    "inet", "netmask", "broadcast", "destination", "inet6",
)  # fmt: skip


def _csv(records: list[dict[str, object]]) -> bytes:
    import csv
    import io

    from netread.parse.dev import COUNTERS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_KEYS, *COUNTERS])
    for r in records:
        row: list[object] = []
        for key in CSV_KEYS:
            value = r[key]
            if key == "flags":
                value = "|".join(value)  # type: ignore[arg-type]
            elif key == "inet6":
                value = "|".join(f"{a['address']}/{a['prefixlen']}" for a in value)  # type: ignore[attr-defined]
            row.append("" if value is None else escape_text(str(value)))
        counters = r["counters"]
        row += ["" if not isinstance(counters, dict) else counters[c] for c in COUNTERS]
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


#: What --explain adds below ``-ie``'s blocks, line by line.
LONG_LINES = (
    ("flags=N<...>", "SIOCGIFFLAGS as a signed 16-bit number, then its flag words; mtu: SIOCGIFMTU"),
    ("inet", "the IPv4 address, netmask, broadcast (BROADCAST interfaces), destination (POINTOPOINT) by ioctl"),
    ("inet6", "each net/if_inet6 address of the interface, its prefix length and scope (0x10 host, 0x20 link, 0x40 site, 0 global)"),
    ("ether / loop / unspec", "the hardware type and address (SIOCGIFHWADDR), txqueuelen (SIOCGIFTXQLEN)"),
    ("RX / TX", "net/dev's counters: packets, bytes, errors, dropped, overruns (fifo), frame, carrier, collisions"),
)


def _explain(extend_level: int) -> str:
    rows = render.COLUMNS if extend_level < 1 else LONG_LINES
    width = max(len(name) for name, _ in rows)
    return "\nColumns:\n" + "".join(f"  {name.ljust(width)}  {text}\n" for name, text in rows)
