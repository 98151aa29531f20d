"""``--netns all`` on a live host: each namespace's section equals ``nsenter ... netstat`` for it.

tests/netns_holders.py makes namespaces held by processes (the same port
listening in each), one held only by a thread, one only by a bind mount
(``ip netns add``) and one only by an open fd, with sockets in each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Unprivileged

HOLDERS = Path(__file__).resolve().parent.parent / "netns_holders.py"
BANNER = "Network namespace net:["


def _need_root_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root: namespaces are made and entered")
    for tool in ("nsenter", "ip", "netstat"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed: .ci/run installs it")


@pytest.fixture(scope="module")
def holders() -> Iterator[dict[str, object]]:
    _need_root_tools()
    name = f"netread-test-{os.getpid()}"
    proc = subprocess.Popen([sys.executable, str(HOLDERS), name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if "Operation not permitted" in err:
            pytest.skip(f"namespaces refused here: {err.strip()}")
        pytest.fail(f"the holders did not start: {err}")
    try:
        yield json.loads(line)
    finally:
        proc.stdin.close()
        proc.wait(20)


def _inode(path: str) -> int:
    return os.stat(path).st_ino


def _ours(holders: dict[str, object]) -> dict[int, list[str]]:
    """inode -> how nsenter enters it, for each namespace the holders made, and the reader's own
    (no nsenter: [])."""
    pids = holders["pids"]
    thread = holders["thread"]
    assert isinstance(pids, list) and isinstance(thread, list)
    enter = {_inode(f"/proc/{pid}/ns/net"): ["-t", str(pid), "-n"] for pid in pids}
    tpath = f"/proc/{thread[0]}/task/{thread[1]}/ns/net"
    enter[_inode(tpath)] = [f"--net={tpath}"]
    for key in ("mount", "fd"):
        path = holders[key]
        assert isinstance(path, str)
        enter[_inode(path)] = [f"--net={path}"]
    enter[_inode("/proc/self/ns/net")] = []
    return enter


def _sections(text: str) -> dict[int, tuple[str, str]]:
    """inode -> (banner, body) of each section of a --netns all listing."""
    out: dict[int, tuple[str, str]] = {}
    parts = text.split(BANNER)
    assert parts[0] == "", parts[0][:200]
    for part in parts[1:]:
        banner, _, body = part.partition("\n")
        inode = int(banner.split("]", 1)[0])
        assert inode not in out, f"net:[{inode}] listed twice"
        out[inode] = (BANNER + banner, body)
    return out


def _netread(flags: str) -> str:
    run = subprocess.run([sys.executable, "-m", "netread", "--netns", "all", flags], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.decode("utf-8", "surrogateescape")


def _netstat(enter: list[str], flags: str) -> str:
    run = subprocess.run(["nsenter", *enter, "netstat", flags] if enter else ["netstat", flags], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
    return run.stdout.decode("utf-8", "surrogateescape")


#: A running timer's seconds in a -o row (``timewait (0.87/0/0)``): they count down between two reads.
RUNNING_TIMER = re.compile(r"\b(on|keepalive|timewait|probe|unkn-\d+) \(\d+\.\d\d/")


def _steady(text: str, flags: str) -> str:
    """``text`` with a running timer's seconds masked when ``flags`` show timers: the reader's own
    namespace holds this host's sockets (a TIME_WAIT of an earlier test ticks for 60 s), and no two
    reads of it are the same centisecond. The timers' text itself is held to netstat's, byte for
    byte, on snapshots (tests/oracle)."""
    return RUNNING_TIMER.sub(r"\1 (*/", text) if "o" in flags else text


@pytest.mark.parametrize("flags", ["-tuwxan", "-tuwxanp", "-tuwxaneo"])
def test_each_namespace_section_equals_nsenter_netstat(holders: dict[str, object], flags: str) -> None:
    ours = _ours(holders)
    for _attempt in range(3):  # the tables may move between the two reads (other processes' sockets): retried
        sections = {inode: (banner, _steady(body, flags)) for inode, (banner, body) in _sections(_netread(flags)).items()}
        wanted = {inode: _steady(_netstat(enter, flags), flags) for inode, enter in ours.items()}
        if all(inode in sections and sections[inode][1] == text for inode, text in wanted.items()):
            break
    for inode, text in wanted.items():
        assert inode in sections, f"net:[{inode}] not listed"
        assert sections[inode][1] == text


def test_a_running_timer_is_masked_and_nothing_else() -> None:
    row = "tcp        0      0 127.0.0.1:1 127.0.0.1:2 TIME_WAIT   0          0          timewait (0.87/0/0)\n"
    off = "tcp        0      0 0.0.0.0:22 0.0.0.0:* LISTEN      0          74         off (0.00/0/0)\n"
    assert _steady(row + off, "-tuwxaneo") == row.replace("(0.87/", "(*/") + off
    assert _steady(row, "-tuwxan") == row


def test_banners_say_how_each_namespace_is_held(holders: dict[str, object]) -> None:
    sections = _sections(_netread("-tan"))
    pids, thread = holders["pids"], holders["thread"]
    assert isinstance(pids, list) and isinstance(thread, list)
    own = _inode("/proc/self/ns/net")
    first = next(iter(sections))
    assert first == own, "the reader's own namespace comes first"
    assert list(sections)[1:] == sorted(list(sections)[1:]), "then the others by inode"
    assert sections[_inode(f"/proc/{pids[0]}/ns/net")][0] == f"{BANNER}{_inode(f'/proc/{pids[0]}/ns/net')}] (pid {pids[0]})"
    tinode = _inode(f"/proc/{thread[0]}/task/{thread[1]}/ns/net")
    assert sections[tinode][0] == f"{BANNER}{tinode}] (thread {thread[1]} of pid {thread[0]})"
    mount, fd, holder = holders["mount"], holders["fd"], holders["holder"]
    assert isinstance(mount, str) and isinstance(fd, str)
    assert sections[_inode(mount)][0] == f"{BANNER}{_inode(mount)}] {mount} (no task; bind mount)"
    assert sections[_inode(fd)][0] == f"{BANNER}{_inode(fd)}] (no task; held open by pid {holder})"


def test_one_namespace_by_pid_name_or_path(holders: dict[str, object]) -> None:
    pids, mount = holders["pids"], holders["mount"]
    assert isinstance(pids, list) and isinstance(mount, str)
    for which, enter in ((str(pids[1]), ["-t", str(pids[1]), "-n"]), (os.path.basename(mount), [f"--net={mount}"]), (mount, [f"--net={mount}"])):
        run = subprocess.run([sys.executable, "-m", "netread", "--netns", which, "-tuwxan"], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
        assert run.returncode == 0, run.stderr
        banner, _, body = run.stdout.decode().partition("\n")
        assert banner.startswith(BANNER)
        assert body == _netstat(enter, "-tuwxan")


def test_unknown_namespace_is_a_usage_error() -> None:
    run = subprocess.run([sys.executable, "-m", "netread", "--netns", "no-such-netns-here", "-tan"], capture_output=True, timeout=60)
    assert (run.returncode, run.stdout, run.stderr) == (2, b"", b"netread: --netns no-such-netns-here: no such network namespace\n")


OFFLINE = 'mount --bind "$0" /proc && if [ "$1" != net ]; then mount --bind "$0/$1" /proc/net; fi && shift && exec netstat "$@"'


def _capture(where: Path) -> dict[str, object]:
    run = subprocess.run([sys.executable, "-m", "netread", "capture", str(where)], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((where / "snapshot.json").read_text())
    assert isinstance(manifest, dict)
    return manifest


@pytest.mark.parametrize("flags", ["-tuwxan", "-tuwxanp"])
def test_capture_replays_every_namespace(holders: dict[str, object], tmp_path: Path, flags: str) -> None:
    """--proc SNAP --netns all equals the live --netns all taken beside the capture."""
    ours = set(_ours(holders))
    for _attempt in range(3):
        snap = tmp_path / f"snap{_attempt}"
        before = _sections(_netread(flags))
        _capture(snap)
        after = _sections(_netread(flags))
        run = subprocess.run([sys.executable, "-m", "netread", "--proc", str(snap), "--netns", "all", flags], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
        assert run.returncode == 0, run.stderr
        replayed = _sections(run.stdout.decode("utf-8", "surrogateescape"))
        if "p" not in flags:  # a namespace only sockets hold is found through them: live, with -p only
            replayed = {inode: part for inode, part in replayed.items() if "(no task; found through a socket" not in part[0]}
        if before == after and list(replayed) == list(after):  # nothing moved meanwhile (other namespaces come and go)
            break
    assert ours <= set(replayed)
    assert {inode: replayed[inode] for inode in ours} == {inode: after[inode] for inode in ours}
    assert list(replayed) == list(after)


def test_offline_oracle_reads_each_captured_namespace(holders: dict[str, object], tmp_path: Path) -> None:
    """netstat with the snapshot bound over /proc and a namespace's net/ over /proc/net prints
    what netread prints for that namespace's section of the snapshot."""
    manifest = _capture(tmp_path / "snap")
    listed = manifest["netns"]
    assert isinstance(listed, list)
    assert {entry["via"] for entry in listed} >= {"self", "pid", "task", "mount", "fd"}
    run = subprocess.run([sys.executable, "-m", "netread", "--proc", str(tmp_path / "snap"), "--netns", "all", "-tuwxanp"], capture_output=True, env={**os.environ, "LC_ALL": "C"}, timeout=60)
    sections = _sections(run.stdout.decode("utf-8", "surrogateescape"))
    for entry in listed:
        oracle = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", OFFLINE, str(tmp_path / "snap"), entry["path"], "-tuwxanp"],
            capture_output=True,
            env={**os.environ, "LC_ALL": "C"},
            timeout=60,
        )
        assert sections[entry["inode"]][1] == oracle.stdout.decode("utf-8", "surrogateescape"), entry


