"""``--netns all|NAME|PATH|PID``: a listing of each network namespace, one section each.

Each section is a banner line (render/namespaces.py) and then exactly what
``nsenter -t REP -n netstat FLAGS`` prints for that namespace: the same
:func:`netread.cli.listing.list_once` runs on the namespace's
:class:`~netread.proc.source.ProcSource`.  The owners (``-p``) are scanned
once, over every process, and joined by inode in every section: a socket's
holder may live in another namespace than the socket.
"""

from __future__ import annotations

import os
import sys

from netread.cli.report import Report
from netread.cli.status import ExitStatus
from netread.errors import SourceError
from netread.proc.source import LIVE_ROOT
from netread.proc.workers import cpus

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    from netread.cli.listing import Writer
    from netread.proc.namespaces import Namespace
    from netread.proc.source import ProcSource
    from netread.resolve import Resolver
    from netread.select import Filters
    from netread.select import Options


def list_namespaces(
    which: str,
    source: ProcSource,
    opts: Options,
    out: Writer,
    *,
    names: Resolver | None = None,
    output: str = "netstat",
    filters: Filters | None = None,
    color: bool = False,
    header: bool = True,
) -> int:
    """List the namespaces ``which`` names ("all", or one) of ``source``; the worst status of the sections."""
    from netread.cli.listing import list_once
    from netread.proc import namespaces
    from netread.render.namespaces import section_banner

    if source.root != LIVE_ROOT:
        found = namespaces.in_snapshot(source)
    else:
        found = namespaces.discover(source.root)
    chosen = namespaces.choose(found.namespaces, which, source)
    if (opts.programs or (filters is not None and filters.need_owners)) and source.owners is None:
        source = source._replace(owners=source.scan_owners()())
    if output != "netstat":
        orphans = _orphan_namespaces(source, chosen) if _with_orphans(which, source) else []
        try:
            return _records(chosen + [ns for ns, _ in orphans], source, opts, out, names, output, filters, header, found.denied)
        finally:
            for _, nsfd in orphans:
                os.close(nsfd)

    def section(number: int, ns: Namespace, to: Writer) -> int:
        labels = _labels(source, ns)
        to.write(section_banner(ns.label, ns.names, labels, ns.via, ns.pid, ns.tid, ns.path).encode("utf-8", "surrogateescape"))
        read = _section_source(source, ns, opts, labels)
        if isinstance(read, int):
            return read
        try:
            return list_once(read, opts, to, sys.stderr, names=names, output=output, filters=filters, color=color, header=header and number == 0)
        finally:
            read.close()

    status: int = ExitStatus.OK
    helper = _Helper.start(chosen, section) if names is None and len(chosen) >= HELPED and cpus() > 1 else None
    try:
        for number, ns in enumerate(chosen):
            if helper is not None and number % 2:
                done = helper.copy(out)  # the section the helper made meanwhile
                if done is not None:
                    status = max(status, done)
                    continue
                helper = None  # it died: this section and the rest are made here
            status = max(status, section(number, ns, out))
    finally:
        if helper is not None:
            helper.close()
    if _with_orphans(which, source):
        for ns, nsfd in _orphan_namespaces(source, chosen):
            try:
                status = max(status, section(len(chosen), ns, out))
            finally:
                os.close(nsfd)
    _say_denied(found.denied)
    return status


def _orphan_namespaces(source: ProcSource, chosen: list[Namespace]) -> list[tuple[Namespace, int]]:
    """-p: the sockets processes hold that no table lists. Each one's namespace is found through the
    socket (SIOCGSKNS, root), with the nsfs fd that keeps it (the caller closes it); without the
    right, it is said."""
    from netread.escape import escape_text
    from netread.proc import namespaces

    assert source.owners is not None
    listed = namespaces.listed_inodes(source, chosen)
    seen = {ns.inode for ns in chosen}
    found: list[tuple[Namespace, int]] = []
    for orphan in namespaces.orphan_sockets(source.root, source.owners.holders, listed):
        got = namespaces.socket_namespace(source.root, orphan)
        if got is None:
            sys.stderr.write(
                f"netread: note: socket:[{orphan.inode}] ({escape_text(orphan.protocol)}) held by pid {orphan.pid} (fd {orphan.fd}) is in no"
                " table netread could read: its network namespace has no task, bind mount or fd that /proc reaches,"
                " and entering it through the socket needs root\n"
            )
            continue
        ns, nsfd = got
        if ns.inode in seen:
            os.close(nsfd)
            continue
        seen.add(ns.inode)
        found.append((ns, nsfd))
    return found


def _with_orphans(which: str, source: ProcSource) -> bool:
    """Whether a listing looks for the namespaces only sockets hold: every namespace, live, with the owners."""
    return which == "all" and source.owners is not None and source.root == LIVE_ROOT


#: Sections from which every other one is made by a forked helper, on a second CPU: reading a
#: namespace's tables is kernel time (a walk of the tcp hash, ~1-3 ms each), which then overlaps.
HELPED = 4


