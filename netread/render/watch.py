"""What ``netread watch`` shows: the board of sockets it has seen, and its frame or its stream lines.

Pure: each cycle's :class:`~netread.diff.Seen` rows and their :class:`~netread.diff.Change` records
(netread/diff.py) go in with the time, the rows' netstat text and the counters; the board keeps
each socket's first-seen time, marks what opened, closed or changed for :data:`KEEP` cycles
(a closed row stays on the board that long), and :func:`frame` lays out one screen of it.  The
terminal itself (raw mode, keys, the alternate screen) is cli/watch.py's.
"""

from __future__ import annotations

from netread.diff import CHANGED
from netread.diff import CLOSED
from netread.diff import OPENED
from netread.diff import state_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping
    from typing import NamedTuple

    from netread.diff import Change
    from netread.diff import Delta
    from netread.diff import Key
    from netread.diff import Seen
else:
    from netread._namedtuple import NamedTuple

#: How many cycles an opened or changed row stays highlighted, and a closed row stays shown.
KEEP = 3
#: The orders ``s`` cycles through, in that order.
SORTS = ("listed", "state", "age", "local", "remote", "program")
#: The counters the header shows the growth of (net/snmp, net/netstat names) and their short names.
HEADER_COUNTERS = (
    ("Tcp:ActiveOpens", "ActiveOpens"),
    ("Tcp:PassiveOpens", "PassiveOpens"),
    ("Tcp:RetransSegs", "RetransSegs"),
    ("TcpExt:ListenOverflows", "ListenOverflows"),
    ("TcpExt:ListenDrops", "ListenDrops"),
    ("Udp:RcvbufErrors", "RcvbufErrors"),
)
#: SGR sequences of each mark: opened green and bold, closed red and struck through, changed yellow.
STYLES = {"+": "\x1b[1;32m", "-": "\x1b[31;9m", "~": "\x1b[33m", " ": ""}
RESET = "\x1b[0m"
INVERSE = "\x1b[7m"


class Entry(NamedTuple):
    """One socket on the board."""

    key: Key
    item: Seen
    #: The row as netstat prints it (escaped).
    text: str
    #: When the watch first saw it (seconds, the clock the caller passes).
    first_seen: float
    #: ``+`` opened, ``~`` changed, ``-`` closed, `` `` nothing lately.
    mark: str = " "
    #: The cycle the mark was made in.
    marked_at: int = 0
    #: For ``~``: what changed, as ``state ESTABLISHED`` pairs of the old values.
    was: str = ""


