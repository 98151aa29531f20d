"""Bad input, hostile input, hostile environments: clear messages, no lost rows, no escapes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from conftest import PEER
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import Unprivileged
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread_snapshot

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
GOOD = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
GOOD2 = "   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 100 0 0 10 0"
ROW_22 = "127.0.0.1:22            0.0.0.0:*               LISTEN"
ROW_80 = "127.0.0.1:80            0.0.0.0:*               LISTEN"
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path"
UNIX_GOOD = "0000000000000000: 00000002 00000000 00010000 0001 01 777 /run/good.sock"

# (name, the bad line 2 of net/tcp as bytes, field named in the warning, the row is still shown)
TCP_CASES = [
    ("truncated", b"   1: 0100007F:0017 00000000:0000 0A", "tx_queue:rx_queue", False),
    ("too few fields", b"   1: 0100007F:0017 00000000:0000 0A 00000000:00000000 00:00000000", "retrnsmt", False),
    ("too many fields", GOOD.replace("4242", "4444").encode() + b" 1 2 3 4 5 6 7 8", "line", True),
    ("non-hex", b"   1: 0100007G:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1", "local_address", False),
    ("oversize hex address", b"   1: 0100007F0:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1", "local_address", False),
    ("oversize hex queue", b"   1: 0100007F:0017 00000000:0000 0A 00000000:10000000000000000000 00:00000000 00000000     0        0 4444 1", "rx_queue", True),
    ("port above 0xFFFF", b"   1: 0100007F:10017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1", "local_address", False),
    ("negative decimal", b"   1: 0100007F:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000    -5        0 4444 1", "uid", True),
    ("non-numeric decimal", b"   1: 0100007F:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 many 1", "inode", True),
    ("NUL and binary junk", b"\x00\x01\x02garbage\x7f\x9b[2J", "sl", False),
    ("not UTF-8", b"   1\xff\xfe: junk", "sl", False),
    ("CRLF ending", GOOD.replace("4242", "4444").encode() + b"\r", "line", True),
]


@pytest.mark.parametrize(("name", "bad", "field", "shown"), TCP_CASES, ids=[c[0] for c in TCP_CASES])
def test_a_malformed_tcp_line_is_reported_and_the_rest_shown(name: str, bad: bytes, field: str, shown: bool, tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n".encode() + bad + f"\n{GOOD2}\n".encode()}).root
    got = netread_snapshot(root, ["-tan"])
    assert got.status == 0, got.stderr
    assert f"net/tcp:3: field {field}:" in got.stderr, got.stderr
    assert "1 problem in the tables (each named above)" in got.stderr
    out = got.stdout.decode()
    assert ROW_22 in out and ROW_80 in out  # the good rows on both sides survive
    assert (":23 " in out) == (shown and "0017" in bad.decode("latin-1")), out
    assert "\x1b" not in got.stderr and "\x9b" not in got.stderr
    strict = netread_snapshot(root, ["-tan", "--strict"])
    assert strict.status == 1 and strict.stdout == got.stdout


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        ("missing header", f"{GOOD}\n{GOOD2}\n", "header"),
        ("unexpected header", f"this is not a header\n{GOOD}\n{GOOD2}\n", "header"),
        ("empty file", "", "header"),
    ],
)
def test_headers_and_empty_files(name: str, text: str, field: str, tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"tcp": text.encode()}).root
    got = netread_snapshot(root, ["-tan"])
    assert got.status == 0
    assert f"net/tcp:1: field {field}:" in got.stderr
    if text:
        assert ROW_22 in got.stdout.decode() and ROW_80 in got.stdout.decode()
    assert netread_snapshot(root, ["-tan", "--strict"]).status == 1


@pytest.mark.parametrize(
    ("name", "bad", "field"),
    [
        ("junk", b"junk junk", "Num"),
        ("truncated", b"0000000000000000: 00000002 00000000", "Flags"),
        ("control bytes", b"\x1b[31m\x00 evil", "Num"),
        ("CRLF", b"0000000000000000: 00000002 00000000 00000000 0001 01 778\r", "line"),
    ],
)
def test_a_malformed_unix_line_is_reported_and_the_rest_shown(name: str, bad: bytes, field: str, tmp_path: Path) -> None:
    # (after a record with a path, a line that is no record would be the rest of that path)
    root = FakeProc(tmp_path).tables({"unix": f"{UNIX_HEADER}\n".encode() + bad + f"\n{UNIX_GOOD}\n".encode()}).root
    got = netread_snapshot(root, ["-xa"])
    assert got.status == 0
    assert f"net/unix:2: field {field}:" in got.stderr
    assert "/run/good.sock" in got.stdout.decode()
    assert b"\x1b" not in got.stdout + got.stderr.encode()


def test_a_table_behind_a_symlink_out_of_the_snapshot_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside-tcp"
    outside.write_text(f"{TCP_HEADER}\n{GOOD}\n")
    root = FakeProc(tmp_path / "snap").tables({"udp": b""}).root
    fake = FakeProc(root).symlink("net/tcp", outside)
    fake.symlink("net/tcp6", "../../outside-tcp")  # relative, still out
    fake.process(7, fds={3: "socket:[4242]"}).symlink("7/cmdline", "/etc/passwd")
    fake.symlink("1", "/proc/1")  # a pid directory leading out
    got = netread_snapshot(root, ["-tanp"])
    assert "127.0.0.1:22" not in got.stdout.decode()
    assert "net/tcp: a symlink out of the snapshot; not read" in got.stderr
    assert "net/tcp6: a symlink out of the snapshot; not read" in got.stderr
    assert got.status == 1
    # a symlink that stays inside is fine
    inside = tmp_path / "snap2"
    FakeProc(inside).tables({"real": f"{TCP_HEADER}\n{GOOD}\n".encode()}).symlink("net/tcp", "real")
    assert "127.0.0.1:22" in netread_snapshot(inside, ["-tan"]).stdout.decode()


def test_an_unreadable_table_is_reported_and_the_rest_shown(unprivileged: Unprivileged) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        root = FakeProc(Path(tmp) / "snap").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n".encode(), "tcp6": b"", "udp": f"{TCP_HEADER}\n".encode()}).root
        for path in (root, root / "net", root / "net" / "tcp6", root / "net" / "udp"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(root / "net" / "tcp", 0)
        proc = unprivileged.netread(["--proc", str(root), "-tuan"], timeout=60)
        assert proc.returncode == 1
        assert b"net/tcp: Permission denied" in proc.stderr and b"Traceback" not in proc.stderr
        assert b"Active Internet connections" in proc.stdout


# -- arbitrary bytes: never an exception, never a control byte on stdout ---------------------


def _terminal_safe(data: bytes | str) -> None:
    text = data.decode("utf-8") if isinstance(data, bytes) else data  # strict: no invalid UTF-8 reaches stdout
    for ch in text:
        assert ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"), repr(ch)


REAL_LINES = [
    line
    for base in (SAMPLE_PROC, PEER / "psutil-emulate_ipv6_address" if (PEER / "psutil-emulate_ipv6_address").is_dir() else SAMPLE_PROC)
    for name in ("tcp", "tcp6", "udp", "raw", "unix")
    if (base / "net" / name).is_file()
    for line in (base / "net" / name).read_bytes().split(b"\n")[1:6]
    if line
]


@st.composite
def mutated_line(draw: st.DrawFn) -> bytes:
    line = bytearray(draw(st.sampled_from(REAL_LINES)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, max(0, len(line) - 1)))
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if op == "replace" and line:
            line[position] = byte
        elif op == "insert":
            line.insert(position, byte)
        elif line:
            del line[position]
    return bytes(line)


LINES = st.one_of(st.binary(max_size=120), mutated_line(), st.sampled_from(REAL_LINES))
TABLES = st.fixed_dictionaries({}, optional={n: st.lists(LINES, max_size=6).map(lambda ls: b"\n".join(ls)) for n in ("tcp", "tcp6", "udp", "raw6", "unix")})


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TABLES, st.binary(max_size=60), st.sampled_from(["-tuwxan", "-tuwxanpeo", "-tuwxa", "-xap", "-tuwanW", "-tuwxan --explain"]))
def test_random_snapshots_never_raise_and_stdout_stays_terminal_safe(tables: dict[str, bytes], cmdline: bytes, flags: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = FakeProc(Path(tmp)).tables(tables).root
        FakeProc(root).process(99, cmdline, {i: f"socket:[{inode}]" for i, inode in enumerate((4242, 777, 1, 23834))})
        got = netread_snapshot(root, [*flags.split(), "--numeric-hosts"] if "n" not in flags.split()[0] else flags.split())
        assert got.status in (0, 1), got.stderr
        _terminal_safe(got.stdout)
        _terminal_safe(got.stderr)
        assert "Traceback" not in got.stderr


# -- found in review: each of these once ended in a traceback, a hang or a wrong host ---------------


def test_a_proc_symlink_to_the_live_proc_is_not_a_snapshot(tmp_path: Path) -> None:
    import tarfile

    FakeProc(tmp_path).symlink("proc", "/proc")
    (tmp_path / "sos_commands").mkdir()
    got = netread_snapshot(tmp_path, ["-tan"])
    assert got.status == 1 and "not a /proc snapshot" in got.stderr
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        info = tarfile.TarInfo("proc")
        info.type, info.linkname = tarfile.SYMTYPE, "/proc"
        tar.addfile(info)
    got = netread_snapshot(tmp_path / "evil.tar", ["-tan"])
    assert got.status == 1 and "not a /proc snapshot" in got.stderr


@pytest.mark.parametrize(
    ("line", "flags"),
    [
        ("   1: 0100007F:0017 00000000:0000 01 00000000:00000000 02:" + "F" * 300 + " 00000000     0        0 4444 1", ["-tano"]),
        ("   1: 0100007F:0017 00000000:0000 01 00000000:00000000 00:00000000 00000000     0        0 " + "9" * 5000 + " 1", ["-tane"]),
        ("   1: 0100007F:0017 00000000:0000 01 00000000:00000000 00:00000000 00000000 " + "9" * 5000 + "        0 4444 1", ["-tane"]),
        ("   1: 0100007F:0017 00000000:0000 01 00000000:" + "F" * 4000 + " 00:00000000 00000000     0        0 4444 1", ["-tan", "--format", "json"]),
        ("   1: 0100007F:0017 00000000:0000 01 00000000:00000000 00:00000000 00000000 \u0661\u0662        0 4444 1", ["-tan"]),
    ],
    ids=["huge timer", "5000-digit inode", "5000-digit uid", "4000-digit queue", "non-ASCII digits"],
)
def test_huge_and_strange_numbers_never_raise(line: str, flags: list[str], tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n{line}\n".encode()}).root
    got = netread_snapshot(root, flags)
    assert got.status == 0 and "Traceback" not in got.stderr
    out = got.stdout.decode()
    assert "127.0.0.1:22" in out or '"local_port": 22' in out
    if "\u0661" in line:
        assert "net/tcp:3: field uid" in got.stderr  # netstat calls it a bogus line too


def test_drops_with_a_superscript_digit_and_filters_with_one(tmp_path: Path) -> None:
    from oracle import netread

    udp = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    udp += "  1: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 55 2 0000000000000000 \u00b2\n"
    root = FakeProc(tmp_path).tables({"udp": udp.encode()}).root
    got = netread_snapshot(root, ["-uan", "--format", "json"])
    assert got.status == 0 and '"drops": null' in got.stdout.decode()
    for option in ("--port", "--user"):
        assert netread(["--proc", str(root), "-uan", option, "\u00b2"]).status in (0, 2)


def test_fifos_in_a_snapshot_do_not_hang(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).tables({"udp": b""}).root
    os.mkfifo(root / "net" / "tcp")
    FakeProc(root).process(5, fds={3: "socket:[1]"})
    os.mkfifo(root / "5" / "cmdline")
    proc = subprocess.run([sys.executable, "-m", "netread", "--proc", str(root), "-tanp"], capture_output=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and b"not a regular file" in proc.stderr


def test_a_sosreport_uname_leading_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    FakeProc(tmp_path / "proc").tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n".encode()})
    FakeProc(tmp_path).symlink("sos_commands/kernel/uname_-a", "/dev/zero")
    got = netread_snapshot(tmp_path, ["-tan"])
    assert got.status == 0 and "127.0.0.1:22" in got.stdout.decode()


def test_owners_with_sigchld_ignored(tmp_path: Path) -> None:
    code = "import signal, os, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.executable, [sys.executable, '-m', 'netread', '--proc', sys.argv[1], '-tlnp'])"
    proc = subprocess.run([sys.executable, "-c", code, str(SAMPLE_PROC)], capture_output=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert b"/demo-web" in proc.stdout


def test_a_long_line_without_a_newline_reads_in_linear_time(tmp_path: Path) -> None:
    import time

    root = FakeProc(tmp_path).tables({"tcp": f"{TCP_HEADER}\n{GOOD}\n".encode() + b"x" * (24 << 20)}).root
    start = time.monotonic()
    got = netread_snapshot(root, ["-tan"])
    assert time.monotonic() - start < 10
    from netread.proc.source import MAX_LINE

    assert got.stderr.splitlines() == [  # the line is skipped in pieces, never held; one message
        f"netread: warning: {root}/net/tcp:3: field line: longer than {MAX_LINE} bytes (no table has such lines): skipped; line: {'x' * 64}",
        "netread: 1 problem in the tables (each named above); every other row is shown",
    ]
    assert ROW_22 in got.stdout.decode()


def test_an_empty_proc_name_is_refused() -> None:
    from oracle import netread

    got = netread(["--proc", "", "-tan"])
    assert got.status == 2 and "empty name" in got.stderr


def test_inet_tail_and_separators_read_as_netstat_reads_them(tmp_path: Path) -> None:
    """uid/timeout/inode are read as netstat's sscanf reads them (a bad uid no longer drops the
    valid inode after it; a uid past 32 bits is its low 32 bits, printed and looked up alike); a
    32-digit remote after an 8-digit local is read as IPv4 like netstat; only C isspace separates
    fields (NBSP is not a separator; \\t is).  Each odd line is one warning.  Where netstat prints
    the previous row's uid or inode for a field it could not read (stale variables), netread prints -."""
    from oracle import netstat

    rows = [
        "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000    -1        0 111 1",
        "   1: 0100007F:0017 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296        0 222 1",
        "   2: 0100007F:0018 00000000:0000 0A 00000000:00000000 00:00000000 00000000    12x        0 333 1",
        "   4: 0100007F:001A 00000000000000000000000001000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1",
        "\t0:\t0100007F:001C 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 777 1",
        "   7: 0100007F:001D\u00a000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 888 1",
        "   8: 0100007F:001E 00000000:0000 0A 00000000:00000000 00:00000000 00000000\x1c 0 0 999 1",
    ]
    root = FakeProc(tmp_path).tables({"tcp": (TCP_HEADER + "\n" + "\n".join(rows) + "\n").encode()}).root
    got = netread_snapshot(root, ["-tane"])
    want = netstat(root, ["-tane"])
    assert got.status == 0 and "Traceback" not in got.stderr
    mine, theirs = got.stdout.decode().split("\n"), want.stdout.decode().split("\n")
    assert len(mine) == len(theirs) == 9  # the NBSP line is not shown by either
    for index in (2, 3, 5, 6):  # every row whose fields netstat read in full
        assert mine[index] == theirs[index]
    p = "0.0.0.0:*               LISTEN      "
    assert mine[4] == "tcp        0      0 127.0.0.1:24            " + p + "12         -         "
    assert mine[7] == "tcp        0      0 127.0.0.1:30            " + p + "-          -         "
    assert theirs[7].startswith("tcp        0      0 127.0.0.1:30            " + p)
    assert "0.0.0.1:*" in mine[5]
    for lineno, field in ((2, "uid"), (3, "uid"), (4, "uid"), (5, "rem_address"), (7, "local_address"), (8, "retrnsmt")):
        assert f"net/tcp:{lineno}: field {field}:" in got.stderr, got.stderr
    assert "6 problems in the tables" in got.stderr
    user0 = netread_snapshot(root, ["-tane", "--user", "0"]).stdout.decode()
    assert "127.0.0.1:23 " in user0  # printed as uid 0, selected as uid 0


