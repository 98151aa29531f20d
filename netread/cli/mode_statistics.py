"""``netread -s``: netstat's protocol statistics, from net/snmp, net/netstat, net/sctp/snmp or net/snmp6.

As net-tools netstat 2.10 (statistics.c parsesnmp, parsesnmp6; reference/netstat-other-modes.md 3):
the address family must be exactly ``inet`` (the default) or ``inet6``, else
netstat's message goes to **stdout** and the status is 1; a missing file is a
message on stderr and status 0; ``-c`` is ignored (one report).  A value no
kernel writes is a warning naming file, line and counter (status 1 with ``--strict``).  IPv4 reads
net/snmp, then net/netstat and net/sctp/snmp (only when net/snmp opened);
IPv6 reads net/snmp6, then the ``Tcp`` section of net/snmp.
"""

from __future__ import annotations

import errno
import os
import sys

from netread.cli.argv import FAMILY_ALIASES
from netread.cli.request import UnknownFamily
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.errors import UsageError
from netread.escape import escape_text
from netread.parse.netstat_counters import CounterFile
from netread.parse.netstat_counters import parse_pairs
from netread.parse.netstat_counters import parse_sctp
from netread.parse.netstat_counters import parse_snmp6
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource
from netread.render import netstat_stats

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from netread.cli.request import Request


def selection(request: Request) -> netstat_stats.Selection:
    """netstat's -s flags: all four when none of -t -u -w -S -U is given; else the ones given
    (-U only turns the default off: its counters are an unknown section, always shown)."""
    given = {"tcp", "udp", "raw", "udplite", "sctp"} & request.flags
    if not given:
        return netstat_stats.Selection()
    return netstat_stats.Selection(raw="raw" in given, tcp="tcp" in given, udp="udp" in given, sctp="sctp" in given)


def run(request: Request) -> int:
    """Print the statistics ``request`` asks for; the exit status netstat ends with."""
    if request.output != "netstat" and "explain" in request.flags:
        raise UsageError(f"--explain goes with -s --format netstat, not {request.output}")
    families = []
    for family in request.families:  # cli/argv.py spelled them as netstat's aftrans does; in-process callers may not
        if family not in FAMILY_ALIASES:
            raise UnknownFamily(family)
        families.append(FAMILY_ALIASES[family])
    out = stdout()
    afname = ",".join(families) or "inet"
    if afname not in ("inet", "inet6"):
        out.write(f"netstat: No statistics support for specified address family: {escape_text(afname)}\n".encode())
        out.flush()
        return ExitStatus.ERROR
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    from netread.cli.report import say_source

    say_source(source)
    files = read_inet6(source) if afname == "inet6" else read_inet(source)
    chosen = selection(request)
    out.write(_output(files, chosen, request, source))
    out.flush()
    problems = [problem for counter_file in files for problem in counter_file.problems]
    for problem in problems:
        sys.stderr.write(f"netread: warning: {problem.message()}\n")  # escaped by ParseError.message
    return ExitStatus.ERROR if problems and "strict" in request.flags else ExitStatus.OK


def _output(files: list[CounterFile], chosen: netstat_stats.Selection, request: Request, source: ProcSource) -> bytes:
    if request.output == "netstat":
        text = netstat_stats.text(files, chosen)
        if "explain" in request.flags:
            text += "".join(line + "\n" for line in netstat_stats.explained(files, chosen))
        return text.encode("utf-8", "surrogateescape")
    from netread._version import __version__
    from netread.cli.listing import fleet_of
    from netread.render import formats

    fleet = fleet_of(source)
    rows = [{**fleet, **row} for row in netstat_stats.records(files, chosen)]
    if request.output == "json":
        about: dict[str, object] = {"root": source.root, "live": source.root == LIVE_ROOT, "byteorder": source.byteorder, "clk_tck": source.clk_tck}
        return formats.json_counters(__version__, rows, about)
    if request.output == "ndjson":
        return formats.ndjson_lines(rows)
    return formats.counter_csv(rows)


def _read(source: ProcSource, relative: str, parse: Callable[[bytes, str], CounterFile], *, say_missing: bool) -> CounterFile | None:
    """``relative`` parsed, or None where it could not be opened (said on stderr when ``say_missing``,
    as netstat's perror); one that opens but cannot be read (a directory) is said and gives no sections."""
    shown = os.path.join(source.root, relative)
    try:
        data = source.read_bytes(relative)
    except OSError as exc:
        reason = exc.strerror or os.strerror(exc.errno or 0)
        if exc.errno in (errno.EINVAL, errno.EISDIR):  # netstat opens a directory, then its read fails
            sys.stderr.write(f"netread: {escape_text(shown)}: {reason}\n")
            return CounterFile(shown, ())
        if say_missing:
            if exc.errno == errno.EXDEV:
                reason = "a symlink out of the snapshot; not read"
            sys.stderr.write(f"netread: cannot open {escape_text(shown)}: {reason}\n")
        return None
    result = parse(data, shown)
    if result.stopped:
        sys.stderr.write(f"netread: problem while parsing {escape_text(shown)}: netstat reads no more of it\n")
    return result


def read_inet(source: ProcSource) -> list[CounterFile]:
    """parsesnmp: net/snmp (nothing else when it cannot be opened), net/netstat, net/sctp/snmp."""
    snmp = _read(source, "net/snmp", parse_pairs, say_missing=True)
    if snmp is None:
        return []
    files = [snmp]
    for relative, parse in (("net/netstat", parse_pairs), ("net/sctp/snmp", parse_sctp)):
        found = _read(source, relative, parse, say_missing=False)
        if found is not None:
            files.append(found)
    return files


def read_inet6(source: ProcSource) -> list[CounterFile]:
    """parsesnmp6: net/snmp6 (nothing else when it cannot be opened), then net/snmp's Tcp sections."""
    snmp6 = _read(source, "net/snmp6", parse_snmp6, say_missing=True)
    if snmp6 is None:
        return []
    tcp = _read(source, "net/snmp", lambda data, path: _quiet(parse_pairs(data, path, only="Tcp")), say_missing=True)
    return [snmp6] if tcp is None else [snmp6, tcp]


def _quiet(parsed: CounterFile) -> CounterFile:
    """In IPv6 mode netstat ignores process_fd's result: no "Problem while parsing" there."""
    return CounterFile(parsed.path, parsed.sections, parsed.problems)
