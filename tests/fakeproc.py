"""One builder for fake /proc snapshot directories.

    FakeProc(tmp_path).table("tcp", text).process(7, b"/usr/bin/x\\0", {3: "socket:[42]"}).manifest(byteorder="big")

writes ``net/tcp``, ``7/cmdline`` and the fd link ``7/fd/3``, and ``snapshot.json``.
Every method returns the builder, ``.root`` is the directory (created with its
parents). Text (``str``) is written as UTF-8 with ``surrogateescape``, so the
undecodable bytes some generated unix paths carry round-trip; ``bytes`` are written
as they are. Nothing else is added: netstat reads the same files netread does.

Only the standard library is used (no hypothesis, no netread).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: (tables, processes): ``{table name: text}`` and ``(pid, cmdline, socket inodes)``
#: per process, as strategies.snapshot_with_owners() draws them.
OwnedSnapshot = tuple[Mapping[str, str | bytes], Iterable[tuple[int, bytes, Iterable[int]]]]


def _data(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


class FakeProc:
    """A fake /proc rooted at ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def __fspath__(self) -> str:
        return str(self.root)

    # -- files -------------------------------------------------------------------------

    def file(self, path: str, data: str | bytes) -> FakeProc:
        """Any file, by its path inside the snapshot (parents made): sysctls, net/snmp, ..."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_data(data))
        return self

    def symlink(self, path: str, target: str | os.PathLike[str]) -> FakeProc:
        """A symlink at ``path`` inside the snapshot (parents made) leading to ``target``."""
        link = self.root / path
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
        return self

    def net(self) -> FakeProc:
        """The ``net/`` directory, even with no table in it."""
        (self.root / "net").mkdir(parents=True, exist_ok=True)
        return self

    def table(self, name: str, data: str | bytes) -> FakeProc:
        """``net/<name>``: a socket table (or any file under net/)."""
        self.net()
        (self.root / "net" / name).write_bytes(_data(data))
        return self

    def tables(self, tables: Mapping[str, str | bytes]) -> FakeProc:
        """Each ``{name: text}`` as ``net/<name>``; ``net/`` is made even when there are none."""
        self.net()
        for name, data in tables.items():
            self.table(name, data)
        return self

    def manifest(self, **fields: Any) -> FakeProc:
        """``snapshot.json`` holding ``fields`` (json.dumps, in the order given)."""
        (self.root / "snapshot.json").write_text(json.dumps(fields))
        return self

    # -- processes ---------------------------------------------------------------------

    def process(self, pid: int | str, cmdline: bytes | None = None, fds: Mapping[int, str] | None = None) -> FakeProc:
        """``<pid>/fd/`` with a link per ``{fd: target}``, and ``<pid>/cmdline`` unless None."""
        base = self.root / str(pid)
        (base / "fd").mkdir(parents=True, exist_ok=True)
        if cmdline is not None:
            (base / "cmdline").write_bytes(cmdline)
        for fd, target in (fds or {}).items():
            os.symlink(target, base / "fd" / str(fd))
        return self

    def owner(self, pid: int | str, cmdline: bytes, inodes: Iterable[int]) -> FakeProc:
        """A process holding each socket inode, as fds 3, 4, ..."""
        return self.process(pid, cmdline, {3 + i: f"socket:[{inode}]" for i, inode in enumerate(inodes)})

    def owned_snapshot(self, spec: OwnedSnapshot) -> FakeProc:
        """The tables and the owning processes of a snapshot_with_owners() value."""
        tables, procs = spec
        self.tables(tables)
        for pid, cmdline, inodes in procs:
            self.owner(pid, cmdline, inodes)
        return self
