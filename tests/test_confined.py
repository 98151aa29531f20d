"""Issue 14, classes 5 and 6: a snapshot's files are read through one chain of descriptors (nothing
outside it, even when a file is swapped for a symlink while netread looks), and no table line is held
past a bound, so reading a table of any size stays small."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Unprivileged
from fakeproc import FakeProc
from oracle import netread_snapshot

from netread.errors import ParseError
from netread.errors import SourceError
from netread.proc import source
from netread.proc.source import MAX_LINE
from netread.proc.source import ProcSource

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
GOOD = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
GOOD2 = "   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0"
OUTSIDE = "   9: 0A0A0A0A:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9999 1 0000000000000000 100 0 0 10 0"
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path"
UNIX_GOOD = "0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/good.sock"
UNIX_GOOD2 = "0000000000000000: 00000002 00000000 00010000 0001 01 778 /run/other.sock"


def _swap_on_open(monkeypatch: pytest.MonkeyPatch, name: str, link: Path, target: Path) -> None:
    """Just before netread opens a file called ``name``, ``link`` (a regular file until then) becomes
    a symlink to ``target``: the race of a check and an open, made certain."""
    real_open = os.open

    def racing_open(path: str | os.PathLike[str], flags: int, *args: object, **kwargs: object) -> int:
        if os.path.basename(os.fspath(path)) == name and not link.is_symlink():
            link.unlink()
            link.symlink_to(target)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", racing_open)


def test_a_table_swapped_for_a_symlink_after_the_check_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside-tcp"
    outside.write_text(f"{TCP_HEADER}\n{OUTSIDE}\n")
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n", "unix": f"{UNIX_HEADER}\n{UNIX_GOOD}\n"}).root
    snap = ProcSource.snapshot(root)
    _swap_on_open(monkeypatch, "tcp", root / "net" / "tcp", outside)
    with pytest.raises(SourceError) as raised:
        snap.net_chunks("tcp")
    assert str(raised.value) == f"{root}/net/tcp: a symlink out of the snapshot; not read"
    assert (root / "net" / "tcp").is_symlink()  # the swap did happen
    _swap_on_open(monkeypatch, "unix", root / "net" / "unix", outside)
    with pytest.raises(SourceError) as raised:
        snap.read_net("unix")
    assert str(raised.value) == f"{root}/net/unix: a symlink out of the snapshot; not read"


def test_a_process_file_swapped_for_a_symlink_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from netread.proc.processes import scan_owners

    secret = tmp_path / "secret"
    secret.write_bytes(b"/etc/shadow-contents\0")
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).process(7, b"/usr/bin/sshd\0", {3: "socket:[4242]"}).root
    _swap_on_open(monkeypatch, "cmdline", root / "7" / "cmdline", secret)
    owners = scan_owners(str(root), confined=True)
    assert owners.processes == {}  # skipped, as a process whose cmdline cannot be read
    assert owners.holders == {}


def test_a_pid_directory_swapped_for_a_symlink_is_not_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from netread.proc.processes import scan_owners

    elsewhere = FakeProc(tmp_path / "elsewhere").process(7, b"/usr/bin/evil\0", {3: "socket:[4242]"}).root
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).process(7, b"/usr/bin/sshd\0", {4: "pipe:[1]"}).root
    real_scandir = os.scandir

    def listed_then_swapped(path: str) -> object:  # the pid listed as a directory, then made a link
        entries = list(real_scandir(path))
        os.rename(root / "7", tmp_path / "old-7")
        os.symlink(elsewhere / "7", root / "7")

        class Entries(list[os.DirEntry[str]]):
            def __enter__(self) -> Entries:
                return self

            def __exit__(self, *exc: object) -> None:
                pass

        return Entries(entries)

    monkeypatch.setattr(os, "scandir", listed_then_swapped)
    owners = scan_owners(str(root), confined=True)
    assert owners.holders == {} and owners.processes == {}


def test_symlinks_inside_the_snapshot_are_followed_inside_only(tmp_path: Path) -> None:
    root = FakeProc(tmp_path / "snap").file("data/net/tcp", f"{TCP_HEADER}\n{GOOD}\n").file("data/real", "1\n").root
    os.symlink("data/net", root / "net")  # a directory link that stays inside
    os.symlink("../../data/./real", root / "data" / "net" / "tcp6")
    snap = ProcSource.snapshot(root)
    assert snap.read_net("tcp") == [TCP_HEADER, GOOD]
    assert snap.read_net("tcp6") == ["1"]
    (root / "data" / "net" / "udp").symlink_to("../../..")  # a directory, and out
    (root / "data" / "net" / "raw").symlink_to("../../../outside")
    (root / "data" / "net" / "udp6").symlink_to("udp6")  # a loop
    for table in ("udp", "raw", "udp6"):
        with pytest.raises(SourceError):
            snap.read_net(table)
    assert snap.read_text("net/raw") is None


def test_a_fifo_or_device_in_a_snapshot_is_refused_without_blocking(tmp_path: Path) -> None:
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).root
    os.mkfifo(root / "net" / "udp")
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(root).read_net("udp")
    assert str(raised.value) == f"{root}/net/udp: not a regular file"


def test_the_live_proc_net_symlink_still_works() -> None:
    live = ProcSource.live()
    assert os.path.islink("/proc/net")
    lines = live.read_net("unix")
    assert lines is not None and lines[0].startswith("Num")


# -- class 6: a bounded line ------------------------------------------------------------------


def _sparse_table(path: Path, before: str, size: int, after: str) -> None:
    """``before``, then a line of ``size`` NUL bytes (a hole: no disk), then ``after``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        out.write(before.encode())
        out.truncate(len(before) + size)
        out.seek(len(before) + size)
        out.write(("\n" + after).encode())


