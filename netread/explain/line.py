"""Explain one raw line of a /proc/net socket table, field by field.

This is ``netread --explain-line LINE``: a teaching aid for people learning the
format.  It knows the lines the kernel prints: the four
variants of an inet row (a full TCP socket, a TIME_WAIT row, a request socket,
a datagram socket) and the unix record, all described once, with the kernel
functions that print them, in :mod:`netread.parse.inet_format`.  This module
tells the table (line_guess.py) and hands the fields to line_inet.py or
line_unix.py; the prose they use is in glossary.py.

:func:`explain_line` never raises on bad input: whatever cannot be decoded is
named in :attr:`LineExplanation.problems` and the rest is still explained.
:func:`netread.render.explain_line.render_explanation` turns the result into
terminal-safe text.

>>> e = explain_line("0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 7 1 0 100 0 0 10 0",
...                  byteorder="little")
>>> (e.table, e.guessed, e.field("local_address").value)
('tcp', True, 'word 0x0100007F, little-endian bytes 7F 00 00 01 → 127.0.0.1')
>>> (e.field("local_port").value, e.field("st").value, e.problems)
('22', 'LISTEN', ())
"""

from __future__ import annotations

from netread.explain.line_base import NOT_DECODED
from netread.explain.line_base import Collector
from netread.explain.line_base import FieldExplanation
from netread.explain.line_base import LineExplanation
from netread.explain.line_guess import guess
from netread.explain.line_guess import is_header
from netread.explain.line_guess import row_format
from netread.explain.line_inet import explain_inet
from netread.explain.line_unix import explain_unix
from netread.parse.inet_format import TABLES
from netread.parse.numbers import C_SPACE
from netread.parse.numbers import c_split

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.explain.line_base import ByteOrder

__all__ = ["NOT_DECODED", "TABLES", "FieldExplanation", "LineExplanation", "explain_line"]


def explain_line(
    line: str,
    *,
    table: str | None = None,
    byteorder: ByteOrder = "little",
    clk_tck: int = 100,
) -> LineExplanation:
    """Explain one line of a /proc/net socket table, field by field.

    ``table`` names the file the line came from; when None it is inferred from
    the line (and ``guessed`` is True).  ``byteorder`` is that of the machine
    that wrote the line (pure: the command line passes this host's, or the snapshot's), ``clk_tck`` its USER_HZ (``getconf CLK_TCK``).  Never
    raises on bad input: what cannot be decoded is listed in ``problems``.
    """
    out = Collector()
    if byteorder not in ("little", "big"):
        out.problems.append(
            f"byteorder: {byteorder!r} is neither 'little' nor 'big'; little is used"
        )
        byteorder = "little"
    if not isinstance(clk_tck, int) or clk_tck <= 0:
        out.problems.append(f"clk_tck: {clk_tck!r} is not a positive number of ticks per second; 100 is used")
        clk_tck = 100
    text = line.removesuffix("\n")
    tokens = c_split(text)  # C isspace only, as netstat's sscanf and the kernel's own separators
    guessed_as = guess(tokens, byteorder)
    if table is not None and table not in TABLES:
        out.problems.append(
            f"table: {table!r} is not one of {', '.join(TABLES)}; the table is guessed instead"
        )
        table = None
    guessed = table is None
    if table is None:
        if guessed_as is None:
            if not tokens:
                out.problems.append("line: empty; there is nothing to explain")
            elif is_header(tokens):
                out.problems.append(
                    "line: this is the header line of a /proc/net table (it names the columns), not a socket"
                    " row; pass one of the lines below it"
                )
            else:
                out.problems.append(
                    "line: not a socket row: it starts with neither 'N:' (the sl of an inet row) followed by"
                    " HEXADDRESS:HEXPORT, nor a hex kernel pointer and ':' (a unix record)"
                )
                odd = _odd_space(text)
                if odd is not None:
                    out.problems.append(odd)
            return out.result("unknown", True)
        table = guessed_as.table
        out.notes.extend(guessed_as.notes)
    elif not tokens:
        out.problems.append("line: empty; there is nothing to explain")
        return out.result(table, False)
    elif (
        guessed_as is not None
        and row_format(guessed_as.table) != row_format(table)
        and (guessed_as.sure or "unix" in (table, guessed_as.table))
    ):
        out.problems.append(
            f"table: the line does not look like a {table} row but like a {guessed_as.table} row"
            f" ({guessed_as.notes[-1]}); explained as {table} anyway"
        )
    elif guessed_as is None:
        out.problems.append(f"table: the line does not look like a {table} row")
    # a unix record's name (after the seventh field) is raw bytes: any white space is its own
    odd = _odd_space(" ".join(tokens[:7]) if table == "unix" else text)
    if odd is not None:
        out.problems.append(odd)
    if table == "unix":
        explain_unix(text, out)
    else:
        explain_inet(tokens, table, byteorder, clk_tck, out)
    return out.result(table, guessed)


def _odd_space(text: str) -> str | None:
    """The problem with white space in ``text`` that is not C ``isspace`` (Python's str.split() would
    split there; the kernel never writes it and netstat's sscanf does not skip it), or None."""
    odd = [ch for ch in dict.fromkeys(text) if ch.isspace() and ch not in C_SPACE]
    if not odd:
        return None
    return (
        "line: holds white space the kernel never writes and netstat does not take as a separator ("
        + ", ".join(f"U+{ord(ch):04X}" for ch in odd[:5]) + "): it is part of the field it is in"
    )
