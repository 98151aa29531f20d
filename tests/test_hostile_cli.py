"""Hostile command lines, snapshots and outputs (issue 14, classes 1 and 8): one clear message, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import Unprivileged
from fakeproc import FakeProc
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import netread

HUGE = "1" * 5000  # past int()'s 4300-digit limit


def _cli(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """netread in a child process, as a user runs it."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "timeout": 60, "env": {**os.environ, "PYTHONPATH": str(ROOT)}, **kwargs}
    return subprocess.run([sys.executable, "-m", "netread", *args], **streams)  # type: ignore[call-overload, no-any-return]


# -- numeric options -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--user", HUGE, "--user wants a user name or a uid 0-4294967294, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--user", "4294967296", "--user wants a user name or a uid 0-4294967294, not '4294967296'"),
        ("--user", "", "--user wants a user name or a uid, not an empty name"),
        ("--pid", HUGE, "--pid wants a process id 1-2147483647, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--pid", "99999999999999999999999", "--pid wants a process id 1-2147483647, not '99999999999999999999999'"),
        ("--pid", "\u0663", "--pid wants a process id 1-2147483647, not '\u0663'"),
        ("--pid", "0", "--pid wants a process id 1-2147483647, not '0'"),
        ("--port", HUGE, "--port wants a port number 0-65535 or a service name, not '" + "1" * 40 + "...' (5000 characters)"),
        ("--sport", "65536", "--sport wants a port number 0-65535 or a service name, not '65536'"),
        ("--dport", "0" * 5000 + "1" * 5000, "--dport wants a port number 0-65535 or a service name, not '" + "0" * 40 + "...' (10000 characters)"),
    ],
    ids=["user-huge", "user-33-bits", "user-empty", "pid-huge", "pid-64-bits", "pid-arabic-digit", "pid-0", "port-huge", "sport-65536", "dport-zeros"],
)
def test_a_numeric_option_out_of_range_is_one_usage_error(option: str, value: str, message: str) -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-tane", option, value])
    assert (got.status, got.stdout, got.stderr) == (2, b"", f"netread: {message}\n")


@pytest.mark.parametrize(("option", "value"), [("--user", "0000000000000000000000000"), ("--pid", "000000000000000000000000001"), ("--port", "00000000000000000000022")])
def test_leading_zeros_are_still_the_number(option: str, value: str) -> None:
    short = str(int(value))
    assert netread(["--proc", str(SAMPLE_PROC), "-tane", option, value]) == netread(["--proc", str(SAMPLE_PROC), "-tane", option, short])


def test_the_largest_uid_is_a_uid_not_an_error() -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-tane", "--user", "4294967294"])
    assert got.status == 0 and got.stderr == ""
    assert got.stdout.decode().splitlines()[2:] == []  # nobody there: the headers only


# -- a --proc the user cannot reach -------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "modes"),
    [
        ("locked/snap", {"locked": 0o700}),  # a parent nobody can enter (a snapshot under /root)
        ("snap", {"snap": 0o700}),  # the snapshot itself
        ("snap", {"snap": 0o644}),  # listable, not enterable
        ("snap.tar", {"snap.tar": 0o600}),  # a tarball nobody can read
        ("locked/snap.tar", {"locked": 0o700}),
    ],
    ids=["parent", "itself", "not-enterable", "tarball", "tarball-parent"],
)
def test_a_proc_this_user_cannot_reach_is_one_clear_error(where: str, modes: dict[str, int], unprivileged: Unprivileged) -> None:
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        os.chmod(base, 0o755)
        for top in (base / "snap", base / "locked" / "snap"):
            FakeProc(top).tables({"tcp": f"{TCP_HEADER}\n{LISTEN_22}\n"})
            with tarfile.open(f"{top}.tar", "w") as tar:
                tar.add(top, "snap")
        for path in base.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        for name, mode in modes.items():
            os.chmod(base / name, mode)
        target = base / where
        for args in (["-tan"], ["-tan", "--format", "json"], ["-tan", "--explain"]):
            got = unprivileged.netread(["--proc", str(target), *args], timeout=60)
            assert (got.returncode, got.stdout, got.stderr.decode()) == (1, b"", f"netread: {target}: cannot be opened: Permission denied\n")