def _peak_rss(args: list[str]) -> tuple[int, subprocess.CompletedProcess[bytes]]:
    """netread run in a fresh child; its peak resident size in KiB."""
    probe = (
        "import resource, subprocess, sys\n"
        "run = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stderr.buffer.write(run.stderr); sys.stdout.buffer.write(run.stdout)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(run.returncode)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "netread", *args], capture_output=True, timeout=300)
    *_, peak = run.stderr.decode().split()
    return int(peak), run


@pytest.mark.parametrize("table", ["tcp", "unix"])
def test_a_table_that_is_one_huge_line_is_read_in_bounded_memory(tmp_path: Path, table: str) -> None:
    root = tmp_path / "snap"
    header, good, good2, args = (TCP_HEADER, GOOD, GOOD2, "-tan") if table == "tcp" else (UNIX_HEADER, UNIX_GOOD, UNIX_GOOD2, "-xa")
    _sparse_table(root / "net" / table, f"{header}\n{good}\n", 256 << 20, f"{good2}\n")
    peak, run = _peak_rss(["--proc", str(root), args])
    assert peak < 64 << 10, f"peak RSS {peak} KiB"
    path = root / "net" / table
    nuls = "\\x00" * 64
    assert run.stderr.decode().splitlines()[:2] == [
        f"netread: warning: {path}:3: field line: longer than {MAX_LINE} bytes (no table has such lines): skipped; line: {nuls}",
        "netread: 1 problem in the tables (each named above); every other row is shown",
    ]
    out = run.stdout.decode()
    if table == "tcp":
        assert "127.0.0.1:22 " in out and "127.0.0.1:80 " in out
    else:
        assert "777      /run/good.sock\n" in out and "778      /run/other.sock\n" in out
    assert run.returncode == 0


def test_the_bounded_reader_gives_every_line_but_the_long_ones(tmp_path: Path) -> None:
    """Long lines at every place a piece can cut (first line, last line, straddling, at the end
    without a newline) are each one ParseError; every other line comes whole, in order."""
    size = 1 << 12
    limit = max(MAX_LINE, size)
    lines = [b"a" * 10, b"b" * (limit + 1), b"c" * limit, b"d" * (size - 1), b"e" * (3 * limit), b"", b"f" * 7]
    for first_long in (False, True):
        for tail in (b"\n", b"", b"g" * (limit + 5)):
            body = ([b"h" * (limit + 2)] if first_long else []) + lines
            data = b"\n".join(body) + b"\n" + tail
            path = tmp_path / "t"
            path.write_bytes(data)
            got = list(source._chunks(source.open_regular(path), str(path), size, False))
            read: list[bytes] = []
            skipped: list[int] = []
            for lineno, piece in got:
                if isinstance(piece, ParseError):
                    assert piece.lineno == lineno and piece.field == "line"
                    assert lineno == len(read) + len(skipped) + 1
                    skipped.append(lineno)
                else:
                    assert lineno == len(read) + len(skipped) + 1
                    read += piece.split(b"\n")[:-1]
            every = body + ([tail.rstrip(b"\n")] if tail else [])
            assert read == [line for line in every if len(line) <= limit]
            assert skipped == [i for i, line in enumerate(every, 1) if len(line) > limit]


# -- the manifest: every value checked where it is read --------------------------------------

#: A manifest value netread does not write there, and the warning: the value is ignored (this
#: host's default used), the rest of the manifest and the snapshot read, status 0.
BAD_MANIFEST_VALUES = [
    ({"clk_tck": True}, "clk_tck: must be an integer from 1 to 1000000, not True"),
    ({"clk_tck": 0}, "clk_tck: must be an integer from 1 to 1000000, not 0"),
    ({"clk_tck": -100}, "clk_tck: must be an integer from 1 to 1000000, not -100"),
    ({"clk_tck": "100"}, "clk_tck: must be an integer from 1 to 1000000, not '100'"),
    ({"clk_tck": 100.0}, "clk_tck: must be an integer from 1 to 1000000, not 100.0"),
    ({"clk_tck": 10**30}, "clk_tck: must be an integer from 1 to 1000000, not 1000000000000000000000000000000"),
    ('{"clk_tck": ' + "9" * 4400 + "}", "clk_tck: must be an integer from 1 to 1000000, not a 4400-digit number"),
    ({"byteorder": ["big"]}, 'byteorder: must be "little" or "big", not list'),
    ({"byteorder": "\x1b]0;owned\x07"}, 'byteorder: must be "little" or "big", not \'\\x1b]0;owned\\x07\''),
    ({"users": {"0": None}}, "users: 1 entry left out: the name of uid 0 must be a string of 1 to 256 characters, not None"),
    ({"users": {"0": 7, "1": "daemon"}}, "users: 1 entry left out: the name of uid 0 must be a string of 1 to 256 characters, not 7"),
    ({"users": {"\u00b2": "root"}}, "users: 1 entry left out: the uid '\u00b2' is not a decimal number below 2**32"),
    ({"users": {"4294967296": "big", "x": "y"}}, "users: 2 entries left out: the uid '4294967296' is not a decimal number below 2**32 (and 1 more)"),
    ({"users": ["root"]}, "users: must be an object of uid: name, not list"),
]


@pytest.mark.parametrize(("facts", "said"), BAD_MANIFEST_VALUES, ids=[str(i) for i in range(len(BAD_MANIFEST_VALUES))])
def test_a_bad_manifest_value_is_ignored_and_said_once(tmp_path: Path, facts: dict[str, object] | str, said: str) -> None:
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).root
    import json

    (root / "snapshot.json").write_text(facts if isinstance(facts, str) else json.dumps(facts))
    got = netread_snapshot(root, ["-tan"])
    assert (got.status, got.stdout, got.stderr) == (0, PLAIN_TAN, f"netread: warning: {root}/snapshot.json: {said}; ignored\n")
    assert netread_snapshot(root, ["-tan", "--strict"]).status == 1
    snap = ProcSource.snapshot(root)
    assert (snap.byteorder, snap.clk_tck, len(snap.problems)) == (sys.byteorder, os.sysconf("SC_CLK_TCK"), 1)


