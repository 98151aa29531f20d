"""The overlapped read of a big live table (a /bin/cat child feeding a pipe) gives the very pieces
a direct read gives; without /bin/cat the direct read goes on; a read error is the table's."""

from __future__ import annotations

from pathlib import Path

import pytest

from netread.errors import SourceError
from netread.proc import source


def _table(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "tcp"
    line = "%4d: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0"
    path.write_text("header\n" + "".join((line % (i, 1000 + i)).ljust(149) + "\n" for i in range(rows)))
    return path


def _pieces(path: Path, overlap: bool) -> list[tuple[int, bytes]]:
    return list(source._chunks(source.open_regular(path), str(path), 64 << 10, overlap))


def test_the_overlapped_read_gives_the_direct_read_pieces(tmp_path: Path) -> None:
    path = _table(tmp_path, 5000)  # 750 KB: a dozen pieces, all but the first through the pipe
    direct = _pieces(path, overlap=False)
    assert len(direct) > 10
    assert _pieces(path, overlap=True) == direct
    assert b"".join(p for _, p in direct) == path.read_bytes()


def test_without_cat_the_direct_read_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _table(tmp_path, 3000)
    monkeypatch.setattr(source, "CAT", str(tmp_path / "no-such-cat"))
    assert _pieces(path, overlap=True) == _pieces(path, overlap=False)


def test_a_failing_child_is_a_read_error_of_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _table(tmp_path, 3000)
    false = tmp_path / "false"
    false.write_text("#!/bin/sh\nexit 3\n")
    false.chmod(0o755)
    monkeypatch.setattr(source, "CAT", str(false))
    with pytest.raises(SourceError, match="read failed"):
        _pieces(path, overlap=True)


def test_a_listing_stopped_early_ends_the_child(tmp_path: Path) -> None:
    path = _table(tmp_path, 20000)
    pieces = source._chunks(source.open_regular(path), str(path), 64 << 10, True)
    next(pieces)
    next(pieces)
    pieces.close()  # the consumer stops (a closed pipe, Ctrl-C): the child is killed and reaped
    import os

    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