# -- numbers in a snapshot's sysctls and counters -------------------------------------------

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
LISTEN_22 = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
NOT_A_NUMBER = "not a decimal number of at most 64 bits (ASCII digits only)"


def test_sysctls_and_counters_with_unicode_digits_or_thousands_of_digits_are_reported(tmp_path: Path) -> None:
    root = (
        FakeProc(tmp_path)
        .tables({"tcp": f"{TCP_HEADER}\n{LISTEN_22}\n", "snmp": "Udp: InDatagrams RcvbufErrors\nUdp: \u0663 2\n", "netstat": "TcpExt: ListenOverflows\nTcpExt: " + "7" * 4300 + "\n"})
        .file("sys/net/ipv4/ip_local_port_range", "\u00b2\t60999\n")  # str.isdigit() is true for both
        .file("sys/net/core/somaxconn", "4" * 4300 + "\n")
        .file("sys/net/ipv4/tcp_fin_timeout", "6\u0660\n")
        .root
    )
    for fmt in ("netstat", "json"):
        got = netread(["--proc", str(root), "-tan", "--explain", "--format", fmt])
        assert got.status == 0, got.stderr
        warnings = [line for line in got.stderr.splitlines() if line.startswith("netread: warning: ")]
        cut = "4" * 300 + "... (4000 more characters)"
        assert warnings == [
            f"netread: warning: {root}/sys/net/ipv4/ip_local_port_range:1: field low: {NOT_A_NUMBER}; line: \u00b2\\t60999",
            f"netread: warning: {root}/sys/net/core/somaxconn:1: field somaxconn: {NOT_A_NUMBER}; line: {cut}",
            f"netread: warning: {root}/sys/net/ipv4/tcp_fin_timeout:1: field tcp_fin_timeout: {NOT_A_NUMBER}; line: 6\u0660",
            f"netread: warning: {root}/net/snmp:2: field Udp:InDatagrams: {NOT_A_NUMBER}; line: Udp: \u0663 2",
            f"netread: warning: {root}/net/netstat:2: field TcpExt:ListenOverflows: {NOT_A_NUMBER}; line: TcpExt: " + "7" * 292 + "... (4008 more characters)",
        ]
        assert "127.0.0.1:22" in got.stdout.decode() or '"local_port": 22' in got.stdout.decode()
    assert netread(["--proc", str(root), "-tan", "--explain", "--strict"]).status == 1


def test_only_ascii_digits_are_numbers_in_facts() -> None:
    from netread.parse.snmp import read_facts

    files = {"sys/net/core/somaxconn": "4096\n", "sys/net/ipv4/ip_local_port_range": "32768\t60999\n", "sys/net/ipv4/tcp_fin_timeout": "\u0666\u0660\n",
             "net/snmp": "Udp: InDatagrams NoPorts\nUdp: 10 \u00b2\n"}  # fmt: skip
    facts = read_facts(files.get, "snap")
    assert (facts.somaxconn, facts.port_range, facts.fin_timeout, facts.counters) == (4096, (32768, 60999), None, {"Udp:InDatagrams": 10})
    assert [(p.path, p.lineno, p.field) for p in facts.problems] == [("snap/sys/net/ipv4/tcp_fin_timeout", 1, "tcp_fin_timeout"), ("snap/net/snmp", 2, "Udp:NoPorts")]


# -- command-line values in messages ------------------------------------------------------

ESC = "\x1b]0;owned\x07\x1b[2J\x9b1m"  # an OSC title, BEL, clear screen, a C1 CSI


