"""The typer application: every option with its help, ``capture``, ``--explain-line``.

Thin by design: it builds the same :class:`~netread.cli.request.Request` as
the quick parser (cli/quick.py) and hands it to
:func:`netread.cli.listing.execute`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from netread.cli.listing import guarded
from netread.cli.request import Request
from netread.cli.status import ExitStatus
from netread.cli.status import stdout
from netread.escape import escape_text
from netread.select import shown_value

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool) -> None:
    if value:
        from netread.cli.usage import VERSION

        sys.stdout.write(VERSION)
        raise typer.Exit(0)


_FAMILIES = "netread.families"


def _family_order(ctx: typer.Context, param: typer.CallbackParam, value: object) -> object:
    """Keep -4, -6, -x and -A in command-line order (click calls back in that order), as netstat's
    afname list keeps them: ``-r -6 -4`` prints the IPv6 table first."""
    names = {"inet": ["inet"], "inet6": ["inet6"], "unix": ["unix"]}.get(param.name or "", [])
    if param.name == "protocol" and isinstance(value, (list, tuple)):
        names = [name for entry in value for name in str(entry).split(",")]
    if value:
        ctx.meta.setdefault(_FAMILIES, []).extend(names)
    return value


@app.callback()
def main(
    ctx: typer.Context,
    tcp: Annotated[bool, typer.Option("-t", "--tcp", help="TCP sockets (tcp, tcp6).")] = False,
    udp: Annotated[bool, typer.Option("-u", "--udp", help="UDP sockets (udp, udp6).")] = False,
    udplite: Annotated[bool, typer.Option("-U", "--udplite", help="UDP-Lite sockets.")] = False,
    raw: Annotated[bool, typer.Option("-w", "--raw", help="Raw sockets.")] = False,
    unix: Annotated[bool, typer.Option("-x", "--unix", help="Unix domain sockets.", callback=_family_order)] = False,
    inet: Annotated[bool, typer.Option("-4", "--inet", help="IPv4 tables only.", callback=_family_order)] = False,
    inet6: Annotated[bool, typer.Option("-6", "--inet6", help="IPv6 tables only.", callback=_family_order)] = False,
    protocol: Annotated[
        list[str] | None,
        typer.Option("-A", "--protocol", metavar="FAMILY", help="Address families: inet, inet6, unix (comma-separated).", callback=_family_order),
    ] = None,
    listening: Annotated[bool, typer.Option("-l", "--listening", help="Only listening (server) sockets.")] = False,
    all_: Annotated[bool, typer.Option("-a", "--all", help="Listening and non-listening sockets.")] = False,
    numeric: Annotated[bool, typer.Option("-n", "--numeric", help="Numeric hosts, ports and users.")] = False,
    numeric_hosts: Annotated[bool, typer.Option("--numeric-hosts", help="Numeric hosts.")] = False,
    numeric_ports: Annotated[bool, typer.Option("--numeric-ports", help="Numeric ports.")] = False,
    numeric_users: Annotated[bool, typer.Option("--numeric-users", help="Numeric users.")] = False,
    wide: Annotated[bool, typer.Option("-W", "--wide", help="Do not truncate addresses.")] = False,
    extend: Annotated[int, typer.Option("-e", "--extend", count=True, help="Add the User and Inode columns (twice: more, in -r and -i).")] = 0,
    programs: Annotated[bool, typer.Option("-p", "--programs", help="Add PID/Program name (from <proc>/<pid>/fd).")] = False,
    timers: Annotated[bool, typer.Option("-o", "--timers", help="Add the Timer column.")] = False,
    continuous: Annotated[bool, typer.Option("-c", "--continuous", help="List again every second until interrupted.")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Say which tables are absent.")] = False,
    statistics: Annotated[int, typer.Option("-s", "--statistics", count=True, help="Protocol statistics (net/snmp, net/netstat, net/snmp6).")] = 0,
    route: Annotated[int, typer.Option("-r", "--route", count=True, help="The routing tables (net/route, net/ipv6_route).")] = 0,
    interfaces: Annotated[int, typer.Option("-i", "--interfaces", count=True, help="The interface table (net/dev).")] = 0,
    groups: Annotated[int, typer.Option("-g", "--groups", count=True, help="Multicast group memberships (net/igmp, net/igmp6).")] = 0,
    fib: Annotated[bool, typer.Option("-F", "--fib", help="With -r: the forwarding table (the default).")] = False,
    cache: Annotated[bool, typer.Option("-C", "--cache", help="With -r: the routing cache (net/rt_cache) instead; with -F as well, after it.")] = False,
    symbolic: Annotated[bool, typer.Option("-N", "--symbolic", help="With -r: numeric addresses, as netstat's -N.")] = False,
    masquerade: Annotated[int, typer.Option("-M", "--masquerade", count=True, help="Masqueraded connections (net/ip_masquerade).")] = 0,
    debug: Annotated[bool, typer.Option("-d", hidden=True, help="netstat's debug flag: accepted, does nothing.")] = False,
    sctp: Annotated[bool, typer.Option("-S", "--sctp", hidden=True, help="SCTP sockets (net/sctp/eps, net/sctp/assocs); with -s, the SCTP counters.")] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Label every column, explain each state shown, and point out likely problems."),
    ] = False,
    output: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help="netstat (default), json, ndjson or csv.")
    ] = "netstat",
    state: Annotated[
        str | None, typer.Option("--state", metavar="NAME[,NAME]", help="Only sockets in these states (LISTEN, ESTABLISHED, CLOSE_WAIT...).")
    ] = None,
    port: Annotated[str | None, typer.Option("--port", metavar="N", help="Only sockets with local or remote port N.")] = None,
    sport: Annotated[str | None, typer.Option("--sport", metavar="N", help="Only sockets with local port N.")] = None,
    dport: Annotated[str | None, typer.Option("--dport", metavar="N", help="Only sockets with remote port N.")] = None,
    pid: Annotated[str | None, typer.Option("--pid", metavar="N", help="Only sockets held by process N.")] = None,
    program: Annotated[str | None, typer.Option("--program", metavar="NAME", help="Only sockets held by a program named NAME.")] = None,
    user: Annotated[str | None, typer.Option("--user", metavar="NAME|UID", help="Only sockets of this user (Internet sockets).")] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when any line of a table is malformed.")
    ] = False,
    explain_line: Annotated[
        str | None,
        typer.Option("--explain-line", metavar="LINE", help="Decode one raw line of a /proc/net table field by field, then exit."),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option("--table", metavar="NAME", help="With --explain-line: the table the line is from (tcp, udp6, unix...)."),
    ] = None,
    byte_order: Annotated[
        str | None,
        typer.Option("--byte-order", metavar="little|big", help="With --explain-line: the byte order of the machine that wrote it."),
    ] = None,
    proc: Annotated[
        str | None,
        typer.Option("--proc", metavar="DIR", help="Read this /proc snapshot (directory, tarball or sosreport) instead of the live /proc."),
    ] = None,
    netns: Annotated[
        str | None,
        typer.Option("--netns", metavar="all|NAME|PATH|PID", help="List every network namespace (all), or one: a name under /run/netns, an nsfs path, a pid's."),
    ] = None,
    version: Annotated[
        bool, typer.Option("-V", "--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """List sockets exactly as net-tools netstat does, from /proc or a snapshot of it.

    `netread capture DIR` saves this machine's socket tables for later;
    `netread completion bash|zsh|fish` prints a shell completion script;
    `man netread` (netread/data/netread.1) is the manual.
    """
    if ctx.invoked_subcommand is not None:
        return
    from netread.cli.listing import execute
    from netread.render.formats import FORMATS

    if proc == "":
        sys.stderr.write("netread: --proc needs a directory, a tarball or a sosreport, not an empty name\n")
        raise typer.Exit(ExitStatus.USAGE)
    if explain_line is not None:
        raise typer.Exit(guarded(lambda: _explain_line(explain_line, table, byte_order, proc)))
    if output not in FORMATS:
        sys.stderr.write(f"netread: --format must be one of {', '.join(FORMATS)}, not {shown_value(output)}\n")
        raise typer.Exit(ExitStatus.USAGE)
    chosen = {
        "tcp": tcp,
        "udp": udp,
        "udplite": udplite,
        "raw": raw,
        "unix": unix,
        "inet": inet,
        "inet6": inet6,
        "listening": listening,
        "all": all_,
        "numeric": numeric,
        "numeric_hosts": numeric_hosts,
        "numeric_ports": numeric_ports,
        "numeric_users": numeric_users,
        "wide": wide,
        "extend": bool(extend),
        "programs": programs,
        "timers": timers,
        "continuous": continuous,
        "verbose": verbose,
        "explain": explain,
        "strict": strict,
        "fib": fib,
        "cache": cache,
        "symbolic": symbolic,
        "debug": debug,
        "sctp": sctp,
    }
    request = Request(
        frozenset(name for name, on in chosen.items() if on),
        tuple(protocol or ()),
        proc,
        output,
        state=state,
        port=port,
        sport=sport,
        dport=dport,
        pid=pid,
        program=program,
        user=user,
        modes=("statistics",) * statistics + ("route",) * route + ("interfaces",) * interfaces
        + ("masquerade",) * masquerade + ("groups",) * groups,
        extend_level=extend,
        netns=netns,
        family_order=tuple(ctx.meta.get(_FAMILIES, ())),
    )
    if isinstance(ctx.obj, dict) and ctx.obj.get(_BUILD):  # build_request: the Request, not the listing
        ctx.obj["request"] = request
        return
    raise typer.Exit(execute(request))


_BUILD = "netread.build-only"


def build_request(args: list[str]) -> Request | int:
    """The :class:`Request` the listing flags ``args`` make, as ``netread ARGS`` builds it, for the
    commands that take the listing's flags (diff); or the status of a usage error, said on stderr."""
    holder: dict[str, object] = {_BUILD: True}
    try:
        status = typer.main.get_command(app).main(args=args, prog_name="netread", standalone_mode=False, obj=holder)
    except _usage_errors() as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        sys.stderr.write(f"netread: {escape_text(message)}\n")
        return ExitStatus.USAGE
    request = holder.get("request")
    if isinstance(request, Request):
        return request
    return status if isinstance(status, int) and status else ExitStatus.USAGE