UNIX_ROW = "0000000000000000: 00000002 00000000 00010000 0001 01 {inode} {path}"


def _unix_snapshot(tmp_path: Path, lines: list[str]) -> Path:
    return FakeProc(tmp_path).tables({"unix": (UNIX_HEADER + "\n" + "\n".join(lines) + "\n").encode("utf-8", "surrogateescape")}).root


@pytest.mark.parametrize(
    ("bad", "field", "shown"),
    [
        ("0000000000000000: 0000000G 00000000 00010000 0001 01 102 /run/b.sock", "RefCount", False),
        ("0000000000000000: 00000002 00000000 00010000 0001 01", "Inode", True),
        ("0000000000000000: 00000002 00000000 00010000 0001 01x 105 /y", "St", True),
    ],
    ids=["bad field", "cut before Inode", "junk after St"],
)
def test_a_bad_unix_record_after_a_name_keeps_that_name(bad: str, field: str, shown: bool, tmp_path: Path) -> None:
    """A line that starts as a record is judged as one, never taken as the rest of the name before
    it: netstat warns "bogus unix line" (or shows it) and keeps the name; so does netread."""
    from oracle import netstat

    root = _unix_snapshot(tmp_path, [UNIX_ROW.format(inode=101, path="/run/a.sock"), bad, UNIX_ROW.format(inode=103, path="/run/c.sock")])
    got = netread_snapshot(root, ["-xan"])
    want = netstat(root, ["-xan"])
    mine, theirs = got.stdout.decode().split("\n"), want.stdout.decode().split("\n")
    row = "unix  2      [ ACC ]     STREAM     LISTENING     {}      {}"
    assert mine[2] == theirs[2] == row.format(101, "/run/a.sock")
    assert mine[-2] == theirs[-2] == row.format(103, "/run/c.sock")
    assert len(mine) == len(theirs) == (6 if shown else 5)
    if shown:  # netstat prints the previous row's inode for the one it could not read
        assert mine[3] == "unix  2      [ ACC ]     STREAM     LISTENING     -        "
    assert f"net/unix:3: field {field}:" in got.stderr and "1 problem in the tables" in got.stderr
    assert ("bogus unix line" in want.stderr) == (not shown)
    assert netread_snapshot(root, ["-xan", "--strict"]).status == 1


