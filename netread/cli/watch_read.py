"""The reads of a live ``netread watch`` that cost what changed, not what is there.

Every cycle the tcp, udp and udplite sockets are dumped over netlink (netread/proc/diag.py: half
the kernel's cost of /proc's text, one walk of the tcp hash for both families) and the other
tables (raw, unix, and any the kernel will not dump) are read from /proc and reduced to
:func:`~netread.parse.stable.stable_text`.  A dump equal to the last one, byte for byte, is the
same sockets; otherwise its records are compared one by one on what stays the same while a socket
does (netread/parse/diag.py ``index``), and only the new ones are decoded, selected (netstat's
-a/-l rule, the filters) and formatted.  A /proc table that moved is read again through
``read_sockets`` alone.  The rows are the ones /proc lists (tests/test_watch_read.py holds each
netlink row's text equal to its /proc line's, and netstat's, on live sockets).

Used when the watch reads the live system without -o (the timers move on every read), -p or an
owner filter (a process can take a socket without its record changing); else, and wherever
netlink is refused, cli/watch.py's Watcher reads /proc as a listing does.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from operator import itemgetter
from typing import cast

from netread.diff import Key
from netread.diff import Seen
from netread.diff import key_of
from netread.model import Table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    from netread.model import InetSocket
    from netread.model import Message
    from netread.proc.diag import DiagSocket
    from netread.proc.source import ProcSource
    from netread.render.netstat import NetstatFormatter
    from netread.resolve import Resolver
    from netread.select import Family
    from netread.select import Filters
    from netread.select import Options

#: The dumps: a name, the request, and the table of each family's records.
_TCP = {2: Table.TCP, 10: Table.TCP6}
_DUMPS: tuple[tuple[str, int, int, dict[int, Table]], ...] = (
    ("tcp", 0, 0, _TCP),
    ("udp", socket.AF_INET, socket.IPPROTO_UDP, {2: Table.UDP}),
    ("udp6", socket.AF_INET6, socket.IPPROTO_UDP, {10: Table.UDP6}),
    ("udplite", socket.AF_INET, socket.IPPROTO_UDPLITE, {2: Table.UDPLITE}),
    ("udplite6", socket.AF_INET6, socket.IPPROTO_UDPLITE, {10: Table.UDPLITE6}),
)

#: One socket's place in a table: its key, what it is, its netstat row.
Row = tuple[Key, Seen, str]
#: Where a lookup found nothing.
_MISSING: tuple[Key, Seen, str] = (Key(None, "", "", "", 0, 0), Seen(None, None, None), "")  # type: ignore[arg-type]


class LiveTables:
    """The tables of one watch, each kept as its rows (in the kernel's order) between reads."""

    def __init__(self, source: ProcSource, opts: Options, filters: Filters, names: Resolver | None, user_name: Callable[[int], str | None] | None) -> None:
        from netread import select
        from netread.proc.diag import DiagSocket

        self.source, self.opts, self.filters, self.names = source, opts, filters, names
        self.plan = select.plan(opts)
        self.keep = select.keep_inet(opts)
        self.users: dict[int, str | None] = {}
        #: Names the uids (-e shows them; a --user filter by name matches them).
        self.user_name = user_name
        self.diag: DiagSocket | None = DiagSocket()
        wanted = {t for family in self.plan for t in family.tables}
        #: The dumps read over netlink, with the raw reply of the last read.
        self.dumps: list[tuple[tuple[str, int, int, dict[int, Table]], bytes | None]] = []
        covered: set[Table] = set()
        for dump in _DUMPS:
            if not any(t in wanted for t in dump[3].values()):
                continue
            try:
                self._dump(dump)
            except OSError:
                continue  # not in this kernel (udplite), or refused: /proc's table instead
            self.dumps.append((dump, None))
            covered |= set(dump[3].values())
        #: The tables read from /proc (with their stable text at the last read).
        self.proc_tables = [t for family in self.plan for t in family.tables if t not in covered]
        self.stable: dict[Table, object] = {}
        #: Each table's rows in the kernel's order: a netlink table's by its record (the
        #: ``inet_diag_msg``, timers and all; None for a record netstat's -a/-l rule or the
        #: filters leave out), a /proc table's by key.
        self.rows: dict[Table, dict[object, Row | None]] = {t: {} for family in self.plan for t in family.tables}
        #: The keys of the netlink tables' rows (a new row's key is numbered past those taken).
        self.taken: set[Key] = set()
        self.messages: list[Message] = []
        #: The rows the last read touched, as they were and as they are (by key, each in its
        #: listing's order, the one before the read and the one after, as diff_keyed takes them).
        self.before: dict[Key, Seen] = {}
        self.after: dict[Key, Seen] = {}
        #: Where each row of ``after`` is in the listing: its table's place in the plan, its own in the table.
        self._at: dict[Key, tuple[int, int]] = {}
        self._rank = {t: i for i, t in enumerate(t for family in self.plan for t in family.tables)}
        #: Where each row that went was in the listing before the read (the board shows it there).
        self.places: dict[Key, int] = {}
        self._offsets: dict[Table, int] = {}
        self._dropped: dict[Table, int] = {}
        self._kept = select.keeper(filters, None, self.users) if filters.active else None
        self._fmt: NetstatFormatter | None = None

    def close(self) -> None:
        if self.diag is not None:
            self.diag.close()
            self.diag = None

    def _dump(self, dump: tuple[str, int, int, dict[int, Table]]) -> bytes:
        if self.diag is None:
            raise OSError("closed")
        name, family, protocol, _ = dump
        return self.diag.tcp() if name == "tcp" else self.diag.inet(family, protocol)

    def formatter(self) -> NetstatFormatter:
        from netread.render.netstat import NetstatFormatter

        if self._fmt is None:
            self._fmt = NetstatFormatter(self.opts, clk_tck=self.source.clk_tck, user_name=self.users.get, names=self.names)
        return self._fmt

    def read(self) -> dict[Key, str]:
        """Read every table: the rows that may have changed, appeared or gone since the last read,
        by key, with their text now (or when last seen, for a row that went); empty: none did.
        The rows of every other key are the same objects as after the last read.  ``before`` and
        ``after`` hold those rows as they were and as they are (what a diff compares)."""
        touched: dict[Key, str] = {}
        self.before, self.after, self.places, self._at = {}, {}, {}, {}
        self._offsets, self._dropped, at = {}, {}, 0
        for family in self.plan:
            for table in family.tables:
                rows = self.rows[table]
                self._offsets[table] = at
                self._dropped[table] = dropped = list(rows.values()).count(None)
                at += len(rows) - dropped
        for i, (dump, last) in enumerate(self.dumps):
            data = self._dump(dump)
            if data != last:
                self.dumps[i] = (dump, data)
                self._records(data, dump[3], touched)
        for table in self.proc_tables:
            self._proc_table(table, touched)
        if len(self.after) > 1:
            where = self._at
            self.after = dict(sorted(self.after.items(), key=lambda item: where[item[0]]))
        if len(self.before) > 1:
            places = self.places
            self.before = dict(sorted(self.before.items(), key=lambda item: places.get(item[0], 0)))
        return touched

    def items(self) -> Listing:
        """The rows of every table by key, in the listing's order, as they are after this read."""
        return Listing([self.rows[table] for family in self.plan for table in family.tables], self.after)

    def _records(self, data: bytes, tables: dict[int, Table], touched: dict[Key, str]) -> None:
        """Take a dump that is not the last one's bytes: a record seen last time keeps its row, one
        whose socket is the same but for its timers too; only the others are decoded."""
        from netread.parse.diag import decode
        from netread.parse.diag import index
        from netread.parse.diag import is_request
        from netread.parse.diag import stable

        found = index(data)
        fresh: list[tuple[Table, bytes, int]] = []
        for family, table in tables.items():
            if table not in self.rows:
                continue  # the other family of the tcp dump, not listed (-4, -6)
            now = found.get(family, {})
            old = self.rows[table]
            added = now.keys() - old.keys()
            gone = cast("set[bytes]", old.keys() - now.keys())  # a netlink table's rows are by record
            if not added and not gone:
                continue
            was = {stable(raw): (raw, old[raw]) for raw in gone}
            merged = dict(old)
            for raw in added:
                _, row = was.pop(stable(raw), (None, _MISSING))
                if row is _MISSING:
                    fresh.append((table, raw, now[raw]))
                merged[raw] = row
            closed: dict[object, Row] = {raw: row for raw, row in was.values() if row is not None}
            for row in closed.values():
                touched[row[0]] = row[2]
                self.before[row[0]] = row[1]
                self.taken.discard(row[0])
            if closed:
                self._place(old, closed, self._offsets[table], self._dropped[table])
            self.rows[table] = dict(zip(now, map(merged.__getitem__, now)))
        if not fresh:
            return
        socks = [(table, raw, at, decode(data, at, table)) for table, raw, at in fresh]
        if any(is_request(raw) for _, raw, _, _ in socks):
            socks = self._requests(found, socks)
        self._complete([sock for _, _, _, sock in socks])
        fmt, keep, kept, taken, rank = self.formatter(), self.keep, self._kept, self.taken, self._rank
        for table, raw, at, sock in socks:
            rows = self.rows[table]
            if (keep is not None and not keep(sock)) or (kept is not None and not kept(sock)):
                rows[raw] = None  # not decoded again while its record stays the same
                continue
            item = Seen(sock, None, None)
            key = key_of(item)
            while key in taken:
                key = key._replace(nth=key.nth + 1)
            taken.add(key)
            text = touched[key] = fmt.inet_row(sock)
            self.after[key] = item
            self._at[key] = (rank[table], at)
            rows[raw] = (key, item, text)

    @staticmethod
    def _requests(found: dict[int, dict[bytes, int]], socks: list[tuple[Table, bytes, int, InetSocket]]) -> list[tuple[Table, bytes, int, InetSocket]]:
        """The request sockets among ``socks`` with their listener's uid, as /proc prints them
        (their records say 0).  The tcp dump gives the listeners first (the listening hash is
        walked before the established one): those are read, and every record only where a
        request's listener is not among them."""
        from itertools import takewhile

        from netread.parse.diag import LISTEN
        from netread.parse.diag import is_request
        from netread.parse.diag import listener_uid
        from netread.parse.diag import listeners

        listening = listeners(raw for records in found.values() for raw in takewhile(lambda raw: raw[1] == LISTEN, records))
        every = False
        out = []
        for table, raw, at, sock in socks:
            if is_request(raw):
                uid = listener_uid(raw, listening)
                if uid is None and not every:
                    listening, every = listeners(raw for records in found.values() for raw in records), True
                    uid = listener_uid(raw, listening)
                if uid:
                    sock = sock._replace(uid=uid)
            out.append((table, raw, at, sock))
        return out

    def _place(self, old: dict[object, Row | None], closed: Mapping[object, Row], offset: int, dropped: int) -> None:
        """Where each of the ``closed`` rows was in the listing (``old`` its table's rows then,
        ``dropped`` of them None: left out of the listing)."""
        places = self.places
        if not dropped:  # each row's place is its place in the table's dict: found in C
            where = dict(zip(old, range(offset, offset + len(old))))
            places.update((row[0], where[raw]) for raw, row in closed.items())
            return
        left, i = len(closed), offset
        for raw, row in old.items():
            if row is None:
                continue
            if raw in closed:
                places[row[0]] = i
                left -= 1
                if not left:
                    return
            i += 1

    def _complete(self, socks: list[InetSocket]) -> None:
        """Names looked up for the new rows' addresses (as a listing does, at once), their users named."""
        if not socks:
            return
        if self.names is not None and not self.opts.numeric_hosts:
            self.names.prefetch([a for s in socks for a in (s.local.address, s.remote.address)], timeout=self.names.deadline)
        if self.user_name is not None:
            for uid in {s.uid for s in socks if s.uid is not None} - self.users.keys():
                self.users[uid] = self.user_name(uid)

    def _proc_table(self, table: Table, touched: dict[Key, str]) -> None:
        """A /proc table whose stable text moved is read again whole (through ``read_sockets``)."""
        from netread import select
        from netread.diff import seen
        from netread.model import UnixSocket
        from netread.parse.stable import stable_text
        from netread.render.netstat import NetstatFormatter
        from netread.sockets import read_sockets

        try:
            now: object = stable_text(self.source.read_bytes(f"net/{table}"), table is Table.UNIX)
        except OSError:
            now = None
        if table in self.stable and self.stable[table] == now:
            return
        self.stable[table] = now
        family: Family = next(f for f in self.plan if table in f.tables)
        sockets = read_sockets(
            self.source,
            [family._replace(tables=(table,), required=False, say_absent=False)],
            names=self.names if not self.opts.numeric_hosts else None,
            users=self.user_name,
            keep_inet=select.keep_inet(self.opts),
            keep_unix=select.keep_unix(self.opts),
        )
        if self.filters.active:
            sockets = select.filtered(sockets, self.filters)
        self.messages.extend(sockets.messages)
        self.users.update(sockets.users)
        fmt = NetstatFormatter(self.opts, clk_tck=self.source.clk_tck, user_name=self.users.get, names=self.names)
        rows: dict[object, Row | None] = {}
        rank = self._rank[table]
        for item in seen(sockets):
            key = key_of(item)
            while key in rows:
                key = key._replace(nth=key.nth + 1)
            sock = item.sock
            rows[key] = (key, item, fmt.unix_row(sock) if isinstance(sock, UnixSocket) else fmt.inet_row(sock))
        old = self.rows[table]
        for was in old.values():
            if was is not None:
                touched[was[0]], self.before[was[0]] = was[2], was[1]
        self._place(old, {k: v for k, v in old.items() if v is not None}, self._offsets[table], self._dropped[table])
        for i, row in enumerate(rows.values()):
            if row is not None:
                touched[row[0]], self.after[row[0]] = row[2], row[1]
                self._at[row[0]] = (rank, i)
        self.rows[table] = rows


class Listing(Mapping[Key, Seen]):
    """The rows after one read, by key in the listing's order, without a dict of every row: the
    tables' row dicts of that read (never changed once read: a later read makes new ones) and the
    rows it touched.  Iterating walks the tables; looking up a row the read did not touch builds
    the whole index once (a watch looks up only touched rows)."""

    def __init__(self, tables: list[dict[object, Row | None]], touched: dict[Key, Seen]) -> None:
        self._tables, self._touched = tables, touched
        self._index: dict[Key, Seen] | None = None
        self._len: int | None = None

    def __iter__(self) -> Iterator[Key]:
        first = itemgetter(0)
        for rows in self._tables:
            yield from map(first, filter(None, rows.values()))

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(len(rows) - list(rows.values()).count(None) for rows in self._tables)
        return self._len

    def __getitem__(self, key: Key) -> Seen:
        found = self._touched.get(key)
        if found is not None:
            return found
        if self._index is None:
            second = itemgetter(1)
            self._index = {}
            for rows in self._tables:
                kept = list(filter(None, rows.values()))
                self._index.update(zip(map(itemgetter(0), kept), map(second, kept)))
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        if key in self._touched:
            return True
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True
