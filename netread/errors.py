"""The exceptions netread raises: one module, one hierarchy.

Library code only raises these; :func:`netread.cli.listing.guarded` catches
them, in one place, and maps them to an exit status.
"""

from __future__ import annotations


class NetreadError(Exception):
    """Base class of every error netread reports to a user."""

    exit_code: int = 1

    def __str__(self) -> str:
        """The message, terminal-safe: it may name a path or a value from the command line."""
        from netread.escape import escape_text

        return escape_text(super().__str__())


class SourceError(NetreadError):
    """The /proc root, or a file in it, cannot be read at all."""


class UsageError(NetreadError):
    """A command line that cannot mean anything (a bad value, options that do not go together)."""

    exit_code = 2


class CaptureError(NetreadError):
    """A capture cannot be written where it was asked to go."""


class ParseError(ValueError):
    """One line of a /proc table that could not be decoded.

    It names the file, the 1-based line number, the field and the raw text, so a
    user can find the line; decoders yield it in place of a row, and the listing
    goes on with the next line.
    """

    def __init__(self, path: str, lineno: int, field: str, reason: str, raw: str) -> None:
        self.path = path
        self.lineno = lineno
        self.field = field
        self.reason = reason
        self.raw = raw
        super().__init__(self.message())

    def message(self) -> str:
        from netread.escape import escape_text

        return f"{escape_text(self.path)}:{self.lineno}: field {self.field}: {escape_text(_cut(self.reason))}; line: {escape_text(_cut(self.raw.strip()))}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParseError):
            return NotImplemented
        return (self.path, self.lineno, self.field, self.reason, self.raw) == (
            other.path,
            other.lineno,
            other.field,
            other.reason,
            other.raw,
        )

    def __hash__(self) -> int:
        return hash((self.path, self.lineno, self.field))


def _cut(text: str, most: int = 300) -> str:
    """A line of many megabytes is not worth echoing whole."""
    return text if len(text) <= most else text[:most] + f"... ({len(text) - most} more characters)"
