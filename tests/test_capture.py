"""netread capture, and --proc on directories, tarballs, big-endian captures and sosreports."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import Unprivileged
from fakeproc import FakeProc
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import format_table
from oracle import netread
from oracle import netread_snapshot

from netread.errors import CaptureError
from netread.proc.capture import MANIFEST_FORMAT
from netread.proc.capture import collect
from netread.proc.capture import tarball_name
from netread.proc.capture import write_dir
from netread.proc.capture import write_tar
from netread.proc.capture import write_tar_into

HERE = Path(__file__).resolve().parent
PEER_FIXTURES = ROOT.parent / "shared" / "peer_fixtures"
PTR = "0" * 16


# -- live: the capture prints what the live system printed ------------------------


@pytest.mark.live
def test_capture_of_the_live_system_lists_as_the_live_system_did(tmp_path: Path) -> None:
    env = {**os.environ, "NETREAD_LIVE_TMP": str(tmp_path), "PYTHONPATH": f"{ROOT}:{HERE}"}
    proc = subprocess.run(["unshare", "-n", sys.executable, str(HERE / "capture_live.py")], capture_output=True, env=env, timeout=300)
    if proc.returncode != 0 and b"unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    r = json.loads(proc.stdout)
    assert r["capture"]["status"] == 0 and r["capture_tar"]["status"] == 0, r["capture"]["stderr"]
    assert "owning processes saved" in r["capture"]["stderr"]
    live = r["live_netread"]
    assert "/python" in live["stdout"] and "127.0.0.1" in live["stdout"]  # owners and sockets really there
    assert r["snap_netread"] == live
    assert r["tar_netread"] == live
    assert r["snap_netstat"]["stdout"] == r["live_netstat"]["stdout"]
    assert r["snap_netstat"]["status"] == r["live_netstat"]["status"]


# -- capture of a /proc tree (here: sample_proc) ------------------------------------


def test_capture_of_a_tree_lists_as_the_tree(tmp_path: Path) -> None:
    capture = collect(SAMPLE_PROC, user_names=lambda uids: {str(u): f"u{u}" for u in uids})
    assert capture.processes == 4 and capture.sockets > 90 and not capture.problems
    write_dir(capture, tmp_path / "dir")
    write_tar(capture, tmp_path / "snap.tar.gz")
    for flags in (["-tuwxanpeo"], ["-xap"], ["--explain", "-tuwxanpo"]):
        want = netread_snapshot(SAMPLE_PROC, flags)
        for copy in (tmp_path / "dir", tmp_path / "snap.tar.gz"):
            got = netread_snapshot(copy, flags)
            # the note on the ambiguous unix records names the table by the path it was read from
            assert (got.status, got.stdout) == (want.status, want.stdout)
            assert re.sub(r"note: \S*/net/unix:", "note: net/unix:", got.stderr) == re.sub(r"note: \S*/net/unix:", "note: net/unix:", want.stderr)
            assert want.stderr.count("\n") == 1 and "8 record(s) (line 7 (inode 5832805), 13 (inode 5832799)" in want.stderr
    manifest = json.loads((tmp_path / "dir" / "snapshot.json").read_text())
    assert manifest["format"] == MANIFEST_FORMAT and manifest["byteorder"] == sys.byteorder
    assert manifest["users"] == {"0": "u0", "65534": "u65534"}
    assert manifest["clk_tck"] == os.sysconf("SC_CLK_TCK") and manifest["kernel"] and manifest["hostname"]
    # only socket links, and only the Name/Uid lines of status
    pid = next(p for p in (tmp_path / "dir").iterdir() if p.name.isdigit())
    assert all(os.readlink(link).startswith("socket:[") for link in (pid / "fd").iterdir())
    assert all(line.split(":")[0] in ("Name", "Uid") for line in (pid / "status").read_text().splitlines())
    # the captured names are what -e shows
    assert " u65534 " in netread_snapshot(tmp_path / "dir", ["-uae"]).stdout.decode()


def test_capture_refuses_to_overwrite(tmp_path: Path) -> None:
    capture = collect(SAMPLE_PROC)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    for args in (["capture", str(tmp_path / "other")], ["capture", str(tmp_path / "other"), "--force"]):
        got = netread(args)
        assert got.status == 1 and (tmp_path / "other" / "notes.txt").read_text() == "mine", got.stderr
    assert "not a netread snapshot" in netread(["capture", str(tmp_path / "other"), "--force"]).stderr
    write_dir(capture, tmp_path / "snap")
    got = netread(["capture", str(tmp_path / "snap")])
    assert got.status == 1 and "use --force" in got.stderr
    (tmp_path / "snap" / "stale").write_text("x")  # not a capture's: --force leaves the directory alone (issue 14)
    got = netread(["capture", str(tmp_path / "snap"), "--force"])
    assert (got.status, got.stderr) == (1, f"netread capture: {tmp_path / 'snap'}: holds what a capture does not write (stale); not replacing it\n")
    assert (tmp_path / "snap" / "stale").read_text() == "x"
    (tmp_path / "snap" / "stale").unlink()
    before = (tmp_path / "snap" / "snapshot.json").read_bytes()
    assert netread(["capture", str(tmp_path / "snap"), "--force"]).status == 0
    assert (tmp_path / "snap" / "snapshot.json").read_bytes() != before
    (tmp_path / "t.tar").write_text("x")
    assert netread(["capture", "--tar", str(tmp_path / "t.tar")]).status == 1
    assert netread(["capture"]).status == 2 and netread(["capture", "a", "--tar", "b"]).status == 2


def test_unprivileged_capture_says_what_it_could_not_read_and_saves_the_rest(tmp_path: Path, unprivileged: Unprivileged) -> None:
    # a place nobody may not write: one clear error, no traceback
    proc = unprivileged.netread(["capture", str(tmp_path / "snap")], timeout=120)
    assert proc.returncode == 1 and b"Permission denied" in proc.stderr and b"Traceback" not in proc.stderr
    with tempfile.TemporaryDirectory() as shared:
        os.chmod(shared, 0o777)
        proc = unprivileged.netread(["capture", os.path.join(shared, "snap")], timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert b"did not let us read their fds (not root?)" in proc.stderr
        assert os.path.isfile(os.path.join(shared, "snap", "net", "tcp"))
        assert os.path.isfile(os.path.join(shared, "snap", "snapshot.json"))


# -- byte order: a big-endian capture decodes right here -----------------------------


KNOWN = [("192.0.2.1", 22, "198.51.100.7", 40000), ("10.1.2.3", 8080, "0.0.0.0", 0)]
KNOWN6 = [("2001:db8::1", 443, "2001:db8::2", 50000), ("::ffff:10.0.0.1", 80, "::ffff:10.0.0.2", 1234)]


def _big_endian_snapshot(root: Path, manifest: bool) -> None:
    tcp = [TcpEntry("tcp", "full", i, a, p, b, q, 1 if q else 10, 0, 0, 0, 0, 0, 0, 0, 100 + i, 1, PTR) for i, (a, p, b, q) in enumerate(KNOWN)]
    tcp6 = [TcpEntry("tcp6", "full", i, a, p, b, q, 1, 0, 0, 0, 0, 0, 0, 0, 200 + i, 1, PTR) for i, (a, p, b, q) in enumerate(KNOWN6)]
    udp = [DgramEntry("udp", 0, "127.0.0.1", 53, "0.0.0.0", 0, 7, 0, 0, 0, 300, 2, PTR, 0)]
    fake = FakeProc(root).tables({"tcp": format_table("tcp", tcp, "big"), "tcp6": format_table("tcp6", tcp6, "big"), "udp": format_table("udp", udp, "big")})
    if manifest:
        fake.manifest(format=1, byteorder="big", clk_tck=100)


def test_big_endian_snapshot_decodes_to_its_addresses(tmp_path: Path) -> None:
    _big_endian_snapshot(tmp_path / "big", manifest=True)
    out = netread_snapshot(tmp_path / "big", ["-tuanW"]).stdout.decode()
    for local, lport, remote, rport in KNOWN:
        assert f"{local}:{lport}" in out and (f"{remote}:{rport}" in out or rport == 0)
    assert "2001:db8::1:443" in out and "2001:db8::2:50000" in out
    assert "10.0.0.1:80" in out and "10.0.0.2:1234" in out and "127.0.0.1:53" in out
    # without the manifest the words are read in this machine's order: the addresses come out wrong
    _big_endian_snapshot(tmp_path / "nomanifest", manifest=False)
    if sys.byteorder == "little":
        assert "192.0.2.1:22" not in netread_snapshot(tmp_path / "nomanifest", ["-tanW"]).stdout.decode()


RAPID7 = PEER_FIXTURES / "rapid7_metasploit-framework" / "pull5722_description"


@pytest.mark.skipif(not RAPID7.is_dir(), reason=f"{RAPID7} is absent (shared peer fixtures not here)")
def test_rapid7_big_endian_mips_capture_decodes_to_its_expected_addresses(tmp_path: Path) -> None:
    from netread.model import InetSocket
    from netread.parse.inet import decode_inet
    from netread.proc.source import ProcSource

    fake = FakeProc(tmp_path).table("tcp", (RAPID7 / "proc_net_tcp.bigendian_mips").read_bytes())
    fake.table("udp", (RAPID7 / "proc_net_udp.bigendian_mips").read_bytes()).manifest(byteorder="big")
    source = ProcSource.snapshot(tmp_path)
    expected = json.loads((RAPID7 / "expected.json").read_text())
    states = {1: "ESTABLISHED", 7: "CLOSE", 10: "LISTEN"}
    for table, rows in (("tcp", expected["tcp_rows"]), ("udp", expected["udp_rows"])):
        got = [r for r in decode_inet(source.read_net(table) or [], path=table, table=table, byteorder=source.byteorder) if isinstance(r, InetSocket)]
        assert len(got) == len(rows)
        for row, want in zip(got, rows):
            assert [str(row.local.address), row.local.port] == want["local"]
            assert [str(row.remote.address), row.remote.port] == want["remote"]
            assert states[row.st] == want["state"] and row.inode == want["inode"]
            if "tx" in want:
                assert (row.tx_queue, row.rx_queue) == (want["tx"], want["rx"])
    assert "192.168.1.1:23" in netread_snapshot(tmp_path, ["-tan"]).stdout.decode()


# -- sosreports and tarballs ----------------------------------------------------------


def _sosreport(root: Path, machine: str) -> Path:
    _big_endian_snapshot(root / "proc", manifest=False) if machine == "s390x" else FakeProc(root / "proc").tables(
        {"tcp": format_table("tcp", [TcpEntry("tcp", "full", 0, *KNOWN[0], 1, 0, 0, 0, 0, 0, 0, 0, 100, 1, PTR)])}
    )
    FakeProc(root).file("sos_commands/kernel/uname_-a", f"Linux host.example 5.14.0-362.el9.{machine} #1 SMP {machine} {machine} {machine} GNU/Linux\n")
    (root / "sos_reports").mkdir()
    return root


@pytest.mark.parametrize("machine", ["x86_64", "s390x"])
def test_a_sosreport_tree_is_read(machine: str, tmp_path: Path) -> None:
    root = _sosreport(tmp_path / "sosreport-host-2026-11-30-abcdef", machine)
    got = netread_snapshot(root, ["-tanW"])
    assert got.status in (0, 1) and "192.0.2.1:22" in got.stdout.decode(), got.stderr
    with tarfile.open(tmp_path / "sosreport.tar.xz", "w:xz") as tar:
        tar.add(root, arcname=root.name)
    assert netread_snapshot(tmp_path / "sosreport.tar.xz", ["-tanW"]).stdout == got.stdout


def _member(tar: tarfile.TarFile, name: str, data: bytes = b"", link: str | None = None) -> None:
    info = tarfile.TarInfo(name)
    if link is not None:
        info.type, info.linkname = tarfile.SYMTYPE, link
        tar.addfile(info)
    else:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def test_unpacking_a_tarball_never_writes_outside(tmp_path: Path) -> None:
    table = format_table("tcp", [TcpEntry("tcp", "full", 0, *KNOWN[0], 1, 0, 0, 0, 0, 0, 0, 0, 100, 1, PTR)]).encode()
    outside = tmp_path / "outside"
    outside.mkdir()
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        _member(tar, "snap/net/tcp", table)
        _member(tar, "../escaped", b"x")
        _member(tar, "/abs-escaped", b"x")
        _member(tar, "snap/out", link=str(outside))
        _member(tar, "snap/out/through-link", b"x")
        _member(tar, "snap/1/fd/3", link="socket:[100]")
        _member(tar, "snap/1/cmdline", b"/usr/bin/ok\0")
    got = netread_snapshot(tmp_path / "evil.tar", ["-tanpW"])
    assert "192.0.2.1:22" in got.stdout.decode() and "1/ok" in got.stdout.decode(), got.stderr
    assert list(outside.iterdir()) == [] and not (tmp_path / "escaped").exists() and not Path("/abs-escaped").exists()


def test_capture_tar_never_follows_a_symlink_planted_at_its_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    for planted, existing in ((tmp_path / "dangling.tar", False), (tmp_path / "live.tar", True)):
        if existing:
            victim.write_text("precious")
        planted.symlink_to(victim)
        for force in ([], ["--force"]):
            got = netread(["capture", "--tar", str(planted), *force])
            assert got.status == 1, got.stderr
            if force:
                assert got.stderr == f"netread capture: {planted}: exists and is not a regular file (a symlink); not replaced\n"
            else:
                assert got.stderr == f"netread capture: {planted}: exists; use --force to replace it\n"
            assert planted.is_symlink() and (victim.read_text() == "precious" if existing else not victim.exists())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.tar", "live.tar", "victim"]  # no temporary left


def test_capture_tar_force_replaces_a_regular_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "snap.tar.gz"
    assert netread(["capture", "--tar", str(target)]).status == 0
    first = target.stat().st_ino
    assert netread(["capture", "--tar", str(target), "--force"]).status == 0
    assert target.stat().st_ino != first  # a new file renamed in, not the old one truncated
    assert tarfile.open(target).getmember("snap/snapshot.json").isfile()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.tar.gz"]


# -- capture --tar-dir: a tarball named after its host and time, for collections of many hosts --


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("web-1.example.com", "web-1.example.com-20261202T061357Z.tar.gz"),
        ("../../etc/cron.d/x", "_._etc_cron.d_x-20261202T061357Z.tar.gz"),
        ("a/b", "a_b-20261202T061357Z.tar.gz"),
        ("..", "unknown-host-20261202T061357Z.tar.gz"),
        (".hidden", "hidden-20261202T061357Z.tar.gz"),
        ("-rf", "rf-20261202T061357Z.tar.gz"),
        ("\x1b[31mred", "__31mred-20261202T061357Z.tar.gz"),
        ("h\u00f4te", "h_te-20261202T061357Z.tar.gz"),
        ("", "unknown-host-20261202T061357Z.tar.gz"),
        ("x" * 300, "x" * 200 + "-20261202T061357Z.tar.gz"),
    ],
    ids=["fqdn", "dot-dot", "slash", "only-dots", "hidden", "option", "escape", "non-ascii", "empty", "long"],
)
def test_tarball_name_is_the_sanitised_host_and_the_utc_time(host: str, name: str) -> None:
    assert tarball_name(host, "2026-12-02T07:13:57+01:00") == name
    assert "/" not in name and ".." not in name and not name.startswith((".", "-"))


def test_capture_tar_dir_writes_a_tarball_named_after_host_and_time_and_prints_its_path(tmp_path: Path) -> None:
    got = netread(["capture", "--tar-dir", str(tmp_path / "fleet")])  # made when absent
    assert got.status == 0, got.stderr
    [written] = list((tmp_path / "fleet").iterdir())
    assert got.stdout == f"{written}\n".encode()
    top = written.name[: -len(".tar.gz")]
    with tarfile.open(written) as tar:
        manifest = json.loads(tar.extractfile(f"{top}/snapshot.json").read())  # type: ignore[union-attr]
    stamp = re.sub(r"[-:]", "", manifest["captured_at"].replace("+00:00", "Z"))
    assert written.name == tarball_name(manifest["hostname"], manifest["captured_at"]) and written.name.endswith(f"-{stamp}.tar.gz")
    # replayed, its records say where and when they come from
    records = [json.loads(line) for line in netread_snapshot(written, ["-xa", "--format", "ndjson"]).stdout.splitlines()]
    assert records and {(r["host"], r["taken_at"]) for r in records} == {(manifest["hostname"], manifest["captured_at"].replace("+00:00", "Z"))}
    assert netread(["capture", "--tar-dir", str(tmp_path / "fleet"), "--tar", "x"]).status == 2
    (tmp_path / "file").write_text("x")
    refused = netread(["capture", "--tar-dir", str(tmp_path / "file")])
    assert (refused.status, refused.stdout) == (1, b"") and "file" in refused.stderr


def test_capture_tar_dir_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    import datetime

    when = datetime.datetime(2026, 12, 2, 6, 13, 57, tzinfo=datetime.timezone.utc)
    capture = collect(SAMPLE_PROC, now=lambda: when)
    capture.manifest["hostname"] = "db/../7"
    first = write_tar_into(capture, tmp_path)
    assert first == tmp_path / "db_._7-20261202T061357Z.tar.gz"
    with pytest.raises(CaptureError, match="exists; use --force to replace it"):
        write_tar_into(capture, tmp_path)
    inode = first.stat().st_ino
    assert write_tar_into(capture, tmp_path, force=True) == first and first.stat().st_ino != inode
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / first.name).symlink_to(tmp_path / "victim")
    with pytest.raises(CaptureError, match="a symlink"):
        write_tar_into(capture, planted, force=True)
    assert not (tmp_path / "victim").exists()
    with tarfile.open(first) as tar:  # everything under one directory named as the file
        assert {m.name.split("/")[0] for m in tar.getmembers()} == {"db_._7-20261202T061357Z"}
    assert netread_snapshot(first, ["-tan"]).stdout == netread_snapshot(SAMPLE_PROC, ["-tan"]).stdout


def test_capture_force_never_empties_what_is_not_a_capture(tmp_path: Path) -> None:
    dest = tmp_path / "home"
    dest.mkdir()
    (dest / "snapshot.json").write_text("{}")
    (dest / "thesis.tex").write_text("years of work")
    (dest / "net").mkdir()
    (dest / "net" / "tcp").write_text("x")
    (dest / "net" / "notes").write_text("mine")
    got = netread(["capture", str(dest), "--force"])
    assert got.stderr == f"netread capture: {dest}: holds what a capture does not write (net/notes, thesis.tex); not replacing it\n"
    assert got.status == 1 and (dest / "thesis.tex").exists() and (dest / "net" / "notes").exists()
    link = tmp_path / "link"
    link.symlink_to(dest)
    got = netread(["capture", str(link), "--force"])
    assert (got.status, got.stderr) == (1, f"netread capture: {link}: a symlink; a capture is not written through one\n")


def test_capture_saves_argv0_only_unless_asked(tmp_path: Path) -> None:
    from netread.proc.capture import saved_cmdline

    assert saved_cmdline(b"/usr/bin/mysql\0-uroot\0-phunter2\0") == b"/usr/bin/mysql\0"
    assert saved_cmdline(b"x" * 600 + b"\0secret\0") == b"x" * 511 + b"\0"
    root = FakeProc(tmp_path / "src").table("tcp", format_table("tcp", [TcpEntry("tcp", "full", 0, *KNOWN[0], 1, 0, 0, 0, 0, 0, 0, 0, 100, 1, PTR)]))
    root.process(7, b"/usr/bin/mysql\0-uroot\0-phunter2\0", {3: "socket:[100]"})
    (root.root / "7" / "comm").write_text("mysql\n")
    saved = {entry.path: entry.data for entry in collect(root.root).entries}
    assert saved["7/cmdline"] == b"/usr/bin/mysql\0" and saved["7/comm"] == b"mysql\n"
    assert {entry.path: entry.data for entry in collect(root.root, full_cmdline=True).entries}["7/cmdline"] == b"/usr/bin/mysql\0-uroot\0-phunter2\0"
    write_dir(collect(root.root), tmp_path / "snap")
    listed = netread_snapshot(tmp_path / "snap", ["-tanpW"]).stdout.decode()
    assert listed == netread_snapshot(root.root, ["-tanpW"]).stdout.decode() and "7/mysql" in listed
