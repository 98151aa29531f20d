"""netread watch: the reads and their changes (cli/watch.Watcher over a fake /proc rewritten between
reads), the board and its frame (render/watch.py), the no-terminal stream and --record, whole lines."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakeproc import FakeProc

from netread.cli.watch import Watcher
from netread.cli.watch import utc_text
from netread.diff import counter_deltas
from netread.proc.source import ProcSource
from netread.render.watch import Board
from netread.render.watch import age_text
from netread.render.watch import frame
from netread.render.watch import header_text
from netread.render.watch import opens_unseen
from netread.render.watch import stream_line
from netread.select import Filters
from netread.select import Options

HEAD = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#: 127.0.0.1:8080 listening (inode 100), 127.0.0.1:8080 <- 127.0.0.1:40000 established (inode 101),
#: the same connection in CLOSE_WAIT, and 127.0.0.1:9090 listening (inode 102).
LISTEN = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0\n"
ESTAB = "   1: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1\n"
CLOSE_WAIT = "   1: 0100007F:1F90 0100007F:9C40 08 00000000:00000005 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1\n"
OTHER = "   2: 0100007F:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000000000000 100 0 0 10 0\n"
SNMP = "Tcp: RtoAlgorithm ActiveOpens PassiveOpens RetransSegs\nTcp: 1 {} {} {}\n"

ROW_LISTEN = "tcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN     "
ROW_ESTAB = "tcp        0      0 127.0.0.1:8080          127.0.0.1:40000         ESTABLISHED"
ROW_CLOSE_WAIT = "tcp        5      0 127.0.0.1:8080          127.0.0.1:40000         CLOSE_WAIT "
ROW_OTHER = "tcp        0      0 127.0.0.1:9090          0.0.0.0:*               LISTEN     "


def _proc(tmp_path: Path, rows: str, opens: tuple[int, int, int] = (5, 5, 0)) -> FakeProc:
    return FakeProc(tmp_path).table("tcp", HEAD + rows).file("net/snmp", SNMP.format(*opens)).manifest(byteorder="little")


def _rewrite(root: Path, rows: str) -> None:
    """net/tcp replaced at once (a rename), as the running watch must never read half a file."""
    (root / "net" / "tcp.new").write_text(HEAD + rows)
    os.replace(root / "net" / "tcp.new", root / "net" / "tcp")


def _saved(record: Path) -> list[str]:
    """The snapshots --record has finished (one being written is a hidden ``.NAME.partial``)."""
    return sorted(p.name for p in record.iterdir() if not p.name.startswith("."))


def _watcher(tmp_path: Path) -> Watcher:
    opts = Options.resolve(tcp=True, all=True, numeric_hosts=True, numeric_ports=True, numeric_users=True)
    return Watcher(ProcSource.snapshot(tmp_path), opts, Filters(), None)


def test_reads_give_the_changes_and_the_rows_text(tmp_path: Path) -> None:
    _proc(tmp_path, LISTEN + ESTAB)
    watcher = _watcher(tmp_path)
    first, deltas = watcher.read()
    assert [c.kind for c in first.changes] == ["opened", "opened"]
    assert list(first.texts.values()) == [ROW_LISTEN, ROW_ESTAB]
    assert deltas == []
    _proc(tmp_path, LISTEN + CLOSE_WAIT + OTHER, (9, 5, 2))
    second, deltas = watcher.read()
    when = "2026-12-02T14:30:05Z"
    assert [stream_line(c, second.texts, when) for c in second.changes] == [
        f"~ {when} {ROW_CLOSE_WAIT} (was state ESTABLISHED, recv_q 0)",
        f"+ {when} {ROW_OTHER}",
    ]
    assert [(d.name, d.before, d.after) for d in deltas] == [("Tcp:ActiveOpens", 5, 9), ("Tcp:RetransSegs", 0, 2)]
    _proc(tmp_path, LISTEN, (9, 5, 2))
    third, deltas = watcher.read()
    assert [stream_line(c, third.texts, when) for c in third.changes] == [f"- {when} {ROW_CLOSE_WAIT}", f"- {when} {ROW_OTHER}"]
    assert deltas == []


def test_the_board_marks_keeps_closed_rows_and_ages(tmp_path: Path) -> None:
    _proc(tmp_path, LISTEN + ESTAB)
    watcher = _watcher(tmp_path)
    board = Board(keep=2)
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1000.0)
    assert [(e.mark, e.text, e.first_seen) for e in board.rows()] == [(" ", ROW_LISTEN, 1000.0), (" ", ROW_ESTAB, 1000.0)]
    _proc(tmp_path, LISTEN + CLOSE_WAIT + OTHER)
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1001.0)
    assert [(e.mark, e.text, e.first_seen, e.was) for e in board.rows()] == [
        (" ", ROW_LISTEN, 1000.0, ""),
        ("~", ROW_CLOSE_WAIT, 1000.0, "state ESTABLISHED, recv_q 0"),
        ("+", ROW_OTHER, 1001.0, ""),
    ]
    _proc(tmp_path, CLOSE_WAIT + OTHER)
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1002.0)
    assert [(e.mark, e.text) for e in board.rows()] == [("~", ROW_CLOSE_WAIT), ("-", ROW_LISTEN), ("+", ROW_OTHER)]
    assert board.state_counts() == {"CLOSE_WAIT": 1, "LISTEN": 1}
    cycle, _ = watcher.read()  # a closed row stays where it was listed
    board.update(cycle.items, cycle.changes, cycle.texts, 1003.0)  # keep=2: the marks of cycle 2 are gone
    assert [(e.mark, e.text) for e in board.rows()] == [(" ", ROW_CLOSE_WAIT), ("-", ROW_LISTEN), (" ", ROW_OTHER)]
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1004.0)  # and the closed row of cycle 3
    assert [(e.mark, e.text) for e in board.rows()] == [(" ", ROW_CLOSE_WAIT), (" ", ROW_OTHER)]
    assert [e.text for e in board.rows("age")] == [ROW_CLOSE_WAIT, ROW_OTHER]
    assert [e.text for e in board.rows("state")] == [ROW_CLOSE_WAIT, ROW_OTHER]
    assert [e.text for e in board.rows("local", "9090")] == [ROW_OTHER]


def test_frame_lays_out_one_screen(tmp_path: Path) -> None:
    _proc(tmp_path, LISTEN + ESTAB)
    watcher = _watcher(tmp_path)
    board = Board()
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1000.0)
    _proc(tmp_path, LISTEN + OTHER)
    cycle, _ = watcher.read()
    board.update(cycle.items, cycle.changes, cycle.texts, 1060.0)
    text = frame(board, width=100, height=7, title="T", header="LISTEN 2", columns="COLS", now=1075.0, color=False)
    assert text.split("\x1b[K\r\n") == [
        "\x1b[HT",
        "LISTEN 2",
        "  Age  COLS",
        f"    1m {ROW_LISTEN}",
        f"+  15s {ROW_OTHER}",
        f"-   1m {ROW_ESTAB}",
        "q quit  p pause  / filter  s sort: listed\x1b[K",
    ]
    small = frame(board, width=30, height=6, title="T", header="H", columns="C", now=1075.0, needle="tcp", color=True)
    assert small.split("\x1b[K\r\n") == [
        "\x1b[H\x1b[7mT" + " " * 29 + "\x1b[0m",
        "H",
        "  Age  C",
        f"    1m {ROW_LISTEN}"[:30],
        "\x1b[1;32m" + f"+  15s {ROW_OTHER}"[:30] + "\x1b[0m",
        "\x1b[7m" + "q quit  p pause  / filter  s s" + "\x1b[0m\x1b[K",
    ]
    prompt = frame(board, width=30, height=5, title="T", header="H", columns="C", now=1075.0, prompt="80", color=False)
    assert prompt.split("\x1b[K\r\n")[-1] == "/80\x1b[K"


def test_header_and_the_unseen_opens(tmp_path: Path) -> None:
    deltas = counter_deltas({"Tcp:ActiveOpens": 5, "Tcp:PassiveOpens": 5, "TcpExt:ListenOverflows": 1}, {"Tcp:ActiveOpens": 9, "Tcp:PassiveOpens": 7, "TcpExt:ListenOverflows": 3})
    assert opens_unseen(deltas, 2) == 4
    assert opens_unseen(deltas, 8) == 0
    assert header_text({"LISTEN": 2, "ESTABLISHED": 5}, deltas, 4) == (
        "ESTABLISHED 5 LISTEN 2 | ActiveOpens +4 PassiveOpens +2 ListenOverflows +2 | ! 4 connections came and went unseen"
    )
    assert header_text({"LISTEN": 1}, [], 0) == "LISTEN 1"
    assert [age_text(s) for s in (0, 59.9, 60, 3599, 3600, 86400 * 3)] == ["0s", "59s", "1m", "59m", "1h", "3d"]
    assert utc_text(0) == "1970-01-01T00:00:00Z"


def _netread(*args: str, **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "netread", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload, no-any-return]


def _until(what: object, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not what():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_no_terminal_prints_one_line_per_change_and_records(tmp_path: Path) -> None:
    """A snapshot directory rewritten under the watch (--proc): one line per change, nothing for the
    first read, SIGTERM ends it quietly (status 0); --record saves the cycles with changes, which --proc reads."""
    _proc(tmp_path / "p", LISTEN)
    record = tmp_path / "rec"
    proc = _netread("watch", "-tan", "--interval", "0.2", "--proc", str(tmp_path / "p"), "--record", str(record))
    try:
        _until(lambda: record.exists() and len(_saved(record)) == 1)
        _rewrite(tmp_path / "p", LISTEN + ESTAB)
        _until(lambda: len(_saved(record)) == 2)
        time.sleep(0.5)  # cycles without a change: no line, no snapshot
        _rewrite(tmp_path / "p", ESTAB)
        _until(lambda: len(_saved(record)) == 3)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert err == b""
    lines = out.decode().splitlines()
    stamps = [line[2:22] for line in lines]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp) for stamp in stamps), stamps
    assert lines == [f"+ {stamps[0]} {ROW_ESTAB}", f"- {stamps[1]} {ROW_LISTEN}"]
    saved = _saved(record)
    assert [name[:7] for name in saved] == ["000001-", "000002-", "000003-"]
    assert len(_saved(record)) == 3
    second = record / saved[1]
    listed = subprocess.run([sys.executable, "-m", "netread", "-tan", "--proc", str(second)], capture_output=True, check=False)
    assert (listed.returncode, listed.stderr) == (0, b"")
    assert listed.stdout.decode() == (
        "Active Internet connections (servers and established)\n"
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State      \n"
        f"{ROW_LISTEN}\n{ROW_ESTAB}\n"
    )
    from netread import select
    from netread.diff import diff_sockets
    from netread.diff import seen
    from netread.sockets import read_sockets

    opts = Options.resolve(tcp=True, all=True)
    a, b = (seen(read_sockets(ProcSource.snapshot(record / name), select.plan(opts))) for name in saved[1:])
    assert [(c.kind, c.key.local, c.key.remote) for c in diff_sockets(a, b)] == [("closed", "127.0.0.1:8080", "0.0.0.0:0")]


def test_ndjson_is_diffs_events_one_a_line(tmp_path: Path) -> None:
    """--format ndjson: each change and each counter that grew is one of diff's events (the
    schema's diff_event), with the fleet fields at the read's time; nothing for the first read."""
    import json

    import jsonschema

    _proc(tmp_path / "p", LISTEN)
    proc = _netread("watch", "-tan", "--interval", "0.2", "--proc", str(tmp_path / "p"), "--format", "ndjson")
    try:
        time.sleep(1.0)
        _proc(tmp_path / "p", LISTEN + CLOSE_WAIT, (7, 5, 0))  # a new row, and ActiveOpens +2
        time.sleep(1.0)
        _rewrite(tmp_path / "p", CLOSE_WAIT)
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert (proc.returncode, err) == (0, b"")
    events = [json.loads(line) for line in out.decode().splitlines()]
    schema = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
    for event in events:
        jsonschema.validate(event, {**schema["$defs"]["diff_event"], "$defs": schema["$defs"]})
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["taken_at"]), event
    got = [(e["event"], e.get("name"), e.get("delta"), None if e["event"] == "counter" else (e["after"] or e["before"])["state"]) for e in events]
    assert got == [("opened", None, None, "CLOSE_WAIT"), ("counter", "Tcp:ActiveOpens", 2, None), ("closed", None, None, "LISTEN")]
    assert events[0]["after"]["local_port"] == 8080 and events[0]["after"]["remote_port"] == 40000 and events[0]["after"]["recv_q"] == 5


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["--interval", "0"], 2, "netread watch: --interval must be a number of seconds above 0 (at most 86400)\n"),
        (["--interval", "nan"], 2, "netread watch: --interval must be a number of seconds above 0 (at most 86400)\n"),
        (["--record-every"], 2, "netread watch: --record-every goes with --record DIR\n"),
        (["--record", "/proc/no/such"], 1, "netread watch: --record: cannot make /proc/no/such: No such file or directory\n"),
        (["--proc", "/no/such"], 2, "netread watch: watch --proc reads a directory laid out as /proc (one that changes), not a tarball\n"),
        (["-A", "foo"], 1, "netread watch: Unknown address family `foo'.\n"),
        (["--format", "csv"], 2, "netread watch: watch writes netstat's rows, or with --format ndjson one event a line, not csv\n"),
    ],
    ids=["interval-0", "interval-nan", "record-every-alone", "record-unwritable", "proc-absent", "family", "format"],
)
def test_bad_command_lines_are_one_line_and_a_status(args: list[str], status: int, said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "netread", "watch", "-tn", *args], capture_output=True, stdin=subprocess.DEVNULL, timeout=30, check=False)
    assert (done.returncode, done.stdout, done.stderr.decode()) == (status, b"", said)


# -- --netns: every namespace, live (root: unshare -n) ---------------------------------------------

HOLDER = (
    "import socket, sys\n"
    "from scripts.netns import bring_lo_up\n"
    "bring_lo_up()\n"
    "a = socket.socket(); a.bind(('127.0.0.1', 18301)); a.listen(); print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "b = socket.socket(); b.bind(('127.0.0.1', 18302)); b.listen(); print('ready', flush=True)\n"
    "sys.stdin.read()\n"
)
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.oracle
def test_watch_and_diff_over_every_namespace(tmp_path: Path) -> None:
    """A listener opened in another namespace during ``watch --netns all`` is one line, after that
    namespace's label; ``diff SNAPSHOT - --netns all`` (a live side read namespace by namespace) gives it too."""
    holder = subprocess.Popen(["unshare", "-n", sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    watch = events = None
    try:
        assert holder.stdout is not None and holder.stdin is not None
        if holder.stdout.readline() != "ready\n":
            pytest.skip("unshare -n refused here")
        label = f"net:[{os.stat(f'/proc/{holder.pid}/ns/net').st_ino}]"
        snap = tmp_path / "snap"
        taken = subprocess.run([sys.executable, "-m", "netread", "capture", str(snap)], capture_output=True, timeout=60, check=False)
        assert taken.returncode == 0, taken.stderr
        watch = subprocess.Popen([sys.executable, "-m", "netread", "watch", "--netns", "all", "-tln", "--interval", "0.2"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
        events = subprocess.Popen([sys.executable, "-m", "netread", "watch", "--netns", "all", "-tln", "--interval", "0.2", "--format", "ndjson"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)  # fmt: skip
        time.sleep(1.5)  # the baseline read is made
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "ready\n"
        time.sleep(1.5)
        watch.send_signal(signal.SIGTERM)
        events.send_signal(signal.SIGTERM)
        out, err = watch.communicate(timeout=30)
        assert (watch.returncode, err) == (0, b"")
        import json

        inode = int(label[5:-1])
        said, err = events.communicate(timeout=30)
        assert (events.returncode, err) == (0, b"")
        opened = [json.loads(line) for line in said.decode().splitlines()]
        opened = [e for e in opened if e["event"] == "opened" and e["netns"] == inode]
        assert [(e["proto"], e["after"]["local_port"], e["after"]["state"], e["host"] == os.uname().nodename) for e in opened] == [("tcp", 18302, "LISTEN", True)]
        row = "tcp        0      0 127.0.0.1:18302         0.0.0.0:*               LISTEN     "
        lines = [line for line in out.decode().splitlines() if "18302" in line or "18301" in line]
        assert [line[:2] + line[23:] for line in lines] == [f"+ {label:<18} {row}"]
        done = subprocess.run([sys.executable, "-m", "netread", "diff", str(snap), "-", "--netns", "all", "-tln", "--format", "ndjson"],
                              capture_output=True, timeout=60, check=False)  # fmt: skip
        assert done.stderr == b"" and done.returncode == 0
        diffed = [json.loads(line) for line in done.stdout.decode().splitlines()]
        ours = [(e["event"], e["netns"], (e["after"] or e["before"])["local_port"]) for e in diffed if e.get("proto") == "tcp" and e["netns"] == inode]
        assert ours == [("opened", inode, 18302)]
    finally:
        for running in (watch, events):
            if running is not None and running.poll() is None:
                running.kill()
                running.communicate(timeout=30)
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=30)
