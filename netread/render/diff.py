"""``netread diff``'s output: netstat's rows marked ``+``/``-``/``~``, the summary, ``--explain``'s
meanings, and the events of ``--format json``/``ndjson``.  Pure: the changes and both sides in,
text or records out.

Text: one line per changed socket, netstat's row for the listing flags after a two-column mark
(``+ `` opened, ``- `` closed, ``~ `` changed: the row as it is now, then what changed in
brackets), the Internet sockets under netstat's header, then the unix ones under theirs; with
namespaces, each namespace's lines under a ``In net:[INODE]`` line.  Then the counts, the
programs holding more sockets in a state (the leak finder), the counters that grew; with
``--explain`` what each likely means.  Nothing at all when nothing changed.
"""

from __future__ import annotations

from netread.diff import CHANGED
from netread.diff import CLOSED
from netread.diff import OPENED
from netread.diff import counts
from netread.diff import facts
from netread.diff import queue_growth
from netread.diff import state_text
from netread.escape import escape_text
from netread.model import InetSocket
from netread.model import UnixSocket

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from collections.abc import Sequence
    from typing import Any
    from typing import NamedTuple

    from netread.diff import Change
    from netread.diff import Delta
    from netread.diff import Growth
    from netread.diff import Seen
    from netread.model import IPAddress
    from netread.model import Owners
    from netread.render.netstat import Names
    from netread.select import Options

    Record = dict[str, Any]
else:
    from netread._namedtuple import NamedTuple

MARKS = {OPENED: "+ ", CLOSED: "- ", CHANGED: "~ "}


class Side(NamedTuple):
    """One side of a diff as read: what the renderers need beside the sockets."""

    #: The side as given on the command line (``-``: the live system).
    label: str
    items: list[Seen]
    owners: Owners | None
    users: Mapping[int, str | None]
    clk_tck: int
    #: ``net/snmp`` and ``net/netstat`` counters by namespace (None: the source's own).
    counters: Mapping[str | None, Mapping[str, int]]
    #: The JSON document's ``source`` for this side.
    about: Mapping[str, object]
    #: Each namespace's fleet fields (host, taken_at, netns: ``render.records.fleet_fields``).
    fleets: Mapping[str | None, Mapping[str, object]] = {}


def _value(name: str, value: object) -> str:
    if value is None:
        return "-"
    return escape_text(str(value))


def what_changed(change: Change) -> str:
    """``state ESTABLISHED -> CLOSE_WAIT, recv_q 0 -> 35``: each changed fact, before and after."""
    assert change.before is not None and change.after is not None
    a, b = dict(facts(change.before)), dict(facts(change.after))
    return ", ".join(f"{name} {_value(name, a[name])} -> {_value(name, b[name])}" for name in change.fields)


def _formatter(side: Side, opts: Options, names: Names | None) -> Any:
    from netread.render.netstat import NetstatFormatter

    return NetstatFormatter(opts, owners=side.owners, clk_tck=side.clk_tck, user_name=side.users.get, names=names)


def _groups(changes: Sequence[Change]) -> list[tuple[str | None, list[Change]]]:
    """The changes by namespace, the namespaces in the order they first appear."""
    out: dict[str | None, list[Change]] = {}
    for change in changes:
        out.setdefault(change.key.netns, []).append(change)
    return list(out.items())


