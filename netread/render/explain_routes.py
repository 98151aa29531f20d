"""``netread -r --explain``: a few ``#`` lines under each routing table saying what its columns and
flag letters mean (netread/explain/glossary.py has the words).

As for the socket listing, every line starts with ``#`` (no netstat line does), so
``grep -v '^#'`` gives back exactly what netstat prints.
"""

from __future__ import annotations

import textwrap

from netread.escape import escape_text
from netread.explain.glossary import ROUTE6_FLAGS
from netread.explain.glossary import ROUTE_COLUMNS
from netread.explain.glossary import ROUTE_FLAGS

WIDTH = 100


def _lines(label: str, text: str) -> bytes:
    wrapped = textwrap.wrap(text, WIDTH, initial_indent=label, subsequent_indent=" " * len(label))
    return "".join(f"# {escape_text(line)}\n" for line in wrapped).encode()


def route_legend(header: bytes, letters: str, *, inet6: bool) -> bytes:
    """The legend for a table whose column header is ``header``: one line per column, then the flag
    letters that occur in ``letters`` (the Flags text of its rows)."""
    words = header.decode("latin-1").split()
    out = b""
    shown = set()
    text = header.decode("latin-1")
    for column in ROUTE_COLUMNS:
        if column.header in shown or column.header not in text:
            continue
        if " " not in column.header and column.header not in words:
            continue
        shown.add(column.header)
        out += _lines(f"{column.header}: ", f"{column.meaning} [from /proc: {column.source}]")
    glossary = ROUTE6_FLAGS if inet6 else ROUTE_FLAGS
    seen = [letter for letter in glossary if letter in letters]
    if seen:
        out += _lines("Letters: ", "; ".join(f"{letter} {glossary[letter]}" for letter in seen) + ".")
    return out