def test_snapshot_of_one_namespace_is_one_section() -> None:
    """A snapshot without a namespace list (sample_proc, older captures) reads as one section."""
    sample = Path(__file__).resolve().parents[2] / "sample_proc"
    plain = subprocess.run([sys.executable, "-m", "netread", "--proc", str(sample), "-tuwxan"], capture_output=True, timeout=60)
    run = subprocess.run([sys.executable, "-m", "netread", "--proc", str(sample), "--netns", "all", "-tuwxan"], capture_output=True, timeout=60)
    assert run.returncode == plain.returncode == 0
    assert run.stdout == b"Network namespace net:[?]\n" + plain.stdout


def _table_inodes(enter: list[str]) -> set[tuple[str, int]]:
    """(table, inode) of every row with an inode in the namespace nsenter ``enter``s, read from
    its tables directly (/proc/thread-self/net of a cat in it)."""
    got: set[tuple[str, int]] = set()
    for table, column in (("tcp", 9), ("tcp6", 9), ("udp", 9), ("udp6", 9), ("raw", 9), ("raw6", 9), ("unix", 6)):
        command = ["cat", f"/proc/thread-self/net/{table}"]
        run = subprocess.run(["nsenter", *enter, *command] if enter else command, capture_output=True, timeout=30)
        for line in run.stdout.decode("utf-8", "surrogateescape").splitlines()[1:]:
            fields = line.split()
            if len(fields) > column and fields[column].isdigit() and int(fields[column]):
                got.add(("unix" if table == "unix" else table, int(fields[column])))
    return got