def diff_text(changes: Sequence[Change], before: Side, after: Side, opts: Options, names: Names | None = None, *, explain: bool = False) -> str:
    """The text of ``netread diff``: empty when nothing changed."""
    from netread.diff import program_growth
    from netread.render.netstat import inet_header
    from netread.render.netstat import unix_header

    growth = program_growth(before.items, after.items)
    deltas = _deltas(before, after)
    if not changes and not growth and not deltas:
        return ""
    fmt_before, fmt_after = _formatter(before, opts, names), _formatter(after, opts, names)
    lines = [f"Changes from {escape_text(before.label)} to {escape_text(after.label)}"]
    for netns, group in _groups(changes):
        if netns is not None:
            lines.append(f"In {escape_text(netns)}:")
        for kind, header in (("inet", inet_header(opts)), ("unix", unix_header(opts))):
            rows = [c for c in group if isinstance(_item(c).sock, InetSocket) == (kind == "inet")]
            if not rows:
                continue
            lines.append("  " + header.rstrip())
            for change in rows:
                item = _item(change)
                fmt = fmt_after if change.after is not None else fmt_before
                sock = item.sock
                row = fmt.inet_row(sock) if isinstance(sock, InetSocket) else fmt.unix_row(sock)
                if change.kind == CHANGED:  # after netstat's padded columns: the change
                    row = f"{row} [{what_changed(change)}]"
                lines.append(MARKS[change.kind] + row.rstrip())
    n = counts(changes)
    lines.append(f"{n[OPENED]} opened, {n[CLOSED]} closed, {n[CHANGED]} changed")
    if growth:
        lines.append("Programs holding more sockets in a state:")
        lines += [f"  {escape_text(g.program)}: {g.state} {g.before} -> {g.after} (+{g.after - g.before})" for g in growth]
    if deltas:
        lines.append("Counters that grew:")
        for netns, delta in deltas:
            where = f" in {escape_text(netns)}" if netns is not None else ""
            lines.append(f"  {delta.name}{where}: {delta.before} -> {delta.after} (+{delta.after - delta.before})")
    if explain:
        meanings = explanations(changes, growth, [d for _, d in deltas], after)
        if meanings:
            lines.append("What it likely means:")
            lines += [f"  - {m}" for m in meanings]
    return "\n".join(lines) + "\n"


def diff_findings(changes: Sequence[Change], before: Side, after: Side) -> list[str]:
    """--explain's meanings of ``changes`` between the two sides (what the text prints under
    "What it likely means", and ``--format json`` as ``explanations``)."""
    from netread.diff import program_growth

    return explanations(changes, program_growth(before.items, after.items), [d for _, d in _deltas(before, after)], after)


def _deltas(before: Side, after: Side) -> list[tuple[str | None, Delta]]:
    """The counters that grew, namespace by namespace (the namespaces both sides have)."""
    from netread.diff import counter_deltas

    return [(netns, d) for netns, new in after.counters.items() if netns in before.counters for d in counter_deltas(before.counters[netns], new)]


def _item(change: Change) -> Seen:
    """The socket a change is about: as it is now, or as it was when it closed."""
    item = change.after if change.after is not None else change.before
    assert item is not None
    return item


def _tcp(sock: InetSocket | UnixSocket) -> bool:
    return isinstance(sock, InetSocket) and sock.table.tcp


def _endpoint(sock: InetSocket | UnixSocket) -> str:
    if isinstance(sock, UnixSocket):
        return escape_text(sock.path or "an unnamed unix socket")
    return escape_text(_host_port(sock.local.address, sock.local.port))


def _host_port(address: IPAddress, port: int | None = None) -> str:
    """An address as records print it (``::ffff:127.0.0.1`` stays mapped), an IPv6 one in brackets
    when a port follows (RFC 3986), so that ``[::1]:8081`` does not read as the address ``::1:8081``.

    >>> import ipaddress
    >>> _host_port(ipaddress.ip_address("::ffff:7f00:1"), 9090), _host_port(ipaddress.ip_address("10.0.0.1"), 80)
    ('[::ffff:127.0.0.1]:9090', '10.0.0.1:80')
    """
    from netread.model import address_text

    text = address_text(address)
    if port is None:
        return text
    return f"[{text}]:{port}" if address.version == 6 else f"{text}:{port}"


def _owner(item: Seen) -> str:
    return f" ({escape_text(item.program)})" if item.program else ""


