"""netstat's command line (issue 16 item 5): usage errors, -h, -V, harmless flags, stray words, -c, Ctrl-C.

Every expectation is the installed net-tools netstat 2.10 run on the same
command line: its stderr and status for the usage errors (they end before
/proc is read), its listing (through the oracle) for the command lines it
accepts.  netread prints netstat's texts with its own name in them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import Run
from oracle import assert_same
from oracle import netstat as netstat_on
from test_entry import _typer_flags

from netread.cli import modes
from netread.cli import usage
from netread.cli.argv import read_argv
from netread.cli.quick import quick_parse
from netread.cli.request import Request

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
ENV = {**os.environ, "LC_ALL": "C", "PYTHONPATH": str(ROOT)}
ENV.pop("POSIXLY_CORRECT", None)


def _netstat(args: Sequence[str]) -> Run:
    """The installed netstat on this machine's /proc (a usage error ends before it reads any)."""
    if shutil.which("netstat") is None:
        pytest.fail("netstat is not installed: .ci/run installs net-tools")
    proc = subprocess.run(["netstat", *args], capture_output=True, env=ENV, stdin=subprocess.DEVNULL, timeout=60)
    return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "surrogateescape"))


def _netread(args: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """netread as a user runs it: cli.run() in a child process, argv as typed."""
    proc = subprocess.run([sys.executable, "-m", "netread", *args], capture_output=True, env=env or ENV, stdin=subprocess.DEVNULL, timeout=60)
    return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "surrogateescape"))


def _named(text: str | bytes) -> str:
    """netstat's text with netread's name in it (netstat names itself only as the program)."""
    return (text.decode() if isinstance(text, bytes) else text).replace("netstat", "netread")


# -- usage errors: netstat's stderr, status 3 (or 1 for a family aftrans_opt does not know) --------

BAD = [
    ["-I"], ["-Ieth0"], ["-I", "eth0"], ["-i", "-I", "eth0"], ["--interfaces=eth0"], ["--interfaces="], ["--inter=lo"],
    ["-i", "--interfaces=eth0"], ["-s", "-r"], ["-rr"], ["-ss"], ["-ii"], ["-MM"], ["-i", "-M"], ["-sr"],
    ["-r", "-i", "-s", "-M"], ["--stat", "--rou"], ["-e", "--statistics", "--route"], ["-s", "-g", "-r"], ["-6", "-s", "-i"],
    ["-A"], ["-tA"], ["--protocol"], ["--prot"], ["-y"], ["-tz"], ["-x", "-z"], ["-nr", "-I"], ["-T"], ["-tuwx", "--nope"],
    ["--tcpp"], ["--tcpp=x"], ["---"], ["---tcp"], ["-?"], ["-t?"], ["--num"], ["--num=3"], ["--ver"], ["--ver=1"], ["--in"],
    ["--p"], ["--a"], ["--i"], ["--=x"], ["--help=x"], ["--version=1"], ["--route=x"], ["--tcp=yes"],
    ["-A", "foo"], ["-A", "-t"], ["-At"], ["-A", "inet,foo"], ["-A", "inet,"], ["-A", ""], ["--protocol="],
    ["--protocol=inet,,unix"], ["-A", "foo", "-s", "-r"], ["-s", "-r", "-A", "foo"], ["-z", "-A", "foo"], ["-A", "foo", "-z"],
    ["-tn", "eth0", "-z"], ["-i", "eth0", "-r"], ["-s", "-z", "--", "-r"], ["-z", "-h"], ["-z", "-V"], ["-s", "-r", "-Z"],
]  # fmt: skip


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a) or "empty" for a in BAD])
def test_a_bad_command_line_says_what_netstat_says(args: list[str]) -> None:
    want = _netstat(args)
    assert want.status in (1, 3) and want.stdout == b"", want  # the list is of command lines netstat refuses
    if "-Z" in args:  # netstat on this machine: "SELinux is not enabled on this machine." (README)
        want = Run(want.status, b"", want.stderr.replace("on this machine", "for this application"))
    got = _netread(args)
    assert (got.status, got.stdout, got.stderr) == (want.status, b"", _named(want.stderr))


