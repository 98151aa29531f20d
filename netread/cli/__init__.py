"""The command line: the only layer that knows about argv, exit statuses and stderr.

``netread -tuwxanp``: :func:`run` hands argv to the quick parser
(cli/quick.py), which builds a :class:`~netread.cli.request.Request`; any
other command line is first read as netstat reads it (cli/argv.py: netstat's
``-h``, ``-V`` and usage errors end there, texts in cli/usage.py), then its
canonical spelling goes to the quick parser again or to the typer
application (cli/app.py), which builds the same Request.  :func:`netread.cli.listing.execute` turns it into
:class:`~netread.select.Options`, opens the :class:`~netread.proc.source.ProcSource`,
and either streams the plain numeric listing (the one special case) or runs
``read_sockets -> select -> render``; cli/report.py writes the warnings.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Console-script entry point; Ctrl-C anywhere ends it as it ends netstat (cli/status.die_of_sigint)."""
    from netread.cli.status import die_of_sigint
    from netread.cli.status import tolerant_stderr

    tolerant_stderr()  # 2>/dev/full, 2>&-: warnings dropped, the listing and its status as ever
    try:
        _run(sys.argv[1:])
    except KeyboardInterrupt:
        die_of_sigint()


def _run(argv: list[str]) -> None:
    from netread.cli.quick import quick_parse
    from netread.cli.status import quiet_broken_pipe

    if argv[:1] == ["diff"]:  # its own arguments (two sides), then the listing's flags
        from netread.cli.diff import main as diff_main

        sys.exit(diff_main(argv[1:]))
    request = quick_parse(argv)
    if request is None and argv[:1] not in (["capture"], ["completion"], ["watch"]):  # subcommands: typer's
        argv = _as_netstat_reads(argv)  # exits for -h, -V and the usage errors
        request = quick_parse(argv)
    if request is not None:
        from netread.cli.listing import execute

        status = execute(request)
        try:
            if sys.stdout is not None:
                sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        sys.exit(status)
    from netread.cli.modes import interface_selection
    from netread.cli.modes import without_strays

    sys.argv[1:] = without_strays(sys.argv[1:])  # netstat -i ignores its other arguments
    complaint = interface_selection(sys.argv[1:])
    if complaint is not None:  # netstat's usage error, before typer's own (status 2) would be said
        from netread.escape import escape_text

        sys.stderr.write(f"netread: {escape_text(complaint)}\nnetread: -i lists every interface; there is no selection of one (as in netstat 2.10)\n")
        sys.exit(3)
    import typer

    from netread.cli.app import app

    try:
        status = app(args=argv, standalone_mode=False)  # click's errors are written here, escaped
        if sys.stdout is not None:
            sys.stdout.flush()  # --help: a full stdout is said here, not at the interpreter's exit
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        show = getattr(exc, "show", None)
        if show is not None:
            show(file=_TerminalSafe(sys.stderr))
        else:
            _TerminalSafe(sys.stderr).write(f"Error: {exc.format_message()}\n")
        status = exc.exit_code
    except typer.Abort as exc:  # end of input at a prompt: there is none, but end as click would
        if isinstance(exc.__cause__, KeyboardInterrupt):  # click turned a Ctrl-C into Abort
            raise exc.__cause__ from None
        sys.stderr.write("Aborted!\n")
        status = 1
    except BrokenPipeError:
        quiet_broken_pipe()
        status = 0
    except OSError as exc:  # the listings and capture are guarded: what is left is stdout (--help)
        status = _cannot_write(exc)
    sys.exit(status if isinstance(status, int) else 0)


def _as_netstat_reads(argv: list[str]) -> list[str]:
    """``argv`` read as netstat reads it (cli/argv.py): its canonical spelling, or the end of the
    run for netstat's ``-h``, ``-V``, usage errors (status 3) and refused families (status 1)."""
    import os

    from netread.cli import usage
    from netread.cli.argv import read_argv
    from netread.cli.status import ExitStatus
    from netread.escape import escape_text

    reading = read_argv(argv, posixly_correct="POSIXLY_CORRECT" in os.environ)
    for note in reading.notes:
        sys.stderr.write(note + "\n")
    if reading.action == "run":
        return list(reading.argv)
    if reading.action == "typer-help":
        return ["--help"]
    if reading.action == "help":  # netstat's usage(E_USAGE): stdout, then the families on stderr
        status = _say(usage.USAGE)
        sys.stderr.write(usage.ROUTING_FAMILIES)
        sys.exit(status)
    if reading.action == "version":
        sys.exit(_say(usage.VERSION))
    if reading.message is not None:
        sys.stderr.write(escape_text(reading.message) + "\n")  # it quotes what was typed
    if reading.action == "usage":  # netstat's usage(E_OPTERR)
        sys.stderr.write(usage.USAGE + usage.ROUTING_FAMILIES)
        sys.exit(ExitStatus.OPTERR)
    sys.exit(reading.status)


def _say(text: str) -> int:
    """``text`` on stdout, flushed: 0, or the status of a stdout that cannot take it."""
    from netread.cli.status import quiet_broken_pipe

    try:
        if sys.stdout is None:
            raise OSError(9, "it is closed")
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()
    except OSError as exc:
        return _cannot_write(exc)
    return 0


def _cannot_write(exc: OSError) -> int:
    """stdout failed: one line on stderr, status 1."""
    from netread.cli.status import quiet_broken_pipe
    from netread.escape import escape_text

    if sys.stdout is not None:
        quiet_broken_pipe()  # what is still buffered cannot fail again at exit
    where = "standard output" if exc.filename is None else escape_text(str(exc.filename))
    sys.stderr.write(f"netread: cannot write to {where}: {exc.strerror or exc}\n")
    return 1


class _TerminalSafe:
    """A text stream that writes what click says with every control and format character escaped
    but the newlines: an option name or value typed with an escape sequence is shown, not obeyed."""

    def __init__(self, err: object) -> None:
        self._err = err

    def write(self, text: str) -> int:
        from netread.escape import escape_text

        self._err.write("\n".join(escape_text(line) for line in text.split("\n")))  # type: ignore[attr-defined]
        return len(text)

    def flush(self) -> None:
        self._err.flush()  # type: ignore[attr-defined]