def _no_control(err: bytes) -> str:
    text = err.decode("utf-8")
    assert all(ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) for ch in text), repr(text)
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["--proc", f"/nonexistent/{ESC}", "-tan"], 1, "netread: /nonexistent/\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m: no such file or directory\n"),
        (["--proc", f"/nonexistent/{ESC}", "--format", "json"], 1, "netread: /nonexistent/\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m: no such file or directory\n"),
        (["-A", f"inet{ESC}"], 1, "Unknown address family `inet\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m'.\n"),  # netstat's words
        (["--state", f"x{ESC}"], 2, "netread: unknown state X\\x1b]0;OWNED\\x07\\x1b[2J\\xc2\\x9b1M; known: "),
        (["--port", ESC], 2, "netread: --port wants a port number 0-65535 or a service name, not '\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m' (not in /etc/services)\n"),
        (["--pid", ESC], 2, "netread: --pid wants a process id 1-2147483647, not '\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m'\n"),
        (["--format", ESC], 2, "netread: --format must be one of netstat, json, ndjson, csv, not '\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m'\n"),
        (["--explain-line", "x", "--byte-order", ESC], 2, "netread: --byte-order must be little or big, not '\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m'\n"),
        ([f"--{ESC}"], 3, "netread: unrecognized option '--\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m'\nusage: netread "),  # glibc's line, netstat's usage
        (["capture", "dir", ESC], 2, "Error: Got unexpected extra argument(s) (\\x1b]0;owned\\x07\\x1b[2J\\x9b1m)"),
        (["capture", "--tar", f"/nonexistent/{ESC}.tar"], 1, "netread capture: /nonexistent/\\x1b]0;owned\\x07\\x1b[2J\\xc2\\x9b1m.tar: "),
    ],
    ids=["proc", "proc-json", "family", "state", "port", "pid", "format", "byte-order", "option", "capture-arg", "capture-tar"],
)
def test_command_line_values_are_escaped_in_messages(args: list[str], status: int, said: str) -> None:
    if args[0] == "capture" and os.geteuid() != 0:
        pytest.skip("capture reads every process's fds: root only")
    got = _cli(args)
    err = _no_control(got.stderr)
    assert got.returncode == status, err
    if said.endswith("\n"):
        assert err == said  # the one line
    else:
        assert said in err


# -- stdout full, closed, or a reader gone ---------------------------------------------------

OUTPUTS = [["-tan"], ["-tane"], ["-xan"], ["-tan", "--port", "22"], ["-tan", "--format", "json"], ["-tan", "--format", "ndjson"], ["-tan", "--format", "csv"], ["-tan", "--explain"], ["-tan", "--explain", "--format", "json"], ["-tanc"], ["-tan", "-c", "--format", "csv"]]  # fmt: skip
OUTPUT_IDS = ["plain", "extend", "unix", "filtered", "json", "ndjson", "csv", "explain", "explain-json", "continuous", "continuous-csv"]


@pytest.mark.parametrize("buffered", [False, True], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args", [*OUTPUTS, ["-V"], ["--help"], ["capture", "--help"]], ids=[*OUTPUT_IDS, "version", "help", "capture-help"])
def test_a_full_stdout_is_one_message_and_status_1(args: list[str], buffered: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED" or not buffered}
    with open("/dev/full", "wb") as full:
        got = _cli(["--proc", str(SAMPLE_PROC), *args] if args[0] not in ("-V", "--help", "capture") else args, stdout=full, env={**env, "PYTHONPATH": str(ROOT)})
    assert (got.returncode, _not_notes(got.stderr)) == (1, b"netread: cannot write to standard output: No space left on device\n")


def _not_notes(stderr: bytes) -> bytes:
    """stderr without the unix table's ``note:`` lines (records that may be the end of a name,
    which sample_proc has: they are the listing's, not the write's)."""
    return b"".join(line for line in stderr.splitlines(keepends=True) if not line.startswith(b"netread: note: "))


@pytest.mark.parametrize("args", [*OUTPUTS, ["--explain-line", "x"]], ids=[*OUTPUT_IDS, "explain-line"])
def test_a_closed_stdout_is_one_message_and_status_1(args: list[str]) -> None:
    command = [sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), *args]
    got = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *command], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert (got.returncode, _not_notes(got.stderr)) == (1, b"netread: cannot write to standard output: it is closed\n")


def test_explain_line_to_a_full_stdout() -> None:
    with open("/dev/full", "wb") as full:
        got = _cli(["--explain-line", "x"], stdout=full)
    assert (got.returncode, got.stderr) == (1, b"netread: cannot write to standard output: No space left on device\n")


