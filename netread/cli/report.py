"""What went wrong while listing, written to stderr: one line per problem, a count at the end."""

from __future__ import annotations

import os

from netread.cli.status import ExitStatus
from netread.errors import ParseError
from netread.errors import SourceError
from netread.escape import escape_text
from netread.model import Absent
from netread.model import Ambiguous
from netread.model import Ignored
from netread.model import Message
from netread.model import Owners
from netread.model import Unresolved

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

    from netread.proc.source import ProcSource

NOT_ALL_IDENTIFIED = (
    "(Not all processes could be identified, non-owned process info\n"
    " will not be shown, you would have to be root to see it all.)\n"
)


class Report:
    """Writes the messages of a listing to ``err`` and counts them."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.problems = 0
        self.unreadable = 0
        #: Manifest values left out (not the tables' problems: the caller weighs them for --strict).
        self.ignored = 0

    def messages(self, messages: Iterable[Message]) -> None:
        for message in messages:
            if isinstance(message, ParseError):
                self.problems += 1
                self.err.write(f"netread: warning: {message.message()}\n")  # escaped by ParseError.message
            elif isinstance(message, SourceError):
                self.unreadable += 1
                self.err.write(f"netread: {message}\n")  # escaped by NetreadError.__str__ (it names a path under --proc)
            elif isinstance(message, Absent):
                self.err.write(f"netread: no support for `{escape_text(message.family)}' on this system.\n")
            elif isinstance(message, Ambiguous):
                some = ", ".join(f"{n} (inode {i})" for n, i in message.records[:10]) + (", ..." if message.total > 10 else "")
                self.err.write(
                    f"netread: note: {escape_text(message.path)}: {message.total} record(s) (line {some}) may be the end of the name"
                    " before them (the kernel writes names raw): marked ambiguous in --format and --explain\n"
                )
            elif isinstance(message, Ignored):
                self.ignored += 1
                self.err.write(f"netread: warning: {escape_text(message.path)}: {message.field}: {message.reason}; ignored\n")
            elif isinstance(message, Unresolved):
                self.err.write(
                    f"netread: warning: {message.addresses} address lookup(s) got no answer within {message.deadline:g} s;"
                    " shown as numbers (-n skips lookups)\n"
                )

    def owners(self, owners: Owners) -> None:
        """netstat's two warnings when some processes could not be read (prg_cache_load)."""
        if owners.failed or (owners.denied and not owners.holders):
            self.err.write(f'(No info could be read for "-p": geteuid()={os.geteuid()} but you should be root.)\n')
        elif owners.denied:
            self.err.write(NOT_ALL_IDENTIFIED)

    def status(self, strict: bool, stopped: bool) -> ExitStatus:
        """Write the count; the exit status: 1 for a stopped listing or an unreadable table, or
        --strict's 1 when anything was malformed."""
        if self.problems:
            what = "problem" if self.problems == 1 else "problems"
            self.err.write(f"netread: {self.problems} {what} in the tables (each named above); every other row is shown\n")
        failed = stopped or self.unreadable or (strict and self.problems)
        return ExitStatus.ERROR if failed else ExitStatus.OK


def say_source(source: ProcSource, err: TextIO | None = None) -> int:
    """Say what was wrong with ``source``'s manifest (each value ignored) on ``err`` (stderr);
    how many, for --strict."""
    import sys

    report = Report(err if err is not None else sys.stderr)
    report.messages(source.problems)
    return report.ignored
