"""``-g`` memberships as records for --format json, ndjson and csv.

One record per row netstat would print, in the same order, with the facts
rather than netstat's presentation: the group in full (``inet_ntop`` text),
the interface index, the file and line it came from, and the name found for
the group (``null`` with -n or when there is none).  Text is valid UTF-8
(undecodable bytes written ``\\xNN``); schema/netread.schema.json defines the
``membership`` record.
"""

from __future__ import annotations

import csv
import io
import json

from netread.escape import escape_text
from netread.escape import undecodable_escaped
from netread.model import address_text
from netread.render.records import FLEET_KEYS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from typing import Any

    from netread.model import IPAddress
    from netread.parse.igmp import Membership

    Record = dict[str, Any]

CSV_KEYS = (*FLEET_KEYS, "file", "line", "family", "interface", "ifindex", "users", "group", "name")


def membership_record(m: Membership, names: Mapping[IPAddress, str] | None = None) -> Record:
    """The record of one membership.

    >>> import ipaddress
    >>> from netread.parse.igmp import Membership
    >>> membership_record(Membership("igmp6", 1, "lo", 1, ipaddress.ip_address("ff02::1"), 1))["group"]
    'ff02::1'
    """
    name = None if names is None else names.get(m.group)
    return {
        "file": m.file,
        "line": m.lineno,
        "family": "inet" if m.group.version == 4 else "inet6",
        "interface": undecodable_escaped(m.device.rstrip(" ")),  # the kernel pads igmp's names (%-10s)
        "ifindex": m.ifindex,
        "users": m.users,
        "group": address_text(m.group),
        "name": None if name is None else undecodable_escaped(name),
    }


def json_document(version: str, records: Iterable[Record], source: dict[str, object]) -> bytes:
    """``{"netread", "source", "groups"}``, every non-ASCII character escaped."""
    return json.dumps({"netread": version, "source": source, "groups": list(records)}, indent=2).encode("ascii") + b"\n"


def ndjson_lines(records: Iterable[Record]) -> bytes:
    return b"".join(json.dumps(record).encode("ascii") + b"\n" for record in records)


def csv_text(records: Iterable[Record]) -> bytes:
    """A header line, then a line per membership; control characters escaped as in the text."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_KEYS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: escape_text(v) if isinstance(v, str) else ("" if v is None else v) for k, v in record.items()})
    return text.getvalue().encode("utf-8")
