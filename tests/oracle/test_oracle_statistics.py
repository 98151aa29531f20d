"""netread -s equals real netstat -s byte for byte (stdout and exit status), in every variant 2.10 has.

Snapshots: hand-made ones (tests/counter_kernel.py's 6.18 layout, old kernels,
every counter nonzero, broken and missing files), sample_proc/, this
machine's live files copied into a snapshot, the peer captures that hold
counter files, and hypothesis-generated files (tests/counter_strategies.py);
and the live /proc of a fresh ``unshare -n`` network namespace.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PEER
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import examples
from counter_kernel import NETSTAT
from counter_kernel import SCTP
from counter_kernel import SNMP
from counter_kernel import SNMP6
from counter_kernel import lines_text
from counter_kernel import pairs_text
from counter_strategies import counter_files
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_argv_snapshot as netread_snapshot
from oracle import netstat

pytestmark = pytest.mark.oracle

#: Every -s variant of net-tools 2.10 (-s -x, -s -4 -6...: netstat's status 1 and stdout message).
VARIANTS = [
    "-s", "-st", "-su", "-sw", "-s -6", "-s -4", "-s -U", "-stu", "-s -6 -t", "-s -6 -u", "-s -6 -w", "-s -A inet6",
    "-s --inet", "-sS", "-stS", "-s -6 -S", "-sc", "-s -e -n -a", "-s -x", "-s -4 -6", "-s -6 -4", "-s -4 -4", "-s -A inet,inet", "-s -x -4", "-s -t -6 -x",
    "-ss", "-s -g", "-s -r",
]  # fmt: skip
#: Fewer variants for the generated snapshots (each example runs netstat once).
GENERATED_VARIANTS = ["-s", "-st", "-su", "-sw", "-sS", "-s -6", "-s -U", "-stu", "-s -6 -t"]


def _counters(sections: tuple[tuple[str, list[str]], ...], value: Callable[[str, str, int], str]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(title, [(name, value(title, name, i)) for i, name in enumerate(names)]) for title, names in sections]


def _kernel(root: Path, value: Callable[[str, str, int], str], *, sctp: bool = False) -> None:
    """A 6.18 kernel's four files, each counter's text from ``value(section, name, index)``."""
    fake = FakeProc(root)
    fake.file("net/snmp", pairs_text(_counters(SNMP, value)))
    fake.file("net/netstat", pairs_text(_counters(NETSTAT, value)))
    fake.file("net/snmp6", lines_text([(name, value("", name, i)) for i, name in enumerate(SNMP6)]))
    if sctp:
        fake.file("net/sctp/snmp", lines_text([(name, value("Sctp", name, i)) for i, name in enumerate(SCTP)]))


def _mostly_zero(section: str, name: str, i: int) -> str:
    return {"Forwarding": "1", "DefaultTTL": "64", "RtoAlgorithm": "1", "RtoMin": "200", "RtoMax": "120000", "MaxConn": "-1"}.get(name, str(i % 3 and 0))


def _all_nonzero(section: str, name: str, i: int) -> str:
    return str(1000 + i)


def _odd(section: str, name: str, i: int) -> str:
    return ["0", "18446744073709551615", "99999999999999999999999", "-7", "+3", "x", "12abc", "0"][i % 8]


def _old_kernel(root: Path) -> None:
    """A 2.6-era capture: the empty line after a full IcmpMsg pair, fewer counters, a second IcmpMsg pair."""
    types = " ".join(f"InType{t}" for t in range(16))
    text = (
        "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests\n"
        "Ip: 1 64 5 0 0 0 0 0 5 7\n"
        "Icmp: InMsgs InErrors InDestUnreachs OutMsgs OutErrors OutDestUnreachs OutEchoReps\n"
        "Icmp: 3 0 3 2 0 1 1\n"
        f"IcmpMsg: {types}\nIcmpMsg: {' '.join(str(t + 1) for t in range(16))}\n\n"
        "IcmpMsg: OutType0 OutType3\nIcmpMsg: 1 1\n"
        "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts\n"
        "Tcp: 1 200 120000 -1 4 2 0 0 1 100 90 3 0 1\n"
        "Udp: InDatagrams NoPorts InErrors OutDatagrams\nUdp: 10 1 0 12\n"
    )
    FakeProc(root).file("net/snmp", text).file("net/netstat", "TcpExt: TW DelayedACKs TCPPrequeued\nTcpExt: 1 2 3\n")


def _snmp6_quirks(root: Path) -> None:
    """snmp6 where a name has no value, a line is blank, Ip6 comes back after UdpLite6, and a long line is cut."""
    text = (
        "Ip6InReceives                   \t4\nIp6InDelivers\n\nIcmp6InMsgs 2\nIcmp6InEchos 1\nIcmp6OutEchoReplies 1\n"
        "Udp6InDatagrams 3\nUdpLite6InDatagrams 0\nIp6OutRequests 9\nIcmp6OutRouterAdvertisements 5\n"
        + "Ip6" + "x" * 1100 + " 7\n"
        "Tcp6ActiveOpens 1\nTcp6Weird 2\n"
    )
    FakeProc(root).file("net/snmp6", text).file("net/snmp", pairs_text(_counters(SNMP, _all_nonzero)) + "TcpX: A\nTcpX: 5\n")


def _broken(root: Path) -> None:
    """A header line without ':' in net/snmp after two good sections; a value line without ':' in net/netstat."""
    FakeProc(root).file("net/snmp", "Ip: Forwarding InReceives\nIp: 2 5\nUdp: InDatagrams\nUdp: 3\nno colon\nTcp: ActiveOpens\nTcp: 1\n").file(
        "net/netstat", "TcpExt: TW\nTcpExt 4\nIpExt: InOctets\nIpExt: 9\n"
    )


def _sctp_only_tail(root: Path) -> None:
    """net/sctp/snmp whose last line has no newline and no value: netstat reads on into its buffer."""
    FakeProc(root).file("net/snmp", "Ip: InReceives\nIp: 1\n").file(
        "net/sctp/snmp", "SctpCurrEstab                   \t12345678\nSctpNew 5\nS 99\nX"
    )


def _missing_snmp(root: Path) -> None:
    FakeProc(root).file("net/netstat", pairs_text(_counters(NETSTAT, _all_nonzero))).file("net/snmp6", lines_text([("Ip6InReceives", "3")]))


def _missing_snmp6(root: Path) -> None:
    FakeProc(root).file("net/snmp", pairs_text(_counters(SNMP, _all_nonzero)))


def _directories(root: Path) -> None:
    """net/snmp and net/snmp6 are directories: netstat opens them, its reads fail, it goes on."""
    (root / "net" / "snmp").mkdir(parents=True)
    (root / "net" / "snmp6").mkdir(parents=True)
    FakeProc(root).file("net/netstat", "TcpExt: TW ListenOverflows\nTcpExt: 3 4\n")


def _empty(root: Path) -> None:
    FakeProc(root).net().file("net/snmp", "").file("net/netstat", "").file("net/snmp6", "")


HAND_MADE: dict[str, Callable[[Path], None]] = {
    "kernel-6.18-idle": lambda root: _kernel(root, _mostly_zero),
    "kernel-6.18-all-nonzero": lambda root: _kernel(root, _all_nonzero, sctp=True),
    "kernel-6.18-odd-values": lambda root: _kernel(root, _odd, sctp=True),
    "kernel-2.6": _old_kernel,
    "snmp6-quirks": _snmp6_quirks,
    "broken-lines": _broken,
    "sctp-tail": _sctp_only_tail,
    "no-snmp": _missing_snmp,
    "no-snmp6": _missing_snmp6,
    "directories": _directories,
    "empty-files": _empty,
}

COUNTER_FILES = ("net/snmp", "net/netstat", "net/snmp6", "net/sctp/snmp")


def _peer_snapshots() -> dict[str, Callable[[Path], Path]]:
    """Peer captures (tests/fixtures/peer, ../shared/peer_fixtures) holding a counter file, anywhere in them:
    a ``net/`` directory is a snapshot as it is; loose files are copied into one's ``net/``."""
    found: dict[str, Callable[[Path], Path]] = {}
    for base in (PEER, ROOT.parent / "shared" / "peer_fixtures"):
        if not base.is_dir():
            continue
        folders = sorted({p.parent for name in ("snmp", "snmp6", "netstat") for p in base.rglob(name) if p.is_file()})
        for folder in folders:
            label = f"peer-{folder.relative_to(base)}".replace("/", "-")
            if folder.name == "net":
                found[label] = lambda tmp, root=folder.parent: root
            else:
                def copied(tmp: Path, folder: Path = folder) -> Path:
                    for name in ("snmp", "snmp6", "netstat"):
                        if (folder / name).is_file():
                            FakeProc(tmp).file(f"net/{name}", (folder / name).read_bytes())
                    return tmp

                found[label] = copied
    return found


