"""--netns on hand-made snapshots: the manifest's namespace list, container labels, --explain per
namespace, and a manifest that lies."""

from __future__ import annotations

import json
from pathlib import Path

from fakeproc import FakeProc
from oracle import netread_snapshot

TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#: 0.0.0.0:80 LISTEN, and 127.0.0.1:5432 LISTEN.
ANY_80 = "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0\n"
LOCAL_5432 = "   0: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0\n"
DOCKER = "0::/system.slice/docker-" + "c0" * 32 + ".scope\n"


def _snapshot(root: Path) -> FakeProc:
    snap = FakeProc(root).table("tcp", TCP_HEADER + LOCAL_5432)
    snap.file("42/net/tcp", TCP_HEADER + ANY_80).file("42/cgroup", DOCKER).file("1/cgroup", "0::/init.scope\n")
    return snap.manifest(
        format=1,
        netns=[
            {"inode": 4026531840, "via": "self", "path": "net", "pid": 1, "tid": None, "names": [], "initial": True, "pids": [1]},
            {"inode": 4026532300, "via": "pid", "path": "42/net", "pid": 42, "tid": None, "names": ["/run/docker/netns/abc"], "initial": False, "pids": [42]},
        ],
    )


def test_sections_and_labels_from_the_manifest(tmp_path: Path) -> None:
    got = netread_snapshot(_snapshot(tmp_path).root, ["--netns", "all", "-tln"])
    assert got.status == 0, got.stderr
    assert got.lines == [
        "Network namespace net:[4026531840] host (pid 1)",
        "Active Internet connections (only servers)",
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
        "tcp        0      0 127.0.0.1:5432          0.0.0.0:*               LISTEN     ",
        f"Network namespace net:[4026532300] /run/docker/netns/abc docker:{'c0' * 6} (pid 42)",
        "Active Internet connections (only servers)",
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
        "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN     ",
        "",
    ]
    one = netread_snapshot(tmp_path, ["--netns", "abc", "-tln"])
    assert one.lines[0] == f"Network namespace net:[4026532300] /run/docker/netns/abc docker:{'c0' * 6} (pid 42)"
    assert netread_snapshot(tmp_path, ["--netns", "42", "-tln"]).status == 2  # a snapshot's pid has no ns/net link here


def test_explain_names_a_listener_on_every_address_of_a_container(tmp_path: Path) -> None:
    got = netread_snapshot(_snapshot(tmp_path).root, ["--netns", "all", "-tln", "--explain"])
    assert got.status == 0, got.stderr
    host, container = got.stdout.decode().split("Network namespace net:[4026532300]")
    assert "container-listener" not in host and "reachable only through it" not in host
    assert f"1 socket on every address of docker:{'c0' * 6}'s network namespace: reachable only through it" in container
    document = json.loads(netread_snapshot(tmp_path, ["--netns", "all", "-tln", "--explain", "--format", "json"]).stdout)
    found = [f for f in document["findings"] if f["rule"] == "container-listener"]
    assert [(f["netns"], f["namespace"]["inode"]) for f in found] == [(4026532300, 4026532300)]


def test_a_manifest_namespace_outside_the_snapshot_is_refused(tmp_path: Path) -> None:
    snap = FakeProc(tmp_path).table("tcp", TCP_HEADER).manifest(netns=[{"inode": 1, "via": "pid", "path": "../../etc/net", "pid": 1}])
    got = netread_snapshot(snap.root, ["--netns", "all", "-tn"])
    assert got.status == 1
    assert "netns[0].path: not a net/ directory inside the snapshot" in got.stderr
    assert "Traceback" not in got.stderr


def test_netns_with_another_mode_is_a_usage_error(tmp_path: Path) -> None:
    for mode in ("-rn", "-gn", "-i", "-s", "-M"):
        got = netread_snapshot(_snapshot(tmp_path / mode).root, ["--netns", "all", mode])
        assert (got.status, got.stdout) == (2, b""), mode
        assert got.stderr == "netread: --netns goes with the socket listing, not with -s, -r, -i, -g or -M: they read the reader's own namespace\n"