def explanations(changes: Sequence[Change], growth: Sequence[Growth], deltas: Sequence[Delta], after: Side) -> list[str]:
    """What the changes likely mean, one sentence each, the most telling first: listeners gone
    and new, programs leaking CLOSE_WAIT, queues filling, connections that came and went unseen,
    counters tied to the sockets they concern."""
    out: list[str] = []
    for change in changes:
        item = _item(change)
        sock = item.sock
        listening = state_text(sock) in ("LISTEN", "LISTENING")
        if change.kind == CLOSED and listening:
            out.append(f"the listener {_endpoint(sock)}{_owner(item)} is gone: its service stopped, or moved to another address or port")
        elif change.kind == OPENED and listening:
            out.append(f"a new listener {_endpoint(sock)}{_owner(item)}: a service started, or was restarted")
    for g in growth:
        if g.state == "CLOSE_WAIT":
            out.append(
                f"{escape_text(g.program)} holds {_count(g.after - g.before, 'more socket')} in CLOSE_WAIT ({g.after} now):"
                f" {'its peer' if g.after - g.before == 1 else 'their peers'} closed and the program has not closed its end;"
                " if this keeps growing it is a socket leak"
            )
        elif g.state in ("ESTABLISHED", "CONNECTED") and g.after - g.before >= 10:
            out.append(f"{escape_text(g.program)} holds {g.after - g.before} more {g.state} sockets: more clients, or connections not reused")
    moved = [c for c in changes if c.kind == CHANGED and "state" in c.fields]
    to_close_wait = [c for c in moved if c.after is not None and state_text(c.after.sock) == "CLOSE_WAIT"]
    if to_close_wait:
        one = len(to_close_wait) == 1
        out.append(
            f"{_count(len(to_close_wait), 'connection')} went to CLOSE_WAIT: the peer closed {'it' if one else 'them'};"
            f" the program holding {'it' if one else 'each'} must close() its end"
        )
    for change in changes:
        grew = queue_growth(change)
        if grew is None or change.after is None:
            continue
        which, old, new = grew
        sock = change.after.sock
        if state_text(sock) == "LISTEN" and which == "recv_q":
            out.append(
                f"the accept queue of {_endpoint(sock)}{_owner(change.after)} grew from {old} to {new}: the program accepts connections"
                " more slowly than they arrive (at its backlog, new ones are dropped: ListenOverflows)"
            )
        elif which == "recv_q":
            out.append(f"{_endpoint(sock)}{_owner(change.after)}: {new} bytes wait to be read (were {old}): the program is not reading")
        else:
            out.append(f"{_endpoint(sock)}{_owner(change.after)}: {new} bytes wait to be acknowledged (were {old}): the peer or the path is slow")
    opened_wait = len([c for c in changes if c.kind == OPENED and state_text(_item(c).sock) == "TIME_WAIT"])
    closed_wait = len([c for c in changes if c.kind == CLOSED and state_text(_item(c).sock) == "TIME_WAIT"])
    if opened_wait + closed_wait >= 10:
        out.append(f"TIME_WAIT churn: {opened_wait} came and {closed_wait} went: many short connections; each closing side keeps its end for 60 s")
    by_name = {d.name: d for d in deltas}
    opens = sum(by_name[n].after - by_name[n].before for n in ("Tcp:ActiveOpens", "Tcp:PassiveOpens") if n in by_name)
    seen_opened = len([c for c in changes if c.kind == OPENED and _tcp(_item(c).sock)])
    if opens > seen_opened:
        out.append(f"{opens} TCP connections were opened between the two readings but only {seen_opened} new ones are listed: the rest came and went in between")
    listeners = [i for i in after.items if state_text(i.sock) == "LISTEN"]
    for name in ("TcpExt:ListenOverflows", "TcpExt:ListenDrops"):
        if name in by_name:
            d = by_name[name]
            full = [i for i in listeners if isinstance(i.sock, InetSocket) and i.sock.rx_queue > 0]
            which = ", ".join(f"{_endpoint(i.sock)}{_owner(i)} (queue {i.sock.rx_queue})" for i in full[:5]) or "none now"  # type: ignore[union-attr]
            out.append(f"{name} +{d.after - d.before}: connections dropped at full accept queues; listeners with a waiting queue: {which}")
    if "Tcp:RetransSegs" in by_name:
        d = by_name["Tcp:RetransSegs"]
        retrying = [i for i in after.items if isinstance(i.sock, InetSocket) and i.sock.table.tcp and i.sock.timer == 1 and (i.sock.retrnsmt or 0) > 0]
        which = ", ".join(f"{_endpoint(i.sock)} -> {escape_text(_host_port(i.sock.remote.address))}" for i in retrying[:5]) or "none now"  # type: ignore[union-attr]
        out.append(f"Tcp:RetransSegs +{d.after - d.before}: segments sent again (loss, or a slow peer); connections retransmitting now: {which}")
    for name in ("Udp:RcvbufErrors", "Udp:InErrors"):
        if name in by_name:
            d = by_name[name]
            full = [i for i in after.items if isinstance(i.sock, InetSocket) and i.sock.table.proto in ("udp", "udplite") and i.sock.rx_queue > 0]
            which = ", ".join(f"{_endpoint(i.sock)}{_owner(i)} (queue {i.sock.rx_queue}, drops {i.sock.drops})" for i in full[:5]) or "none now"  # type: ignore[union-attr]
            out.append(f"{name} +{d.after - d.before}: UDP datagrams dropped, receive buffers full; UDP sockets with data waiting: {which}")
    return out


