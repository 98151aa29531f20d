"""Text for ``--explain-line``: a :class:`~netread.explain.line.LineExplanation` as a terminal table.

Every piece of text from the line goes through :func:`netread.escape.escape_text`,
so no control byte reaches the terminal.  tabulate and textwrap are imported only
when text is made, so importing this module stays cheap.
"""

from __future__ import annotations

import re

from netread.escape import escape_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.explain.line import LineExplanation

__all__ = ["render_explanation"]

#: Where a value may break: after ", ", before " | " and before " → " (always).
_VALUE_BREAK = re.compile(r"(?<=,) | (?=\| )| (?=→ )")
_HEX = re.compile(r"[0-9A-Fa-f]+")


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False) or [""])


def _wrap_value(text: str, width: int) -> str:
    """Wrap a value at its own separators, so an address decoding reads one step a line."""
    lines: list[str] = []
    for piece in _VALUE_BREAK.split(text):
        if (
            lines
            and not piece.startswith("→")
            and not lines[-1].endswith(",")
            and (len(lines[-1]) + 1 + len(piece) <= width)
        ):
            lines[-1] += " " + piece
        else:
            lines.extend(_wrap(piece, width).split("\n"))
    return "\n".join(lines)


def _chunk(text: str, width: int) -> str:
    """Cut ``text`` into lines of ``width`` characters, keeping every character (no re-flowing)."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _raw_cell(text: str) -> str:
    if len(text) == 32 and _HEX.fullmatch(text):
        return _chunk(text, 8)  # an IPv6 address: one 32-bit word a line
    return _chunk(text, 24)


def _bullet(text: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, 78, initial_indent="  - ", subsequent_indent="    ") or ["  -"])


def render_explanation(explanation: LineExplanation) -> str:
    """The explanation as text for a terminal: header, notes, a table of fields, problems.

    Every piece of text is passed through :func:`netread.escape.escape_text`, so
    no control byte from the line reaches the terminal.  Ends with ``"\\n"``.
    """
    from tabulate import tabulate

    e = explanation
    lines: list[str] = []
    name = escape_text(e.table)
    if name == "unknown":
        head = "Line from an unknown /proc/net table"
    else:
        head = f"Line from /proc/net/{name}"
    if e.guessed and name != "unknown":
        head += " (table guessed from the line)"
    lines.append(head)
    for note in e.notes:
        lines.append(_bullet(escape_text(note)))
    if e.fields:
        rows = [
            (
                escape_text(f.name),
                _raw_cell(escape_text(f.raw)),
                _wrap_value(escape_text(f.value), 44),
                _wrap(escape_text(f.meaning), 60),
            )
            for f in e.fields
        ]
        lines.append("")
        lines.append(
            tabulate(
                rows, headers=("field", "raw", "value", "meaning"), tablefmt="simple", disable_numparse=True
            )
        )
    if e.problems:
        lines.append("")
        lines.append("Problems:")
        lines.extend(_bullet(escape_text(p)) for p in e.problems)
    return "\n".join(lines) + "\n"