@pytest.mark.parametrize("output", ["json", "ndjson", "csv"])
def test_records_carry_their_namespace_once_each(holders: dict[str, object], output: str) -> None:
    import csv
    import io

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "netread" / "schema" / "netread.schema.json").read_text())
    ours = _ours(holders)
    for _attempt in range(3):
        run = subprocess.run([sys.executable, "-m", "netread", "--netns", "all", "-tuwxanp", "--format", output], capture_output=True, timeout=60)
        assert run.returncode == 0, run.stderr
        text = run.stdout.decode()
        if output == "json":
            document = json.loads(text)
            jsonschema.validate(document, schema)
            rows = document["sockets"]
            assert document["source"]["namespaces"][0]["inode"] == _inode("/proc/self/ns/net")
        elif output == "ndjson":
            rows = [json.loads(line) for line in text.splitlines()]
            for row in rows:
                jsonschema.validate(row, {**schema["$defs"]["socket"], "$defs": schema["$defs"]})
        else:
            rows = [{**row, "inode": int(row["inode"] or 0), "netns": int(row["netns"])} for row in csv.DictReader(io.StringIO(text))]
            assert all(str(row["netns"]) == row["namespace_inode"] for row in rows)
        listed: dict[int, set[tuple[str, int]]] = {}
        seen: set[int] = set()
        for row in rows:
            if row["inode"]:
                assert row["inode"] not in seen, f"socket {row['inode']} listed twice"
                seen.add(row["inode"])
                listed.setdefault(row["netns"], set()).add(("unix" if row["proto"] == "unix" else row["proto"], row["inode"]))
        wanted = {inode: _table_inodes(enter) for inode, enter in ours.items()}
        if all(listed.get(inode, set()) == rows_ for inode, rows_ in wanted.items()):
            break
    for inode, rows_ in wanted.items():
        assert listed.get(inode, set()) == rows_, f"net:[{inode}]"