PLAIN_TAN = (
    b"Active Internet connections (servers and established)\n"
    b"Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n"
    b"tcp        0      0 127.0.0.1:22            0.0.0.0:*               LISTEN     \n"
)


def test_the_rest_of_a_manifest_with_a_bad_value_is_read(tmp_path: Path) -> None:
    """A bad clk_tck and a bad users entry leave the byte order, the good users and the timers'
    tick rate this host's: -e shows the manifest's user name, the big-endian address reads right."""
    big = "   0: 7F000001:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{big}\n"}).manifest(byteorder="big", clk_tck=True, users={"0": "alice", "1": None}).root
    got = netread_snapshot(root, ["-tae", "--numeric-hosts", "--numeric-ports"])
    assert got.status == 0
    assert got.stdout.splitlines()[2] == b"tcp        0      0 127.0.0.1:22            0.0.0.0:*               LISTEN      alice      4242      "
    assert got.stderr == (
        f"netread: warning: {root}/snapshot.json: clk_tck: must be an integer from 1 to 1000000, not True; ignored\n"
        f"netread: warning: {root}/snapshot.json: users: 1 entry left out: the name of uid 1 must be a string of 1 to 256 characters, not None; ignored\n"
    )
    snap = ProcSource.snapshot(root)
    assert (snap.byteorder, snap.clk_tck, snap.users, len(snap.problems)) == ("big", os.sysconf("SC_CLK_TCK"), {0: "alice"}, 2)


