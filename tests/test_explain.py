"""--explain: netstat's rows untouched, every column and state explained, each finding rule triggered."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import format_table
from oracle import Run
from oracle import assert_same
from oracle import netread_snapshot
from oracle import netstat
from strategies import snapshot_with_owners

from netread.explain import findings
from netread.explain.glossary import RAW_STATES
from netread.explain.glossary import TCP_STATES
from netread.explain.glossary import UDP_STATES
from netread.explain.glossary import UNIX_STATES

GOLDEN = Path(__file__).resolve().parent / "golden"
PTR = "0" * 16


def strip(run: Run) -> Run:
    """The output without the explanation: every line that starts with '#'."""
    kept = b"".join(line for line in run.stdout.splitlines(keepends=True) if not line.startswith(b"#"))
    return Run(run.status, kept, run.stderr)


# -- the rows are netstat's ---------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("flags", ["-tuwxanpeo", "-x", "-tuwxa", "-tlnp"])
def test_stripping_the_explanation_leaves_netstat_output(flags: str) -> None:
    got = netread_snapshot(SAMPLE_PROC, ["--explain", *flags.split()])
    assert any(line.startswith("# ") for line in got.lines)
    assert_same(
        netstat(SAMPLE_PROC, flags.split()),
        strip(got),
        netread_only=lambda line: line.endswith(" " + SPACE_PATH),
        netstat_only=lambda line: line.endswith(" /tmp/netread-sample/with"),
    )


@pytest.mark.oracle
@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot_with_owners())
def test_stripping_on_generated_snapshots(spec: tuple[dict[str, str], list[tuple[int, bytes, list[int]]]]) -> None:
    tables, procs = spec
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).owned_snapshot((tables, procs))
        for flags in (["-tuwxanpeo"], ["-x"]):
            assert_same(netstat(root, flags), strip(netread_snapshot(root, ["--explain", *flags])))


# -- golden files -------------------------------------------------------------------


@pytest.mark.parametrize("flags", ["-tuwxanpeo", "-xa"])
def test_golden_explain_output_for_sample_proc(flags: str) -> None:
    """Regenerate with NETREAD_UPDATE_GOLDEN=1 after a deliberate change, and read the diff."""
    got = netread_snapshot(SAMPLE_PROC, ["--explain", *flags.split()])
    golden = GOLDEN / f"explain-sample_proc{flags}.txt"
    if os.environ.get("NETREAD_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(got.stdout)
    assert got.status == 0
    assert got.stdout == golden.read_bytes()


# -- the glossary ---------------------------------------------------------------


def _tcp(st: int, *, local: tuple[str, int] = ("10.0.0.1", 80), remote: tuple[str, int] = ("10.0.0.2", 40000), tx: int = 0, rx: int = 0, inode: int = 100, retr: int = 0, sl: int = 0, table: str = "tcp") -> TcpEntry:
    if st == 6:
        return TcpEntry(table, "timewait", sl, *local, *remote, st, 0, 0, 3, 5000, 0, 0, 0, 0, 1, PTR)
    return TcpEntry(table, "full", sl, *local, *remote, st, tx, rx, 0, 0, retr, 0, 0, inode, 1, PTR)


def _udp(st: int = 7, *, rx: int = 0, drops: int = 0, inode: int = 200, table: str = "udp", port: int = 53) -> DgramEntry:
    remote = ("10.0.0.2", 5353) if st == 1 else ("0.0.0.0", 0)
    return DgramEntry(table, 0, "10.0.0.1", port, *remote, st, 0, rx, 0, inode, 2, PTR, drops)


def _unix(st: int, *, inode: int = 300, path: str | None = "/run/x.sock", flags: int = 0) -> UnixEntry:
    return UnixEntry(PTR, 2, flags, 1, st, inode, path)


def _explain(tmp_path: Path, flags: list[str], tables: dict[str, list[object]], extra: Callable[[Path], None] | None = None) -> str:
    root = tmp_path / "proc"
    FakeProc(root).tables({name: format_table(name, rows) for name, rows in tables.items()})  # type: ignore[arg-type]
    if extra is not None:
        extra(root)
    got = netread_snapshot(root, ["--explain", *flags])
    assert got.status == 0, got.stderr
    return got.stdout.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("st", sorted(TCP_STATES))
def test_every_tcp_state_is_in_the_glossary_when_present(st: int, tmp_path: Path) -> None:
    out = _explain(tmp_path, ["-tan"], {"tcp": [_tcp(st)]})
    state = TCP_STATES[st]
    lines = [line for line in out.splitlines() if line.startswith("# tcp ")]
    assert any(f" {state.shown} " in line and state.kernel in line for line in lines), out
    others = [s for code, s in TCP_STATES.items() if code != st]
    assert not any(f" {s.shown} " in line for s in others for line in lines)


@pytest.mark.parametrize(("table", "states", "entry"), [("udp", UDP_STATES, "udp"), ("raw", RAW_STATES, "raw")])
@pytest.mark.parametrize("st", [1, 7])
def test_udp_and_raw_states_are_in_the_glossary(table: str, states: dict[int, object], entry: str, st: int, tmp_path: Path) -> None:
    out = _explain(tmp_path, ["-uan" if table == "udp" else "-wan"], {table: [_udp(st, table=table, port=1)]})
    shown = UDP_STATES[st].shown if table == "udp" else RAW_STATES[st].shown
    kernel = UDP_STATES[st].kernel
    assert any(line.startswith(f"# {table} ") and f" {shown} " in line and kernel in line for line in out.splitlines())


@pytest.mark.parametrize("st", sorted(UNIX_STATES))
def test_every_unix_state_is_in_the_glossary_when_present(st: int, tmp_path: Path) -> None:
    out = _explain(tmp_path, ["-xa"], {"unix": [_unix(st)]})
    state = UNIX_STATES[st]
    assert any(line.startswith("# unix ") and state.kernel in line for line in out.splitlines()), out


def test_unknown_tcp_state_has_an_entry(tmp_path: Path) -> None:
    out = _explain(tmp_path, ["-tan"], {"tcp": [_tcp(1)]}).replace(" 01 ", " 0E ")
    root = tmp_path / "proc"
    text = (root / "net" / "tcp").read_text().replace(" 01 00000000:", " 0E 00000000:")
    FakeProc(root).table("tcp", text)
    out = netread_snapshot(root, ["--explain", "-tan"]).stdout.decode()
    assert "UNKNOWN" in out and "a number outside 01-0B" in out


def test_legend_marks_every_column_shown(tmp_path: Path) -> None:
    out = _explain(tmp_path, ["-tanepo"], {"tcp": [_tcp(1)]}).splitlines()
    header = out[1]
    marks, numbers = out[2], out[3]
    for title in ("Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State", "User", "Inode", "PID/Program name", "Timer"):
        assert marks[header.index(title)] == "^", title
    assert numbers.split()[1:] == [str(i) for i in range(2, 11)]
    legend = _words("\n".join(out[4:40]))
    assert "rx_queue: the 2nd half of" in legend and "the backlog limit" in legend
    plain = _explain(tmp_path / "b", ["-tan"], {"tcp": [_tcp(1)]})
    assert "PID/Program name" not in plain and "# 6   State" in plain


# -- the findings ----------------------------------------------------------------


def _owner(pid: int, name: bytes, *inodes: int) -> Callable[[Path], None]:
    return lambda root: FakeProc(root).owner(pid, b"/usr/bin/" + name + b"\0", inodes)


def _sysctl(path: str, value: str, then: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        FakeProc(root).file(path, value + "\n")
        if then is not None:
            then(root)

    return write


CASES = {
    "close-wait": (
        {"tcp": [_tcp(8, rx=1, remote=("10.0.0.2", 40000 + i), inode=100 + i, sl=i) for i in range(3)]},
        _owner(4242, b"leaky", 100, 101, 102),
        ["[note] 3 TCP connections in CLOSE_WAIT: the peer closed, 4242/leaky has not", "4242/leaky  10.0.0.1:80      3        10.0.0.2:40000, 10.0.0.2:40001, 10.0.0.2:40002"],
        {"tcp": [_tcp(1, inode=100)]},
    ),
    "accept-queue": (
        {"tcp": [_tcp(10, remote=("0.0.0.0", 0), rx=5, inode=110)]},
        _sysctl("sys/net/core/somaxconn", "5", _owner(77, b"slowserver", 110)),
        ["[warning] 1 listener with connections waiting for accept(); 1 at net.core.somaxconn (5)", "10.0.0.1:80  5                   5            77/slowserver"],
        {"tcp": [_tcp(10, remote=("0.0.0.0", 0), rx=0, inode=110)]},
    ),
    "time-wait": (
        {"tcp": [_tcp(6, local=("10.0.0.1", 40000 + i), remote=("10.0.0.9", 443), sl=i) for i in range(6)]},
        _sysctl("sys/net/ipv4/ip_local_port_range", "40000\t40009"),
        ["[warning] 6 TIME_WAIT connections to 10.0.0.9:443 use 60% of the 10 ephemeral ports (40000-40009)", "10.0.0.9:443  6                                  60%"],
        {"tcp": [_tcp(6, local=("10.0.0.1", 80), remote=("10.0.0.9", 50000 + i), sl=i) for i in range(6)]},
    ),
    "orphans": (
        {"tcp": [_tcp(4, tx=5000, inode=0, retr=3)]},
        None,
        ["[warning] 1 closed connection still holding data (orphaned: no process)", "10.0.0.1:80  10.0.0.2:40000  FIN_WAIT1  5000      0         3"],
        {"tcp": [_tcp(4, tx=0, inode=0)]},
    ),
    "syn-sent": (
        {"tcp": [_tcp(2, local=("10.0.0.1", 50000 + i), remote=("192.0.2.1", 5432), tx=1, retr=2, inode=120 + i, sl=i) for i in range(2)]},
        _owner(99, b"client", 120, 121),
        ["[note] 2 connection attempts waiting for an answer (SYN_SENT)", "192.0.2.1:5432  2           2                  99/client"],
        {"tcp": [_tcp(1)]},
    ),
    "big-queues": (
        {"tcp": [_tcp(1, rx=70000, inode=130), _tcp(1, tx=80000, inode=131, local=("10.0.0.1", 81), sl=1)]},
        _owner(5, b"reader", 130, 131),
        ["[warning] 2 established connections with 64 KiB or more queued", "Recv-Q: the program is not reading", "Send-Q: the peer is not taking"],
        {"tcp": [_tcp(1, rx=100, tx=100)]},
    ),
    "udp-receive": (
        {"udp": [_udp(rx=2304, drops=12, inode=140)]},
        _owner(6, b"syslogd", 140),
        ["[warning] 1 UDP socket dropped datagrams", "10.0.0.1:53  2304                        12       6/syslogd"],
        {"udp": [_udp(rx=0, drops=0)]},
    ),
    "unix-waiting": (
        {"unix": [_unix(1, inode=150, flags=1 << 16), _unix(2, inode=0), _unix(2, inode=0)]},
        _owner(7, b"server", 150),
        ["[note] 2 unix connections waiting to be accepted", "/run/x.sock      2          7/server"],
        {"unix": [_unix(1, inode=150, flags=1 << 16)]},
    ),
    "no-owner": (
        {"tcp": [_tcp(6), _tcp(1, inode=555, sl=1)]},
        _owner(8, b"other", 999),
        ["[note] 2 sockets without a program (PID -)", "TIME_WAIT        1        inode 0: kept by the kernel alone", "(has an inode)   1        no fd link names it in this snapshot"],
        {"tcp": [_tcp(1, inode=160)]},
    ),
    "newline-path": (
        {"unix": [_unix(1, path="/tmp/evil\nname.sock")]},
        None,
        ["[warning] 1 unix socket name containing a newline: a possible forged row", "300 /tmp/evil\\nname.sock"],
        {"unix": [_unix(1)]},
    ),
    "suspect-unix-row": (
        {"unix": [_unix(1, path="@a"), _unix(1, inode=300, path="@b"), _unix(1, inode=301, path=None)]},
        None,
        ["[warning] 2 unix rows that may be part of the previous socket's name, not a socket (1 shown forged by the table itself)",
         "300 forged - @b", "301 ambiguous - "],
        {"unix": [_unix(1, path=None), _unix(1, inode=301)]},
    ),
}


def _words(text: str) -> str:
    """Text without the '#' line marks, its runs of blanks as one space (tables are aligned, prose wrapped)."""
    return " ".join(" ".join(line.lstrip("#") for line in text.split("\n")).split())


def _flags(tables: dict[str, object]) -> list[str]:
    """-t/-u/-x for the tables the case writes (an explicit family without its file ends with status 1)."""
    return ["-" + "".join(flag for name, flag in (("tcp", "t"), ("udp", "u"), ("unix", "x")) if name in tables) + "anp"]


#: Rules that look at a namespace's labels: they fire only in a --netns listing, tested there.
NETNS_CASES = {"container-listeners": "tests/test_netns_snapshot.py::test_explain_names_a_listener_on_every_address_of_a_container"}


def test_every_rule_has_a_case() -> None:
    assert len(CASES) + len(NETNS_CASES) == len(findings.RULES)
    assert "ContainerListeners" in {f.__name__ for f in findings.RULES}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_finding_fires_with_its_evidence(rule: str, tmp_path: Path) -> None:
    tables, extra, expected, _ = CASES[rule]
    out = _explain(tmp_path, _flags(tables), tables, extra)  # type: ignore[arg-type]
    section = out[out.index("# Findings") :]
    for text in expected:
        assert _words(text) in _words(section), f"{text!r} not in:\n{section}"


@pytest.mark.parametrize("rule", sorted(CASES))
def test_finding_stays_quiet_without_its_cause(rule: str, tmp_path: Path) -> None:
    _, extra, expected, quiet = CASES[rule]
    out = _explain(tmp_path, _flags(quiet), quiet, extra if rule != "no-owner" else _owner(8, b"other", 160))  # type: ignore[arg-type]
    section = out[out.index("# Findings") :]
    assert expected[0].split("] ", 1)[1][:25] not in section, section


def test_close_wait_without_p_asks_for_it_and_warns_from_ten(tmp_path: Path) -> None:
    rows = [_tcp(8, rx=1, remote=("10.0.0.2", 40000 + i), inode=100 + i, sl=i) for i in range(10)]
    out = _explain(tmp_path, ["-tan"], {"tcp": rows})
    assert "[warning] 10 TCP connections in CLOSE_WAIT: the peer closed, the program has not" in out
    assert "(use -p)" in out and "... and" not in out


def test_counters_from_net_snmp_and_netstat_are_quoted(tmp_path: Path) -> None:
    def extra(root: Path) -> None:
        FakeProc(root).table("snmp", "Udp: InDatagrams RcvbufErrors\nUdp: 100 7\n").table("netstat", "TcpExt: ListenOverflows ListenDrops\nTcpExt: 3 4\n")

    out = _explain(tmp_path, ["-tuan"], {"tcp": [_tcp(10, remote=("0.0.0.0", 0), rx=1)], "udp": [_udp(rx=10, drops=1)], "tcp6": [], "udp6": []}, extra)
    assert "counted 3 accept-queue overflows and 4 dropped SYNs" in _words(out)
    assert "counted 7 UDP receive-buffer errors" in _words(out)


# -- colour -----------------------------------------------------------------------


def _on_a_terminal(env: dict[str, str]) -> bytes:
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), "--explain", "-xa"], stdout=child, stderr=subprocess.PIPE, env={**env, "PYTHONPATH": str(ROOT)})
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(main)
    return b"".join(chunks)


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(env)
    assert b"#\xe2" not in coloured and b"# \x1b[2m" in coloured
    assert b"\x1b" not in _on_a_terminal({**env, "NO_COLOR": "1"})
    piped = netread_snapshot(SAMPLE_PROC, ["--explain", "-xa"]).stdout
    assert b"\x1b" not in piped
    assert all(line.startswith(b"#") for line in coloured.splitlines() if b"\x1b" in line)


# -- --explain-line ------------------------------------------------------------------

LISTEN_BE = "   0: 7F000001:0016 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 42 1 0000000000000000 100 0 0 10 0"


def test_explain_line_on_the_command_line(tmp_path: Path) -> None:
    from oracle import netread

    got = netread(["--explain-line", LISTEN_BE, "--byte-order", "big"])
    assert got.status == 0
    text = _words(got.stdout.decode())
    assert "word 0x7F000001," in text and "big-endian bytes 7F 00 00 01" in text and "→ 127.0.0.1" in text
    assert "LISTEN" in text and "2 connections" in text
    # a snapshot's manifest gives the byte order when --byte-order is not given
    FakeProc(tmp_path).net().manifest(byteorder="big", clk_tck=250)
    assert "→ 127.0.0.1" in _words(netread(["--proc", str(tmp_path), "--explain-line", LISTEN_BE, "--table", "tcp"]).stdout.decode())


def test_explain_line_reports_what_it_cannot_decode() -> None:
    from oracle import netread

    got = netread(["--explain-line", "\x1b[31m junk \x9b"])
    assert got.status == 1
    assert b"\x1b" not in got.stdout and "\x9b".encode() not in got.stdout
    assert "not a socket row" in got.stdout.decode()
    assert netread(["--explain-line", LISTEN_BE, "--byte-order", "middle"]).status == 2


def test_readme_example_is_current() -> None:
    """The README's --explain example is this netread's output on sample_proc (with one elision)."""
    readme = (ROOT / "README.md").read_text()
    head = "$ netread --proc sample_proc -t4lnp --explain\n"
    block = readme[readme.index(head) + len(head) :].split("```", 1)[0].rstrip("\n").split("\n")
    got = netread_snapshot(SAMPLE_PROC, ["-t4lnp", "--explain"]).lines
    shown = [line for line in block if line != "# ...  (one entry per column shown)"]
    assert [line for line in got if line in shown] == shown
