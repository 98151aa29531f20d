"""Decoder for /proc/net/unix: every row shape the kernel writes, and broken ones."""

from __future__ import annotations

import pytest

from netread.errors import ParseError
from netread.model import UnixSocket
from netread.parse.unix import decode_unix

HEADER = "Num       RefCount Protocol Flags    Type St Inode Path"
PTR = "0000000000000000"


def decode(*lines: str, header: str = HEADER) -> list[UnixSocket | ParseError]:
    return list(decode_unix([header, *lines], path="net/unix"))


@pytest.mark.parametrize(
    ("line", "want"),
    [
        (f"{PTR}: 00000002 00000000 00010000 0001 01 146528 /tmp/s/listen.sock", (2, 1 << 16, 1, 1, 146528, "/tmp/s/listen.sock")),
        (f"{PTR}: 00000003 00000000 00000000 0001 02     0 /tmp/s/listen.sock", (3, 0, 1, 2, 0, "/tmp/s/listen.sock")),
        (f"{PTR}: 00000002 00000000 00000000 0002 01 146535", (2, 0, 2, 1, 146535, None)),
        (f"{PTR}: 00000011 00000000 00000000 0002 03 272158 @refcnt-test", (17, 0, 2, 3, 272158, "@refcnt-test")),
        (f"{PTR}: 00000002 00000000 00000000 0005 01 9 @nrx@emb@nul", (2, 0, 5, 1, 9, "@nrx@emb@nul")),
        (f"{PTR}: 00000002 00000000 00000000 0001 01 9 @12dba", (2, 0, 1, 1, 9, "@12dba")),
        (f"{PTR}: 00000002 00000000 00000000 0001 01 9 /tmp/with space.sock", (2, 0, 1, 1, 9, "/tmp/with space.sock")),
        (f"{PTR}: 00000002 00000000 00000000 0001 01 9 @/containerd-shim/x.sock@", (2, 0, 1, 1, 9, "@/containerd-shim/x.sock@")),
        ("eb505e00: 00000002 00000000 00010000 0001 01    11 @/com/ubuntu/upstart", (2, 1 << 16, 1, 1, 11, "@/com/ubuntu/upstart")),
        (f"{PTR}: 00000002 00000000 00010000 0001 01  2818 /dev/socket/ss_conn_daemon", (2, 1 << 16, 1, 1, 2818, "/dev/socket/ss_conn_daemon")),
        (f"{PTR}: 00000002 00000000 00000000 0001 01 9 /tmp/caf\udcc3.sock", (2, 0, 1, 1, 9, "/tmp/caf\udcc3.sock")),
    ],
)
def test_record_shapes(line: str, want: tuple[object, ...]) -> None:
    (row,) = decode(line)
    assert isinstance(row, UnixSocket)
    assert (row.refcount, row.flags, row.type, row.st, row.inode, row.path) == want


def test_listening_is_unconnected_with_acceptcon() -> None:
    rows = decode(
        f"{PTR}: 00000002 00000000 00010000 0001 01 1 /a",
        f"{PTR}: 00000002 00000000 00000000 0001 01 2 /b",
        f"{PTR}: 00000002 00000000 00010000 0001 03 3 /c",
    )
    assert [r.listening for r in rows if isinstance(r, UnixSocket)] == [True, False, False]


def test_newline_in_path_is_reassembled() -> None:
    rows = decode(
        f"{PTR}: 00000002 00000000 00010000 0001 01 7 /tmp/first",
        "second half",
        f"{PTR}: 00000002 00000000 00000000 0002 01 8",
    )
    assert [(r.lineno, r.inode, r.path) for r in rows if isinstance(r, UnixSocket)] == [
        (2, 7, "/tmp/first\nsecond half"),
        (4, 8, None),
    ]
    assert not [r for r in rows if isinstance(r, ParseError)]


def test_path_ending_in_newline() -> None:
    (row,) = decode(f"{PTR}: 00000002 00000000 00000000 0001 01 7 @x", "")
    assert isinstance(row, UnixSocket) and row.path == "@x\n"


def test_old_layout_without_inode_column() -> None:
    rows = decode(
        f"{PTR}: 00000002 00000000 00010000 0001 01 /var/run/postgresql/.s.PGSQL.5432",
        f"{PTR}: 00000003 00000000 00000000 0001 03",
        header="Num       RefCount Protocol Flags    Type St Path",
    )
    assert [(r.inode, r.path) for r in rows if isinstance(r, UnixSocket)] == [
        (None, "/var/run/postgresql/.s.PGSQL.5432"),
        (None, None),
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("", "line"),
        ("zz: 00000002 00000000 00000000 0001 01 7", "Num"),
        (f"{PTR}: 0000000G 00000000 00000000 0001 01 7", "RefCount"),
        (f"{PTR}: 00000002 00000000", "Flags"),
        (f"{PTR}: 00000002 00000000 00000000 0001 0x 7", "St"),
        ("000000000000000000000000000000000000000000000000000000", "Num"),
    ],
)
def test_malformed_record_names_the_field(line: str, field: str) -> None:
    rows = decode(f"{PTR}: 00000002 00000000 00000000 0002 01 8", line)
    assert isinstance(rows[0], UnixSocket)
    if line == "":
        # An empty line after a pathless record is not a continuation.
        assert isinstance(rows[1], ParseError) and rows[1].field == field
        return
    assert isinstance(rows[1], ParseError)
    assert (rows[1].lineno, rows[1].field, rows[1].raw) == (3, field, line)


def test_headerless_file_is_reported() -> None:
    rows = list(decode_unix(["0: 00000003 000 000 0001 03 462170 @/tmp/dbus-Qw2hMPIU3n"], path="net/unix"))
    assert isinstance(rows[0], ParseError) and rows[0].field == "header"
    assert isinstance(rows[1], UnixSocket) and (rows[1].inode, rows[1].path) == (462170, "@/tmp/dbus-Qw2hMPIU3n")


def test_continuation_never_exceeds_sun_path() -> None:
    """A line that would make the name longer than 108 bytes is junk, not a continuation."""
    rows = decode(f"{PTR}: 00000002 00000000 00000000 0001 01 7 @x", "y" * 105, "z" * 107)
    assert [r.path for r in rows if isinstance(r, UnixSocket)] == ["@x\n" + "y" * 105]
    assert [(r.lineno, r.field) for r in rows if isinstance(r, ParseError)] == [(4, "Num")]
