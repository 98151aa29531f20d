"""nsfs bind mounts from mountinfo, and the ns/net link text: recorded lines, this machine's, junk.

The live tests make their own mount namespace (``unshare -m -n --propagation private``), so the
bind mounts they make vanish with it; they skip only where unshare or mount is refused.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from netread.errors import ParseError
from netread.parse.mountinfo import NsfsMount
from netread.parse.mountinfo import Origin
from netread.parse.mountinfo import netns_mounts
from netread.parse.mountinfo import nsfs_mounts
from netread.parse.mountinfo import origin_of
from netread.parse.mountinfo import unescape
from netread.parse.netns import NsName
from netread.parse.netns import net_inode
from netread.parse.netns import ns_name

# -- recorded lines ----------------------------------------------------------------------------

RECORDED = [
    # a Docker host's mountinfo in a Go test fixture (content search): a sandbox Docker pinned
    (
        "562 25 0:3 net:[4026532357] /run/docker/netns/ad95e6669490 rw shared:239 - nsfs nsfs rw",
        NsfsMount(1, 562, "net", 4026532357, "/run/docker/netns/ad95e6669490", Origin.DOCKER, "ad95e6669490"),
    ),
    # another project's host fixture (content search; Docker with userns-remap)
    (
        "310 29 0:4 net:[4026532689] /run/docker/netns/bae6cec20525 rw shared:181 - nsfs nsfs rw",
        NsfsMount(1, 310, "net", 4026532689, "/run/docker/netns/bae6cec20525", Origin.DOCKER, "bae6cec20525"),
    ),
    # Docker 1.9's integration-test fixture: an older kernel shows the nsfs root as '/'
    (
        "131 230 0:3 / /run/docker/netns/47903e2e6701 rw - nsfs nsfs rw",
        NsfsMount(1, 131, None, None, "/run/docker/netns/47903e2e6701", Origin.DOCKER, "47903e2e6701"),
    ),
    # snapd's preserved mount namespaces (content search, a Python test): not a netns
    (
        "13 10 0:4 mnt:[4026531840] /run/snapd/ns/example.mnt rw - nsfs nsfs rw",
        NsfsMount(1, 13, "mnt", 4026531840, "/run/snapd/ns/example.mnt", Origin.OTHER, "/run/snapd/ns/example.mnt"),
    ),
    # this machine (Linux 6.18): mount --bind /proc/self/ns/net "/tmp/h15l dir/ns a\b" in unshare -m -n
    (
        "65 44 0:4 net:[4026535628] /tmp/h15l\\040dir/ns\\040a\\134b rw - nsfs nsfs rw",
        NsfsMount(1, 65, "net", 4026535628, "/tmp/h15l dir/ns a\\b", Origin.OTHER, "/tmp/h15l dir/ns a\\b"),
    ),
    # ip netns add red (reference section 2.2 [E]: fstype nsfs, root net:[4026532387], /run/netns/red)
    (
        "4420 29 0:4 net:[4026532387] /run/netns/red rw,nosuid,nodev,noexec,relatime shared:635 - nsfs nsfs rw",
        NsfsMount(1, 4420, "net", 4026532387, "/run/netns/red", Origin.IP_NETNS, "red"),
    ),
    # containerd/CNI: cni-%x-%x-%x-%x-%x under /var/run/netns (containerd pkg/netns; values made up)
    (
        "881 26 0:4 net:[4026533001] /var/run/netns/cni-1b2c3d4e-0a0b-0c0d-0e0f-101112131415 rw shared:402 - nsfs nsfs rw",
        NsfsMount(
            1, 881, "net", 4026533001, "/var/run/netns/cni-1b2c3d4e-0a0b-0c0d-0e0f-101112131415", Origin.IP_NETNS,
            "cni-1b2c3d4e-0a0b-0c0d-0e0f-101112131415",
        ),
    ),
    # rootless podman: netns-%x-... in $XDG_RUNTIME_DIR/netns (containers/common pkg/netns; values made up)
    (
        "902 77 0:4 net:[4026533090] /run/user/1000/netns/netns-5d9a0f3c-1e2f-3a4b-5c6d-7e8f90a1b2c3 rw - nsfs nsfs rw",
        NsfsMount(
            1, 902, "net", 4026533090, "/run/user/1000/netns/netns-5d9a0f3c-1e2f-3a4b-5c6d-7e8f90a1b2c3", Origin.ROOTLESS,
            "netns-5d9a0f3c-1e2f-3a4b-5c6d-7e8f90a1b2c3",
        ),
    ),
]


@pytest.mark.parametrize(("line", "expected"), RECORDED, ids=[m.mount_point for _, m in RECORDED])
def test_recorded_nsfs_lines(line: str, expected: NsfsMount) -> None:
    problems: list[ParseError] = []
    assert nsfs_mounts(line + "\n", "mountinfo", problems) == [expected]
    assert problems == []


def test_only_nsfs_lines_and_only_net_ones_for_netns() -> None:
    text = "\n".join(
        [
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/root rw",
            "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            *[line for line, _ in RECORDED],
        ]
    )
    mounts = nsfs_mounts(text)
    assert [m.lineno for m in mounts] == list(range(3, 3 + len(RECORDED)))
    assert [m.mount_point for m in netns_mounts(text)] == [m.mount_point for _, m in RECORDED if m.type != "mnt"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("x 29 0:4 net:[1] /run/netns/a rw - nsfs nsfs rw", "mount ID"),
        ("4420 -1 0:4 net:[1] /run/netns/a rw - nsfs nsfs rw", "parent ID"),
        ("4420 29 0-4 net:[1] /run/netns/a rw - nsfs nsfs rw", "major:minor"),
        ("4420 29 0:4 net:[1] /run/netns/a rw nsfs nsfs rw", "separator"),
        ("4420 29 0:4 net:[1] /run/netns/a - nsfs nsfs rw", "separator"),
        ("4420 29 0:4 net:[1] /run/netns/a rw - nsfs nsfs", "fstype"),
        ("4420 29 0:4 net:[x] /run/netns/a rw - nsfs nsfs rw", "root"),
        ("4420 29 0:4 net:[04026532387] /run/netns/a rw - nsfs nsfs rw", "root"),
        ("", None),
    ],
)
def test_malformed_lines_are_reported_once_and_skipped(line: str, field: str | None) -> None:
    problems: list[ParseError] = []
    good = "5 29 0:4 net:[7] /run/netns/b rw - nsfs nsfs rw"
    mounts = nsfs_mounts(f"{line}\n{good}\n", "1234/mountinfo", problems)
    assert [(m.lineno, m.name) for m in mounts] == [(2, "b")]
    assert [(p.path, p.lineno, p.field, p.raw) for p in problems] == ([] if field is None else [("1234/mountinfo", 1, field, line)])


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("/run/netns/red", (Origin.IP_NETNS, "red")),
        ("/var/run/netns/red", (Origin.IP_NETNS, "red")),
        ("/run/docker/netns/default", (Origin.DOCKER, "default")),
        ("/var/run/user/1000/netns/netns-1", (Origin.ROOTLESS, "netns-1")),
        ("/run/user/x/netns/n", (Origin.OTHER, "/run/user/x/netns/n")),
        ("/home/run/netns/red", (Origin.OTHER, "/home/run/netns/red")),
        ("/run/netns/", (Origin.OTHER, "/run/netns/")),
        ("/run/netns/a/b", (Origin.OTHER, "/run/netns/a/b")),
    ],
)
def test_origin_of(point: str, expected: tuple[Origin, str]) -> None:
    assert origin_of(point) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("net:[4026531833]", NsName("net", 4026531833)),
        ("net:[0]", NsName("net", 0)),
        ("net:[4294967295]", NsName("net", 4294967295)),
        ("pid_for_children:[4026531836]", NsName("pid_for_children", 4026531836)),
        ("net:[4294967296]", None),
        ("net:[-1]", None),
        ("net:[+1]", None),
        ("net:[01]", None),
        ("net:[ 1]", None),
        ("net:[1] ", None),
        ("NET:[1]", None),
        (":[1]", None),
        ("net[1]", None),
        ("socket:[1]x", None),
        ("net:[\u0661]", None),
        ("/run/netns/red", None),
    ],
)
def test_ns_name(text: str, expected: NsName | None) -> None:
    assert ns_name(text) == expected


# -- properties ----------------------------------------------------------------------------

#: fs/proc_namespace.c show_mountinfo escapes these in paths (seq_path_root, mangle set " \t\n\\").
_ESCAPED = {" ": "\\040", "\t": "\\011", "\n": "\\012", "\\": "\\134"}


def kernel_escape(path: str) -> str:
    return "".join(_ESCAPED.get(c, c) for c in path)


PATHS = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(list(" \t\n\\0127")), min_size=1, max_size=40).map(
    lambda s: "/" + s
)


@settings(max_examples=examples(300))
@given(PATHS)
@example("/a\\040b")
@example("/\\134")
def test_unescape_undoes_the_kernel_escaping(path: str) -> None:
    assert unescape(kernel_escape(path)) == path


@settings(max_examples=examples(200))
@given(st.integers(0, 2**31), st.sampled_from(["net", "mnt", "uts"]), st.integers(0, 2**32 - 1), PATHS)
def test_generated_nsfs_lines_decode_to_their_values(mount_id: int, kind: str, inode: int, point: str) -> None:
    line = f"{mount_id} 29 0:4 {kind}:[{inode}] {kernel_escape(point)} rw,relatime shared:5 master:2 - nsfs nsfs rw"
    (mount,) = nsfs_mounts(line + "\n")
    assert (mount.mount_id, mount.type, mount.inode, mount.mount_point) == (mount_id, kind, inode, point)
    assert mount.name == (point if mount.origin is Origin.OTHER else point.rpartition("/")[2])


@given(st.text(st.characters(blacklist_characters="[]") | st.sampled_from(list("[]:")), max_size=30), st.integers(0, 2**32 - 1))
def test_ns_name_round_trip_and_junk(junk: str, inode: int) -> None:
    assert ns_name(f"net:[{inode}]") == NsName("net", inode) and net_inode(f"net:[{inode}]") == inode
    name = ns_name(junk)
    assert name is None or f"{name.type}:[{name.inode}]" == junk


@settings(max_examples=examples(300))
@given(st.text(st.sampled_from(list("0123456789 :-/[]\\netsfmu\n")) | st.characters(), max_size=400))
@example("1 2 3:4 net:[5] /x rw - nsfs\n - - - - - - -\n")
def test_junk_never_raises_and_mounts_come_from_the_input(text: str) -> None:
    problems: list[ParseError] = []
    for mount in nsfs_mounts(text, "m", problems):
        fields = text.split("\n")[mount.lineno - 1].split(" ")
        assert unescape(fields[4]) == mount.mount_point and str(mount.mount_id) == fields[0].lstrip("0").rjust(1, "0")
        assert mount.inode is None or f"{mount.type}:[{mount.inode}]" == fields[3]
    lines = text.split("\n")
    for problem in problems:
        assert problem.raw == lines[problem.lineno - 1] and problem.path == "m"


# -- this machine -------------------------------------------------------------------------------


def _readable_ns_links(limit: int = 300) -> list[tuple[str, str, int]]:
    found = []
    for pid in sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int)[:limit]:
        link = f"/proc/{pid}/ns/net"
        try:
            found.append((link, os.readlink(link), os.stat(link).st_ino))
        except OSError:  # gone, or not ptrace-readable (reference 1.5)
            continue
    return found


def test_live_ns_links_name_the_inode_stat_gives() -> None:
    links = _readable_ns_links()
    assert links, "no readable /proc/<pid>/ns/net (not even our own)"
    for link, target, inode in links:
        assert net_inode(target) == inode, (link, target)


def _run_private(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a new mount and network namespace of its own, or a skip where that is refused."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    proc = subprocess.run(
        ["unshare", "-m", "-n", "--propagation", "private", "sh", "-c", script, "sh", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if proc.returncode != 0 and re.search(r"Operation not permitted|Permission denied|cannot", proc.stderr):
        pytest.skip(f"unshare/mount refused: {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    return proc


def test_live_bind_mounts_with_awkward_names(tmp_path: Path) -> None:
    names = ["plain", "with space", "tab\there", "new\nline", "back\\slash", "\\040 literal", "caf\u00e9"]
    points = [tmp_path / n for n in names]
    for point in points:
        point.touch()
    script = 'for p in "$@"; do mount --bind /proc/self/ns/net "$p" || exit 1; done; readlink /proc/self/ns/net; echo ---; cat /proc/self/mountinfo'
    proc = _run_private(script, *map(str, points))
    link, _, mountinfo = proc.stdout.partition("\n---\n")
    inode = net_inode(link.strip())
    assert inode is not None
    problems: list[ParseError] = []
    mounts = [m for m in netns_mounts(mountinfo, "mountinfo", problems) if m.mount_point.startswith(str(tmp_path))]
    assert problems == []
    assert [(m.mount_point, m.type, m.inode, m.origin) for m in mounts] == [(str(p), "net", inode, Origin.OTHER) for p in points]


def test_live_ip_netns_add() -> None:
    if shutil.which("ip") is None:
        pytest.skip("no ip (iproute2)")
    name = f"netread-h15l-{os.getpid()}"
    script = 'ip netns add "$1" || exit 1; trap \'ip netns del "$1"\' EXIT; stat -L -c %i "/run/netns/$1"; echo ---; cat /proc/self/mountinfo'
    proc = _run_private(script, name)
    inode, _, mountinfo = proc.stdout.partition("\n---\n")
    found = [m for m in netns_mounts(mountinfo) if m.name == name]
    assert [(m.origin, m.type, m.inode, m.mount_point) for m in found] == [(Origin.IP_NETNS, "net", int(inode), f"/run/netns/{name}")]
    assert not os.path.exists(f"/run/netns/{name}")