def test_a_hostname_with_control_characters_is_never_shown(tmp_path: Path) -> None:
    """``hostname`` is shown by no text output; the records carry it (``host``), escaped by JSON."""
    import json

    host = "\x1b]0;owned\x07\x1b[2J\u202e"
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).manifest(hostname=host).root
    for flags in (["-tan"], ["-tan", "--explain"], ["-s"]):
        got = netread_snapshot(root, flags)
        assert b"owned" not in got.stdout + got.stderr.encode() and "\x1b]" not in got.stderr, flags
    got = netread_snapshot(root, ["-tan", "--format", "json"])
    assert not set(got.stdout.decode()) & {"\x1b", "\x07", "\u202e"} and "\x1b" not in got.stderr
    assert [r["host"] for r in json.loads(got.stdout)["sockets"]] == [host]


@pytest.mark.parametrize(
    ("text", "said"),
    [('{"clk_tck": \u00b2}', "Expecting value: line 1 column 13 (char 12)"), ("[1]", None), ("{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")],
)
def test_a_manifest_that_is_not_a_json_object_is_one_clear_error(tmp_path: Path, text: str, said: str | None) -> None:
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).root
    (root / "snapshot.json").write_text(text)
    got = netread_snapshot(root, ["-tan"])
    why = f"cannot read the manifest: {said}" if said else "the manifest must be a JSON object, not list"
    assert (got.status, got.stdout, got.stderr) == (1, b"", f"netread: {root}/snapshot.json: {why}\n")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000, "x" * (5 << 20)])
def test_a_deep_or_huge_manifest_is_refused_before_it_is_parsed(tmp_path: Path, text: str) -> None:
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).root
    (root / "snapshot.json").write_text(text)
    with pytest.raises(SourceError) as raised:
        ProcSource.snapshot(root)
    why = str(raised.value).removeprefix(f"{root}/snapshot.json: cannot read the manifest: ")
    assert why in ("nested more than 32 deep", "more than 4 MiB")


def test_a_good_manifest_is_read_whole(tmp_path: Path) -> None:
    root = FakeProc(tmp_path / "snap").tables({"tcp": ""}).manifest(byteorder="big", clk_tck=250, users={"0": "root", "4294967295": "nobody"}, deep={"a": [[{"b": "[[{"}]]}).root
    snap = ProcSource.snapshot(root)
    assert (snap.byteorder, snap.clk_tck, snap.users) == ("big", 250, {0: "root", 4294967295: "nobody"})