def test_explain_json_has_each_namespace_findings(holders: dict[str, object]) -> None:
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "netread" / "schema" / "netread.schema.json").read_text())
    run = subprocess.run([sys.executable, "-m", "netread", "--netns", "all", "-tuwxan", "--format", "json", "--explain"], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    jsonschema.validate(document, schema)
    assert all(f["netns"] == f["namespace"]["inode"] for f in document["findings"])
    assert all(s["netns"] == s["namespace"]["inode"] for s in document["sockets"])
    assert {s["netns"] for s in document["sockets"]} >= set(_ours(holders)) - {_inode("/proc/self/ns/net")}


def test_api_connections_of_every_namespace(holders: dict[str, object]) -> None:
    """netread.connections("all", netns="all"): the same sockets, namespaces and owners as the JSON."""
    import netread

    ours = _ours(holders)
    for _attempt in range(3):
        conns = netread.connections("all", netns="all")
        run = subprocess.run([sys.executable, "-m", "netread", "--netns", "all", "-tuwxanp", "--format", "ndjson"], capture_output=True, timeout=60)
        records = [json.loads(line) for line in run.stdout.decode().splitlines()]
        got = {(c.netns, c.proto, c.inode, c.pid) for c in conns if c.netns in ours and c.inode}
        want = {(r["netns"], r["proto"], r["inode"], r["pid"]) for r in records if r["netns"] in ours and r["inode"]}
        if got == want:
            break
    assert got == want
    assert {c.netns for c in conns} >= set(ours)
    pids = holders["pids"]
    assert isinstance(pids, list)
    one = netread.connections("tcp", netns=str(pids[1]))
    assert [(c.local_address, c.local_port, c.state, c.netns) for c in one] == [("127.0.0.1", 18080, "LISTEN", _inode(f"/proc/{pids[1]}/ns/net"))]


def test_unprivileged_run_groups_the_tables_and_says_what_it_could_not_name(holders: dict[str, object], unprivileged: Unprivileged) -> None:
    """As nobody: no traceback; root's namespaces are still sections of their own (net:[?]),
    each equal to nsenter ... netstat; what could not be named or entered is said once."""
    ours = _ours(holders)
    own = _inode("/proc/self/ns/net")
    for _attempt in range(3):
        run = unprivileged.netread(["--netns", "all", "-tuwxan"], env=unprivileged.env(LC_ALL="C"))
        assert run.returncode == 0, run.stderr
        text = run.stdout.decode("utf-8", "surrogateescape")
        bodies = [part.partition("\n")[2] for part in text.split(BANNER)[1:]]
        wanted = {inode: _netstat(enter, "-tuwxan") for inode, enter in ours.items() if inode != own and not (enter[0].startswith("--net=/run") or "/fd/" in enter[0])}  # no task: not enterable
        if all(body in bodies for body in wanted.values()):
            break
    assert b"Traceback" not in run.stderr
    for inode, body in wanted.items():
        assert body in bodies, f"net:[{inode}]"
    assert text.count(BANNER + "?]") >= 3  # two processes' namespaces and a thread's, not named
    err = run.stderr.decode()
    assert err.count("could not be named") == 1
    mount = holders["mount"]
    assert f"netread: note: net:[{_inode(str(mount))}] ({mount}): no task is in it, and entering it needs CAP_SYS_ADMIN: not listed\n" in err


POD = "042efd86-1f3b-4f2f-8736-f31c58e95bbc"
KUBE = f"kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{POD.replace('-', '_')}.slice"


def _cgroup2() -> Path | None:
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split(" ")
        if len(fields) > 2 and fields[2] == "cgroup2":
            return Path(fields[1])
    return None


def test_container_labels_in_banners_live_and_replayed(holders: dict[str, object], tmp_path: Path) -> None:
    """A holder moved into a CRI-O container's cgroup (as the kubelet names it) labels its
    namespace cri-o:<id12> pod:<uid>, live and from a capture."""
    v2 = _cgroup2()
    if v2 is None:
        pytest.skip("no cgroup2 hierarchy mounted")
    pids = holders["pids"]
    assert isinstance(pids, list)
    top = v2 / f"netread-test-ns-{os.getpid()}"
    scope = top / KUBE / f"crio-{'ab' * 32}.scope"
    made = []
    try:
        path = top
        for part in [""] + str(scope.relative_to(top)).split("/"):
            path = path / part if part else path
            path.mkdir(exist_ok=True)
            made.append(path)
        (scope / "cgroup.procs").write_text(f"{pids[1]}\n")
        inode = _inode(f"/proc/{pids[1]}/ns/net")
        want = f"{BANNER}{inode}] cri-o:{'ab' * 6} pod:{POD} (pid {pids[1]})"
        assert _sections(_netread("-tan"))[inode][0] == want
        _capture(tmp_path / "snap")
        run = subprocess.run([sys.executable, "-m", "netread", "--proc", str(tmp_path / "snap"), "--netns", "all", "-tan"], capture_output=True, timeout=60)
        assert _sections(run.stdout.decode())[inode][0] == want
        host = _sections(_netread("-tan"))[_inode("/proc/self/ns/net")][0]
        assert host.startswith(f"{BANNER}{_inode('/proc/self/ns/net')}] host")
    finally:
        with open(v2 / "cgroup.procs", "w") as back:  # the holder back to the root, so the test cgroups can go
            back.write(f"{pids[1]}\n")
        for path in reversed(made):
            path.rmdir()


def test_a_namespace_held_only_by_sockets_is_found_through_them(holders: dict[str, object]) -> None:
    """-p: the sockets a process holds that no table lists lead, through SIOCGSKNS, to their
    namespace (its creator gone, no mount, no fd), listed as one more section."""
    holder = holders["holder"]
    text = _netread("-tuwxanp")
    sections = [part for part in text.split(BANNER)[1:] if f"(no task; found through a socket held by pid {holder})" in part.split("\n")[0]]
    assert len(sections) == 1, text[-2000:]
    body = sections[0].split("\n")
    assert any(line.startswith("tcp        0      0 127.0.0.1:18080         0.0.0.0:*               LISTEN      ") and f"{holder}/" in line for line in body)
    assert any(line.endswith("@netread-test-socket") and f"{holder}/" in line for line in body)
    assert "(no task; found through a socket" not in _netread("-tuwxan")  # without -p no fd is looked at


def test_a_namespace_held_only_by_sockets_is_in_the_records_too(holders: dict[str, object]) -> None:
    holder = holders["holder"]
    run = subprocess.run([sys.executable, "-m", "netread", "--netns", "all", "-tuwxanp", "--format", "json"], capture_output=True, timeout=60)
    document = json.loads(run.stdout)
    via_socket = [ns for ns in document["source"]["namespaces"] if ns["via"] == "socket"]
    assert len(via_socket) == 1 and via_socket[0]["pid"] == holder
    rows = [r for r in document["sockets"] if r["namespace"]["via"] == "socket"]
    assert {(r["proto"], r["local_port"] if r["proto"] != "unix" else r["path"], r["pid"]) for r in rows} >= {("tcp", 18080, holder), ("unix", "@netread-test-socket", holder)}
