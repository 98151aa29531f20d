"""The command line: the only layer that knows about argv, exit statuses and stderr.

``netread -tuwxanp``: :func:`run` hands argv to the quick parser
(cli/quick.py), which builds a :class:`~netread.cli.request.Request`; any
other command line goes to the typer application (cli/app.py), which builds
the same Request.  :func:`netread.cli.listing.execute` turns it into
:class:`~netread.select.Options`, opens the :class:`~netread.proc.source.ProcSource`,
and either streams the plain numeric listing (the one special case) or runs
``read_sockets -> select -> render``; cli/report.py writes the warnings.
"""

from __future__ import annotations

import sys


def run() -> None:
    """Console-script entry point."""
    from netread.cli.quick import quick_parse
    from netread.cli.status import quiet_broken_pipe

    request = quick_parse(sys.argv[1:])
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
        status = app(standalone_mode=False)  # click's errors are written here, escaped
        if sys.stdout is not None:
            sys.stdout.flush()  # --help, -V: a full stdout is said here, not at the interpreter's exit
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        show = getattr(exc, "show", None)
        if show is not None:
            show(file=_TerminalSafe(sys.stderr))
        else:
            _TerminalSafe(sys.stderr).write(f"Error: {exc.format_message()}\n")
        status = exc.exit_code
    except typer.Abort:  # end of input at a prompt: there is none, but end as click would
        sys.stderr.write("Aborted!\n")
        status = 1
    except BrokenPipeError:
        quiet_broken_pipe()
        status = 0
    except OSError as exc:  # the listings and capture are guarded: what is left is stdout (--help, -V)
        from netread.escape import escape_text

        if sys.stdout is not None:
            quiet_broken_pipe()  # what is still buffered cannot fail again at exit
        where = "standard output" if exc.filename is None else escape_text(str(exc.filename))
        sys.stderr.write(f"netread: cannot write to {where}: {exc.strerror or exc}\n")
        status = 1
    sys.exit(status if isinstance(status, int) else 0)


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
