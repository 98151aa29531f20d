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
