"""The command line: the only layer that knows about argv, exit statuses and stderr."""

from __future__ import annotations


def run() -> None:
    """Console-script entry point."""
    from netread.cli.main import run as main_run

    main_run()