class _Helper:
    """A forked child making the odd-numbered sections, each written into a pipe in frames
    (a 4-byte length and the bytes; length 0 ends a section, and a byte gives its status), which
    the parent copies out in its turn: the pipe bounds what is held, the order is the parent's."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self._pipe = pid, os.fdopen(pipe, "rb")

    @classmethod
    def start(cls, chosen: list[Namespace], section: Callable[[int, Namespace, Writer], int]) -> _Helper | None:
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid:
            os.close(write_end)
            return cls(pid, read_end)
        os.close(read_end)  # the child: every odd section, then out
        code = 0
        try:
            frames = _Frames(write_end)
            for number in range(1, len(chosen), 2):
                status = section(number, chosen[number], frames)
                frames.end(status)
        except BaseException:  # the parent sees the pipe close early and makes the rest itself
            code = 1
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)

    def copy(self, out: Writer) -> int | None:
        """Copy the next section to ``out``; its status, or None if the helper ended first."""
        read = self._pipe.read
        while True:
            head = read(4)
            if len(head) < 4:
                self.close()
                return None
            size = int.from_bytes(head, "big")
            if not size:
                end = read(1)
                return end[0] if end else None
            data = read(size)
            if len(data) < size:
                self.close()
                return None
            out.write(data)

    def close(self) -> None:
        import signal

        self._pipe.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


class _Frames:
    """A Writer into the helper's pipe, in frames."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "wb", buffering=1 << 16)

    def write(self, data: bytes, /) -> int:
        if data:
            self._file.write(len(data).to_bytes(4, "big") + data)
        return len(data)

    def flush(self) -> None:
        self._file.flush()

    def end(self, status: int) -> None:
        self._file.write(b"\0\0\0\0" + bytes([min(status, 255)]))
        self._file.flush()


def _section_source(source: ProcSource, ns: Namespace, opts: Options, labels: tuple[str, ...]) -> ProcSource | int:
    """``ns``'s source (its tables open), or the status its section ends with when it cannot be
    read, which is said: a namespace that cannot be entered is a note, any other failure an error."""
    from netread.proc import namespaces

    try:
        return namespaces.section_source(source, ns, _tables(opts))._replace(netns_labels=labels)
    except namespaces.NotEnterable as exc:
        sys.stderr.write(f"netread: note: {exc}\n")
        return ExitStatus.OK
    except SourceError as exc:
        Report(sys.stderr).messages([exc])
        return ExitStatus.ERROR


def _tables(opts: Options) -> list[str]:
    """The files a section reads: its listing's tables, and with --explain the counters."""
    from netread.select import plan

    tables = [str(table) for family in plan(opts) for table in family.tables]
    return tables + ["snmp", "netstat"] if opts.explain else tables


def _say_denied(denied: int) -> None:
    if denied:
        sys.stderr.write(
            f"netread: note: the namespaces of {denied} processes or threads of other users could not be named"
            " (their ns/net needs ptrace access): those sections are net:[?], told apart by their tables\n"
        )


def _records(
    chosen: list[Namespace],
    source: ProcSource,
    opts: Options,
    out: Writer,
    names: Resolver | None,
    output: str,
    filters: Filters | None,
    header: bool,
    denied: int,
) -> int:
    """json, ndjson, csv: one document (one header) for every namespace, each record carrying
    its namespace; with --explain (json), the findings of each namespace, each carrying it too."""
    from netread.cli.listing import explained_pieces
    from netread.cli.listing import record_pieces
    from netread.cli.listing import source_about
    from netread.cli.listing import write_records
    from netread.render.namespaces import NETNS_CSV_KEYS
    from netread.render.namespaces import netns_record
    from netread.render.records import CSV_KEYS
    from netread.select import Filters

    filters = filters or Filters()
    report = Report(sys.stderr)
    labelled = [(ns, _labels(source, ns)) for ns in chosen]
    tags = [netns_record(ns.inode, ns.ns_id, ns.names, labels, ns.via, ns.pid, ns.tid) for ns, labels in labelled]
    statuses: list[int] = []
    findings: list[dict[str, object]] = []

    def batches() -> Iterator[list[dict[str, object]]]:
        for (ns, labels), tag in zip(labelled, tags):
            section = _section_source(source, ns, opts, labels)
            if isinstance(section, int):
                statuses.append(section)
                continue
            try:
                found: list[dict[str, object]] = []
                if opts.explain:  # streamed: the findings made as the rows go, added after them
                    pieces = explained_pieces(section, opts, report, names, filters, statuses, found)
                else:
                    pieces = record_pieces(section, opts, report, names, filters, statuses)
                for batch in pieces:  # netns (the inode) is the fleet field; the namespace, all that is known of it
                    for record in batch:
                        record["namespace"] = tag
                    yield batch
                findings.extend({**f, "namespace": tag} for f in found)
            finally:
                section.close()

    about = {**source_about(source), "namespaces": tags}
    # with --explain (json): one document, the sockets, then the findings of every namespace
    write_records(out, output, batches(), about, header=header, csv_keys=CSV_KEYS + NETNS_CSV_KEYS, findings=findings if opts.explain else None)
    _say_denied(denied)
    return max(statuses, default=ExitStatus.OK)


def _labels(source: ProcSource, ns: Namespace) -> tuple[str, ...]:
    from netread.proc.namespaces import container_labels

    return container_labels(source, ns)