def event_records(changes: Sequence[Change], before: Side, after: Side) -> list[Record]:
    """One record per change (the schema's ``diff_event``), then one per program growth and counter delta."""
    from netread.diff import program_growth

    out = [change_record(change, before, after) for change in changes]
    for g in program_growth(before.items, after.items):
        fleet = {**_fleet(after, None), "netns": None}  # a program's count is over every namespace
        out.append({"event": "grew", **fleet, "program": _plain(g.program), "state": g.state, "before": g.before, "after": g.after})
    out.extend(counter_record(d, _fleet(after, netns)) for netns, d in _deltas(before, after))
    return out


def change_record(change: Change, before: Side, after: Side) -> Record:
    """The event of one opened, closed or changed socket (the schema's ``diff_event``): the fleet
    fields of the side it is about (``after``'s; ``before``'s for a closed one), both records."""
    side = after if change.after is not None else before
    record: Record = {
        "event": change.kind,
        **_fleet(side, change.key.netns),
        "proto": change.key.table,
        "inode": change.key.inode or None,
        "before": None if change.before is None else _record(change.before, before),
        "after": None if change.after is None else _record(change.after, after),
        "changed": None,
    }
    if change.kind == CHANGED:
        assert change.before is not None and change.after is not None
        a, b = dict(facts(change.before)), dict(facts(change.after))
        record["changed"] = {name: [_plain(a[name]), _plain(b[name])] for name in change.fields}
    return record


def counter_record(d: Delta, fleet: Mapping[str, object]) -> Record:
    """The event of a counter that grew, with the fleet fields of its namespace."""
    return {"event": "counter", **fleet, "name": d.name, "concerns": d.concerns, "before": d.before, "after": d.after, "delta": d.after - d.before}


def _count(n: int, noun: str) -> str:
    """``1 connection``, ``5 connections``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _fleet(side: Side, netns: str | None) -> Mapping[str, object]:
    """The fleet fields (host, taken_at, netns inode) of ``side``'s section ``netns``."""
    from netread.render.records import NO_FLEET

    return side.fleets.get(netns, NO_FLEET)


def _plain(value: object) -> object:
    from netread.escape import undecodable_escaped

    return undecodable_escaped(value) if isinstance(value, str) else value


def _record(item: Seen, side: Side) -> Record:
    from netread.render.records import inet_record
    from netread.render.records import unix_record

    sock = item.sock
    owners = None if side.owners is None else side.owners.of(sock.inode)
    fleet = _fleet(side, item.netns)
    if isinstance(sock, UnixSocket):
        return unix_record(sock, owners, fleet)
    return inet_record(sock, owners, side.users, side.clk_tck, fleet)


def diff_document(version: str, records: Sequence[Record], before: Side, after: Side, changes: Sequence[Change], findings: Sequence[str] | None) -> bytes:
    """``--format json``: one document, the two sources, the events, the counts (and with
    ``--explain`` the meanings)."""
    import json

    document: dict[str, object] = {
        "netread": version,
        "before": {"label": _plain(before.label), **before.about},
        "after": {"label": _plain(after.label), **after.about},
        "summary": counts(changes),
        "events": list(records),
    }
    if findings is not None:
        document["explanations"] = list(findings)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8", "surrogateescape")