def _usage_errors() -> tuple[type[Exception], ...]:
    """What a command's ``main(standalone_mode=False)`` raises for a usage error: typer 0.29 and
    later carry their own click (typer._click), whose exceptions derive from typer.TyperException
    and not from the ``click`` package's (which need not even be installed); older typer uses click's."""
    base = getattr(typer, "TyperException", None)
    if isinstance(base, type) and issubclass(base, Exception):
        return (base,)
    import click

    return (click.ClickException,)


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True}, add_help_option=False)
def diff(ctx: typer.Context) -> None:
    """What changed between two snapshots (or a snapshot and - for now): netread diff A B [listing flags]."""
    from netread.cli.diff import main as diff_main

    raise typer.Exit(diff_main(ctx.args))


@app.command()
def capture(
    directory: Annotated[Path | None, typer.Argument(metavar="DIR", help="Where to write the snapshot.")] = None,
    tar: Annotated[Path | None, typer.Option("--tar", metavar="FILE", help="Write a tarball instead (.tar.gz compresses).")] = None,
    tar_dir: Annotated[
        Path | None, typer.Option("--tar-dir", metavar="DIR", help="Write a tarball into DIR named <host>-<YYYYmmddTHHMMSSZ>.tar.gz, and print its path.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier capture in DIR, or FILE (or the --tar-dir file of the same host and second).")] = False,
    full_cmdline: Annotated[
        bool, typer.Option("--full-cmdline", help="Save each owner's whole command line (arguments may hold secrets); by default only argv[0], all a listing shows.")
    ] = False,
) -> None:
    """Save this machine's socket tables, their owners and a manifest; read them later with --proc."""
    from netread.proc.capture import collect
    from netread.proc.capture import write_dir
    from netread.proc.capture import write_tar
    from netread.proc.capture import write_tar_into

    if [directory, tar, tar_dir].count(None) != 2:
        sys.stderr.write("netread capture: give a directory, --tar FILE or --tar-dir DIR\n")
        raise typer.Exit(2)

    def save() -> int:
        snapshot = collect(full_cmdline=full_cmdline, netns=True)
        where: Path
        if tar_dir is not None:
            where = write_tar_into(snapshot, tar_dir, force=force)
        elif tar is not None:
            where = tar
            write_tar(snapshot, tar, force=force)
        else:
            assert directory is not None
            where = directory
            write_dir(snapshot, directory, force=force)
        for problem in snapshot.problems:
            sys.stderr.write(f"netread capture: could not read {escape_text(str(problem))}\n")
        if tar_dir is not None:
            out = stdout()  # for a script: the name it cannot know
            out.write(escape_text(str(where)).encode() + b"\n")
            out.flush()
        sys.stderr.write(f"netread capture: {snapshot.sockets} sockets, {snapshot.processes} owning processes saved in {escape_text(str(where))}\n")
        return ExitStatus.OK

    raise typer.Exit(guarded(save, "netread capture"))


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the completion script for SHELL: options, subcommands and their values."""
    from netread.cli.completion import SHELLS
    from netread.cli.completion import command_tree
    from netread.cli.completion import script

    if shell not in SHELLS:
        sys.stderr.write(f"netread completion: the shell must be one of {', '.join(SHELLS)}, not {shown_value(shell)}\n")
        raise typer.Exit(ExitStatus.USAGE)

    def say() -> int:
        out = stdout()
        out.write(script(shell, command_tree(typer.main.get_command(app))).encode())
        out.flush()
        return ExitStatus.OK

    raise typer.Exit(guarded(say, "netread completion"))


@app.command(context_settings={"help_option_names": ["-h", "--help"], "ignore_unknown_options": True, "allow_extra_args": True})
def watch(
    ctx: typer.Context,
    interval: Annotated[float, typer.Option("--interval", metavar="SECONDS", help="Seconds between reads (default 1).")] = 1.0,
    record: Annotated[Path | None, typer.Option("--record", metavar="DIR", help="Save a snapshot in DIR/<n>-<UTC time>/ for each cycle with changes.")] = None,
    record_every: Annotated[bool, typer.Option("--record-every", help="With --record: save every cycle, changed or not.")] = False,
) -> None:
    """Show the sockets live, every --interval seconds: new rows highlighted, closed ones marked,
    each socket's age; keys q quit, p pause, / filter, s sort.  Without a terminal: one line per change.

    Takes the listing's flags (-t -u -U -w -x -4 -6 -A, -l -a, -n, -W, -e, -p, -o, the filters,
    --netns) and --proc DIR, a directory laid out as /proc read again each cycle.
    """
    from netread.cli.diff import listing_request
    from netread.cli.watch import watch as run_watch

    if record_every and record is None:
        sys.stderr.write("netread watch: --record-every goes with --record DIR\n")
        raise typer.Exit(ExitStatus.USAGE)

    def run() -> int:
        request = listing_request(list(ctx.args), "watch")
        return request if isinstance(request, int) else run_watch(request, interval, record, record_every)

    raise typer.Exit(guarded(run, "netread watch"))


def _explain_line(line: str, table: str | None, byte_order: str | None, proc: str | None) -> int:
    """--explain-line: the field-by-field decoding of one line; status 1 when part of it did not decode."""
    from netread.errors import UsageError
    from netread.explain.line import explain_line
    from netread.proc.source import ProcSource
    from netread.render.explain_line import render_explanation

    clk_tck = os.sysconf("SC_CLK_TCK")
    order: str = sys.byteorder
    if proc is not None:  # a snapshot's manifest knows the writer's byte order and tick rate
        from netread.cli.report import say_source

        source = ProcSource.snapshot(proc)
        say_source(source)
        order, clk_tck = source.byteorder, source.clk_tck
    if byte_order is not None:
        if byte_order not in ("little", "big"):
            raise UsageError(f"--byte-order must be little or big, not {shown_value(byte_order)}")
        order = byte_order
    explanation = explain_line(line.rstrip("\n"), table=table, byteorder="big" if order == "big" else "little", clk_tck=clk_tck)
    out = stdout()
    out.write(render_explanation(explanation).encode("utf-8", "surrogateescape"))
    out.flush()
    return ExitStatus.ERROR if explanation.problems else ExitStatus.OK