class Board:
    """Every socket of the latest cycle, with the closed ones of the last :data:`KEEP` cycles."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self.cycle = 0
        self.entries: dict[Key, Entry] = {}
        self._items: Mapping[Key, Seen] | None = None
        #: The keys of the entries with a mark (what a cycle without changes has to look at).
        self._marked: set[Key] = set()
        #: Each key's place in the latest listing (worked out when a sort asks), and the last
        #: place of the closed rows shown.
        self._order: dict[Key, int] | None = None
        self._closed_order: dict[Key, int] = {}
        #: How many open sockets are in each state (kept up to date by each change).
        self._counts: dict[str, int] = {}

    def update(self, items: Mapping[Key, Seen], changes: Iterable[Change], texts: Mapping[Key, str], now: float,
               places: Mapping[Key, int] | None = None) -> None:  # fmt: skip
        """One cycle: ``items`` (the listing by key, in its order), the ``changes`` from the last
        one (:func:`netread.diff.diff_keyed` of the last ``items`` and these), ``texts`` the netstat
        row of every key of ``items``.  The first cycle marks nothing.  Only the changed sockets
        and the marked ones are looked at (at 10k sockets, a cycle costs what changed).  ``places``:
        where each closed row was in the last listing, when the caller knows (else worked out here)."""
        self.cycle += 1
        cycle, first, entries = self.cycle, self.cycle == 1, self.entries
        for key in list(self._marked):  # the marks of KEEP cycles ago expire, closed rows go
            entry = entries[key]
            if cycle - entry.marked_at >= self.keep:
                self._marked.discard(key)
                if entry.mark == "-":
                    del entries[key]
                    self._closed_order.pop(key, None)
                else:
                    entries[key] = entry._replace(mark=" ", was="")
        if items is self._items:
            return  # the same read again (watch's unchanged tables): nothing else moved
        changes = list(changes)
        closing = {c.key for c in changes if c.kind == CLOSED and c.key in entries}
        where = places if places is not None else self._positions(closing) if closing else {}
        for change in changes:
            key = change.key
            prior = entries.get(key)
            if prior is not None and prior.mark != "-":
                self._count(prior.item, -1)
            if change.kind == CLOSED:
                if prior is not None:
                    entries[key] = prior._replace(mark="-", marked_at=cycle, was="")
                    self._closed_order[key] = where.get(key, 0)
                    self._marked.add(key)
                continue
            if change.after is None:
                continue
            self._count(change.after, +1)
            if change.kind == OPENED or prior is None or prior.mark == "-":  # a closed row seen again is a new socket
                entries[key] = Entry(key, change.after, texts[key], now, " " if first else "+", cycle)
                self._closed_order.pop(key, None)
                if not first:
                    self._marked.add(key)
            elif change.kind == CHANGED:
                entries[key] = prior._replace(item=change.after, text=texts[key], mark="~", marked_at=cycle, was=was_text(change))
                self._marked.add(key)
        for key, text in texts.items():  # texts that move without a change (-o's timers)
            found = entries.get(key)
            if found is not None and found.text is not text and key in items:
                entries[key] = found._replace(item=items[key], text=text)
        self._items = items
        self._order = None

    def _positions(self, keys: set[Key]) -> dict[Key, int]:
        """Where each of ``keys`` is in the last listing (one pass, ended when all are found)."""
        if self._order is not None:
            return {k: self._order[k] for k in keys if k in self._order}
        out: dict[Key, int] = {}
        for i, key in enumerate(self._items or ()):
            if key in keys:
                out[key] = i
                if len(out) == len(keys):
                    break
        return out

    def _count(self, item: Seen, step: int) -> None:
        name = state_text(item.sock)
        self._counts[name] = self._counts.get(name, 0) + step
        if not self._counts[name]:
            del self._counts[name]

    def order(self, key: Key) -> float:
        """Where ``key`` is listed (a closed row: where it was, after the row listed there now)."""
        if self._order is None:
            items = self._items or {}
            self._order = dict(zip(items, range(len(items))))
        where = self._order.get(key)
        return self._closed_order.get(key, 0) + 0.5 if where is None else where

    def rows(self, sort: str = "listed", needle: str = "", limit: int | None = None) -> list[Entry]:
        """The board's entries in ``sort`` order (:data:`SORTS`), only those whose text holds
        ``needle``; the first ``limit`` of them (None: all).  The listing's own order costs only
        the rows it gives: the listing is walked in order with the closed rows put back at their
        places (a screen of a table of 10k sockets costs a screen's rows)."""
        if sort == "listed":
            return self._listed(needle, limit)
        chosen = [e for e in self.entries.values() if needle in e.text] if needle else list(self.entries.values())
        order = self.order
        if sort == "state":
            chosen.sort(key=lambda e: (state_text(e.item.sock), order(e.key)))
        elif sort == "age":
            chosen.sort(key=lambda e: (e.first_seen, order(e.key)))
        elif sort == "local":
            chosen.sort(key=lambda e: (e.key.table, e.key.local, e.key.remote, order(e.key)))
        elif sort == "remote":
            chosen.sort(key=lambda e: (e.key.table, e.key.remote, e.key.local, order(e.key)))
        elif sort == "program":
            chosen.sort(key=lambda e: (e.item.program is None, _program_name(e.item.program), order(e.key)))
        return chosen if limit is None else chosen[:limit]

    def _listed(self, needle: str, limit: int | None) -> list[Entry]:
        entries, out = self.entries, []
        closed = sorted((k for k in self._marked if entries[k].mark == "-"), key=lambda k: (self._closed_order.get(k, 0), k))
        at = 0
        full = limit if limit is not None else len(entries)
        for i, key in enumerate(self._items or ()):
            while at < len(closed) and self._closed_order.get(closed[at], 0) < i:
                entry = entries[closed[at]]
                at += 1
                if needle in entry.text:
                    out.append(entry)
            if len(out) >= full:
                break
            listed = entries.get(key)
            if listed is not None and needle in listed.text:
                out.append(listed)
                if len(out) >= full:
                    break
        out.extend(entry for entry in (entries[k] for k in closed[at:]) if needle in entry.text)
        return out[:full]

    def count(self, needle: str = "") -> int:
        """How many entries :meth:`rows` gives with ``needle`` (and no limit)."""
        return sum(needle in e.text for e in self.entries.values()) if needle else len(self.entries)

    def state_counts(self) -> dict[str, int]:
        """How many open sockets (closed ones left out) are in each state, by state name."""
        return dict(self._counts)


def _program_name(program: str | None) -> str:
    return "" if program is None else program.partition("/")[2] or program


def was_text(change: Change) -> str:
    """A changed socket's old values of what changed: ``state ESTABLISHED, recv_q 0``."""
    from netread.diff import facts

    if change.before is None:
        return ""
    old = dict(facts(change.before))
    return ", ".join(f"{name} {old[name] if old[name] is not None else '-'}" for name in change.fields)


def age_text(seconds: float) -> str:
    """A short age: ``12s``, ``5m``, ``3h``, ``2d`` (whole units, rounded down)."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def opens_unseen(deltas: Iterable[Delta], opened_tcp: int) -> int:
    """How many connections the counters say were opened (ActiveOpens + PassiveOpens grew by)
    beyond the ``opened_tcp`` the watch saw open: they came and went between two polls (0: none)."""
    grown = sum(d.after - d.before for d in deltas if d.name in ("Tcp:ActiveOpens", "Tcp:PassiveOpens"))
    return max(0, grown - opened_tcp)


def header_text(counts: Mapping[str, int], deltas: Iterable[Delta], unseen: int) -> str:
    """The header line: counts per state (largest first), the counters that grew, the warning."""
    deltas = list(deltas)
    parts = [" ".join(f"{name} {n}" for name, n in sorted(counts.items(), key=lambda p: (-p[1], p[0])))]
    grown = {d.name: d.after - d.before for d in deltas}
    shown = [f"{short} +{grown[name]}" for name, short in HEADER_COUNTERS if name in grown]
    if shown:
        parts.append(" ".join(shown))
    if unseen:
        parts.append(f"! {unseen} connection{'s' if unseen != 1 else ''} came and went unseen")
    return " | ".join(part for part in parts if part)


def stream_line(change: Change, texts: Mapping[Key, str], when: str) -> str:
    """The no-terminal line of one change: ``+ TIME ROW``, ``- TIME ROW``, ``~ TIME ROW (was ...)``."""
    mark = {OPENED: "+", CLOSED: "-", CHANGED: "~"}[change.kind]
    line = f"{mark} {when} {texts[change.key]}"
    if change.kind == CHANGED:
        line += f" (was {was_text(change)})"
    return line


def frame(
    board: Board,
    *,
    width: int,
    height: int,
    title: str,
    header: str,
    columns: str,
    now: float,
    sort: str = "listed",
    needle: str = "",
    prompt: str | None = None,
    color: bool = True,
) -> str:
    """One screen: the title, the header line, the column heads, then as many rows as fit
    (``height`` lines in all, each cut to ``width``), the last line for the keys or the prompt.
    Every line is written from the home position and cleared to its end."""
    width, height = max(width, 20), max(height, 5)
    room = height - 4
    rows = board.rows(sort, needle, room)
    total = board.count(needle)
    lines = [_inverse(_cut(title, width), width, color), _cut(header, width), _cut("  Age  " + columns, width)]
    for entry in rows:
        text = f"{entry.mark} {age_text(now - entry.first_seen):>4} {entry.text}"
        if entry.mark == "~" and entry.was:
            text += f"  (was {entry.was})"
        text = _cut(text, width)
        style = STYLES[entry.mark] if color else ""
        lines.append(style + text + RESET if style else text)
    lines.extend([""] * (height - 1 - len(lines)))
    if prompt is not None:
        last = _cut("/" + prompt, width)
    else:
        more = f" ({total - room} more below)" if total > room else ""
        shown = f" filter: {needle}" if needle else ""
        last = _cut(f"q quit  p pause  / filter  s sort: {sort}{shown}{more}", width)
    lines.append(_inverse(last, width, color))
    return "\x1b[H" + "".join(line + "\x1b[K\r\n" for line in lines[:-1]) + lines[-1] + "\x1b[K"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width]


def _inverse(text: str, width: int, color: bool) -> str:
    return INVERSE + text.ljust(width) + RESET if color else text
