"""Issue 14, classes 1, 6 and 8 for snapshot tarballs: a damaged, hostile or huge archive is one
clear error, bounded in members, bytes and time, and the unpack directory never outlives netread."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_snapshot

from netread.errors import SourceError
from netread.proc import source
from netread.proc.source import ProcSource

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
GOOD = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
TABLE = f"{TCP_HEADER}\n{GOOD}\n".encode()


def _tar(members: list[tuple[str, bytes | None, str | None]], fmt: int = tarfile.PAX_FORMAT) -> bytes:
    """An uncompressed tarball of (name, data, link target) members; a directory when both are None."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            elif data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _snapshot_tar(extra: int = 0) -> bytes:
    return _tar([("snap/net/tcp", TABLE, None), *((f"snap/pad/{i}", b"p" * 600, None) for i in range(extra))])


def _left(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("netread-snapshot-"))


@pytest.mark.parametrize(("suffix", "compress"), [(".tar.gz", gzip.compress), (".tar.xz", lzma.compress), (".tar.bz2", bz2.compress)])
@pytest.mark.parametrize("where", ["start", "middle", "end", "cut"])
def test_a_damaged_compressed_tarball_is_one_clear_error(tmp_path: Path, suffix: str, compress: object, where: str) -> None:
    assert callable(compress)
    data = bytearray(compress(_snapshot_tar(extra=40)))
    if where == "cut":
        data = data[: len(data) * 2 // 3]
    else:
        at = {"start": 20, "middle": len(data) // 2, "end": len(data) - 12}[where]
        for i in range(at, at + 8):
            data[i] ^= 0x5A
    archive = tmp_path / f"snap{suffix}"
    archive.write_bytes(bytes(data))
    env_tmp = tmp_path / "tmp"
    env_tmp.mkdir()
    got = netread_snapshot(archive, ["-tan"])
    assert "Traceback" not in got.stderr
    lines = got.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"netread: {archive}: "), got.stderr
    assert "not unpacked" in lines[0] or "cannot unpack" in lines[0] or "not a tar archive" in lines[0]
    assert got.stdout == b"" and got.status == 1


def test_a_tarball_damaged_between_members_is_not_read_in_part(tmp_path: Path) -> None:
    """tarfile stops quietly at a header it cannot read: the members after it would be lost."""
    good = _tar([("snap/net/tcp", TABLE, None), ("snap/net/udp", TABLE, None), ("snap/net/raw", TABLE, None)])
    damaged = bytearray(good)
    second = good.index(b"snap/net/udp") // 512 * 512  # the second member's header block
    damaged[second + 148 : second + 156] = b"garbage!"  # its checksum
    archive = tmp_path / "snap.tar.gz"
    archive.write_bytes(gzip.compress(bytes(damaged)))
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(archive)
    assert str(raised.value) == f"{archive}: damaged after 1 member(s) (not an archive's end there); not unpacked"
    archive.write_bytes(gzip.compress(good))
    assert ProcSource.snapshot(archive).read_net("udp") == [TCP_HEADER, GOOD]


@pytest.mark.parametrize("what", ["name", "link target"])
def test_a_member_with_a_nul_byte_is_refused(tmp_path: Path, what: str) -> None:
    long = "x" * 120  # past ustar's 100 bytes: the name goes in a PAX record, which keeps the NUL
    member = ("snap/net/" + long + "\0tcp", TABLE, None) if what == "name" else ("snap/net/l", None, long + "\0/etc/passwd")
    archive = tmp_path / "snap.tar"
    archive.write_bytes(_tar([("snap/net/tcp", TABLE, None), member]))
    got = netread_snapshot(archive, ["-tan"])
    assert got.stderr == f"netread: {archive}: member 2 has a NUL byte in its {what}; not unpacked\n"
    assert got.status == 1 and got.stdout == b""


@pytest.mark.parametrize("kind", ["directories", "symlinks"])
def test_every_member_counts_against_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setattr(source, "MAX_MEMBERS", 100)
    members: list[tuple[str, bytes | None, str | None]] = [("snap/net/tcp", TABLE, None)]
    members += [(f"snap/d{i}", None, "x" if kind == "symlinks" else None) for i in range(100)]
    archive = tmp_path / "snap.tar.gz"
    archive.write_bytes(gzip.compress(_tar(members)))
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(archive)
    assert str(raised.value) == f"{archive}: more than 100 members or {source.MAX_UNPACKED >> 20} MiB; not unpacked"
    archive.write_bytes(gzip.compress(_tar(members[:100])))
    assert ProcSource.snapshot(archive).read_net("tcp") == [TCP_HEADER, GOOD]


def test_unpacking_is_bounded_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_SECONDS", -1)
    archive = tmp_path / "snap.tar"
    archive.write_bytes(_snapshot_tar())
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(archive)
    assert str(raised.value) == f"{archive}: more than -1 s to unpack; not unpacked"


def test_a_bomb_of_a_huge_table_is_bounded_in_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_UNPACKED", 8 << 20)
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("snap/net/tcp")
        info.size = 16 << 20
        tar.addfile(info, io.BytesIO(bytes(16 << 20)))
    assert archive.stat().st_size < 100_000
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(archive)
    assert str(raised.value) == f"{archive}: more than {source.MAX_MEMBERS} members or 8 MiB; not unpacked"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_the_unpack_directory_is_removed_on_sigterm_and_sighup(tmp_path: Path, signum: int) -> None:
    archive = tmp_path / "snap.tar"
    archive.write_bytes(_snapshot_tar())
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-m", "netread", "--proc", str(archive), "-tanc"],
        env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        child.stdout.readline()  # listing: the directory is there
        assert len(_left(tmp)) == 1
        child.send_signal(signum)
        child.wait(timeout=20)
    finally:
        child.kill()
        child.wait()
    assert _left(tmp) == []
    assert child.returncode == 128 + signum
    assert child.stderr is not None and b"Traceback" not in child.stderr.read()


def test_without_a_signal_the_unpack_directory_goes_at_exit(tmp_path: Path) -> None:
    archive = tmp_path / "snap.tar"
    archive.write_bytes(_snapshot_tar())
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    run = subprocess.run([sys.executable, "-m", "netread", "--proc", str(archive), "-tan"], env={**os.environ, "TMPDIR": str(tmp)}, capture_output=True)
    assert run.returncode == 0 and b"127.0.0.1:22" in run.stdout
    assert _left(tmp) == []



_VALID = {suffix: compress(_tar([("snap/net/tcp", TABLE, None), ("snap/7/fd/3", None, "socket:[4242]"), ("snap/7/cmdline", b"/bin/x\0", None), ("snap/snapshot.json", b'{"clk_tck": 100}', None)]))
          for suffix, compress in ((".tar", lambda b: b), (".tar.gz", gzip.compress), (".tar.xz", lzma.compress), (".tar.bz2", bz2.compress))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(sorted(_VALID)), flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(1, 255)), max_size=4), cut=st.none() | st.integers(0, 1 << 16))
