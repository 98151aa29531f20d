"""--format json, ndjson and csv: the records of the sockets a listing selects.

JSON is written with every non-ASCII character escaped, so no control byte
(or anything else a terminal could obey) is written raw; CSV escapes control
characters in text fields as the netstat format does.  Records hold no
undecodable bytes (netread/render/records.py), so both are valid UTF-8.
"""

from __future__ import annotations

import csv
import io
import json

from netread.escape import escape_text
from netread.render.records import CSV_KEYS
from netread.render.records import FLEET_KEYS
from netread.render.records import flat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Sequence

    from netread.render.records import Record

FORMATS = ("netstat", "json", "ndjson", "csv")


def json_chunks(
    version: str, pieces: Iterable[Sequence[Record]], source: dict[str, object], findings: Callable[[], Sequence[Record]] | None = None
) -> Iterator[bytes]:
    """One JSON document, ``{"netread", "source", "sockets"}`` (and ``"findings"`` with --explain),
    written as it goes, a piece of records at a time: the bytes of ``json.dumps(document, indent=2)``
    and a newline, with nothing held but one piece; ``findings()`` (called once the pieces are done) at the end."""
    head = json.dumps({"netread": version, "source": source}, indent=2)
    yield head[: -len("\n}")].encode("ascii") + b',\n  "sockets": ['
    first = True
    for piece in pieces:
        if piece:
            text = ",\n".join("    " + _pretty(record, 2) for record in piece)
            yield (b"\n" if first else b",\n") + text.encode("ascii")
            first = False
    end = b"]" if first else b"\n  ]"
    if findings is not None:
        end += b',\n  "findings": ' + _pretty(list(findings()), 1).encode("ascii")
    yield end + b"\n}\n"


def _pretty(value: object, level: int) -> str:
    """``json.dumps(value, indent=2)`` at nesting ``level``, by the C encoder for every scalar:
    the pure-Python encoder that ``indent`` selects is 4x slower and leaves cyclic garbage."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = "\n" + "  " * (level + 1)
        return "{" + inner + ("," + inner).join(_dumps(str(k)) + ": " + _pretty(v, level + 1) for k, v in value.items()) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = "\n" + "  " * (level + 1)
        return "[" + inner + ("," + inner).join(_pretty(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return _dumps(value)


_dumps = json.dumps


def ndjson_lines(records: Iterable[Record]) -> bytes:
    return b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records)


def csv_header(keys: Sequence[str] | None = None) -> bytes:
    return csv_rows((), header=True, keys=keys)


def csv_rows(records: Iterable[Record], header: bool = False, keys: Sequence[str] | None = None) -> bytes:
    """CSV lines of ``records`` (the header line first with ``header``), of the columns ``keys``
    (:data:`CSV_KEYS` by default)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=keys or CSV_KEYS, extrasaction="raise", lineterminator="\n")
    if header:
        writer.writeheader()
    for record in records:
        row = flat(record)
        writer.writerow({k: escape_text(v) if isinstance(v, str) else ("" if v is None else v) for k, v in row.items()})
    return text.getvalue().encode("utf-8")


def json_counters(version: str, counters: Sequence[Record], source: dict[str, object]) -> bytes:
    """-s as one JSON document: ``{"netread", "source", "counters"}``, a counter per record."""
    return json.dumps({"netread": version, "source": source, "counters": list(counters)}, indent=2).encode("ascii") + b"\n"


#: The columns of -s --format csv.
COUNTER_KEYS = (*FLEET_KEYS, "section", "name", "value")


def counter_csv(counters: Iterable[Record]) -> bytes:
    """-s as CSV: ``host,taken_at,netns,section,name,value``, control characters in names escaped."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COUNTER_KEYS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for record in counters:
        writer.writerow({k: escape_text(v) if isinstance(v, str) else ("" if v is None else v) for k, v in record.items()})
    return text.getvalue().encode("utf-8")
