"""``netread watch``: read the sockets every ``--interval`` seconds and show what changed.

Each cycle runs the listing's pipeline (``read_sockets``, netstat's -a/-l rule, the filters), keys
the rows and diffs them against the last cycle's (netread/diff.py).  On a terminal the board
(render/watch.py) is drawn full screen, in the alternate screen with the terminal in cbreak mode,
both undone on every way out (``q``, an error, SIGTERM, SIGHUP, SIGINT); keys: ``q`` quits, ``p``
pauses, ``/`` types a filter (Enter sets it, Esc drops it), ``s`` cycles the sort.  Without a
terminal on stdout it prints each change as one line, flushed, and ends quietly on SIGINT or
SIGTERM.  ``--record DIR`` saves a snapshot (as ``netread capture`` writes one) for each cycle
with changes, every cycle with ``--record-every``.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from netread.cli.report import Report
from netread.cli.status import ExitStatus
from netread.diff import CLOSED
from netread.diff import OPENED
from netread.diff import Change
from netread.diff import Key
from netread.diff import Seen
from netread.diff import counter_deltas
from netread.diff import diff_keyed
from netread.diff import keyed
from netread.errors import UsageError
from netread.proc.source import LIVE_ROOT
from netread.proc.source import ProcSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping
    from pathlib import Path

    from netread.cli.request import Request
    from netread.cli.watch_read import LiveTables
    from netread.diff import Delta
    from netread.model import InetSocket
    from netread.model import Owners
    from netread.model import UnixSocket
    from netread.render.diff import Side
    from netread.render.netstat import NetstatFormatter
    from netread.render.records import Record
    from netread.render.watch import Board
    from netread.resolve import Resolver
    from netread.select import Filters
    from netread.select import Options


class Stop(Exception):
    """SIGTERM or SIGHUP: leave the loop (the terminal restored on the way out)."""


class Cycle:
    """One read of the sockets: the rows by key, the changes since the last read, the netstat text
    of each row (the live tables' reads: of each changed row, as it is now or was when it went)."""

    def __init__(self, items: Mapping[Key, Seen], changes: list[Change], texts: dict[Key, str], counters: dict[str, int], when: float,
                 places: dict[Key, int] | None = None) -> None:  # fmt: skip
        self.items, self.changes, self.texts, self.counters, self.when = items, changes, texts, counters, when
        #: Where each closed row was listed, when the read knows it (else the board works it out).
        self.places = places


class Watcher:
    """The reads of a watch: each :meth:`read` diffs against the one before and keeps the row
    texts of the sockets that did not change (only opened and changed rows are formatted again,
    but with ``-o``, whose timers move on every read)."""

    def __init__(self, source: ProcSource, opts: Options, filters: Filters, names: Resolver | None) -> None:
        self.source, self.opts, self.filters, self.names = source, opts, filters, names
        self.report = Report(sys.stderr)
        self.items: Mapping[Key, Seen] = {}
        self.texts: dict[Key, str] = {}
        self.counters: dict[str, int] = {}
        #: The tables' :func:`~netread.parse.stable.stable_text` at the last read; None: not compared
        #: (-p and the owner filters: a process can take or drop a socket without a line changing;
        #: -o: the timers are shown).
        self.stable: list[object] | None = [] if not (opts.programs or opts.timers or filters.need_owners) else None
        #: The owners, users and clock tick of the last read (what the events' records need).
        self.owners: Owners | None = None
        self.users: Mapping[int, str | None] = {}
        self.clk_tck = source.clk_tck
        self._last_side: Side | None = None
        #: The live tables read over netlink where they can be (cli/watch_read.py), else None.
        self.live: LiveTables | None = None
        if self.stable is not None and source.root == LIVE_ROOT and not source.confined:
            from netread.cli.watch_read import LiveTables
            from netread.resolve import user_name

            try:
                self.live = LiveTables(source, opts, filters, names if not opts.numeric_hosts else None, user_name)
            except OSError:
                self.live = None  # no netlink here: /proc as a listing reads it

    def close(self) -> None:
        if self.live is not None:
            self.live.close()

    def _unchanged(self) -> bool:
        """Whether every table reads as it read last time (so its sockets are the same)."""
        from netread import select
        from netread.model import Table
        from netread.parse.stable import stable_text

        if self.stable is None:
            return False
        now: list[object] = []
        for family in select.plan(self.opts):
            for table in family.tables:
                try:
                    now.append(stable_text(self.source.read_bytes(f"net/{table}"), table is Table.UNIX))
                except OSError:
                    now.append(None)
        same, self.stable = now == self.stable, now
        return same

    def read(self) -> tuple[Cycle, list[Delta]]:
        from netread.render.netstat import NetstatFormatter

        if self.live is not None:
            return self._read_live(self.live)
        if self.items and self._unchanged():
            counters = self._counters()
            deltas = counter_deltas(self.counters, counters)
            self.counters = counters
            return Cycle(self.items, [], self.texts, counters, time.time()), deltas
        if not self.items:
            self._unchanged()
        rows, owners, users, clk_tck = self._rows()
        self.owners, self.users, self.clk_tck = owners, users, clk_tck
        when = time.time()
        items = keyed(rows)
        changes = diff_keyed(self.items, items)
        fmt = NetstatFormatter(self.opts, owners=owners, clk_tck=clk_tck, user_name=users.get, names=self.names)
        old_texts = self.texts
        texts: dict[Key, str] = {}
        fresh = self.opts.timers
        redo = {c.key for c in changes if c.kind != CLOSED}
        for key, item in items.items():
            text = None if fresh or key in redo else old_texts.get(key)
            texts[key] = text if text is not None else seen_text(fmt, item)
        for change in changes:
            if change.kind == CLOSED and change.before is not None:
                texts[change.key] = old_texts.get(change.key) or seen_text(fmt, change.before)
        counters = self._counters()
        deltas = counter_deltas(self.counters, counters) if self.counters else []
        self.items, self.texts, self.counters = items, {k: texts[k] for k in items}, counters
        return Cycle(items, changes, texts, counters, when), deltas

    def _rows(self) -> tuple[list[Seen], Owners | None, Mapping[int, str | None], int]:
        """One read of the tables as a listing reads them: the rows, their owners, users, the clock's tick."""
        from netread import select
        from netread.diff import seen
        from netread.resolve import user_name
        from netread.sockets import read_sockets

        opts, filters = self.opts, self.filters
        sockets = read_sockets(
            self.source,
            select.plan(opts),
            owners=opts.programs or filters.need_owners,
            names=self.names if not opts.numeric_hosts else None,
            users=user_name,
            keep_inet=select.keep_inet(opts),
            keep_unix=select.keep_unix(opts),
        )
        if filters.active:
            sockets = select.filtered(sockets, filters)
        self.report.messages(sockets.messages)
        return seen(sockets), sockets.owners, sockets.users, self.source.clk_tck

    def fleets(self, when: float) -> dict[str | None, Mapping[str, object]]:
        """The fleet fields of the rows of a read made at ``when``, by namespace label."""
        from netread.render.records import fleet_fields

        host, _, netns = self.source.fleet()
        return {None: fleet_fields(host, utc_text(when), netns)}

    def events(self, cycle: Cycle, deltas: list[Delta]) -> list[Record]:
        """``--format ndjson``: the cycle's changes and counter deltas as ``diff``'s events (the
        schema's ``diff_event``), each with the fleet fields of its namespace at the read's time."""
        from netread.render.diff import Side
        from netread.render.diff import change_record
        from netread.render.diff import counter_record

        fleets = self.fleets(cycle.when)
        after = Side("-", [], self.owners, self.users, self.clk_tck, {}, {}, fleets)
        before = self._last_side or after
        self._last_side = after
        out = [change_record(change, before, after) for change in cycle.changes]
        counted = fleets.get(None) or {**next(iter(fleets.values()), {"host": None, "taken_at": utc_text(cycle.when)}), "netns": None}
        out.extend(counter_record(d, counted) for d in deltas)
        return out

    def _read_live(self, live: LiveTables) -> tuple[Cycle, list[Delta]]:
        try:
            touched = live.read()
        except OSError:  # netlink stopped answering: /proc from now on (its first read diffs against this one's)
            live.close()
            self.live = None
            self.items, self.texts = dict(self.items), dict(self.texts)
            return self.read()
        when = time.time()
        if live.messages:
            self.report.messages(live.messages)
            live.messages.clear()
        counters = self._counters()
        deltas = counter_deltas(self.counters, counters) if self.counters else []
        self.counters = counters
        if self.items and not touched:
            return Cycle(self.items, [], {}, counters, when), deltas
        items = live.items()
        self.owners, self.users = None, live.users
        # Only the touched rows can differ (every other row is the same object on both sides).
        changes = diff_keyed(live.before, live.after)
        for change in changes:  # a repeated key renumbered by the diff
            if change.key not in touched:
                seen = change.after or change.before
                if seen is not None:
                    touched[change.key] = row_text(live.formatter(), seen.sock)
        self.items = items
        return Cycle(items, changes, touched, counters, when, live.places), deltas

    def _counters(self) -> dict[str, int]:
        from netread.parse.snmp import parse_counters

        counters = parse_counters(self.source.read_text("net/snmp"), "net/snmp", [])
        counters.update(parse_counters(self.source.read_text("net/netstat"), "net/netstat", []))
        return counters


class NamespacesWatcher(Watcher):
    """``watch --netns``: each read finds the namespaces the value names again (containers come
    and go) and reads every one as ``diff`` reads a side (cli/diff.read_side); each row is shown
    after its namespace's label, the counters are the namespaces' summed."""

    def __init__(self, request: Request, source: ProcSource, opts: Options, filters: Filters, names: Resolver | None) -> None:
        super().__init__(source, opts, filters, names)
        self.request = request
        self.stable = None  # the tables are the namespaces': read every cycle
        if self.live is not None:
            self.live.close()
            self.live = None
        self.said: set[str] = set()
        self._summed: dict[str, int] = {}
        self._fleets: dict[str | None, Mapping[str, object]] = {}

    def _rows(self) -> tuple[list[Seen], Owners | None, Mapping[int, str | None], int]:
        from netread.cli.diff import read_side

        spec = "-" if self.request.proc is None else self.request.proc
        side = read_side(spec, self.request, self.opts, self.filters, self.names, self.report, [], said=self.said)
        summed: dict[str, int] = {}
        for counters in side.counters.values():
            for name, value in counters.items():
                summed[name] = summed.get(name, 0) + value
        self._summed = summed
        self._fleets = dict(side.fleets)
        return side.items, side.owners, side.users, side.clk_tck

    def _counters(self) -> dict[str, int]:
        return self._summed

    def fleets(self, when: float) -> dict[str | None, Mapping[str, object]]:
        """Each namespace's fleet fields, as its section was read (a counter's are the namespaces' summed: netns None)."""
        return self._fleets


#: The width of the namespace label before each row of ``watch --netns`` (``net:[4026531840]``).
NETNS_COLUMN = 18


def seen_text(fmt: NetstatFormatter, item: Seen) -> str:
    """The row of ``item`` as netstat prints it, after its namespace's label when it has one."""
    text = row_text(fmt, item.sock)
    return text if item.netns is None else f"{item.netns:<{NETNS_COLUMN}} {text}"


def row_text(fmt: NetstatFormatter, sock: InetSocket | UnixSocket) -> str:
    from netread.model import UnixSocket

    return fmt.unix_row(sock) if isinstance(sock, UnixSocket) else fmt.inet_row(sock)


def watch(request: Request, interval: float, record: Path | None, record_every: bool) -> int:
    """Run the watch until ``q``, SIGINT, SIGTERM or SIGHUP; its exit status."""
    from netread.cli.listing import _filters

    if not interval > 0 or interval != interval or interval > 86400:
        raise UsageError("--interval must be a number of seconds above 0 (at most 86400)")
    if request.output not in ("netstat", "ndjson"):
        raise UsageError(f"watch writes netstat's rows, or with --format ndjson one event a line, not {request.output}")
    opts = request.options()
    names = None
    if not opts.numeric:
        from netread.resolve import Resolver

        names = Resolver()
    filters = _filters(request, names)
    if request.proc is not None and not os.path.isdir(request.proc):
        raise UsageError("watch --proc reads a directory laid out as /proc (one that changes), not a tarball")
    source = ProcSource.live() if request.proc is None else ProcSource.snapshot(request.proc)
    watcher = Watcher(source, opts, filters, names) if request.netns is None else NamespacesWatcher(request, source, opts, filters, names)
    recorder = Recorder(record, record_every, request.proc, netns=request.netns is not None) if record is not None else None
    previous = _on_signals()
    try:
        if request.output == "ndjson":
            return _stream(watcher, interval, recorder, ndjson=True)
        if sys.stdout is not None and sys.stdout.isatty() and sys.stdin is not None and sys.stdin.isatty():
            return Screen(watcher, opts, interval, recorder, netns=request.netns is not None).run()
        return _stream(watcher, interval, recorder)
    except (Stop, KeyboardInterrupt):
        return ExitStatus.OK
    finally:
        watcher.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _on_signals() -> dict[int, Callable[..., object] | int | None]:
    """SIGTERM and SIGHUP raise :class:`Stop` (so the ``finally`` clauses restore the terminal); the old handlers."""

    def stop(signum: int, frame: object) -> None:
        raise Stop()

    previous: dict[int, Callable[..., object] | int | None] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        previous[sig] = signal.signal(sig, stop)
    return previous


def utc_text(when: float) -> str:
    """``2026-12-02T14:30:05Z``: ISO 8601 UTC to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _stream(watcher: Watcher, interval: float, recorder: Recorder | None, ndjson: bool = False) -> int:
    """No terminal (or ``--format ndjson``): one line per change, flushed; the first read is the
    baseline, said by no line.  ndjson: one event per change and per counter that grew."""
    from netread.cli.status import stdout
    from netread.render.formats import ndjson_lines
    from netread.render.watch import stream_line

    out = stdout()
    first = True
    deadline = time.monotonic()
    while True:
        cycle, deltas = watcher.read()
        if ndjson:
            records = watcher.events(cycle, deltas)
            if records and not first:
                out.write(ndjson_lines(records))
                out.flush()
        elif not first:
            when = utc_text(cycle.when)
            text = "".join(stream_line(c, cycle.texts, when) + "\n" for c in cycle.changes)
            if text:
                out.write(text.encode("utf-8", "surrogateescape"))
                out.flush()
        if recorder is not None:
            recorder.cycle(cycle, first)
        first = False
        deadline += interval
        time.sleep(max(0.0, deadline - time.monotonic()))
        deadline = max(deadline, time.monotonic() - interval)  # a slow read does not make a burst of reads


class Recorder:
    """``--record DIR``: a snapshot per cycle with changes (every cycle with ``--record-every``), in
    ``DIR/<n>-<UTC time>/`` (n counted from 1, six digits so that the names sort)."""

    def __init__(self, directory: Path, every: bool, root: str | None = None, netns: bool = False) -> None:
        from pathlib import Path

        self.directory, self.every, self.count, self.netns = directory, every, 0, netns
        self.root = Path("/proc" if root is None else root)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from netread.errors import CaptureError

            raise CaptureError(f"--record: cannot make {directory}: {exc.strerror or exc}") from None

    def cycle(self, cycle: Cycle, first: bool) -> None:
        if not (self.every or first or cycle.changes):
            return
        from netread.proc.capture import collect
        from netread.proc.capture import write_dir

        self.count += 1
        snapshot = collect(self.root, netns=self.netns)
        name = f"{self.count:06d}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(cycle.when))}"
        partial = self.directory / f".{name}.partial"  # renamed when whole: a reader never sees half a snapshot
        try:
            write_dir(snapshot, partial)
            os.rename(partial, self.directory / name)
        except BaseException:
            import shutil

            shutil.rmtree(partial, ignore_errors=True)
            raise


def opened_tcp(changes: list[Change]) -> int:
    """How many tcp connections (not listeners) the watch saw open in ``changes``."""
    from netread.model import UnixSocket

    n = 0
    for change in changes:
        if change.kind == OPENED and change.after is not None:
            sock = change.after.sock
            n += not isinstance(sock, UnixSocket) and sock.table.startswith("tcp") and change.after.sock.st != 10
    return n


class Screen:
    """The full-screen view: cbreak mode, the alternate screen, a frame per read or key."""

    def __init__(self, watcher: Watcher, opts: Options, interval: float, recorder: Recorder | None, netns: bool = False) -> None:
        from netread.render.watch import Board

        self.watcher, self.opts, self.interval, self.recorder, self.netns = watcher, opts, interval, recorder, netns
        self.board: Board = Board()
        self.sort = "listed"
        self.needle = ""
        self.prompt: str | None = None
        self.paused = False
        self.header = ""

    def run(self) -> int:
        import termios
        import tty

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        out = sys.stdout
        try:
            tty.setcbreak(fd)
            out.write("\x1b[?1049h\x1b[?25l\x1b[2J")
            out.flush()
            return self._loop(fd)
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)
            out.write("\x1b[?25h\x1b[?1049l")
            out.flush()

    def _loop(self, fd: int) -> int:
        import select as io

        next_read = time.monotonic()
        first = True
        while True:
            now = time.monotonic()
            if not self.paused and now >= next_read:
                cycle, deltas = self.watcher.read()
                from netread.render.watch import header_text
                from netread.render.watch import opens_unseen

                self.board.update(cycle.items, cycle.changes, cycle.texts, cycle.when, cycle.places)
                unseen = 0 if first else opens_unseen(deltas, opened_tcp(cycle.changes))
                self.header = header_text(self.board.state_counts(), deltas, unseen)
                if self.recorder is not None:
                    self.recorder.cycle(cycle, first)
                first = False
                next_read = max(next_read + self.interval, time.monotonic())
            self._draw()
            wait = max(0.0, next_read - time.monotonic()) if not self.paused else None
            ready, _, _ = io.select([fd], [], [], wait)
            if ready:
                data = os.read(fd, 64)
                if not data:
                    return ExitStatus.OK  # the terminal is gone
                if self._keys(data.decode("utf-8", "replace")):
                    return ExitStatus.OK

    def _keys(self, text: str) -> bool:
        """Act on typed keys; True to quit."""
        from netread.render.watch import SORTS

        for ch in text:
            if self.prompt is not None:
                if ch in "\r\n":
                    self.needle, self.prompt = self.prompt, None
                elif ch == "\x1b":
                    self.prompt = None
                elif ch in "\x7f\b":
                    self.prompt = self.prompt[:-1]
                elif ch.isprintable():
                    self.prompt += ch
            elif ch == "q":
                return True
            elif ch == "p":
                self.paused = not self.paused
            elif ch == "/":
                self.prompt = ""
            elif ch == "s":
                self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return False

    def _draw(self) -> None:
        from netread.render.netstat import inet_header
        from netread.render.watch import frame

        size = os.get_terminal_size(sys.stdout.fileno())
        title = f"netread watch, every {self.interval:g}s{'  PAUSED' if self.paused else ''}  {utc_text(time.time())}"
        columns = inet_header(self.opts) if self.opts.wants("tcp") or not self.opts.unix else "Proto RefCnt Flags       Type       State         I-Node   Path"
        if self.netns:
            columns = f"{'Namespace':<{NETNS_COLUMN}} {columns}"
        text = frame(
            self.board,
            width=size.columns,
            height=size.lines,
            title=title,
            header=self.header,
            columns=columns,
            now=time.time(),
            sort=self.sort,
            needle=self.needle,
            prompt=self.prompt,
            color="NO_COLOR" not in os.environ,
        )
        sys.stdout.write(text)
        sys.stdout.flush()

