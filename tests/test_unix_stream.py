"""A unix table too big to hold is read twice with bounded facts (parse/unix.py ``_Facts``) and
spooled to a temporary file (proc/source.py ``spool_net``): the same records, marks, warnings
and notes as the table held whole, in every output."""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_snapshot

from netread.cli.listing import list_once
from netread.parse import unix
from netread.parse.unix import decode_unix
from netread.proc import source as source_module
from netread.proc.source import ProcSource
from netread.select import Options

HEADER = "Num       RefCount Protocol Flags    Type St Inode Path"
ZERO = "0000000000000000"
HASHED = "ffff8880a1b2c3d4"


def _record(num: str, flags: str, inode: int, path: str | None) -> str:
    return f"{num}: 00000002 00000000 {flags} 0001 01 {inode:5d}" + ("" if path is None else " " + path)


#: Records with few inodes (so some repeat), both Num forms, short names (so the next line could
#: be the end of the name), continuation lines and broken lines.
LINE = st.one_of(
    st.builds(
        _record,
        st.sampled_from([ZERO, HASHED]),
        st.sampled_from(["00000000", "00010000"]),
        st.integers(0, 6),
        st.one_of(st.none(), st.sampled_from(["/a", "@b", "/run/x y", "@"]), st.text("ab@/ \t\r", max_size=40)),
    ),
    st.sampled_from(["tail", "a b", "", " ", "0: 1 0 0 1 1", "0: 1 0 0 1 1 2 /c", "x" * 120, "\x00" * 256, f"{ZERO}: zz"]),
)

#: A forged record: the abstract name "@\n" then a whole record (net/unix/af_unix.c writes names raw).
FORGED = [HEADER, _record(HASHED, "00000000", 5, "@"), _record(ZERO, "00010000", 5, "/fake.sock")]


def _two_readings(lines: list[str], held: int, bits: int) -> list[object]:
    with mock.patch.object(unix, "HELD", held), mock.patch.object(unix, "FILTER_BITS", bits):
        return list(decode_unix(lines, path="net/unix"))


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(LINE, max_size=30), st.integers(0, 4), st.sampled_from([8, 64, 1 << 12]))
@example(FORGED[1:], 0, 8)
@example(["x", *FORGED[1:]], 1, 8)
def test_read_twice_is_held_whole(lines: list[str], held: int, bits: int) -> None:
    """Every item (records with their marks, warnings, the note) equal, in order, whatever the
    point where the table stops being held and however often the filter is wrong."""
    lines = [HEADER, *lines]
    assert _two_readings(lines, held, bits) == list(decode_unix(lines, path="net/unix"))


def test_a_forged_record_is_marked_in_the_second_reading() -> None:
    rows = _two_readings(FORGED, 0, 8)
    assert [getattr(r, "suspect", None) for r in rows] == [None, None, "forged"]
    assert "its inode 5 is also line 2's" in str(rows[1])


def test_the_note_names_ten_and_counts_the_rest() -> None:
    lines = [HEADER]
    for n in range(30):
        lines += [_record(HASHED, "00000000", 100 + 2 * n, "/a"), _record(HASHED, "00000000", 101 + 2 * n, None)]
    held, read_twice = list(decode_unix(lines, path="net/unix")), _two_readings(lines, 3, 64)
    assert held == read_twice
    note = held[-1]
    assert isinstance(note, unix.Ambiguous) and len(note.records) == 10 and note.more == 20 and note.total == 30
    assert note.records[0] == (3, 101)


# -- the spool -----------------------------------------------------------------------------


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text("ab \t@\udcc3", max_size=30), st.just(None)), max_size=40), st.integers(1, 300))
def test_a_spooled_table_reads_as_read_net_reads_it(tmp_path: Path, drawn: list[str | None], held: int) -> None:
    """None: a line too long to read (it is skipped, and its warning kept by number)."""
    lines = ["y" * 200_000 if line is None else line for line in drawn]
    root = FakeProc(tmp_path / "p").table("unix", "".join(line + "\n" for line in lines)).root
    snap = ProcSource.snapshot(root)
    want = snap.read_net("unix")
    with mock.patch.object(source_module, "HELD_BYTES", held):
        got = snap.spool_net("unix")
    assert want is not None and got is not None
    assert list(got) == list(got) == want and got.skipped == want.skipped
    assert bool(got) == bool(want)


# -- every output ----------------------------------------------------------------------------

#: A table with every case: continuations, ambiguous and forged records, broken lines, a too-long line.
TRICKY = "\n".join([
    HEADER,
    _record(HASHED, "00010000", 11, "/run/first"),
    "second half",
    _record(HASHED, "00000000", 12, "@a"),
    _record(HASHED, "00000000", 13, None),
    _record(HASHED, "00000000", 14, "@"),
    _record(HASHED, "00010000", 14, "/fake.sock"),
    _record(HASHED, "00000000", 15, "/b"),
    _record(ZERO, "00000000", 16, "/zero"),
    "0: 1 0 0 1 1",
    "y" * 200_000,
    *[_record(HASHED, "00000000", 100 + n, "/s" if n % 3 else None) for n in range(40)],
]) + "\n"

FLAGS = [["-xa"], ["-x"], ["-xan"], ["-xae"], ["-xap"], ["-xl"], ["-xa", "--format", "json"], ["-xa", "--format", "ndjson"],
         ["-xa", "--format", "csv"], ["-xa", "--explain"], ["-xa", "--explain", "--format", "json"], ["-a"]]  # fmt: skip


def _listing(root: Path, flags: list[str]) -> tuple[int, bytes, str]:
    run = netread_snapshot(root, flags)
    return run.status, run.stdout, run.stderr


def test_every_output_is_the_same_read_twice(tmp_path: Path) -> None:
    root = FakeProc(tmp_path / "p").table("unix", TRICKY).table("tcp", "  sl  local_address\n").root
    for flags in FLAGS:
        held = _listing(root, flags)
        with mock.patch.object(unix, "HELD", 2), mock.patch.object(unix, "FILTER_BITS", 64), mock.patch.object(source_module, "HELD_BYTES", 100):
            twice = _listing(root, flags)
        assert twice == held, flags
        if len(flags) == 1 and "a" in flags[0]:  # the forged record is a listening one
            assert b"[forged]" in held[1] and b"/run/first\\nsecond half" in held[1], flags
        assert "marked [forged]" in held[2] and "longer than" in held[2] and ("record(s)" in held[2] or "-xl" in flags), flags


def test_list_once_streams_unix_rows(tmp_path: Path) -> None:
    """The streamed text listing writes the unix section in pieces, not one string."""
    root = FakeProc(tmp_path / "p").table("unix", TRICKY).root
    writes: list[bytes] = []

    class Out:
        def write(self, data: bytes) -> int:
            writes.append(data)
            return len(data)

    from netread.render import netstat

    with mock.patch.object(netstat, "UNIX_BATCH", 8):
        list_once(ProcSource.snapshot(root), Options.resolve(all=True, unix=True, numeric_hosts=True, numeric_ports=True, numeric_users=True), Out(), io.StringIO())
    assert len(writes) > 5
