"""Sockets as plain records (dicts of JSON types) for --format json/ndjson/csv.

Every decoded fact is kept, with the kernel's meaning rather than netstat's
presentation: addresses in full (``inet_ntop`` text, so ``::ffff:127.0.0.1``
stays as it is), ports as integers, the kernel's state name (``CLOSE`` for an
unconnected UDP socket), queues apart, every process holding the socket
(``pids``; ``pid``/``program`` are the first, the one netstat shows), and
``None`` (JSON ``null``) for what is not known.  Text is always valid UTF-8: a
byte that was not (a surrogate of ``surrogateescape``) is written ``\\xNN``, in
every format.  Every record starts with the fleet fields (:func:`fleet_fields`):
the host, when the tables were read and the network namespace, so that the
outputs of many hosts concatenate into one table.  schema/netread.schema.json
documents the keys.
"""

from __future__ import annotations

import itertools

from netread.escape import undecodable_escaped
from netread.model import InetSocket
from netread.model import Owner
from netread.model import SctpSocket
from netread.model import Table
from netread.model import UnixSocket
from netread.model import address_text
from netread.model import state_name
from netread.model import timer_word
from netread.model import unix_type_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Iterator
    from collections.abc import Mapping
    from collections.abc import Sequence
    from typing import Any

    from netread.explain.findings import Finding
    from netread.model import Owners

    Record = dict[str, Any]


def _text(value: str | None) -> str | None:
    return None if value is None else undecodable_escaped(value)


#: The keys of the fleet fields, first in every record and every CSV header (:func:`fleet_fields`).
FLEET_KEYS = ("host", "taken_at", "netns")
#: The fleet fields of a record whose source is not known (a caller of the library's own).
NO_FLEET: Mapping[str, object] = {"host": None, "taken_at": None, "netns": None}


def fleet_fields(host: str | None, taken_at: str | None, netns: int | None) -> dict[str, object]:
    """The first keys of every record (``proc.source.ProcSource.fleet``): ``host``, its bytes that
    are not UTF-8 written ``\\xNN``; ``taken_at`` (ISO 8601 UTC); ``netns``, the namespace inode."""
    return {"host": _text(host), "taken_at": taken_at, "netns": netns}


def _owner_keys(owners: Sequence[Owner] | None) -> tuple[int | None, str | None, list[int] | None]:
    if owners is None:
        return None, None, None
    if not owners:
        return None, None, []
    return owners[0].pid, _text(owners[0].program), [o.pid for o in owners]  # a JSON array


def inet_record(
    sock: InetSocket, owners: Sequence[Owner] | None, users: Mapping[int, str | None], clk_tck: int, fleet: Mapping[str, object] = NO_FLEET
) -> Record:
    """The record of one inet socket; ``owners`` None when no scan ran (no -p)."""
    table = Table(sock.table)
    hz = clk_tck if table.tcp else 100  # udp_do_one and raw_do_one divide by HZ=100
    pid, program, pids = _owner_keys(owners)
    return {
        **fleet,
        "proto": table.value,
        "family": "inet" if sock.local.address.version == 4 else "inet6",
        "local_address": address_text(sock.local.address),
        "local_port": sock.local.port,
        "remote_address": address_text(sock.remote.address),
        "remote_port": sock.remote.port,
        "state": sock.state_name,
        "st": sock.st,
        "recv_q": sock.rx_queue,
        "send_q": sock.tx_queue,
        "uid": sock.uid,
        "user": _text(users.get(sock.uid)) if sock.uid is not None else None,
        "inode": sock.inode,
        "timer": {
            "name": timer_word(table, sock.timer),
            "code": sock.timer,
            "seconds": round(sock.when / hz, 2),
            "retransmits": sock.retrnsmt,
            "probes": sock.timeout,
        },
        "drops": sock.drops,
        "pid": pid,
        "program": program,
        "pids": pids,
    }


def unix_record(sock: UnixSocket, owners: Sequence[Owner] | None, fleet: Mapping[str, object] = NO_FLEET) -> Record:
    """The record of one unix socket; ``owners`` None when no scan ran (no -p)."""
    pid, program, pids = _owner_keys(owners)
    return {
        **fleet,
        "proto": "unix",
        "family": "unix",
        "refcnt": sock.refcount,
        "flags": sock.flag_names,
        "type": unix_type_name(sock.type),
        "state": sock.state_name,
        "st": sock.st,
        "inode": sock.inode,
        "path": _text(sock.path),
        "suspect": sock.suspect,
        "pid": pid,
        "program": program,
        "pids": pids,
    }