def test_the_usage_errors_give_netstats_usage_text() -> None:
    want = _netstat(["-z"])
    assert want.stderr.startswith("netstat: invalid option -- 'z'\n")
    assert _named(want.stderr.split("\n", 1)[1]) == usage.USAGE + usage.ROUTING_FAMILIES


# -- -h, -V ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["-h"], ["-hs"], ["-s", "-r", "-h"], ["-th"], ["-h", "-z"], ["-tn", "eth0", "-h"]])
def test_h_is_netstats_usage_on_stdout_with_status_0(args: list[str]) -> None:
    want = _netstat(args)
    got = _netread(args)
    assert want.status == 0 and want.stdout.startswith(b"usage: netstat ")
    assert (got.status, got.stdout.decode(), got.stderr) == (0, _named(want.stdout), want.stderr)


@pytest.mark.parametrize("args", [["-V"], ["--version"], ["--vers"], ["-Vh"], ["-Vz"], ["-s", "-r", "-V"], ["-tnV"]])
def test_v_is_the_version_in_netstats_shape(args: list[str]) -> None:
    want = _netstat(args)
    got = _netread(args)
    assert (want.status, want.stderr) == (0, "") and want.stdout.startswith(b"net-tools 2.10\n")
    assert (got.status, got.stderr) == (0, "")
    release, signature, features, *_ = got.stdout.decode().split("\n")
    assert release == "netread 0.1.0" and "net-tools 2.10" in signature and features.startswith("AF: ")


def test_long_help_is_typers_help_of_every_option() -> None:
    """netstat's --help is its -h; netread's --help (and --he, --hel) lists netread's own options too."""
    for args in (["--help"], ["--he"], ["-t", "--hel", "-z"]):
        got = _netread(args)
        assert got.status == 0 and got.stdout.startswith(b"Usage: ") and b"netread [OPTIONS] COMMAND [ARGS]..." in got.stdout
        assert b"--proc" in got.stdout and b"--format" in got.stdout and b"capture" in got.stdout
    got = _netread(["capture", "--help"])
    assert got.status == 0 and b"netread capture [OPTIONS] [DIR]" in got.stdout.split(b"\n")[0]


# -- what netstat accepts: the same listing -------------------------------------------------------

ACCEPTED = [
    ["-tn", "eth0"], ["eth0", "-tan"], ["-tan", "--", "-s"], ["-tan", "-"], ["-tnN"], ["-tnC"], ["-tnF"], ["-tnd"],
    ["-N", "--cache", "--fib", "-xa"], ["--symbolic", "-tan"], ["--ine", "-tan"], ["--numeric-h", "--numeric-p", "-ta"],
    ["-A", "ip", "-tan"], ["-A", "tcpip,ip6", "-tan"], ["-Ainet6,unix", "-an"], ["--protocol=unix", "-a"], ["-x", "-4", "-an"],
    ["--tc", "--ud", "-an"], ["--listen", "-tn"], ["-tuwan", "--wide", "--extend"], ["-ee", "-tan"], ["--", "-tan"],
]  # fmt: skip


def _snapshots(tmp: Path) -> list[Path]:
    """Every snapshot the listing flags can be compared on: sample_proc, a hand-made one, the peer
    captures with a net/tcp."""
    rows = "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 100 0 0 10 0\n"
    rows += "   1: 0100007F:9C40 0100007F:0016 01 00000000:00000000 00:00000000 00000000  1000        0 102 1 0000000000000000 20 4 30 10 -1\n"
    made = FakeProc(tmp / "made").tables({"tcp": TCP_HEADER + "\n" + rows, "unix": "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 5001 /run/a.sock\n"}).root
    from conftest import PEER

    peers = sorted(p for p in PEER.iterdir() if (p / "net" / "tcp").is_file())[:3]
    return [SAMPLE_PROC, Path(made), *peers]


