"""The netstat socket listing: which tables are read, in which order, and what is printed.

This follows netstat 2.10's main(): one Internet section (tcp, tcp6, udp,
udp6, udplite, udplite6, raw, raw6, in that order) under one banner, then the
unix section.  A requested family whose IPv4 file is absent ends the listing
with status 1 after its IPv6 file, as netstat does; absent IPv6 files are
skipped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import BinaryIO
from typing import TextIO

from netread.errors import ParseError
from netread.errors import SourceError
from netread.inet import decode_inet
from netread.model import InetSocket
from netread.model import UnixSocket
from netread.netstat import NetstatFormatter
from netread.netstat import banner
from netread.netstat import inet_header
from netread.netstat import inet_selected
from netread.netstat import unix_header
from netread.netstat import unix_selected
from netread.options import Options
from netread.source import ProcSource
from netread.unix import decode_unix

#: (option name, IPv4 table, IPv6 table, netstat's name for the family)
INET_FAMILIES = (
    ("tcp", "tcp", "tcp6", "AF INET (tcp)"),
    ("udp", "udp", "udp6", "AF INET (udp)"),
    ("udplite", "udplite", "udplite6", "AF INET (udplite)"),
    ("raw", "raw", "raw6", "AF INET (raw)"),
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

    def no_support(self, name: str) -> None:
        self.err.write(f"netread: no support for `{name}' on this system.\n")


def _lines(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _inet_rows(source: ProcSource, table: str, report: Report) -> Iterator[InetSocket] | None:
    try:
        lines = source.read_net(table)
    except SourceError as exc:
        report.unreadable_table(exc)
        return iter(())
    if lines is None:
        return None
    return _keep_rows(decode_inet(lines, path=str(source.net_path(table)), table=table, byteorder=source.byteorder), report)


def _keep_rows(rows: Iterator[InetSocket | ParseError], report: Report) -> Iterator[InetSocket]:
    for row in rows:
        if isinstance(row, ParseError):
            report.problem(row)
        else:
            yield row


def list_sockets(source: ProcSource, opts: Options, out: BinaryIO, err: TextIO) -> int:
    """Print one netstat listing of ``source`` to ``out``; return the exit status."""
    report = Report(err)
    fmt = NetstatFormatter(opts)
    status = 0
    write = out.write
    if opts.inet_section:
        write(_lines(banner("inet", opts) + "\n" + inet_header(opts) + "\n"))
        for flag, table4, table6, name in INET_FAMILIES:
            if not opts.wants(flag):
                continue
            missing = False
            for table, read in ((table4, not opts.explicit or opts.inet), (table6, not opts.explicit or opts.inet6)):
                if not read:
                    continue
                rows = _inet_rows(source, table, report)
                if rows is None:
                    if table == table4:
                        missing = opts.explicit
                        if opts.explicit or opts.verbose:
                            report.no_support(name)
                    continue
                chunk = [fmt.inet_row(row) + "\n" for row in rows if inet_selected(row, opts)]
                write(_lines("".join(chunk)))
            if missing:
                return 1
    if opts.wants("unix"):
        write(_lines(banner("unix", opts) + "\n" + unix_header(opts) + "\n"))
        try:
            lines = source.read_net("unix")
        except SourceError as exc:
            report.unreadable_table(exc)
            lines = []
        if lines is None:
            if opts.explicit or opts.verbose:
                report.no_support("AF UNIX")
            if opts.explicit:
                return 1
        else:
            chunk = []
            for row in decode_unix(lines, path=str(source.net_path("unix"))):
                if isinstance(row, ParseError):
                    report.problem(row)
                elif unix_selected(row, opts):
                    chunk.append(fmt.unix_row(row) + "\n")
            write(_lines("".join(chunk)))
    if report.unreadable:
        status = 1
    return status


__all__ = ["list_sockets", "Report", "InetSocket", "UnixSocket"]