def test_a_snapshot_under_a_directory_nobody_may_enter_is_one_clear_error(unprivileged: Unprivileged) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        locked = Path(tmp) / "locked"
        root = FakeProc(locked / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).root
        os.chmod(locked, 0o700)
        for where in (root, root / "net", locked / "snap.tar"):
            proc = unprivileged.netread(["--proc", str(where), "-tan"], timeout=60)
            assert (proc.returncode, proc.stdout, proc.stderr) == (1, b"", f"netread: {where}: cannot be opened: Permission denied\n".encode())


def test_a_sosreport_proc_swapped_for_a_symlink_is_not_followed(tmp_path: Path) -> None:
    """``proc/`` is checked to be a directory when the snapshot is found; replaced by a link to
    the live /proc later, it is still not read through."""
    top = tmp_path / "sosreport"
    FakeProc(top / "proc").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"})
    snap = ProcSource.snapshot(top)
    assert snap.root == f"{top}/proc" and snap.read_net("tcp") == [TCP_HEADER, GOOD]
    os.rename(top / "proc", tmp_path / "old-proc")
    os.symlink("/proc", top / "proc")
    with pytest.raises(SourceError) as raised:
        snap.read_net("tcp")
    assert str(raised.value) == f"{top}/proc/net/tcp: a symlink out of the snapshot; not read"


@pytest.mark.parametrize("how", ["in-process", "in-a-child", "source"])
def test_the_owner_scan_of_a_sosreport_whose_proc_is_swapped_for_a_symlink_reads_nothing_outside(tmp_path: Path, how: str) -> None:
    """-p's scan opens the root as the tables are opened, through the chain of descriptors from
    the directory the snapshot was named by: ``proc/`` replaced by a link to processes outside
    (the live /proc, say) after the snapshot was found is not scanned."""
    from netread.proc import processes

    top = tmp_path / "sosreport"
    FakeProc(top / "proc").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).owner(7, b"/usr/bin/sshd\0", [4242])
    outside = FakeProc(tmp_path / "outside").owner(666, b"/usr/bin/outsider\0", [4242]).root
    snap = ProcSource.snapshot(top)
    assert (snap.root, snap.top) == (f"{top}/proc", str(top))
    assert processes.scan_owners(snap.root, True, top=snap.top).holders == {4242: (7,)}  # before the swap
    os.rename(top / "proc", tmp_path / "old-proc")
    os.symlink(outside, top / "proc")
    if how == "in-process":
        owners = processes.scan_owners(snap.root, True, top=snap.top)
    elif how == "in-a-child":
        owners = processes._scan_in_child(snap.root, True, snap.top)()
    else:
        owners = snap.scan_owners()()
    assert (owners.holders, owners.processes, owners.failed) == ({}, {}, True)
    assert processes.process_names(snap.root, True, snap.top) is None


def test_a_pid_directory_that_is_a_symlink_out_of_the_snapshot_is_not_scanned(tmp_path: Path) -> None:
    from netread.proc import processes

    outside = FakeProc(tmp_path / "outside").owner(666, b"/usr/bin/outsider\0", [4242]).root
    root = FakeProc(tmp_path / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"}).owner(7, b"/usr/bin/sshd\0", [4343]).root
    os.symlink(outside / "666", root / "666")
    owners = processes.scan_owners(str(root), True)
    assert (owners.holders, list(owners.processes), owners.failed) == ({4343: (7,)}, [7], False)
    got = netread_snapshot(root, ["-tanp"])
    assert got.stdout.splitlines()[2].endswith(b"LISTEN      -                   ")  # 4242 is held by no process of the snapshot


def test_a_snapshot_named_relative_to_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    FakeProc(tmp_path / "sos" / "proc").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n"})
    monkeypatch.chdir(tmp_path / "sos")
    snap = ProcSource.snapshot(".")
    assert (snap.root, snap.read_net("tcp")) == ("proc", [TCP_HEADER, GOOD])