@pytest.mark.oracle
@pytest.mark.parametrize("args", ACCEPTED, ids=[" ".join(a) for a in ACCEPTED])
def test_what_netstat_accepts_lists_what_netstat_lists(args: list[str], tmp_path: Path) -> None:
    for root in _snapshots(tmp_path):
        want = netstat_on(root, args)
        got = _netread(["--proc", str(root), *args])
        assert got.stderr == _named(want.stderr) or "note:" in got.stderr, (root, want.stderr, got.stderr)
        assert_same(want, got, netread_only=_space_path, netstat_only=_space_path_cut)


def _space_path(line: str) -> bool:
    return line.endswith(" /tmp/netread-sample/with space.sock")  # README: netstat cuts a unix path at a space


def _space_path_cut(line: str) -> bool:
    return line.endswith(" /tmp/netread-sample/with")


@pytest.mark.oracle
def test_posixly_correct_ends_the_options_at_the_first_word(tmp_path: Path) -> None:
    root = _snapshots(tmp_path)[1]
    for args in (["-tan", "eth0", "-x"], ["-xa", "word", "-z"]):
        env = {**ENV, "POSIXLY_CORRECT": "1"}
        proc = subprocess.run(["unshare", "-m", "sh", "-c", 'mount --bind "$0" /proc && exec netstat "$@"', str(root), *args], capture_output=True, env=env, timeout=60)
        if proc.returncode not in (0, 1, 3):
            pytest.skip(f"oracle unavailable: {proc.stderr!r}")
        got = _netread(["--proc", str(root), *args], env=env)
        assert (got.status, got.stdout) == (proc.returncode, proc.stdout)


# -- every command line: netstat's outcome (hypothesis) -----------------------------------------

#: Tokens of netstat command lines: good and bad flags, abbreviations, values, stray words.  Not -c
#: (it never ends), not -p (slow on a busy machine), not what netread refuses on purpose (-S -2 -f,
#: -Z, the families it does not list; README), not --help (typer's help, on purpose).
TOKENS = [
    "-t", "-u", "-x", "-n", "-a", "-l", "-e", "-W", "-v", "-o", "-4", "-6", "-N", "-C", "-F", "-d", "-s", "-r", "-i", "-M", "-g",
    "-tn", "-sr", "-rn", "-ie", "-A", "inet", "inet6,unix", "ip", "foo", "inet,", "-Ainet", "-Afoo", "-I", "-z", "-y", "-T", "-?",
    "-h", "-V", "--", "-", "eth0", "lo", "--tcp", "--tc", "--udp", "--numeric", "--num", "--numeric-hosts", "--ver",
    "--version", "--verb", "--in", "--ine", "--inet6", "--interfaces", "--interfaces=eth0", "--route", "--stat", "--st",
    "--groups", "--protocol", "--protocol=inet", "--prot=foo", "--tcpp", "--wide=1", "--a", "--all", "--=", "---",
    "--ip", "--unix", "--listening", "--extend", "--symbolic", "--cache", "--fib", "--masq",
]  # fmt: skip


def _outcome(run: Run, ran: bool) -> tuple[object, ...]:
    """What a command line came to, in terms both programs share."""
    if run.status == 3:
        return (3, _named(run.stderr))
    if run.stderr.startswith("Unknown address family"):
        return (1, run.stderr)
    if run.stdout.startswith(b"usage: "):
        return ("help", _named(run.stdout))
    if run.stdout.startswith((b"net-tools 2.10\n", b"netread 0.1.0\n")):
        return ("version",)
    return ("ran",) if ran or run.status != 3 else ("?",)


