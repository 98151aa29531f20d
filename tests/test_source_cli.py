"""ProcSource and the command line: snapshots, errors and exit status."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_PROC
from fakeproc import FakeProc
from oracle import netread
from oracle import netread_snapshot

from netread.model import Ignored
from netread.proc.source import ProcSource


def test_snapshot_byteorder_from_manifest(tmp_path: Path) -> None:
    fake = FakeProc(tmp_path).net()
    assert ProcSource.snapshot(tmp_path).byteorder in ("little", "big")
    fake.manifest(byteorder="big")
    assert ProcSource.snapshot(tmp_path).byteorder == "big"
    fake.manifest(byteorder="middle")  # ignored, this host's order used, and said by the listing
    snap = ProcSource.snapshot(tmp_path)
    assert (snap.byteorder, snap.problems) == (sys.byteorder, (Ignored(f"{tmp_path}/snapshot.json", "byteorder", "must be \"little\" or \"big\", not 'middle'"),))


def test_big_endian_snapshot_decodes(tmp_path: Path) -> None:
    """The rapid7 router capture's first rows, as a big-endian MIPS host wrote them."""
    FakeProc(tmp_path).manifest(byteorder="big").table(
        "tcp",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: C0A80101:0017 C0A80180:0426 01 0000003B:00000000 01:00000014 00000000     0        0 1 1 0\n"
    )
    got = netread_snapshot(tmp_path, ["-tn"])
    assert got.lines[2] == "tcp        0     59 192.168.1.1:23          192.168.1.128:1062      ESTABLISHED"


def _file(path: Path) -> Path:
    path.write_text("x")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "absent", "no such file or directory"),
        (lambda p: _file(p / "file"), "not a directory, and not a tar archive"),
        (lambda p: p, "no net/ directory"),
    ],
    ids=["missing", "file", "no-net"],
)
def test_bad_proc_root_is_one_clear_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    got = netread(["--proc", str(make(tmp_path)), "-tan"])
    assert got.status == 1
    assert message in got.stderr
    assert got.stderr.count("\n") == 1 and "Traceback" not in got.stderr
    assert got.stdout == b""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_table_is_reported(tmp_path: Path) -> None:  # pragma: no cover - needs non-root
    FakeProc(tmp_path).table("tcp", "h\n")
    (tmp_path / "net" / "tcp").chmod(0)
    got = netread_snapshot(tmp_path, ["-tan"])
    assert got.status == 1 and "Permission denied" in got.stderr


def test_unreadable_table_as_directory_is_reported_and_rest_shown(tmp_path: Path) -> None:
    (tmp_path / "net" / "tcp").mkdir(parents=True)  # a directory where the table should be
    FakeProc(tmp_path).table(
        "unix",
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 7 /run/x\n"
    )
    got = netread_snapshot(tmp_path, ["-an"])
    assert got.status == 1
    assert "net/tcp: not a regular file" in got.stderr
    assert got.lines[-2].endswith("7        /run/x")


def test_missing_requested_family_stops_with_status_1(tmp_path: Path) -> None:
    FakeProc(tmp_path).net()
    got = netread_snapshot(tmp_path, ["-tuxan"])
    assert got.status == 1
    assert got.stderr == "netread: no support for `AF INET (tcp)' on this system.\n"
    assert len(got.lines) == 3  # banner, header, and nothing after the stop


def test_unknown_family_is_an_error() -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-A", "ipx"])
    assert got.status == 1 and "Unknown address family `ipx'" in got.stderr


def test_protocol_option_selects_families() -> None:
    both = netread_snapshot(SAMPLE_PROC, ["-A", "inet6,unix", "-an"]).stdout.decode()
    assert "\ntcp6 " in both and "\nunix " in both and "\ntcp " not in both


def test_version() -> None:
    got = netread(["-V"])
    assert got.status == 0 and got.stdout.startswith(b"netread ")


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m netread --proc {SAMPLE_PROC} -tuwxan | head -1",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert proc.stdout.startswith(b"Active Internet connections")
    assert proc.stderr == b""