def flat(record: Record) -> dict[str, object]:
    """A record for CSV: ``timer`` split into ``timer_name``..., lists joined with ``|``."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[f"{key}_{sub}"] = "|".join(str(v) for v in inner) if isinstance(inner, list) else inner
        elif isinstance(value, list):
            out[key] = "|".join(str(v) for v in value)
        else:
            out[key] = value
    return out


CSV_KEYS = (
    *FLEET_KEYS, "proto", "family", "local_address", "local_port", "remote_address", "remote_port", "state", "st",
    "recv_q", "send_q", "uid", "user", "inode", "timer_name", "timer_code", "timer_seconds",
    "timer_retransmits", "timer_probes", "drops", "refcnt", "flags", "type", "path", "pid", "program", "pids", "suspect",
)  # fmt: skip


#: Rows turned into records (dicts, ~2 KB each) at a time by :func:`record_batches`.
RECORD_BATCH = 1024


def record_batches(
    inet: Iterable[Sequence[InetSocket]],
    unix: Callable[[], Iterable[UnixSocket] | None],
    owners: Owners | None,
    users: Mapping[int, str | None],
    clk_tck: int,
    fleet: Mapping[str, object] = NO_FLEET,
) -> Iterator[list[Record]]:
    """The records of the pieces of ``inet``, then of ``unix()`` (called once the inet rows are
    done), :data:`RECORD_BATCH` at a time: a streamed output holds one batch.  ``fleet``
    (:func:`fleet_fields`) is worked out once, by the caller, and starts every record."""

    def holders(inode: int | None) -> Sequence[Owner] | None:
        return owners.of(inode) if owners is not None else None

    for piece in inet:
        for i in range(0, len(piece), RECORD_BATCH):
            yield [inet_record(s, holders(s.inode), users, clk_tck, fleet) for s in piece[i : i + RECORD_BATCH]]
    rows = iter(unix() or ())
    while True:
        batch = [unix_record(s, holders(s.inode), fleet) for s in itertools.islice(rows, RECORD_BATCH)]
        if not batch:
            return
        yield batch


def finding_record(finding: Finding, fleet: Mapping[str, object] = NO_FLEET) -> Record:
    """A --explain finding for JSON: the fleet fields, the rule, its severity, a one-line summary,
    the evidence rows (one object per row, keyed by the evidence header), why it matters and what
    to look at next (and past the groups a finding tracks, how many rows it counted together)."""
    record: Record = {
        **fleet,
        "rule": finding.rule,
        "severity": finding.severity,
        "summary": _text(finding.title),
        "evidence": [{key: _text(value) for key, value in zip(finding.header, row)} for row in finding.rows],
        "more": finding.more,
        "why": finding.why,
        "next": finding.next,
    }
    if finding.others:
        record["others"] = finding.others
    return record


def sctp_record(sock: SctpSocket, owners: Sequence[Owner] | None, users: Mapping[int, str | None], fleet: Mapping[str, object] = NO_FLEET) -> Record:
    """The record of one SCTP endpoint or association (``#/$defs/sctp``): every address in the
    kernel's order (CSV joins them with ``|``); ``owners`` None when no scan ran."""
    pid, program, pids = _owner_keys(owners)
    return {
        **fleet,
        "proto": sock.label,
        "family": "inet6" if any(a.version == 6 for a in (*sock.local, *sock.remote)) else "inet",
        "type": "association" if sock.association else "endpoint",
        "local_address": [address_text(a) for a in sock.local],
        "local_port": sock.local_port,
        "remote_address": [address_text(a) for a in sock.remote],
        "remote_port": sock.remote_port if sock.association else None,
        "state": state_name(Table.TCP, sock.st),
        "st": sock.st,
        "recv_q": sock.rx_queue,
        "send_q": sock.tx_queue,
        "uid": sock.uid,
        "user": _text(users.get(sock.uid)),
        "inode": sock.inode,
        "pid": pid,
        "program": program,
        "pids": pids,
    }