def test_unix_flags_past_64_bits_saturate_as_netstat_reads_them(tmp_path: Path) -> None:
    from oracle import netstat

    wide = "0000000000000000: 00000002 00000000 1000000000000000000010000 0001 01 107 /run/wide"
    root = _unix_snapshot(tmp_path, [wide])
    got = netread_snapshot(root, ["-xan"])
    assert got.stdout == netstat(root, ["-xan"]).stdout
    assert b"[ ACC W N ]" in got.stdout
    assert "net/unix:2: field Flags: 25 hex digits, more than 64 bits" in got.stderr


FORGED_NAME = "@\n0000000000000000: 00000002 00000000 00010000 0001 01 {inode} @evil"


@pytest.mark.parametrize("duplicate", [True, False], ids=["forged", "ambiguous"])
def test_a_record_that_may_be_the_end_of_a_name_is_marked(duplicate: bool, tmp_path: Path) -> None:
    """An abstract name "@\\n<a whole record>" prints as two records.  When its inode repeats a real
    one's, the table itself shows it is not the kernel's: [forged] in the text, "forged" in JSON and
    CSV, one warning.  Otherwise it is marked "ambiguous" in JSON and CSV and named in one note; the
    text stays netstat's, byte for byte."""
    import json

    from oracle import netstat

    inode = 301 if duplicate else 999
    real = "@real" + "-" * 60  # a line too long to be the end of "@a", and a name too long to run onto one
    lines = [UNIX_ROW.format(inode=300, path="@a"), UNIX_ROW.format(inode=301, path=real)]
    lines.append(("ffff888000000000: 00000002 00000000 00010000 0001 01 302 " + FORGED_NAME.format(inode=inode)).replace("0000000000000000", "ffff888000000001", 1))
    lines[0] = lines[0].replace("0000000000000000", "ffff888000000002")
    lines[1] = lines[1].replace("0000000000000000", "ffff888000000003")
    root = _unix_snapshot(tmp_path, lines)
    got = netread_snapshot(root, ["-xan"])
    text = got.stdout.decode().split("\n")
    want = netstat(root, ["-xan"]).stdout.decode().split("\n")
    assert text[:5] == want[:5] and text[-1] == want[-1] == ""
    forged_row = "unix  2      [ ACC ]     STREAM     LISTENING     {}      {}@evil".format(inode, "[forged] " if duplicate else "")
    assert text[5] == forged_row and want[5] == forged_row.replace("[forged] ", "")
    doc = json.loads(netread_snapshot(root, ["-xan", "--format", "json"]).stdout)
    unix = [r for r in doc["sockets"] if r["proto"] == "unix"] if isinstance(doc, dict) else [r for r in doc if r["proto"] == "unix"]
    assert [(r["inode"], r["path"], r["suspect"]) for r in unix] == [
        (300, "@a", None), (301, real, None), (302, "@", None), (inode, "@evil", "forged" if duplicate else "ambiguous"),
    ]
    import netread

    # the library says what the JSON says
    assert [(c.inode, c.local_address, c.suspect) for c in netread.connections("unix", proc=root)] == [(r["inode"], r["path"], r["suspect"]) for r in unix]
    assert all(c.suspect is None for c in netread.connections("all", proc=SAMPLE_PROC) if c.proto != "unix")
    csv = netread_snapshot(root, ["-xan", "--format", "csv"]).stdout.decode().split("\n")
    assert csv[0].endswith(",suspect") and csv[4].endswith(",forged" if duplicate else ",ambiguous") and csv[1].endswith(",") and csv[2].endswith(",")
    if duplicate:
        assert "net/unix:5: field line: a record that may be the end of line 4's name" in got.stderr
        assert "its inode 301 is also line 3's (socket inodes are unique): marked [forged]" in got.stderr
        assert netread_snapshot(root, ["-xan", "--strict"]).status == 1
    else:
        assert "note: " in got.stderr and "net/unix: 1 record(s) (line 5 (inode 999)) may be the end of the name" in got.stderr
        assert "problem" not in got.stderr and netread_snapshot(root, ["-xan", "--strict"]).status == 0
    explain = netread_snapshot(root, ["-xan", "--explain"]).stdout.decode()
    assert ("[warning] 1 unix row that may be part of the previous socket's name, not a socket (1 shown forged by the table itself)"
            if duplicate else "[note] 1 unix row that may be part of the previous socket's name, not a socket\n") in explain


