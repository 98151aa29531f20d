"""The deliberate differences from netstat (README "Differences from netstat"), one test each.

Each test writes a small snapshot, runs real netstat and netread on it, checks
that every other row is identical, and checks what netread prints instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeproc import FakeProc
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat

pytestmark = pytest.mark.oracle

UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"
TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
PTR = "0000000000000000"
PLAIN_UNIX = f"{PTR}: 00000002 00000000 00010000 0001 01 100 /run/plain.sock\n"


def test_unix_path_with_spaces_is_shown_whole(tmp_path: Path) -> None:
    root = FakeProc(tmp_path).table("unix", (UNIX_HEADER + PLAIN_UNIX + f"{PTR}: 00000002 00000000 00010000 0001 01 101 /tmp/with space.sock\n").encode()).root
    got = netread_snapshot(root, ["-xa"])
    assert_same(
        netstat(root, ["-xa"]),
        got,
        netread_only=lambda line: line.endswith(" 101      /tmp/with space.sock"),
        netstat_only=lambda line: line.endswith(" 101      /tmp/with"),
    )
    assert "unix  2      [ ACC ]     STREAM     LISTENING     101      /tmp/with space.sock" in got.lines


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"/tmp/a\x1b[31mred", "/tmp/a\\x1b[31mred"),
        (b"@evil\x07bell", "@evil\\x07bell"),
        (b"/tmp/c1\xc2\x9bcsi", "/tmp/c1\\xc2\\x9bcsi"),
        (b"/tmp/bad\x9butf8", "/tmp/bad\\x9butf8"),
        (b"/tmp/del\x7f", "/tmp/del\\x7f"),
        ("/tmp/caf\u00e9.sock".encode(), "/tmp/caf\u00e9.sock"),
    ],
)
def test_control_bytes_in_paths_are_escaped(tmp_path: Path, raw: bytes, shown: str) -> None:
    root = FakeProc(tmp_path).table("unix", UNIX_HEADER.encode() + PLAIN_UNIX.encode() + f"{PTR}: 00000002 00000000 00000000 0002 01 102 ".encode() + raw + b"\n").root
    got = netread_snapshot(root, ["-xa"])
    want = netstat(root, ["-xa"])
    escaped = raw != shown.encode()
    assert_same(
        want,
        got,
        netread_only=(lambda line: line.endswith(" 102      " + shown)) if escaped else None,
        netstat_only=(lambda line: " 102 " in line) if escaped else None,
    )
    assert got.lines[-2].endswith(" 102      " + shown)
    assert_terminal_safe(got.stdout)


def assert_terminal_safe(out: bytes) -> None:
    """No C0 control but newline, no DEL, no C1 control, no invalid UTF-8."""
    text = out.decode("utf-8")  # raises on invalid UTF-8
    bad = [ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F]
    assert not bad, bad


@pytest.mark.parametrize("state", ["00", "0C", "0D", "2F", "FF"])
def test_unknown_tcp_state_prints_unknown(tmp_path: Path, state: str) -> None:
    good = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 11 1 0 100 0 0 10 0\n"
    odd = f"   1: 0100007F:0016 0100007F:D431 {state} 00000000:00000000 00:00000000 00000000     0        0 12 1 0 100 0 0 10 0\n"
    root = FakeProc(tmp_path).table("tcp", (TCP_HEADER + good + odd).encode()).root
    got = netread_snapshot(root, ["-tan"])
    row = "tcp        0      0 127.0.0.1:22            127.0.0.1:54321         UNKNOWN    "
    assert row in got.lines
    # netstat indexes its 12-entry name table without a bounds check: whatever it
    # prints for this row is undefined, so only the row itself may differ.
    assert_same(netstat(root, ["-tan"]), got, netread_only=lambda line: line == row, netstat_only=lambda line: "127.0.0.1:54321" in line)


def test_unix_record_split_by_newline_is_reassembled(tmp_path: Path) -> None:
    data = UNIX_HEADER.encode() + PLAIN_UNIX.encode() + f"{PTR}: 00000002 00000000 00000000 0002 01 103 /tmp/new\nline.sock\n".encode()
    root = FakeProc(tmp_path).table("unix", data).root
    got = netread_snapshot(root, ["-xa"])
    want = netstat(root, ["-xa"])
    assert "warning, got bogus unix line." in want.stderr
    # the record follows a name short enough to have held it: one note (not a problem), nothing else
    assert got.stderr == (
        f"netread: note: {root}/net/unix: 1 record(s) (line 3 (inode 103)) may be the end of the name before them"
        " (the kernel writes names raw): marked ambiguous in --format and --explain\n"
    )
    assert got.lines[-2] == "unix  2      [ ]         DGRAM                    103      /tmp/new\\nline.sock"
    assert_same(want, got, netread_only=lambda line: "103" in line, netstat_only=lambda line: "103" in line)


def test_one_digit_socket_inode_gets_its_owner(tmp_path: Path) -> None:
    """netstat's extract_type_1_socket_inode wants at least 11 characters, so socket:[7] never matches."""
    root = FakeProc(tmp_path).table("unix", (UNIX_HEADER + f"{PTR}: 00000002 00000000 00010000 0001 01     7 /run/early.sock\n").encode()).root
    FakeProc(root).process(1, b"/sbin/init\0", {3: "socket:[7]"})
    got = netread_snapshot(root, ["-xap"])
    row = "unix  2      [ ACC ]     STREAM     LISTENING     7        1/init               /run/early.sock"
    assert row in got.lines
    assert_same(netstat(root, ["-xap"]), got, netread_only=lambda line: line == row, netstat_only=lambda line: " 7  " in line)


