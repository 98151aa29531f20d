"""Where /proc comes from: the live /proc or a directory laid out like it.

This is the only module that reads the filesystem.  Everything else receives
text from a :class:`ProcSource`, so a snapshot and the live system go through
the same code, and the root is a value, never a global.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sys
from pathlib import Path
from typing import Literal
from typing import cast

from netread.errors import SourceError

ByteOrder = Literal["little", "big"]
LIVE_ROOT = Path("/proc")


@dataclasses.dataclass(frozen=True)
class ProcSource:
    """A /proc tree and the byte order of the host that wrote it.

    ``byteorder`` matters because /proc/net prints addresses as host-order
    32-bit words; a snapshot taken on a big-endian machine must be decoded as
    such wherever it is read.
    """

    root: Path
    byteorder: ByteOrder
    #: Clock ticks per second of the writing host: tm->when is in these (USER_HZ).
    clk_tck: int = dataclasses.field(default_factory=lambda: os.sysconf("SC_CLK_TCK"))

    @classmethod
    def live(cls) -> ProcSource:
        """The running system's /proc, in this host's byte order."""
        return cls(LIVE_ROOT, cast(ByteOrder, sys.byteorder))

    @classmethod
    def snapshot(cls, root: Path | str) -> ProcSource:
        """A captured directory laid out like /proc.

        Its byte order comes from ``snapshot.json`` when the snapshot has one,
        else it is taken to be this host's.
        """
        root = Path(root)
        if not root.exists():
            raise SourceError(f"{root}: no such directory")
        if not root.is_dir():
            raise SourceError(f"{root}: not a directory")
        if not (root / "net").is_dir():
            raise SourceError(f"{root}: no net/ directory in it, so it is not a /proc snapshot")
        byteorder = cast(ByteOrder, sys.byteorder)
        clk_tck = os.sysconf("SC_CLK_TCK")
        manifest = root / "snapshot.json"
        if manifest.is_file():
            try:
                facts = json.loads(manifest.read_text(encoding="utf-8"))
                declared = facts.get("byteorder", byteorder)
                clk_tck = facts.get("clk_tck", clk_tck)
            except (OSError, ValueError, AttributeError) as exc:
                raise SourceError(f"{manifest}: cannot read the manifest: {exc}") from exc
            if declared not in ("little", "big"):
                raise SourceError(f"{manifest}: byteorder must be \"little\" or \"big\", not {declared!r}")
            if not isinstance(clk_tck, int) or clk_tck <= 0:
                raise SourceError(f"{manifest}: clk_tck must be a positive integer, not {clk_tck!r}")
            byteorder = declared
        return cls(root, byteorder, clk_tck)

    def net_path(self, name: str) -> Path:
        """The path of ``net/<name>`` under this root."""
        return self.root / "net" / name

    def read_net(self, name: str) -> list[str] | None:
        """The lines of ``net/<name>`` without their newlines, or None if the file is absent.

        The bytes are decoded as UTF-8 with ``surrogateescape``, so nothing is
        lost, and split on ``\\n`` only, as fgets() does.  Any error other than
        absence raises :class:`SourceError`.
        """
        path = self.net_path(name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                return None
            raise SourceError(f"{path}: {os.strerror(exc.errno or 0) or exc}") from exc
        lines = data.decode("utf-8", "surrogateescape").split("\n")
        if lines[-1] == "":
            lines.pop()
        return lines

    def read_text(self, relative: str, limit: int = 1 << 16) -> str | None:
        """A small file under the root (``sys/net/core/somaxconn``, ``net/snmp``), or None if unreadable.

        For the facts --explain adds to a listing: a missing or unreadable file
        only means that fact is not shown, so no error is raised.
        """
        try:
            with open(self.root / relative, "rb") as handle:
                return handle.read(limit).decode("utf-8", "replace")
        except OSError:
            return None