def _netread_in_process(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[Run, bool]:
    """cli.run() on ``args`` with the listing replaced by a stub: (what it printed, whether it ran one)."""
    import netread.cli as cli
    import netread.cli.listing as listing

    requests: list[Request] = []

    def fake(request: Request) -> int:
        requests.append(request)
        return 0

    monkeypatch.setattr(listing, "execute", fake)
    monkeypatch.setattr(sys, "argv", ["netread", *args])
    monkeypatch.delenv("POSIXLY_CORRECT", raising=False)
    capsys.readouterr()
    try:
        cli.run()
        status = 0
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return Run(status, out.encode(), err), bool(requests)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.sampled_from(TOKENS), max_size=5))
def test_every_command_line_ends_as_netstats_ends(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    want = _netstat(args)
    got, ran = _netread_in_process(args, monkeypatch, capsys)
    if ran and want.status == 3 and want.stderr.startswith("No routing for address family"):
        # -r's own status 3, after reading the command line: the listing is stubbed here;
        # tests/oracle/test_oracle_routes.py holds -r -A unix (-x) equal to netstat
        return
    assert _outcome(got, ran) == _outcome(want, True), (args, want, got)


# -- the canonical spelling: the quick parser and typer read it the same way ----------------------

SPELLINGS = st.lists(
    st.sampled_from(["-t", "-u", "-x", "-4", "-6", "-tan", "-lW", "-e", "-N", "-C", "-F", "-d", "-o", "-v", "eth0", "--", "--tc",
                     "--numeric-h", "--ine", "--listen", "--prog", "--symb", "--cach", "-A", "inet", "ip6,unix", "-Ainet6",
                     "--protocol=unix", "--proc", "snap", "--proc=other"]),
    max_size=6,
)  # fmt: skip


@given(SPELLINGS)
def test_the_canonical_spelling_reads_the_same_in_both_parsers(args: list[str]) -> None:
    reading = read_argv(args)
    if reading.action != "run":
        return
    canonical = list(reading.argv)
    parsed = quick_parse(canonical)
    if parsed is None:
        return
    want = _typer_flags(canonical)
    assert want is not None, canonical
    flags, protocol, proc, _netns = want
    assert (parsed.flags, list(parsed.protocol), parsed.proc) == (flags, protocol, None if proc is None else str(proc))


def test_families_keep_netstats_order() -> None:
    """netstat's afname, for the modes that print it (-s: "No statistics support for ... inet6,inet")."""
    reading = read_argv(["-6", "-A", "ip,unix", "--inet"])
    request = quick_parse(list(reading.argv))
    assert request is not None and request.families == ("inet6", "inet", "unix", "inet")


def test_too_many_families_is_netstats_note(tmp_path: Path) -> None:
    args = ["-4"] * 60 + ["-tn", "--proc", str(_snapshots(tmp_path)[1])]
    want = _netstat(["-4"] * 60 + ["-tn"])
    got = _netread(args)
    assert want.stderr.startswith("Too much address family arguments.\n")
    assert got.stderr == want.stderr and got.status == want.status == 0


# -- -c: the mode loop ----------------------------------------------------------------------------


@pytest.fixture
def fake_mode(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A mode module: ``run`` prints a line and returns the next of ``statuses``; sleeping is free."""
    calls = types.SimpleNamespace(requests=[], statuses=[0, 0, 0, 1], sleeps=0)

    def run(request: Request) -> int:
        calls.requests.append(request)
        print(f"cycle {len(calls.requests)}")
        return calls.statuses[len(calls.requests) - 1]

    module = types.ModuleType("fake_mode_module")
    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_mode_module", module)
    for mode in modes.RUNNERS:
        monkeypatch.setitem(modes.RUNNERS, mode, "fake_mode_module")

    def sleep(seconds: float) -> None:
        assert seconds == 1
        calls.sleeps += 1

    monkeypatch.setattr(time, "sleep", sleep)
    return calls


@pytest.mark.parametrize("mode", ["route", "interfaces", "masquerade", "groups"])
def test_c_repeats_a_mode_until_it_fails(mode: str, fake_mode: types.SimpleNamespace, capsys: pytest.CaptureFixture[str]) -> None:
    request = Request(frozenset({"continuous"}), modes=(mode,))
    assert modes.run_mode(request, mode) == 1
    assert (len(fake_mode.requests), fake_mode.sleeps) == (4, 3)
    assert capsys.readouterr().out == "cycle 1\ncycle 2\ncycle 3\ncycle 4\n"


@pytest.mark.parametrize("mode", ["route", "statistics"])
def test_without_c_and_for_s_a_mode_runs_once(mode: str, fake_mode: types.SimpleNamespace) -> None:
    flags = frozenset({"continuous"}) if mode == "statistics" else frozenset()
    assert modes.run_mode(Request(flags, modes=(mode,)), mode) == 0
    assert (len(fake_mode.requests), fake_mode.sleeps) == (1, 0)


def test_s_with_c_prints_once_in_netstat_too() -> None:
    want = _netstat(["-sc"])
    assert want.status == 0 and want.stdout.count(b"\nTcp:\n") == 1


# -- Ctrl-C during -c: the process dies of SIGINT, a shell sees 130 --------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _shell_status_after_sigint(command: list[str], env: dict[str, str]) -> str:
    """Run ``command`` in the foreground of sh, send it SIGINT after a couple of cycles, and return
    what sh says of its status (sh is not signalled: only the command, as a terminal's ^C would
    reach it first)."""
    shell = subprocess.Popen(["sh", "-c", '"$@"; echo "status $?"', "sh", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (child := _children(shell.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child, "the command did not start"
        time.sleep(2.5)
        os.kill(child[0], signal.SIGINT)
        out, err = shell.communicate(timeout=30)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.communicate(timeout=30)
    return out.decode().rsplit("\n", 2)[-2]


def test_ctrl_c_ends_netstat_c_with_130() -> None:
    if shutil.which("netstat") is None:
        pytest.fail("netstat is not installed")
    assert _shell_status_after_sigint(["netstat", "-tnc"], ENV) == "status 130"
    assert _shell_status_after_sigint(["netstat", "-ic"], ENV) == "status 130"


def test_ctrl_c_ends_netread_c_with_130() -> None:
    assert _shell_status_after_sigint([sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), "-tnc"], ENV) == "status 130"
    assert _shell_status_after_sigint([sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), "-tn", "-c", "--format", "csv"], ENV) == "status 130"


def test_ctrl_c_ends_a_mode_loop_with_130(tmp_path: Path) -> None:
    (tmp_path / "fake_route.py").write_text("def run(request):\n    print('Kernel IP routing table')\n    return 0\n")
    code = "import sys\nimport netread.cli.modes as m\nm.RUNNERS['route'] = 'fake_route'\nsys.argv = ['netread', '-rnc']\nfrom netread.cli import run\nrun()\n"
    env = {**ENV, "PYTHONPATH": f"{tmp_path}:{ROOT}"}
    assert _shell_status_after_sigint([sys.executable, "-c", code], env) == "status 130"


# -- where netread differs on purpose (README "Differences from netstat") ---------------------------


@pytest.mark.oracle
def test_tcpip_is_inet_where_netstat_has_an_internal_error(tmp_path: Path) -> None:
    """--tcpip is the 13th of netstat's 12 AFTRANS_OPTS: netstat says so and ignores it."""
    root = SAMPLE_PROC
    want = netstat_on(root, ["--tcpip", "-an"])
    assert want.stderr == "netstat.c: Internal Error `longopts 1 range'.\n"
    assert b"\nunix " in want.stdout  # the family was dropped: every table listed
    got = _netread(["--proc", str(root), "--tcpip", "-an"])
    assert_same(netstat_on(root, ["-A", "tcpip", "-an"]), got)
    assert got.stderr == "" and b"\nunix " not in got.stdout and b"\ntcp6 " not in got.stdout


def test_selinux_contexts_are_not_read() -> None:
    want = _netstat(["-Z"])
    assert want.status == 1 and want.stderr.startswith("SELinux is not enabled ")
    got = _netread(["-tnZ"])
    assert (got.status, got.stdout, got.stderr) == (1, b"", "SELinux is not enabled for this application.\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [(["-2"], "Bluetooth L2CAP sockets (-2, --l2cap)"),
     (["--rfcomm"], "Bluetooth RFCOMM sockets (-f, --rfcomm)"), (["-A", "bluetooth"], "Bluetooth sockets (-A bluetooth)"),
     (["--ax25"], "the ax25 address family"), (["-A", "appletalk"], "the ddp address family"), (["-A", "econet,inet"], "the ec address family")],
)  # fmt: skip
def test_tables_netread_does_not_read_are_one_error(args: list[str], said: str) -> None:
    got = _netread(args)
    assert (got.status, got.stdout, got.stderr) == (1, b"", f"netread: {said}: not supported\n")


# -- junk: never a traceback, always one outcome --------------------------------------------------

JUNK = st.lists(
    st.one_of(
        st.sampled_from(TOKENS + ["--proc", "--format", "--explain", "--prog", "--program", "--st", "--expl", "-c"]),
        st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=8),
        st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=8).map(lambda t: "-" + t),
        st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=8).map(lambda t: "--" + t),
    ),
    max_size=6,
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=JUNK)
def test_junk_command_lines_never_raise(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    reading = read_argv(args)
    assert reading.action in ("run", "help", "typer-help", "version", "usage", "fail")
    if reading.action == "run":
        assert quick_parse(list(reading.argv)) is not None or all(a.startswith("-") for a in reading.argv)
    if "capture" in args[:1] or reading.action == "typer-help" or any(a.startswith("--explain-line") for a in reading.argv):
        return  # typer's own help and commands, tested above and in test_capture.py
    got, ran = _netread_in_process(args, monkeypatch, capsys)
    assert "Traceback" not in got.stderr
    if reading.action == "usage":
        assert got.status == 3 and got.stderr.endswith(usage.USAGE + usage.ROUTING_FAMILIES)
        assert all(ch == "\n" or ch.isprintable() for ch in got.stderr)  # what was typed, escaped
    elif reading.action == "run":
        assert ran or got.status == 2, got  # the listing, or one of netread's own value checks


@pytest.mark.oracle
@pytest.mark.parametrize("args", [["-tuwan", "eth0"], ["--ine", "-an"], ["-tnN", "--", "-s"], ["-xa", "-C", "--fib", "lo"]])
def test_the_live_proc_of_a_new_namespace_lists_the_same(args: list[str]) -> None:
    """Both read this machine's /proc inside one fresh ``unshare -n`` namespace (a loopback server
    listening, so there is a row), one after the other."""
    script = (
        f'{sys.executable} -c "import socket,time; s=socket.socket(); s.bind((\'127.0.0.1\', 4242)); s.listen(); time.sleep(30)" & '
        # the listener is up once its row is in the table (a fixed sleep lost the race on a loaded host)
        "for i in $(seq 300); do grep -q ':1092 00000000:0000 0A' /proc/net/tcp && break; sleep 0.1; done; "
        "netstat \"$@\" > \"$0/netstat\" 2>&1; echo $? >> \"$0/netstat\"; "
        f"{sys.executable} -m netread \"$@\" > \"$0/netread\" 2>&1; echo $? >> \"$0/netread\"; kill $!"
    )
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(["unshare", "-n", "sh", "-c", script, tmp, *args], capture_output=True, env=ENV, timeout=60)
        if proc.returncode != 0 or not Path(tmp, "netread").exists():
            pytest.skip(f"unshare -n refused here: {proc.stderr!r}")
        want = _named(Path(tmp, "netstat").read_bytes())
        got = Path(tmp, "netread").read_text()
    assert got == want
    assert ("127.0.0.1:4242" in got) == (args[0] in ("-tuwan", "--ine"))


def test_s_with_sctp_carries_the_flag_to_the_statistics_mode(fake_mode: types.SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """netstat -s -S shows the SCTP counters only: the mode is told (the listing refuses -S)."""
    import netread.cli as cli

    monkeypatch.setattr(sys, "argv", ["netread", "-s", "-S", "-c"])
    with pytest.raises(SystemExit) as end:
        cli.run()
    assert end.value.code == 0 and len(fake_mode.requests) == 1
    request = fake_mode.requests[0]
    assert request.mode == "statistics" and {"sctp", "continuous"} <= request.flags