def _live_copy(root: Path) -> None:
    """This machine's counter files, copied (the live ones move between two reads)."""
    for name in COUNTER_FILES:
        source = Path("/proc") / name
        if source.is_file():
            FakeProc(root).file(name, source.read_bytes())


SNAPSHOTS: dict[str, Callable[[Path], Path]] = {}
for _name, _build in HAND_MADE.items():
    SNAPSHOTS[_name] = lambda tmp, build=_build: (build(tmp), tmp)[1]
SNAPSHOTS["live-copy"] = lambda tmp: (_live_copy(tmp), tmp)[1]
if (SAMPLE_PROC / "net" / "snmp").is_file():
    SNAPSHOTS["sample_proc"] = lambda tmp: SAMPLE_PROC
SNAPSHOTS.update(_peer_snapshots())


@pytest.mark.parametrize("flags", VARIANTS)
@pytest.mark.parametrize("snapshot", sorted(SNAPSHOTS))
def test_statistics_equal_netstat(snapshot: str, flags: str, tmp_path: Path) -> None:
    root = SNAPSHOTS[snapshot](tmp_path)
    assert_same(netstat(root, flags.split()), netread_snapshot(root, flags.split()))


def test_hand_made_snapshots_show_what_they_are_for(tmp_path: Path) -> None:
    """The snapshots above reach the cases they are named for (and netstat agrees: test above)."""
    def out(name: str, flags: str) -> str:
        root = tmp_path / name
        HAND_MADE[name](root)
        return netread_snapshot(root, flags.split()).stdout.decode()

    nonzero = out("kernel-6.18-all-nonzero", "-s")
    assert "    TCPTimeouts: " in nonzero and "other TCP timeouts" not in nonzero  # bsearch misses it
    assert "    Forwarding: " in nonzero and "Sctp:\n    1000 Current Associations\n" in nonzero
    assert "Number of Aborteds \n" in nonzero  # the trailing space in netstat's text
    assert out("kernel-6.18-idle", "-st").startswith("IcmpMsg:\n")  # an unknown section always shows
    assert "\n    InType3: " not in out("kernel-6.18-idle", "-s")
    old = out("kernel-2.6", "-s")
    assert old.count("IcmpMsg:\n") == 2 and "        InType15: 16\n" in old
    quirks = out("snmp6-quirks", "-s -6")
    assert quirks.count("Ip6:\n") == 3 and "    4 incoming packets delivered\n" in quirks and "TcpX:\n" in quirks
    broken = out("broken-lines", "-s")
    assert "Udp:\n    3 packets received\n" in broken and "Tcp:" not in broken and "IpExt" not in broken  # both files stop
    assert out("sctp-tail", "-s").endswith("Sctp:\n    12345678 Current Associations\n    SctpNew: 5\n    S: 99\n    X: 99\n")