SEPARATORS = ["\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\t", "\v", "\f"]


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_only_c_isspace_separates_fields(sep: str, tmp_path: Path) -> None:
    """Python's str.split() and \\s split at \\x1c-\\x1f, NBSP, U+2000... ; the kernel writes spaces and
    netstat's sscanf knows C isspace only.  Put ``sep`` in place of one space at each position of a
    tcp and a unix row: netread shows the rows netstat shows, and warns for every odd line."""
    from oracle import netstat

    tcp_fields = "   {n}: 0100007F:{port:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {inode} 1".format
    tcp, unix = [TCP_HEADER], [UNIX_HEADER]
    for k in range(12):
        line = tcp_fields(n=k, port=1000 + k, inode=5000 + k)
        spaces = [i for i, c in enumerate(line) if c == " " and i > 0 and line[i - 1] != " "]
        if k < len(spaces):
            i = spaces[k]
            line = line[:i] + sep + line[i + 1 :]
        tcp.append(line)
        uline = UNIX_ROW.format(inode=7000 + k, path=f"/run/s{k}")
        uspaces = [i for i, c in enumerate(uline) if c == " "]
        if k < len(uspaces):
            i = uspaces[k]
            uline = uline[:i] + sep + uline[i + 1 :]
        unix.append(uline)
    root = FakeProc(tmp_path).tables({"tcp": ("\n".join(tcp) + "\n").encode(), "unix": ("\n".join(unix) + "\n").encode()}).root
    for flags, key in ((["-tan"], lambda line: line.split()[3]), (["-xan"], lambda line: line.split()[-1] if line.count(" ") > 8 else "")):
        got = netread_snapshot(root, flags)
        want = netstat(root, flags)
        assert got.status == 0 and "Traceback" not in got.stderr
        mine = [line for line in got.stdout.decode("utf-8", "surrogateescape").split("\n")[2:] if line]
        theirs = [line for line in want.stdout.decode("utf-8", "surrogateescape").split("\n")[2:] if line]
        assert len(mine) == len(theirs), (mine, theirs)
        if sep in " \t\v\f":
            assert mine == theirs
    odd = 0 if sep in "\t\v\f" else 11 + 8  # every tcp line but the last; unix ones up to the name's space
    assert odd == 0 or got.stderr.count("warning") + netread_snapshot(root, ["-tan"]).stderr.count("warning") >= 12