def test_a_mutated_tarball_is_read_whole_or_refused_in_one_error(tmp_path: Path, suffix: str, flips: list[tuple[int, int]], cut: int | None) -> None:
    """Any damage to a snapshot tarball: it is read (as far as it says it is whole) or it is one
    SourceError; never another exception, never a directory left behind."""
    data = bytearray(_VALID[suffix])
    for at, xor in flips:
        data[at % len(data)] ^= xor
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    archive = tmp_path / f"m{suffix}"
    archive.write_bytes(bytes(data))
    before = set(Path(tempfile.gettempdir()).glob("netread-snapshot-*"))
    try:
        snap = ProcSource.snapshot(archive)
    except SourceError as exc:
        assert str(exc).startswith(f"{archive}: ")
        assert set(Path(tempfile.gettempdir()).glob("netread-snapshot-*")) == before  # removed on refusal
        return
    lines = snap.read_net("tcp")
    if suffix != ".tar":  # a compressed stream's CRC covers every byte: read means read intact
        assert lines == [TCP_HEADER, GOOD]
        assert snap.clk_tck == 100


def test_a_small_tarball_of_a_huge_one_line_table_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """A bomb: a .tar.gz of a few hundred KB holding a 128 MiB table that is one line of NULs."""
    size = 128 << 20
    archive = tmp_path / "bomb.tar.gz"
    head = f"{TCP_HEADER}\n{GOOD}\n".encode()
    with gzip.open(archive, "wb", compresslevel=1) as out:
        info = tarfile.TarInfo("snap/net/tcp")
        info.size = len(head) + size + 1
        out.write(info.tobuf())
        out.write(head)
        zeros = bytes(1 << 20)
        for _ in range(size >> 20):
            out.write(zeros)
        out.write(b"\n")
        out.write(bytes(-(len(head) + size + 1) % 512) + bytes(1024))
    assert archive.stat().st_size < 2 << 20
    probe = (
        "import resource, subprocess, sys\n"
        "run = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.buffer.write(run.stdout); sys.stderr.buffer.write(run.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "netread", "--proc", str(archive), "-tan"], capture_output=True, timeout=300)
    *messages, peak = run.stderr.decode().splitlines()
    assert int(peak) < 64 << 10, f"peak RSS {peak} KiB"
    assert [m.split(": field ")[1].split(";")[0] for m in messages[:1]] == [f"line: longer than {source.MAX_LINE} bytes (no table has such lines): skipped"]
    assert b"127.0.0.1:22 " in run.stdout
