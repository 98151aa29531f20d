"""netread's public names, and read_sockets as a library call."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from conftest import SAMPLE_PROC

import netread


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
    assert sockets.owners is not None and sockets.messages == [] and not sockets.stopped
    assert all(isinstance(s.table, netread.Table) for s in sockets.inet or ())