@pytest.mark.parametrize("args", OUTPUTS, ids=OUTPUT_IDS)
def test_a_reader_that_goes_away_ends_the_listing_quietly_with_0(args: list[str], tmp_path: Path) -> None:
    rows = "".join(f"{i:4d}: 0100007F:{i % 65536:04X} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 {i + 1000} 1 0000000000000000 100 0 0 10 0\n" for i in range(20000))
    root = FakeProc(tmp_path).tables({"tcp": f"{TCP_HEADER}\n{rows}", "unix": "Num       RefCount Protocol Flags    Type St Inode Path\n" + "".join(f"0000000000000000: 00000002 00000000 00010000 0001 01 {50000 + i} /run/x\n" for i in range(20000))}).root
    child = subprocess.Popen([sys.executable, "-m", "netread", "--proc", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline()  # the first line, then the reader goes
    child.stdout.close()
    err = child.stderr.read()
    assert (child.wait(timeout=60), _not_notes(err)) == (0, b"")


# -- -c with the record formats ---------------------------------------------------------------


def _cycles(args: list[str], seconds: float = 2.6) -> bytes:
    """stdout of ``netread -c`` over a few cycles, ended by Ctrl-C."""
    import signal
    import time

    child = subprocess.Popen([sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), "-c", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(seconds)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert (child.returncode, err) == (-signal.SIGINT, b"")  # killed by the signal, as netstat is
    return out


def test_continuous_csv_writes_its_header_once() -> None:
    once = netread(["--proc", str(SAMPLE_PROC), "-tuan", "--format", "csv"]).stdout
    header = once[: once.index(b"\n") + 1]
    body = once[len(header) :]
    got = _cycles(["-tuan", "--format", "csv"])
    assert got.startswith(once) and body
    rest = got[len(once) :]
    cycles = len(rest) // len(body)
    assert cycles >= 1 and rest[: cycles * len(body)] == body * cycles and body.startswith(rest[cycles * len(body) :])
    assert got.count(header) == 1


def test_continuous_ndjson_is_one_record_a_line_every_cycle() -> None:
    import json

    once = netread(["--proc", str(SAMPLE_PROC), "-tuan", "--format", "ndjson"]).stdout
    got = _cycles(["-tuan", "--format", "ndjson"])
    whole = got[: got.rfind(b"\n") + 1]  # Ctrl-C may cut the last line
    cycles = len(whole) // len(once)
    assert cycles >= 2 and whole[: cycles * len(once)] == once * cycles and once.startswith(whole[cycles * len(once) :])
    for line in whole.splitlines():
        assert isinstance(json.loads(line), dict)


def test_continuous_json_is_refused() -> None:
    got = _cli(["--proc", str(SAMPLE_PROC), "-tan", "-c", "--format", "json"], timeout=20)  # it looped for ever
    assert (got.returncode, got.stdout) == (2, b"")
    assert got.stderr.decode() == "netread: -c goes with --format netstat, ndjson or csv, not json: one JSON document cannot grow by a listing every second (ndjson writes one socket a line, every cycle)\n"


# -- properties ------------------------------------------------------------------------------

_VALUES = st.one_of(st.text(max_size=30), st.from_regex(r"[0-9\u00b2\u0660-\u0669]{0,6000}", fullmatch=True), st.integers(min_value=-(10**30), max_value=10**30).map(str))


@settings(max_examples=60, deadline=None)
@given(option=st.sampled_from(["--user", "--pid", "--port", "--sport", "--dport", "--state", "--program"]), value=_VALUES)
def test_any_filter_value_is_a_listing_or_one_usage_error(option: str, value: str) -> None:
    got = netread(["--proc", str(SAMPLE_PROC), "-tane", option, value])  # in-process: an exception fails here
    assert got.status in (0, 2)
    for ch in got.stderr:
        assert ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F), repr(got.stderr)
    if got.status == 2:
        assert got.stdout == b"" and got.stderr.count("\n") == 1 and len(got.stderr) < 400


@settings(max_examples=200, deadline=None)
@given(files=st.dictionaries(st.sampled_from(["sys/net/core/somaxconn", "sys/net/ipv4/ip_local_port_range", "sys/net/ipv4/tcp_fin_timeout", "net/snmp", "net/netstat"]), st.one_of(st.text(), st.from_regex(r"(Tcp: [A-Za-z ]{0,20}\n){0,2}Tcp: [-0-9\u00b2\u0663 \t]{0,40}\n?", fullmatch=True))))
def test_any_facts_text_reads_without_raising(files: dict[str, str]) -> None:
    from netread.parse.snmp import read_facts

    facts = read_facts(files.get, "snap")
    numbers = [v for v in (facts.somaxconn, facts.fin_timeout, *(facts.port_range or ()), *facts.counters.values()) if v is not None]
    assert all(abs(v) < 1 << 64 for v in numbers)
    for problem in facts.problems:
        assert problem.path.removeprefix("snap/") in files and problem.lineno >= 1 and problem.field


@pytest.mark.parametrize(
    ("name", "said"),
    [("snap\0x", "snap\\x00x: cannot be opened: embedded null byte"), ("x" * 5000, "x" * 5000 + ": cannot be opened: File name too long"), (str(SAMPLE_PROC / "net" / "tcp" / "x"), str(SAMPLE_PROC / "net" / "tcp" / "x") + ": cannot be opened: Not a directory")],
    ids=["nul", "too-long", "through-a-file"],
)
def test_a_proc_name_the_kernel_refuses_is_one_source_error(name: str, said: str) -> None:
    from netread.errors import SourceError
    from netread.escape import escape_text
    from netread.proc.source import ProcSource

    with pytest.raises(SourceError) as caught:
        ProcSource.snapshot(name)
    assert escape_text(str(caught.value)) == said


# -- stderr full or closed ---------------------------------------------------------------------

#: Command lines that have something to say on stderr (a malformed line, a bad manifest value, a
#: usage error, netstat's usage), and so the status each ends with: the same whatever stderr is.
SAYING = [["-tan"], ["-tan", "--strict"], ["-tan", "--explain"], ["-tan", "--format", "json"], ["-tan", "--explain", "--format", "json"], ["-tan", "--format", "csv"], ["-tanp"], ["-tane", "--port", "22"], ["-xa"], ["-s"], ["-tan", "--port", "x"], ["-Q"], ["--explain-line", "x"], ["-tan", "--netns", "all"]]  # fmt: skip
SAYING_IDS = ["plain", "strict", "explain", "json", "explain-json", "csv", "programs", "filtered", "unix", "statistics", "usage", "netstat-usage", "explain-line", "netns"]


def _saying_snapshot(root: Path) -> Path:
    """tcp with a good row and a malformed one, unix with a record and a malformed line, a bad
    counter, and a manifest value netread ignores: each is a line on stderr."""
    good = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0"
    header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
    unix = "Num       RefCount Protocol Flags    Type St Inode Path\nffff88800000000: 00000002 00000000 00010000 0001 01  1000 /run/a\nnot a record\n"
    snmp = "Ip: Forwarding DefaultTTL\nIp: 1 x\n"
    FakeProc(root).tables({"tcp": f"{header}\n{good}\n   1: garbage\n", "unix": unix, "snmp": snmp}).manifest(clk_tck=True)
    return root


def _with_stderr(args: list[str], root: Path, how: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "netread", "--proc", str(root), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if how == "closed":
        return subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", *command], stdout=subprocess.PIPE, env=env, timeout=60, check=False)
    with open("/dev/full" if how == "full" else os.devnull, "wb") as err:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=err, env=env, timeout=60, check=False)


@pytest.mark.parametrize("how", ["full", "closed"])
@pytest.mark.parametrize("args", SAYING, ids=SAYING_IDS)
def test_a_full_or_closed_stderr_changes_neither_stdout_nor_the_status(args: list[str], how: str, tmp_path: Path) -> None:
    root = _saying_snapshot(tmp_path / "snap")
    said = _cli(["--proc", str(root), *args])
    assert said.stderr and b"Traceback" not in said.stderr  # there is something to say
    got = _with_stderr(args, root, how)
    assert (got.returncode, got.stdout) == (said.returncode, said.stdout)


def test_what_a_full_stderr_drops_is_only_what_it_would_have_said(tmp_path: Path) -> None:
    """The statuses above are the real ones: a plain listing with warnings is 0, with --strict 1,
    a usage error 2 and netstat's usage 3 (a traceback would have made any of them 1)."""
    root = _saying_snapshot(tmp_path / "snap")
    statuses = [_with_stderr(args, root, "full").returncode for args in (["-tan"], ["-tan", "--strict"], ["-tan", "--port", "x"], ["-Q"])]
    assert statuses == [0, 1, 2, 3]
