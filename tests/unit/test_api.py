"""netread's public names, and read_sockets as a library call."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import examples
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from strategies import table_entries

import netread
from netread.model import INET_TABLES
from netread.model import Ambiguous
from netread.model import Table


def test_every_public_name_resolves() -> None:
    for name in netread.__all__:
        assert getattr(netread, name) is not None, name


def test_import_netread_is_cheap() -> None:
    code = "import sys, netread; print(sorted(m for m in sys.modules if m.startswith('netread')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60).stdout
    assert out.strip() == "['netread', 'netread._version']"


def test_read_sockets_is_the_listing() -> None:
    source = netread.ProcSource.snapshot(SAMPLE_PROC)
    sockets = netread.read_sockets(source, netread.plan(netread.Options.resolve(all=True)), owners=True)
    conns = netread.connections("all", proc=SAMPLE_PROC)
    assert [(c.proto, c.inode) for c in conns] == [(str(s.table), s.inode) for s in sockets.inet or ()] + [("unix", s.inode) for s in sockets.unix or ()]
    # the one note: the records that the name before them could have run onto (parse/unix.py)
    ambiguous = Ambiguous(str(SAMPLE_PROC / "net" / "unix"), ((7, 5832805), (13, 5832799), (15, 5832807), (18, 5832791), (19, 5832796), (23, 5832789), (24, 5832802), (25, 5832803)))
    assert sockets.owners is not None and sockets.messages == [ambiguous] and not sockets.stopped
    assert all(isinstance(s.table, netread.Table) for s in sockets.inet or ())


@settings(max_examples=examples(300))
@given(st.sampled_from(INET_TABLES).flatmap(lambda t: st.tuples(st.just(t), table_entries(t, max_rows=10))), st.sampled_from(["little", "big"]))
def test_connection_fields_from_columns_equal_those_from_records(spec, byteorder) -> None:  # type: ignore[no-untyped-def]
    """The API's short cut (columns straight to fields) gives the fields the records give."""
    from kernel_text import format_table

    from netread.api import _column_fields
    from netread.api import _inet_fields
    from netread.model import InetSocket
    from netread.parse.inet import decode_inet
    from netread.parse.inet_columns import kernel_columns

    table, entries = spec
    body = format_table(table, entries, byteorder).partition("\n")[2]
    records = [r for r in decode_inet(body.split("\n")[:-1], path=table, table=table, byteorder=byteorder, first_line=2) if isinstance(r, InetSocket)]
    cols = kernel_columns(body.encode(), Table(table), byteorder, detail=True)
    if any(e.inode >= 10**19 for e in entries):
        assert cols is None
        return
    assert cols is not None
    assert _column_fields(cols, Table(table)) == _inet_fields(records)


def test_iter_connections_is_connections_streamed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("all", "tcp", "unix", "udp6"):
        for owners in (True, False):
            assert list(netread.iter_connections(kind, proc=SAMPLE_PROC, owners=owners)) == netread.connections(kind, proc=SAMPLE_PROC, owners=owners)


def test_iter_connections_memory_stays_flat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """250,000 distinct tcp rows: the list takes ~150 MiB (584 MiB at 10^6), the stream stays under 64 MiB (a child's peak RSS)."""
    import dataclasses

    from kernel_text import TcpEntry
    from kernel_text import format_tcp
    from kernel_text import header_line

    rows = 250_000
    base = TcpEntry("tcp", "full", 0, "10.0.0.1", 80, "10.1.0.0", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, "0000000000000000", 20, 4, 0, 10, -1)
    net = tmp_path / "net"
    net.mkdir()
    with open(net / "tcp", "w") as out:
        out.write(header_line("tcp"))
        for i in range(rows):
            ip = f"10.{1 + (i >> 16) % 250}.{(i >> 8) & 255}.{i & 255}"
            out.write(format_tcp(dataclasses.replace(base, sl=i, remote_ip=ip, remote_port=1024 + i % 60000, inode=100000 + i)))
    (net / "tcp6").write_text(header_line("tcp6"))
    code = (
        "import sys, netread\n"
        "n = sum(1 for c in netread.iter_connections('tcp', proc=sys.argv[1], owners=False))\n"
        # VmHWM is this process image's own peak: ru_maxrss keeps the forking parent's (pytest's) across exec
        "hwm = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')][0]\n"
        "print(n, hwm)\n"
    )
    got = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True)
    count, peak_kib = map(int, got.stdout.split())
    assert count == rows
    assert peak_kib < 64 * 1024, f"peak RSS {peak_kib} KiB"
