"""--format json, ndjson and csv: the records of the sockets a listing selects.

JSON is written with every non-ASCII character escaped, so no control byte
(or anything else a terminal could obey) is written raw; CSV escapes control
characters in text fields as the netstat format does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import BinaryIO

from netread import __version__
from netread.escape import escape_text
from netread.render.records import CSV_KEYS
from netread.render.records import Record
from netread.render.records import flat

FORMATS = ("netstat", "json", "ndjson", "csv")


def write_json(records: Iterable[Record], source: dict[str, object], out: BinaryIO) -> None:
    document = {"netread": __version__, "source": source, "sockets": list(records)}
    out.write(json.dumps(document, indent=2).encode("ascii") + b"\n")


def write_ndjson(records: Iterable[Record], out: BinaryIO) -> None:
    out.write(b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records))


def write_csv(records: Iterable[Record], out: BinaryIO) -> None:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_KEYS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = flat(record)
        writer.writerow({k: escape_text(v) if isinstance(v, str) else ("" if v is None else v) for k, v in row.items()})
    out.write(text.getvalue().encode("utf-8", "surrogateescape"))
