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

import dataclasses
import os
from collections.abc import Callable
from collections.abc import Iterator
from typing import BinaryIO
from typing import TextIO

from netread.errors import ParseError
from netread.errors import SourceError
from netread.inet import decode_inet
from netread.model import InetSocket
from netread.model import UnixSocket
from netread.names import Resolver
from netread.netstat import NetstatFormatter
from netread.netstat import banner
from netread.netstat import inet_header
from netread.netstat import inet_selected
from netread.netstat import unix_header
from netread.netstat import unix_selected
from netread.options import Options
from netread.owners import Owners
from netread.owners import scan_owners
from netread.source import LIVE_ROOT
from netread.source import ProcSource
from netread.unix import decode_unix

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


@dataclasses.dataclass
class Report:
    """What went wrong while listing, for the caller to print and count."""

    err: TextIO
    problems: int = 0
    unreadable: int = 0

    def problem(self, error: ParseError) -> None:
        self.problems += 1
        self.err.write(f"netread: warning: {error.message()}\n")

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


@dataclasses.dataclass
class Plan:
    """The rows one listing prints, read before anything is written."""

    inet: list[InetSocket] | None = None
    unix: list[UnixSocket] | None = None
    status: int = 0


def _keep_rows(rows: Iterator[InetSocket | ParseError], report: Report, opts: Options) -> Iterator[InetSocket]:
    for row in rows:
        if isinstance(row, ParseError):
            report.problem(row)
        elif inet_selected(row, opts):
            yield row


def _read(source: ProcSource, table: str, report: Report) -> list[str] | None:
    try:
        return source.read_net(table)
    except SourceError as exc:
        report.unreadable_table(exc)
        return []


def plan_listing(source: ProcSource, opts: Options, report: Report) -> Plan:
    """Read and decode every table the options ask for, stopping where netstat stops."""
    plan = Plan()
    if opts.inet_section:
        plan.inet = rows = []
        for flag, table4, table6, name in INET_FAMILIES:
            if not opts.wants(flag):
                continue
            missing = False
            for table, read in ((table4, not opts.explicit or opts.inet), (table6, not opts.explicit or opts.inet6)):
                if not read:
                    continue
                lines = _read(source, table, report)
                if lines is None:
                    if table == table4:
                        missing = opts.explicit
                        if opts.explicit or opts.verbose:
                            report.no_support(name)
                    continue
                decoded = decode_inet(lines, path=str(source.net_path(table)), table=table, byteorder=source.byteorder)
                rows.extend(_keep_rows(decoded, report, opts))
            if missing:
                plan.status = 1
                return plan
    if opts.wants("unix"):
        plan.unix = unix_rows = []
        lines = _read(source, "unix", report)
        if lines is None:
            if opts.explicit or opts.verbose:
                report.no_support("AF UNIX")
            if opts.explicit:
                plan.status = 1
            return plan
        for row in decode_unix(lines, path=str(source.net_path("unix"))):
            if isinstance(row, ParseError):
                report.problem(row)
            elif unix_selected(row, opts):
                unix_rows.append(row)
    return plan


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def list_sockets(
    source: ProcSource,
    opts: Options,
    out: BinaryIO,
    err: TextIO,
    user_name: Callable[[int], str | None] | None = None,
    names: Resolver | None = None,
    color: bool = False,
) -> int:
    """Print one netstat listing of ``source`` to ``out``; return the exit status.

    ``names`` does the name lookups unless ``opts`` asks for numbers; pass the
    same one to every ``-c`` cycle so each address is looked up once per run.
    """
    report = Report(err)
    if user_name is None and source.users is not None:
        user_name = source.users.get  # the names of the captured host
    plan = plan_listing(source, opts, report)
    if names is None and not (opts.numeric_hosts and opts.numeric_ports):
        names = Resolver()
    if names is not None and plan.inet and not opts.numeric_hosts:
        late = names.prefetch(a for row in plan.inet for a in (row.local.address, row.remote.address))
        if late:
            report.unresolved(len(late), names.deadline)
    owners = Owners()
    if opts.programs:
        wanted = [r.inode for r in plan.inet or () if r.inode is not None]
        wanted += [r.inode for r in plan.unix or () if r.inode is not None]
        owners = scan_owners(source.root, wanted)
        report.owners(owners)
    fmt = NetstatFormatter(opts, owners=owners, clk_tck=source.clk_tck, user_name=user_name, names=names)
    explainer = None
    if opts.explain:
        from netread.explain import Explainer

        explainer = Explainer(color=color)
    if plan.inet is not None:
        header = inet_header(opts)
        text = banner("inet", opts) + "\n" + header + "\n"
        if explainer is not None:
            text += explainer.legend("inet", header)
        text += "".join([fmt.inet_row(row) + "\n" for row in plan.inet])
        if explainer is not None:
            text += explainer.inet_states(plan.inet)
        out.write(_encode(text))
    if plan.unix is not None:
        header = unix_header(opts)
        text = banner("unix", opts) + "\n" + header + "\n"
        if explainer is not None:
            text += explainer.legend("unix", header)
        text += "".join([fmt.unix_row(row) + "\n" for row in plan.unix])
        if explainer is not None:
            text += explainer.unix_states(plan.unix)
        out.write(_encode(text))
    if explainer is not None:
        from netread import findings

        listing = findings.Listing(
            inet=plan.inet or [],
            unix=plan.unix or [],
            endpoints=fmt.endpoints,
            owners=owners if opts.programs else None,
            facts=findings.read_facts(source.read_text),
            snapshot=source.root != LIVE_ROOT,
        )
        out.write(_encode(explainer.findings(findings.find_all(listing), len(findings.RULES))))
    if plan.status:
        return plan.status
    return 1 if report.unreadable else 0
