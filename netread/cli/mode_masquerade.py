"""``netread -M``: masqueraded connections, from net/ip_masquerade, as netstat 2.10 shows them.

No kernel since 2.2 has the file, so on a live system this is netstat's
``no support for `ip_masquerade' on this system.`` and status 1 (reference
netstat-other-modes.md 7.1).  A snapshot that holds one is read as
lib/masq_info.c reads it (parse/masquerade.py): its rows, nothing and status 0
without records, nothing and status 255 (netstat's -1) for an empty file, a
record that does not convert, an unknown protocol, or a file that cannot be
read.  ``-n`` (or ``--numeric-hosts``/``--numeric-ports``) gives numbers,
``-e`` the longer header.  One listing is printed; ``-c`` is cli/modes.py's.
"""

from __future__ import annotations

import sys

from netread.cli.report import Report
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.errors import SourceError
from netread.errors import UsageError
from netread.model import Absent
from netread.model import Unresolved
from netread.proc.source import ProcSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress

    from netread.cli.request import Request
    from netread.model import Message

#: What netstat's -1 from ip_masq_info() exits with.
FAILED = 255
FAMILY = "ip_masquerade"


def run(request: Request) -> int:
    """Print what ``netstat -M`` with the same flags prints; its exit status."""
    if request.output != "netstat":
        raise UsageError(f"-M has no --format {request.output}: it is netstat's text only")
    opts = request.options()
    out = stdout()
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    from netread.cli.report import say_source

    say_source(source)
    report = Report(sys.stderr)
    try:
        lines = source.read_net(FAMILY)
    except SourceError as exc:
        report.messages([exc])
        return FAILED
    if lines is None:
        report.messages([Absent(FAMILY)])
        return ExitStatus.ERROR
    from netread.parse.masquerade import parse_masquerade
    from netread.render.netstat_masquerade import masquerade_text

    messages: list[Message] = list(getattr(lines, "skipped", {}).values())  # read_net's Lines
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape") if lines else b""
    table = parse_masquerade(data, source.net_path(FAMILY))
    if table.error is not None:
        report.messages([*messages, table.error])
        return FAILED
    hosts: dict[ipaddress.IPv4Address, str] | None = None
    service = None
    if not (opts.numeric_hosts and opts.numeric_ports) and table.entries:
        from netread.resolve import Resolver

        names = Resolver()
        if not opts.numeric_ports:
            service = names.service
        if not opts.numeric_hosts:
            wanted = {a for e in table.entries for a in (e.source, e.destination)}
            late = names.prefetch(wanted)
            if late:
                messages.append(Unresolved(len(late), names.deadline))
            hosts = {a: n for a in wanted if (n := names.host(a)) is not None}
    report.messages(messages)
    out.write(masquerade_text(table.entries, extended=request.extend_level > 0, hosts=hosts, service=service).encode("utf-8", "surrogateescape"))
    out.flush()
    return report.status(opts.strict, False)