def test_missing_and_unreadable_files_are_said_on_stderr(tmp_path: Path) -> None:
    """netstat's perror lines, with the snapshot's path: status 0 all the same."""
    _missing_snmp(tmp_path)
    run = netread_snapshot(tmp_path, ["-s"])
    assert run.status == 0 and run.stdout == b"" and f"cannot open {tmp_path}/net/snmp: No such file or directory" in run.stderr
    run6 = netread_snapshot(tmp_path, ["-s", "-6"])
    assert run6.status == 0 and f"cannot open {tmp_path}/net/snmp: No such file or directory" in run6.stderr
    directories = tmp_path / "d"
    _directories(directories)
    run = netread_snapshot(directories, ["-s"])
    assert run.status == 0 and run.stdout.startswith(b"TcpExt:\n") and f"{directories}/net/snmp: not a regular file" in run.stderr
    broken = tmp_path / "b"
    _broken(broken)
    run = netread_snapshot(broken, ["-s"])
    assert f"{broken}/net/snmp:5: field title: no ':' in the line" in run.stderr
    assert f"problem while parsing {broken}/net/netstat" in run.stderr


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(counter_files(), st.sampled_from(GENERATED_VARIANTS))
def test_generated_counter_files_equal_netstat(files: dict[str, str], flags: str) -> None:
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeProc(tmp).net()
        for name, text in files.items():
            fake.file(name, text)
        assert_same(netstat(fake.root, flags.split()), netread_snapshot(fake.root, flags.split()))