def test_control_bytes_in_names_are_escaped(tmp_path: Path) -> None:
    """A host name from /etc/hosts and a service name from /etc/services carrying ESC."""
    from oracle import netread_etc
    from oracle import netstat_etc
    from oracle import write_etc

    rows = (
        "   0: 0100007F:0016 0200007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 20 4 30 10 -1\n"
        "   1: 0100007F:0017 0300007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1\n"
    )
    root = FakeProc(tmp_path / "proc").table("tcp", (TCP_HEADER + rows).encode()).root
    etc = write_etc(
        tmp_path / "etc",
        {
            "hosts": "127.0.0.1 plain\n127.0.0.2 bad\x1b[31mhost\n127.0.0.3 other\n",
            "services": "s\x1b]0;x\x07 22/tcp\nhttp-alt 8080/tcp\ntelnet 23/tcp\n",
            "nsswitch.conf": "hosts: files\nservices: files\nprotocols: files\n",
        },
    )
    got = netread_etc(root, [["-ta"]], etc)[0]
    assert_same(
        netstat_etc(root, ["-ta"], etc),
        got,
        netread_only=lambda line: "\\x1b" in line,
        netstat_only=lambda line: "\x1b" in line,
    )
    # Cut on the raw bytes as netstat cuts (12 + 1 + 8 fit in 22: nothing cut), escaped afterwards.
    assert "tcp        0      0 plain:s\\x1b]0;x\\x07     bad\\x1b[31mhost:http-alt ESTABLISHED" in got.lines
    assert "tcp        0      0 plain:telnet            other:http-alt          ESTABLISHED" in got.lines
    assert b"\x1b" not in got.stdout and b"\x07" not in got.stdout


@pytest.mark.parametrize(("redirect", "said"), [(">/dev/full", "No space left on device"), (">&-", "it is closed")], ids=["full", "closed"])
def test_a_listing_that_cannot_be_written_is_an_error(redirect: str, said: str, tmp_path: Path) -> None:
    """netstat never checks its writes: to a full or closed stdout it exits 0 and says nothing."""
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from oracle import ORACLE_SCRIPT
    from oracle import need_oracle

    need_oracle()
    root = FakeProc(tmp_path).table("tcp", TCP_HEADER + "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1\n").root
    theirs = subprocess.run(["unshare", "-m", "sh", "-c", ORACLE_SCRIPT.replace('"$@"', f'"$@" {redirect}'), str(root.resolve()), "-tan"], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
    assert (theirs.returncode, theirs.stderr) == (0, b"")
    ours = subprocess.run(["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "netread", "--proc", str(root), "-tan"], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert (ours.returncode, ours.stderr.decode()) == (1, f"netread: cannot write to standard output: {said}\n")
