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
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
        sys.exit(status)
    from netread.cli.app import app

    try:
        app()
    except BrokenPipeError:
        quiet_broken_pipe()
        sys.exit(0)