_IN_NETNS = """
import json, subprocess, sys
flags = json.loads(sys.argv[1])
out = {}
for f in flags:
    for attempt in range(3):  # nothing moves the counters of a fresh namespace; once more if something did
        a = subprocess.run(["netstat", *f.split()], capture_output=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})
        b = subprocess.run([sys.executable, "-m", "netread", *f.split()], capture_output=True)
        if a.stdout == b.stdout:
            break
    out[f] = [a.returncode, a.stdout.decode("latin-1"), b.returncode, b.stdout.decode("latin-1"), b.stderr.decode("latin-1")]
print(json.dumps(out))
"""


def test_live_namespace_equals_netstat() -> None:
    """Both read the live /proc of a fresh network namespace (``unshare -n``), which dies with the child."""
    need_oracle()
    if shutil.which("unshare") is None:
        pytest.skip("unshare(1) is not installed")
    proc = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", _IN_NETNS, json.dumps(VARIANTS)],
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "LC_ALL": "C"},
    )
    if proc.returncode != 0 and b"unshare failed" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace').strip()}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    for flags, (want_status, want, got_status, got, err) in json.loads(proc.stdout).items():
        assert (want_status, want) == (got_status, got), (flags, err)
        assert "Traceback" not in err


# -- README "Differences from netstat" ------------------------------------------------------------


def test_difference_control_characters_in_counter_names_are_escaped(tmp_path: Path) -> None:
    FakeProc(tmp_path).file("net/snmp", b"X\x1b[31m: A\x07 B\nX: 5 6\n")
    want = netstat(tmp_path, ["-s"])
    got = netread_snapshot(tmp_path, ["-s"])
    assert want.stdout == b"X\x1b[31m:\n    A\x07: 5\n    B: 6\n"  # raw, as the terminal would obey it
    assert got.stdout == b"X\\x1b[31m:\n    A\\x07: 5\n    B: 6\n" and got.status == want.status == 0


def test_families_netread_does_not_list_are_netstats_statistics_error(tmp_path: Path) -> None:
    """-s -A ipx: a family netstat knows, without statistics: its message on stdout, status 1 (cli/argv.py
    accepts the families netstat knows for the modes)."""
    _missing_snmp6(tmp_path)
    for flags in (["-s", "-A", "ipx"], ["-s", "-A", "inet,ax25"], ["-s", "-A", "bogus"]):
        assert_same(netstat(tmp_path, flags), netread_snapshot(tmp_path, flags))


def test_difference_snmp6_names_past_netstats_buffer_are_read_whole(tmp_path: Path) -> None:
    """netstat's sscanf("%s") writes an snmp6 name into a 50-byte stack buffer (undefined past 49 bytes); netread reads it whole."""
    long_name = "Ip6" + "Y" * 70
    FakeProc(tmp_path).file("net/snmp6", f"Ip6InReceives 5\n{long_name} 7\nIp6InDelivers 3\n")
    got = netread_snapshot(tmp_path, ["-s", "-6"])
    assert got.stdout.startswith(f"Ip6:\n    5 total packets received\n    {long_name}: 7\n    3 incoming packets delivered\n".encode())
