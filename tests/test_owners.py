"""-p owners: the fd scan, argv[0] rules, and netstat equality on generated process trees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import Unprivileged
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_snapshot
from oracle import netstat
from strategies import snapshot_with_owners

from netread.model import Owner
from netread.parse.links import argv0
from netread.parse.links import netstat_label
from netread.parse.links import socket_inode
from netread.parse.links import socket_inodes
from netread.proc.processes import scan_owners


@pytest.mark.parametrize(
    ("cmdline", "want"),
    [
        (b"/usr/sbin/nginx\0-g\0daemon off;\0", b"7/nginx"),
        (b"./relname\0", b"7/./relname"),
        (b"sshd: root@pts/0\0", b"7/sshd: root@pts/0"),
        (b"/opt/some dir/prog --flag=/x/y\0", b"7/y"),
        (b"averyveryverylongprogramname\0", b"7/averyveryverylong"),
        (b"", b"7/"),
        (b"/", b"7/"),
    ],
)
def test_program_label(cmdline: bytes, want: bytes) -> None:
    assert netstat_label(7, argv0(cmdline).decode("utf-8", "surrogateescape")) == want


def test_scan_reads_links_only_and_keeps_the_first_owner(tmp_path: Path) -> None:
    fake = FakeProc(tmp_path).process(10, b"/bin/first\0", {0: "/dev/null", 3: "socket:[100]", 4: "pipe:[5]", 5: "[0000]:200"})
    fake.process(11, b"/bin/second\0", {3: "socket:[100]", 4: "socket:[300]"})
    (tmp_path / "self").mkdir()
    owners = scan_owners(tmp_path)
    first = next(e.name for e in os.scandir(tmp_path) if e.name in ("10", "11"))
    assert owners.first(100) == (Owner(10, "first") if first == "10" else Owner(11, "second"))
    assert owners.first(200) == Owner(10, "first") and owners.first(300) == Owner(11, "second")
    assert not owners.denied


def test_scan_lists_every_holder_in_scan_order(tmp_path: Path) -> None:
    """A socket shared by a prefork server's parent and children: every holder, once each, first found first."""
    fake = FakeProc(tmp_path).process(10, b"/usr/sbin/nginx\0", {3: "socket:[1]", 4: "socket:[1]"}).file("10/comm", b"nginx\n")
    fake.process(11, b"nginx: worker process\0", {3: "socket:[1]", 5: "socket:[2]"}).file("11/comm", b"nginx\n")
    owners = scan_owners(tmp_path)
    order = [int(e.name) for e in os.scandir(tmp_path)]
    assert owners.holders == {1: tuple(order), 2: (11,)}
    assert owners.processes == {10: Owner(10, "nginx", "nginx"), 11: Owner(11, "nginx: worker process", "nginx")}
    assert [o.pid for o in owners.of(1)] == order and owners.of(3) == [] and owners.of(None) == []


_TARGET = st.one_of(
    st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=24),
    st.builds(lambda d, s: f"socket:[{d}]{s}", st.from_regex(r"[0-9]{0,22}", fullmatch=True), st.sampled_from(["", "x", "]", "\n"])),
    st.builds(lambda p, d: f"{p}[0000]:{d}", st.sampled_from(["", "\n", "a"]), st.from_regex(r"[0-9]{0,21}", fullmatch=True)),
    st.sampled_from(["socket:[18446744073709551615]", "socket:[18446744073709551614]", "socket:[0165204]", "socket:[٣]", "socket:[+1]", "socket:[ 1]"]),
)


@given(st.lists(_TARGET, max_size=30))
def test_the_bulk_scan_of_targets_equals_one_target_at_a_time(targets: list[str]) -> None:
    assert socket_inodes(targets) == [i for i in map(socket_inode, targets) if i is not None]


def test_scan_of_one_process_with_a_shared_and_a_repeated_socket(tmp_path: Path) -> None:
    """The holders of a process's sockets as the fd-at-a-time scan found them: a socket held twice
    by one process counted once, one held by an earlier process after it, files and odd links skipped."""
    fd = {0: "/dev/null", 3: "socket:[7]", 4: "socket:[7]", 5: "/tmp/x\nsocket:[8]", 6: "socket:[9]", 7: "anon_inode:[eventpoll]", 8: "socket:[12345678901234567890]"}
    FakeProc(tmp_path).process(20, b"/bin/a\0", {3: "socket:[9]"}).process(21, b"/bin/b\0", fd)
    owners = scan_owners(tmp_path, names=["20", "21"])
    assert owners.holders == {9: (20, 21), 7: (21,), 12345678901234567890: (21,)}
    assert list(owners.holders) == [9, 7, 12345678901234567890]


@pytest.mark.oracle
@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(snapshot_with_owners(), st.sampled_from(["-tuwxanp", "-tuwanpeo", "-xap", "-tuwxlnpe", "-tuwaUnpeo"]))
def test_generated_owners_equal_netstat(spec: tuple[dict[str, str], list[tuple[int, bytes, list[int]]]], flags: str) -> None:
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).owned_snapshot(spec)
        assert_same(netstat(root, flags.split()), netread_snapshot(root, flags.split()))


def _default_sigint() -> None:
    # pytest may run with SIGINT ignored (nohup, a CI runner, a background job); an
    # ignored signal stays ignored across exec, and Python then installs no
    # KeyboardInterrupt handler, so the child would never stop
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_continuous_lists_every_second_and_dies_of_sigint() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "netread", "--proc", str(SAMPLE_PROC), "-xlc"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=_default_sigint,
    )
    try:
        time.sleep(2.5)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("netread -c did not end within 30 s of SIGINT")
    finally:
        if proc.poll() is None:  # never leave it running, whatever failed
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGINT  # killed by the signal, as netstat is (a shell sees 130)
    cycles = out.count(b"Active UNIX domain sockets (only servers)\n")
    assert cycles >= 2
    # sample_proc's unix table has records that may be the end of the name before them: the note,
    # once a cycle, is all stderr holds
    notes = err.decode().splitlines()
    assert len(notes) in (cycles, cycles + 1) and all(n.startswith("netread: note: ") and "may be the end of the name before them" in n for n in notes)


def test_unprivileged_programs_warning_equals_netstat(tmp_path: Path, unprivileged: Unprivileged) -> None:
    """As nobody, neither can read root's fd links: same warning, and `-` owners."""
    env = unprivileged.env(LC_ALL="C")
    want = unprivileged.run(["netstat", "-xlp"], env=env, timeout=60)
    got = unprivileged.netread(["-xlp"], env=env, timeout=60)
    assert want.stderr.startswith(b"(")
    assert got.stderr == want.stderr
    assert got.returncode == want.returncode == 0
    rows = [line for line in got.stdout.split(b"\n")[2:] if line]
    assert all(b" -                    " in line for line in rows)