def test_a_remote_address_of_the_other_width_is_read_as_netstat_reads_it(tmp_path: Path) -> None:
    """tcp_do_one decides the family by the local address and reads the remote with that width: a
    32-digit remote after an 8-digit local is the low 32 bits of the number, an 8-digit remote after
    a 32-digit local fills the first word of the variable that holds the local address."""
    from oracle import netstat

    header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    tail = " 01 00000000:00000000 00:00000000 00000000     0        0 {} 1"
    tcp6 = [
        header,
        "   0: 00000000000000000000000001000000:0016 AAAAAAAABBBBBBBBCCCCCCCCDDDDDDDD:0050" + tail.format(111),
        "   1: 11111111222222223333333344444444:0017 0100007F:0050" + tail.format(112),
    ]
    tcp = [TCP_HEADER, "   0: 0100007F:0018 000000000000000000000000FF00007F:0050" + tail.format(113)]
    root = FakeProc(tmp_path).tables({"tcp6": ("\n".join(tcp6) + "\n").encode(), "tcp": ("\n".join(tcp) + "\n").encode()}).root
    got = netread_snapshot(root, ["-tan"])
    assert got.stdout == netstat(root, ["-tan"]).stdout
    assert "127.0.0.255:80" in got.stdout.decode() and "7f00:1:2222:2222:333:80" in got.stdout.decode()
    for where in ("net/tcp:2: field rem_address: 32 hex digits, the local address has 8", "net/tcp6:3: field rem_address: 8 hex digits, the local address has 32"):
        assert where in got.stderr, got.stderr
    assert "2 problems in the tables" in got.stderr
