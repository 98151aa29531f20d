"""netread diff: snapshot pairs made with known changes, reported exactly in text and JSON; a
snapshot against itself reports nothing; applying the reported changes to A gives B (property)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from fakeproc import FakeProc
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import TcpEntry
from kernel_text import format_table
from kernel_text import header_line
from oracle import netread
from strategies import table_entries

from netread import diff
from netread.model import InetSocket
from netread.model import Sockets
from netread.model import UnixSocket
from netread.parse.inet import decode_inet
from netread.parse.unix import decode_unix

PTR = "0000000000000000"
SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())


def tcp(local: str, lport: int, remote: str, rport: int, st: int, *, inode: int, rx: int = 0, tx: int = 0, uid: int = 0) -> TcpEntry:
    """A full tcp row (or a TIME_WAIT one for st 6, inode 0)."""
    if st == 0x06:
        return TcpEntry("tcp", "timewait", 0, local, lport, remote, rport, 6, 0, 0, 3, 500, 0, 0, 0, 0, 3, PTR)
    return TcpEntry("tcp", "full", 0, local, lport, remote, rport, st, tx, rx, 0, 0, 0, uid, 0, inode, 2, PTR, 20, 4, 0, 10, -1)


A_FLEET = {"host": "host-a", "taken_at": "2026-12-01T10:00:00Z", "netns": None}
B_FLEET = {"host": "host-b", "taken_at": "2026-12-01T10:05:00Z", "netns": None}

LISTEN_80 = tcp("0.0.0.0", 80, "0.0.0.0", 0, 0x0A, inode=1001)
LISTEN_22 = tcp("0.0.0.0", 22, "0.0.0.0", 0, 0x0A, inode=1002)
CONN = tcp("10.0.0.1", 80, "10.0.0.9", 40000, 0x01, inode=1003)
CONN_CLOSE_WAIT = tcp("10.0.0.1", 80, "10.0.0.9", 40000, 0x08, inode=1003, rx=1)
GONE = tcp("10.0.0.1", 80, "10.0.0.7", 41000, 0x01, inode=1004)
NEW = tcp("10.0.0.1", 80, "10.0.0.8", 42000, 0x01, inode=1005)


def snapshot(root: Path, rows: list[TcpEntry], owners: dict[int, tuple[bytes, list[int]]] | None = None, snmp: str | None = None) -> Path:
    snap = FakeProc(root).table("tcp", format_table("tcp", rows)).table("tcp6", header_line("tcp6"))
    snap.table("udp", header_line("udp")).table("udp6", header_line("udp6")).table("raw", header_line("raw")).table("raw6", header_line("raw6"))
    snap.table("unix", "Num       RefCount Protocol Flags    Type St Inode Path\n")
    for pid, (cmdline, inodes) in (owners or {}).items():
        snap.owner(pid, cmdline, inodes)
    if snmp is not None:
        snap.file("net/snmp", snmp)
    snap.manifest(format=1, captured_at=TAKEN[root.name], hostname=f"host-{root.name}", byteorder="little", clk_tck=100)
    return root


#: Each side's capture time (its manifest's), by the snapshot's directory name.
TAKEN = {"a": "2026-12-01T10:00:00Z", "b": "2026-12-01T10:05:00Z"}


def run_diff(a: Path, b: Path, *args: str) -> tuple[int, str, str]:
    got = netread(["diff", str(a), str(b), *args])
    return got.status, got.stdout.decode(), got.stderr


def test_a_snapshot_against_itself_reports_nothing(tmp_path: Path) -> None:
    a = snapshot(tmp_path / "a", [LISTEN_80, CONN])
    for args in (["-tan"], ["-tanp", "--explain"], ["-tuwxan"], ["--format", "ndjson", "-tan"]):
        assert run_diff(a, a, *args) == (0, "", ""), args
    status, out, _ = run_diff(a, a, "--format", "json", "-tan")
    assert status == 0
    document = json.loads(out)
    assert document["events"] == [] and document["summary"] == {"opened": 0, "closed": 0, "changed": 0}
    assert run_diff(SAMPLE_PROC, SAMPLE_PROC, "-tuwxanpe")[:2] == (0, "")


def test_opened_closed_and_moved_state_exactly(tmp_path: Path) -> None:
    a = snapshot(tmp_path / "a", [LISTEN_80, LISTEN_22, CONN, GONE])
    b = snapshot(tmp_path / "b", [LISTEN_80, CONN_CLOSE_WAIT, NEW])
    status, out, err = run_diff(a, b, "-tan")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"Changes from {a} to {b}",
        "  Proto Recv-Q Send-Q Local Address           Foreign Address         State",
        "~ tcp        1      0 10.0.0.1:80             10.0.0.9:40000          CLOSE_WAIT  [state ESTABLISHED -> CLOSE_WAIT, recv_q 0 -> 1]",
        "+ tcp        0      0 10.0.0.1:80             10.0.0.8:42000          ESTABLISHED",
        "- tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
        "- tcp        0      0 10.0.0.1:80             10.0.0.7:41000          ESTABLISHED",
        "1 opened, 2 closed, 1 changed",
    ]
    assert run_diff(a, b, "-tan", "--exit-code")[0] == 1
    assert run_diff(a, a, "-tan", "--exit-code")[0] == 0
    status, out, _ = run_diff(a, b, "-tan", "--format", "ndjson")
    events = [json.loads(line) for line in out.splitlines()]
    assert [{k: e[k] for k in ("host", "taken_at", "netns")} for e in events] == [B_FLEET, B_FLEET, A_FLEET, A_FLEET]  # closed: A's
    for e in events:
        for side in ("before", "after"):
            if e[side] is not None:
                assert {k: e[side][k] for k in ("host", "taken_at", "netns")} == (A_FLEET if side == "before" else B_FLEET)
    assert [(e["event"], e["proto"], e["inode"], e["changed"]) for e in events] == [
        ("changed", "tcp", 1003, {"state": ["ESTABLISHED", "CLOSE_WAIT"], "recv_q": [0, 1]}),
        ("opened", "tcp", 1005, None),
        ("closed", "tcp", 1002, None),
        ("closed", "tcp", 1004, None),
    ]
    assert events[1]["before"] is None and events[1]["after"]["remote_address"] == "10.0.0.8" and events[1]["after"]["remote_port"] == 42000
    assert events[2]["after"] is None and events[2]["before"]["state"] == "LISTEN" and events[2]["before"]["local_port"] == 22
    assert events[0]["before"]["state"] == "ESTABLISHED" and events[0]["after"]["state"] == "CLOSE_WAIT"
    # the listing's flags select what is compared: without -a the listeners are not listed
    status, out, _ = run_diff(a, b, "-tn", "--format", "ndjson")
    assert [json.loads(line)["inode"] for line in out.splitlines()] == [1003, 1005, 1004]


def test_json_document_follows_the_schema(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    a = snapshot(tmp_path / "a", [LISTEN_80, CONN, GONE])
    b = snapshot(tmp_path / "b", [LISTEN_80, CONN_CLOSE_WAIT, NEW])
    status, out, _ = run_diff(a, b, "-tanp", "--format", "json", "--explain")
    document = json.loads(out)
    assert document["summary"] == {"opened": 1, "closed": 1, "changed": 1}
    assert document["before"]["given"] == str(a) and document["after"]["given"] == str(b)
    schema = {**SCHEMA["$defs"]["diff_document"], "$defs": SCHEMA["$defs"]}
    jsonschema.validate(document, schema)
    event_schema = {**SCHEMA["$defs"]["diff_event"], "$defs": SCHEMA["$defs"]}
    for event in document["events"]:
        jsonschema.validate(event, event_schema)


def test_grown_queue_and_the_listener_it_concerns(tmp_path: Path) -> None:
    snmp_a = "Tcp: ActiveOpens PassiveOpens RetransSegs\nTcp: 10 20 5\n"
    snmp_b = "Tcp: ActiveOpens PassiveOpens RetransSegs\nTcp: 10 95 5\n"
    netstat_a = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 0 0\n"
    netstat_b = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 7 7\n"
    a = snapshot(tmp_path / "a", [LISTEN_80, CONN], snmp=snmp_a)
    FakeProc(a).file("net/netstat", netstat_a)
    b_rows = [tcp("0.0.0.0", 80, "0.0.0.0", 0, 0x0A, inode=1001, rx=129), CONN]
    b = snapshot(tmp_path / "b", b_rows, snmp=snmp_b)
    FakeProc(b).file("net/netstat", netstat_b)
    status, out, err = run_diff(a, b, "-tan", "--explain")
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"Changes from {a} to {b}",
        "  Proto Recv-Q Send-Q Local Address           Foreign Address         State",
        "~ tcp      129      0 0.0.0.0:80              0.0.0.0:*               LISTEN      [recv_q 0 -> 129]",
        "0 opened, 0 closed, 1 changed",
        "Counters that grew:",
        "  TcpExt:ListenOverflows: 0 -> 7 (+7)",
        "  TcpExt:ListenDrops: 0 -> 7 (+7)",
        "  Tcp:PassiveOpens: 20 -> 95 (+75)",
        "What it likely means:",
        "  - the accept queue of 0.0.0.0:80 grew from 0 to 129: the program accepts connections more slowly than they arrive"
        " (at its backlog, new ones are dropped: ListenOverflows)",
        "  - 75 TCP connections were opened between the two readings but only 0 new ones are listed: the rest came and went in between",
        "  - TcpExt:ListenOverflows +7: connections dropped at full accept queues; listeners with a waiting queue: 0.0.0.0:80 (queue 129)",
        "  - TcpExt:ListenDrops +7: connections dropped at full accept queues; listeners with a waiting queue: 0.0.0.0:80 (queue 129)",
    ]
    status, out, _ = run_diff(a, b, "-tan", "--format", "ndjson")
    events = [json.loads(line) for line in out.splitlines()]
    assert [e for e in events if e["event"] == "counter"] == [
        {**B_FLEET, "event": "counter", "name": "TcpExt:ListenOverflows", "concerns": "listen", "before": 0, "after": 7, "delta": 7},
        {**B_FLEET, "event": "counter", "name": "TcpExt:ListenDrops", "concerns": "listen", "before": 0, "after": 7, "delta": 7},
        {**B_FLEET, "event": "counter", "name": "Tcp:PassiveOpens", "concerns": "tcp", "before": 20, "after": 95, "delta": 75},
    ]


def test_a_program_leaking_close_wait(tmp_path: Path) -> None:
    n = 5
    conns = [tcp("10.0.0.1", 8080, "10.0.0.9", 50000 + i, 0x01, inode=2000 + i) for i in range(n)]
    leaked = [dataclasses.replace(c, st=0x08) for c in conns]
    others = [tcp("10.0.0.1", 9090, "10.0.0.9", 60000, 0x01, inode=3000)]
    owners = {77: (b"/usr/bin/leaky\0--serve\0", [1001, *range(2000, 2000 + n)]), 88: (b"calm\0", [3000])}
    a = snapshot(tmp_path / "a", [LISTEN_80, *conns, *others], owners)
    b = snapshot(tmp_path / "b", [LISTEN_80, *leaked, *others], owners)
    status, out, err = run_diff(a, b, "-tanp", "--explain")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines == [
        f"Changes from {a} to {b}",
        "  Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name",
        *(
            f"~ tcp        0      0 10.0.0.1:8080           10.0.0.9:{50000 + i}          CLOSE_WAIT  77/leaky             [state ESTABLISHED -> CLOSE_WAIT]"
            for i in range(n)
        ),
        "0 opened, 0 closed, 5 changed",
        "Programs holding more sockets in a state:",
        "  leaky: CLOSE_WAIT 0 -> 5 (+5)",
        "What it likely means:",
        "  - leaky holds 5 more sockets in CLOSE_WAIT (5 now): their peers closed and the program has not closed its end;"
        " if this keeps growing it is a socket leak",
        "  - 5 connections went to CLOSE_WAIT: the peer closed them; the program holding each must close() its end",
    ]
    status, out, _ = run_diff(a, b, "-tanp", "--format", "ndjson")
    grew = [json.loads(line) for line in out.splitlines() if '"grew"' in line]
    assert grew == [{"event": "grew", **B_FLEET, "program": "leaky", "state": "CLOSE_WAIT", "before": 0, "after": 5}]


def test_time_wait_rows_are_known_by_their_endpoints(tmp_path: Path) -> None:
    """inode-0 rows: the same four-tuple is the same row; new ones came, old ones went (churn)."""
    stay = tcp("10.0.0.1", 80, "10.0.0.9", 30000, 0x06, inode=0)
    went = [tcp("10.0.0.1", 80, "10.0.0.9", 31000 + i, 0x06, inode=0) for i in range(6)]
    came = [tcp("10.0.0.1", 80, "10.0.0.9", 32000 + i, 0x06, inode=0) for i in range(6)]
    a = snapshot(tmp_path / "a", [LISTEN_80, stay, *went])
    b = snapshot(tmp_path / "b", [LISTEN_80, stay, *came])
    status, out, _ = run_diff(a, b, "-tan", "--explain")
    lines = out.splitlines()
    assert [line[:2] for line in lines[2:14]] == ["+ "] * 6 + ["- "] * 6
    assert "30000" not in out
    assert lines[14] == "6 opened, 6 closed, 0 changed"
    assert lines[-1] == "  - TIME_WAIT churn: 6 came and 6 went: many short connections; each closing side keeps its end for 60 s"


def test_a_reused_inode_is_one_socket_closed_and_another_opened(tmp_path: Path) -> None:
    a = snapshot(tmp_path / "a", [tcp("10.0.0.1", 80, "10.0.0.9", 40000, 0x01, inode=5000)])
    b = snapshot(tmp_path / "b", [tcp("10.0.0.1", 80, "10.0.0.5", 45000, 0x01, inode=5000)])
    status, out, _ = run_diff(a, b, "-tan", "--format", "ndjson")
    assert [(e["event"], e["inode"]) for e in map(json.loads, out.splitlines())] == [("opened", 5000), ("closed", 5000)]


def _netns_snapshot(root: Path, container_rows: list[TcpEntry]) -> Path:
    snapshot(root, [LISTEN_80])
    FakeProc(root).file("42/net/tcp", format_table("tcp", container_rows)).file("42/net/tcp6", header_line("tcp6"))
    FakeProc(root).manifest(
        format=1,
        hostname=f"host-{root.name}",
        netns=[
            {"inode": 4026531840, "via": "self", "path": "net", "pid": 1, "tid": None, "names": [], "initial": True, "pids": [1]},
            {"inode": 4026532300, "via": "pid", "path": "42/net", "pid": 42, "tid": None, "names": [], "initial": False, "pids": [42]},
        ],
    )
    return root


def test_the_same_port_in_two_namespaces_is_two_sockets(tmp_path: Path) -> None:
    a = _netns_snapshot(tmp_path / "a", [LISTEN_80])
    b = _netns_snapshot(tmp_path / "b", [])  # the container's listener on the same port is gone; the host's stays
    status, out, err = run_diff(a, b, "-tln", "--netns", "all")
    assert (status, err) == (0, ""), err
    assert out.splitlines() == [
        f"Changes from {a} to {b}",
        "In net:[4026532300]:",
        "  Proto Recv-Q Send-Q Local Address           Foreign Address         State",
        "- tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN",
        "0 opened, 1 closed, 0 changed",
    ]
    assert run_diff(a, a, "-tln", "--netns", "all") == (0, "", "")
    status, out, _ = run_diff(a, b, "-tln", "--netns", "all", "--format", "ndjson")
    (event,) = map(json.loads, out.splitlines())
    assert (event["event"], event["netns"], event["host"], event["before"]["netns"], event["before"]["local_port"]) == ("closed", 4026532300, "host-a", 4026532300, 80)


def test_usage_errors_and_a_bad_side(tmp_path: Path) -> None:
    a = snapshot(tmp_path / "a", [LISTEN_80])
    status, _, err = run_diff(a, tmp_path / "missing", "-tan")
    assert status == 1 and "missing" in err and "Traceback" not in err
    got = netread(["diff", str(a)])
    assert got.status == 2 and "two snapshots" in got.stderr
    got = netread(["diff", "-", "-"])
    assert got.status == 2
    got = netread(["diff", str(a), str(a), "-s"])
    assert got.status == 2 and "-s" in got.stderr
    got = netread(["diff", str(a), str(a), "--format", "csv"])
    assert got.status == 2 and "csv" in got.stderr


def test_a_malformed_line_on_one_side_is_one_message(tmp_path: Path) -> None:
    a = snapshot(tmp_path / "a", [LISTEN_80, CONN])
    b = snapshot(tmp_path / "b", [LISTEN_80, CONN, NEW])
    text = (b / "net" / "tcp").read_text().splitlines(keepends=True)
    (b / "net" / "tcp").write_text("".join(text[:2]) + "   9: zz\n" + "".join(text[2:]))
    status, out, err = run_diff(a, b, "-tan")
    assert status == 0
    assert err.splitlines() == [
        f"netread: warning: {b}/net/tcp:3: field local_address: bad value 'zz': want HEXADDRESS:HEXPORT; line: 9: zz",
        "netread: 1 problem in the tables (each named above); every other row is shown",
    ]
    assert out.splitlines()[2].startswith("+ tcp        0      0 10.0.0.1:80             10.0.0.8:42000")


def test_the_entry_point_and_the_live_side(tmp_path: Path) -> None:
    """Through the console script (cli/__init__ routes diff first): a snapshot against itself, and
    against the live system (something differs, and it ends 0)."""
    a = snapshot(tmp_path / "a", [LISTEN_80])
    script = [sys.executable, "-c", "import sys; from netread.cli import run; sys.argv[0] = 'netread'; run()"]
    same = subprocess.run([*script, "diff", str(a), str(a), "-tan"], capture_output=True, timeout=60)
    assert (same.returncode, same.stdout, same.stderr) == (0, b"", b"")
    live = subprocess.run([*script, "diff", str(a), "-", "-tan", "--format", "json"], capture_output=True, timeout=60)
    assert live.returncode == 0, live.stderr
    document = json.loads(live.stdout)
    assert document["after"]["live"] is True and document["after"]["given"] == "-"
    assert any(e["event"] == "closed" and e["inode"] == 1001 for e in document["events"])
    helped = subprocess.run([*script, "diff", "--help"], capture_output=True, timeout=60)
    assert helped.returncode == 0 and helped.stdout.startswith(b"Usage: netread diff")


# -- the property: applying the reported changes to A gives B ------------------------------------


def _seen(tcp_text: str, unix_text: str, netns: str | None) -> list[diff.Seen]:
    inet = [r for r in decode_inet(tcp_text.splitlines(), path="tcp", table="tcp", byteorder="little") if isinstance(r, InetSocket)]
    unix = [r for r in decode_unix(unix_text.splitlines(), path="unix") if isinstance(r, UnixSocket)]
    return diff.seen(Sockets(inet, unix, None, {}, [], netns=netns))


@settings(max_examples=150, deadline=None)
@given(
    table_entries("tcp", 12),
    table_entries("tcp", 12),
    table_entries("unix", 8),
    table_entries("unix", 8),
    st.sampled_from([None, "net:[4026532300]"]),
    st.integers(0, 12),
)
def test_applying_the_changes_to_a_gives_b(ta, tb, ua, ub, netns, shared) -> None:  # type: ignore[no-untyped-def]
    tb = list(ta[:shared]) + list(tb)  # some rows on both sides, some changed, some new
    a = _seen(format_table("tcp", ta), format_table("unix", ua), netns)
    b = _seen(format_table("tcp", tb), format_table("unix", list(ua[: len(ub) // 2]) + list(ub)), netns)
    changes = diff.diff_sockets(a, b)
    assert diff.apply(changes, a) == diff.facts_by_key(b)
    assert diff.diff_sockets(a, a) == [] and diff.diff_sockets(b, b) == []
    kinds = diff.counts(changes)
    assert kinds[diff.OPENED] - kinds[diff.CLOSED] == len(diff.keyed(b)) - len(diff.keyed(a))


def test_tarball_sides(tmp_path: Path) -> None:
    import tarfile

    a = snapshot(tmp_path / "a", [LISTEN_80, CONN])
    b = snapshot(tmp_path / "b", [LISTEN_80, CONN, NEW])
    for side in (a, b):
        with tarfile.open(f"{side}.tar.gz", "w:gz") as tar:
            tar.add(side, arcname=side.name)
    assert run_diff(a, Path(f"{a}.tar.gz"), "-tan") == (0, "", "")
    status, out, _ = run_diff(Path(f"{a}.tar.gz"), Path(f"{b}.tar.gz"), "-tan", "--format", "ndjson")
    assert [(e["event"], e["inode"]) for e in map(json.loads, out.splitlines())] == [("opened", 1005)]


def test_the_readme_example_is_what_diff_prints(tmp_path: Path) -> None:
    """README "What changed": the example is this pair of snapshots' real output, line for line."""
    text = (ROOT / "README.md").read_text()
    start = text.index("$ netread diff before/ after/ -tanp --explain\n")
    shown = text[start : text.index("```", start)].splitlines()[1:]
    listen_80 = tcp("0.0.0.0", 80, "0.0.0.0", 0, 0x0A, inode=1001)
    conn = tcp("10.0.0.1", 8080, "10.0.0.9", 50000, 0x01, inode=1003)
    owners = {77: (b"/usr/bin/leaky\0", [1001, 1003]), 612: (b"/usr/sbin/sshd\0-D\0", [1002])}
    snmp = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 {0} 0\n"
    before = snapshot(tmp_path / "a", [listen_80, LISTEN_22, conn], owners)
    (before / "net" / "netstat").write_text(snmp.format(0))
    after = snapshot(tmp_path / "b", [dataclasses.replace(listen_80, rx_queue=129), dataclasses.replace(conn, st=0x08)], owners)
    (after / "net" / "netstat").write_text(snmp.format(7))
    (tmp_path / "before").symlink_to(before)
    (tmp_path / "after").symlink_to(after)
    got = subprocess.run([sys.executable, "-m", "netread", "diff", "before/", "after/", "-tanp", "--explain"], capture_output=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LC_ALL": "C"}, timeout=60, check=False)  # fmt: skip
    assert (got.returncode, got.stderr) == (0, b"")
    assert shown == got.stdout.decode().splitlines()
