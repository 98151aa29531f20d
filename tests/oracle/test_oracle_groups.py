"""-g and -M: netread equals real netstat 2.10 (stdout byte for byte, and the exit status) on
hand-made snapshots, generated igmp/igmp6 files, every snapshot that has the files (sample_proc/,
the peer fixtures), live groups joined inside an ``unshare -n`` namespace, and names read from
one /etc; and the two -g bugs of netstat that netread does not copy (README "Differences")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PEER
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import SPACE_PATH
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from igmp_text import IGMP_HEADER
from igmp_text import group_word
from igmp_text import hex6
from igmp_text import igmp6_text
from igmp_text import igmp_files
from igmp_text import igmp_text
from oracle import ORACLE_SCRIPT
from oracle import assert_same
from oracle import need_oracle
from oracle import netread_etc
from oracle import netread_snapshot
from oracle import netstat
from oracle import netstat_etc
from oracle import write_etc

pytestmark = pytest.mark.oracle

FIXED_ETC = Path(__file__).resolve().parent.parent / "fixtures" / "etc"
SHARED_PEERS = ROOT.parent / "shared" / "peer_fixtures"
GROUP_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "groups"

KERNEL_IGMP = igmp_text([
    (1, "lo", 1, "V3", [(group_word("224.0.0.1"), 1)]),
    (2, "eth0", 3, "V2", [(group_word("239.255.255.250"), 2), (group_word("224.0.0.251"), 1), (group_word("224.0.0.1"), 1)]),
    (7, "a-long-name-15b", 1, "V3", [(group_word("232.1.2.3"), 1)]),
])  # fmt: skip
KERNEL_IGMP6 = igmp6_text([
    (1, "lo", hex6("ff02::1"), 1, 12, 0),
    (1, "lo", hex6("ff01::1"), 1, 8, 0),
    (2, "eth0", hex6("ff02::1:ff00:2"), 1, 4, 0),
    (2, "eth0", hex6("ff02::fb"), 3, 4, 0),
    (7, "a-long-name-15b", hex6("ff05::1:3"), 1, 4, 0),
    (7, "a-long-name-15b", hex6("::ffff:224.0.0.1"), 1, 4, 0),
])  # fmt: skip
QUIRKY_IGMP = (
    IGMP_HEADER + "\n1\tverylongname12345: 1 V3\n\t\t\t\t010000E0 1\n2\ta:b:c      :     1 V3\n\t\t\t\tE0 7\n\t\t\t\t010000E01 8\n"
    "\t\t\t\tzz 1\n\t\t\t\t010000E0 4294967297\n\t\t\t\t010000E0 99999999999999999999\n\t\t\t\t020000E0 -5\njunk\n\t\t\t\t030000E0 +4\n"
)
QUIRKY_IGMP6 = (
    "3 x ff0200000000000000000001ff00000 3 0 0\n2 eth0 ff0200000000000000000001ff0000020000 3 0 0\n"
    "4 averyveryverylongname ff020000000000000000000000000001 1\n1 lo\nx lo ff02::1 1\n1    lo    ff020000000000000000000000000001 -7 0 0\n"
)

#: Hand-made snapshots: name -> net/ files.  "sockets" adds sample_proc's socket tables.
SNAPSHOTS: dict[str, dict[str, str]] = {
    "kernel": {"igmp": KERNEL_IGMP, "igmp6": KERNEL_IGMP6},
    "quirks": {"igmp": QUIRKY_IGMP, "igmp6": QUIRKY_IGMP6},
    "no-igmp": {"igmp6": KERNEL_IGMP6},
    "no-igmp6": {"igmp": KERNEL_IGMP},
    "neither": {},
    "empty": {"igmp": "", "igmp6": ""},
    "header-only": {"igmp": IGMP_HEADER + "\n", "igmp6": ""},
    "headerless-igmp": {"igmp": "1 lo ff020000000000000000000000000001 1 0 0\n", "igmp6": KERNEL_IGMP6},
    "igmp6-with-a-device-header": {"igmp6": IGMP_HEADER + "\n1\tlo: 1\n\t\t\t\t010000E0 1\n"},
    "a-line-past-128KiB": {"igmp": KERNEL_IGMP + "x" * 200_000 + "\n" + KERNEL_IGMP.split("\n", 1)[1], "igmp6": KERNEL_IGMP6 + "y" * 200_000 + "\n" + KERNEL_IGMP6},
    "layout-2.0": {"igmp": "Device    : Count Group    Users Timer\nlo        :     1\n\t\t\t\t010000E0 1\neth0      :     1\n\t\t\t\t020000E0 2\n"},
}
VARIANTS = ["-gn", "-gn -4", "-gn -6", "-gn -A inet", "-gn -A inet6", "-gn -A inet,inet6", "-gn --inet6", "-gnv", "-gnW"]
#: With socket tables: the listings netstat prints before (-t.., -4/-6) and after (-x) the groups.
SOCKET_VARIANTS = ["-gnt", "-gnu -4", "-gna -6", "-gnl", "-gne -4", "-gnp -4", "-gno -4", "-gnx", "-gn -A unix", "-gn -A inet,unix", "-gn -4 -x", "-gnwU"]


def _snapshot(root: Path, files: dict[str, str], sockets: bool = False) -> Path:
    fake = FakeProc(root).tables(files)
    if sockets:
        for table in sorted((SAMPLE_PROC / "net").iterdir()):
            if table.is_file() and not (root / "net" / table.name).exists():
                fake.table(table.name, table.read_bytes())
    return fake.root


def _space_path(line: str) -> bool:
    return line.endswith(" " + SPACE_PATH)


def _cut_space_path(line: str) -> bool:
    return line.endswith(" /tmp/netread-sample/with")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_hand_made_snapshots_equal_netstat(tmp_path: Path, name: str, variant: str) -> None:
    root = _snapshot(tmp_path, SNAPSHOTS[name])
    assert_same(netstat(root, variant.split()), netread_snapshot(root, variant.split()))


@pytest.mark.parametrize("variant", SOCKET_VARIANTS)
@pytest.mark.parametrize("name", ["kernel", "quirks", "no-igmp", "neither"])
def test_with_the_socket_listings_around_the_groups(tmp_path: Path, name: str, variant: str) -> None:
    root = _snapshot(tmp_path, SNAPSHOTS[name], sockets=True)
    # sample_proc's unix path with a space: netstat cuts it (README "Differences from netstat")
    assert_same(netstat(root, variant.split()), netread_snapshot(root, variant.split()), netread_only=_space_path, netstat_only=_cut_space_path)


def test_a_missing_socket_table_stops_before_the_groups(tmp_path: Path) -> None:
    root = _snapshot(tmp_path, SNAPSHOTS["kernel"])
    for variant in ("-gnt", "-gnx", "-gnu"):
        want = netstat(root, variant.split())
        assert want.status == 1
        assert_same(want, netread_snapshot(root, variant.split()))


def test_a_missing_igmp_is_status_1_without_the_unix_listing(tmp_path: Path) -> None:
    root = _snapshot(tmp_path, SNAPSHOTS["no-igmp"], sockets=True)
    (root / "net" / "igmp").unlink(missing_ok=True)
    for variant, status in (("-gn", 1), ("-gnx", 1), ("-gn -4", 0), ("-gn -6", 0), ("-gn -A inet", 0), ("-gn -A unix", 1)):
        want, got = netstat(root, variant.split()), netread_snapshot(root, variant.split())
        assert want.status == status, (variant, want.status)
        assert_same(want, got, netread_only=_space_path, netstat_only=_cut_space_path)
        assert ("no support for `AF INET (igmp)' on this system." in got.stderr) == ("no support for `AF INET (igmp)'" in want.stderr)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(igmp_files(), st.sampled_from(["-gn", "-gn -4", "-gn -6", "-gnW"]), st.booleans(), st.booleans())
def test_generated_igmp_files_equal_netstat(tmp_path_factory: pytest.TempPathFactory, files: tuple[str, str], variant: str, has4: bool, has6: bool) -> None:
    tables = {name: text for name, text, keep in (("igmp", files[0], has4), ("igmp6", files[1], has6)) if keep}
    root = _snapshot(tmp_path_factory.mktemp("gen"), tables)
    assert_same(netstat(root, variant.split()), netread_snapshot(root, variant.split()))


# -- every snapshot that has the files -------------------------------------------------------


def _with_group_files() -> list[Path]:
    """sample_proc/, the peer fixtures here and in ../shared: each snapshot directory with net/igmp or net/igmp6."""
    found = []
    for base in (SAMPLE_PROC.parent, PEER, GROUP_FIXTURES, SHARED_PEERS):
        if not base.is_dir():
            continue
        for net in sorted(base.glob("**/net")) if base != SAMPLE_PROC.parent else [SAMPLE_PROC / "net"]:
            if net.is_dir() and ((net / "igmp").is_file() or (net / "igmp6").is_file()):
                found.append(net.parent)
    return found


FOUND = _with_group_files()


def test_some_fixture_has_group_files() -> None:
    assert any(p.is_relative_to(PEER) for p in FOUND), FOUND  # jc-linux-proc's, at least


@pytest.mark.parametrize("variant", ["-gn", "-gn -4", "-gn -6"])
@pytest.mark.parametrize("snapshot", FOUND, ids=[str(p.relative_to(ROOT.parent)) for p in FOUND])
def test_fixtures_with_group_files_equal_netstat(snapshot: Path, variant: str) -> None:
    assert_same(netstat(snapshot, variant.split()), netread_snapshot(snapshot, variant.split()))


# -- names, from one /etc --------------------------------------------------------------------


def test_names_equal_netstat_s(tmp_path: Path) -> None:
    """Without -n both look the groups up in the same /etc (files only: never DNS)."""
    igmp = igmp_text([(1, "lo", 2, "V3", [(group_word("224.0.0.1"), 1), (group_word("224.0.0.0"), 1), (group_word("0.1.2.0"), 1),
                                          (group_word("10.1.2.0"), 1), (group_word("239.9.9.9"), 1), (group_word("0.0.0.0"), 1)])])  # fmt: skip
    igmp6 = igmp6_text([(1, "lo", hex6(a), 1, 0, 0) for a in ("ff02::1", "ff02::2", "::ffff:224.0.0.1", "::", "ff05::9", "ff02::fb")])
    root = _snapshot(tmp_path / "snap", {"igmp": igmp, "igmp6": igmp6})
    hosts = (
        "224.0.0.1 all-systems.mcast.net\n10.1.2.0 ten-host\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n"
        "::ffff:224.0.0.1 mapped-allsystems\nff02::fb " + "m" * 140 + "\n"
    )
    etc = write_etc(tmp_path / "etc", {
        "hosts": hosts, "networks": "zero-net 0.1.2.0\nmcast-net 224.0.0.0\nten-net 10.1.2.0\n",
        "nsswitch.conf": (FIXED_ETC / "nsswitch.conf").read_text(), "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    })  # fmt: skip
    variants = [["-g"], ["-g", "-4"], ["-g", "-6"], ["-g", "--numeric-hosts"]]
    runs = netread_etc(root, variants, etc)
    for args, got in zip(variants, runs):
        want = netstat_etc(root, args, etc)
        assert_same(want, got)
    assert b"all-systems.mcast.net" in runs[0].stdout and b"ip6-allnodes" in runs[0].stdout and b"zero-net" in runs[0].stdout


# -- live groups in a private network namespace ----------------------------------------------

LIVE = r"""
import json, socket, struct, subprocess, sys, time
def sh(*args):
    subprocess.run(args, check=True, timeout=20)
sh("ip", "link", "set", "lo", "up")
sh("ip", "link", "add", "veth-g0", "type", "veth", "peer", "name", "veth-g1")
sh("ip", "link", "add", "a-long-name-15b", "type", "veth", "peer", "name", "vg2")
for dev in ("veth-g0", "veth-g1", "a-long-name-15b", "vg2"):
    sh("ip", "link", "set", dev, "up")
sockets = []
for dev, group in (("veth-g0", "239.1.2.3"), ("veth-g0", "239.1.2.3"), ("veth-g1", "224.0.0.251"), ("a-long-name-15b", "232.9.8.7")):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), socket.if_nametoindex(dev)))
    sockets.append(s)
for dev, group in (("veth-g0", "ff05::1:3"), ("veth-g1", "ff02::fb"), ("veth-g1", "ff02::fb"), ("a-long-name-15b", "ff0e::1234")):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", socket.if_nametoindex(dev)))
    sockets.append(s)
time.sleep(0.5)
out = []
for variant in json.loads(sys.argv[1]):
    for attempt in range(3):  # the kernel may add a group (DAD's solicited-node) between the two runs
        want = subprocess.run(["netstat", *variant], capture_output=True, timeout=30, env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        got = subprocess.run([sys.executable, "-m", "netread", *variant], capture_output=True, timeout=30)
        again = subprocess.run(["netstat", *variant], capture_output=True, timeout=30, env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        if want.stdout == again.stdout:
            break
    out.append([want.returncode, want.stdout.decode("latin-1"), got.returncode, got.stdout.decode("latin-1"), got.stderr.decode("latin-1")])
for s in sockets:
    s.close()
print(json.dumps(out))
"""


def test_live_groups_in_a_namespace_equal_netstat() -> None:
    need_oracle()
    if shutil.which("ip") is None:
        pytest.skip("ip(8) is not installed")
    variants = [["-gn"], ["-gn", "-4"], ["-gn", "-6"], ["-gnW"], ["-gn", "-A", "inet6"]]
    proc = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", LIVE, json.dumps(variants)],
        capture_output=True, timeout=120, cwd=ROOT, env={**os.environ, "LC_ALL": "C"},
    )  # fmt: skip
    if proc.returncode != 0 and b"Operation not permitted" in proc.stderr:
        pytest.skip(f"unshare -n refused here: {proc.stderr.decode(errors='replace')[-200:]}")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    results = json.loads(proc.stdout)
    for variant, (want_status, want, got_status, got, err) in zip(variants, results):
        assert (got_status, got) == (want_status, want), (variant, err)
    everything = results[0][1]
    for text in ("veth-g0         2      239.1.2.3", "veth-g1         1      224.0.0.251", "a-long-name-15b 1      232.9.8.7",
                 "veth-g0         1      ff05::1:3", "veth-g1         2      ff02::fb", "a-long-name-15b 1      ff0e::1234"):  # fmt: skip
        assert text in everything, everything


# -- netstat's two -g bugs, which netread does not copy ----------------------------------------


def test_short_igmp6_hex_is_reported_not_shown_as_uninitialised_memory(tmp_path: Path) -> None:
    """netstat reads the words a group of 24 hex digits or fewer lacks from uninitialised
    memory and prints whatever is there; netread leaves the row out and names the field."""
    bad = "9    garbage-row     ff0200000000000000000001     1 00000004 0\n"
    root = _snapshot(tmp_path, {"igmp": KERNEL_IGMP, "igmp6": KERNEL_IGMP6 + bad})
    want, got = netstat(root, ["-gn"]), netread_snapshot(root, ["-gn"])
    assert any(line.startswith("garbage-row     1      ") for line in want.lines)  # a row of garbage
    assert_same(want, got, netstat_only=lambda line: line.startswith("garbage-row "))
    assert "net/igmp6:7: field group: 24 hex digits, not 32" in got.stderr


def test_an_unreadable_igmp_is_reported_where_netstat_spins_forever(tmp_path: Path) -> None:
    """A read error (here: net/igmp is a directory) never ends netstat's fgets loop; netread says
    so, prints the IPv6 groups and exits 1."""
    need_oracle()
    root = _snapshot(tmp_path, {"igmp6": KERNEL_IGMP6})
    (root / "net" / "igmp").mkdir()
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(["unshare", "-m", "sh", "-c", ORACLE_SCRIPT, str(root), "-gn"], capture_output=True, timeout=3, env={**os.environ, "LC_ALL": "C"})
    got = netread_snapshot(root, ["-gn"])
    assert got.status == 1
    assert "net/igmp:" in got.stderr
    without = netstat(_snapshot(tmp_path / "v6", {"igmp6": KERNEL_IGMP6}), ["-gn"])  # what netstat shows without the file
    assert (got.status, got.stdout) == (without.status, without.stdout)


def test_a_short_name_over_a_long_one_keeps_netstat_s_tail_escaped(tmp_path: Path) -> None:
    """netstat's %15c leaves the last name's tail after a short one, and writes the newline of
    the short line raw; netread shows the same name with the newline escaped."""
    root = _snapshot(tmp_path, {"igmp": IGMP_HEADER + "\n1\tverylongname12345: 1 V3\n\t\t\t\t010000E0 1\n2\tab\n\t\t\t\t020000E0 2\n"})
    want, got = netstat(root, ["-gn"]), netread_snapshot(root, ["-gn"])
    assert_same(want, got, netread_only=lambda line: line == "ab\\nylongname123 2      224.0.0.2",
                netstat_only=lambda line: line in ("ab", "ylongname123 2      224.0.0.2"))  # fmt: skip


# -- -M ----------------------------------------------------------------------------------------

MASQ_HEADER = "Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta PDelta Expires\n"
MASQ_ROWS = (
    "TCP C0A80102:0401 0A000001:0017 F000 00000000     0     0  8998\n"
    "UDP C0A80102:0035 00000000:0000 F001 0000ABCD    -3     7  123456\n"
    "ICMP 0A000002:0000 08080808:0000 0000 FFFFFFFF 40000 -40000 99999999999\n"
    "GRE 00000000:0000 00000000:0000 0 0 0 0 0\nESP 01020304:FFFF 7F000001:0001 FFFF 1 1 1 1\nIP 7F000001:0050 7F000001:0050 0050 0 0 0 100\n"
)
MASQ_FILES = {
    "absent": None,
    "pdelta": MASQ_HEADER + MASQ_ROWS,
    "no-pdelta": "Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta Expires\nTCP C0A80102:0401 0A000001:0017 F000 00000000 5 8998\n",
    "header-only": MASQ_HEADER,
    "across-lines": MASQ_HEADER + "TCP C0A80102:0401\n0A000001:0017 F000\n00000000 0 0 8998\n",
    "empty": "",
    "cut-short": MASQ_HEADER + MASQ_ROWS + "TCP C0A80102:0401 0A000001\n",
    "unknown-protocol": MASQ_HEADER + "SCTP C0A80102:0401 0A000001:0017 F000 0 0 0 1\n" + MASQ_ROWS,
}


@pytest.mark.parametrize("variant", ["-M", "-Mn", "-Me", "-Mne", "-M --numeric-hosts", "-M --numeric-ports"])
@pytest.mark.parametrize("name", sorted(MASQ_FILES))
def test_masquerade_equals_netstat(tmp_path: Path, name: str, variant: str) -> None:
    text = MASQ_FILES[name]
    fake = FakeProc(tmp_path / "snap").net()
    if text is not None:
        fake.table("ip_masquerade", text)
    etc = write_etc(tmp_path / "etc", {
        "hosts": "192.168.1.2 inside-host\n8.8.8.8 dns.example\n", "networks": "", "services": (FIXED_ETC / "services").read_text(),
        "nsswitch.conf": (FIXED_ETC / "nsswitch.conf").read_text(), "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    })  # fmt: skip
    want = netstat_etc(fake.root, variant.split(), etc)
    got = netread_etc(fake.root, [variant.split()], etc)[0]
    assert_same(want, got)
    if name == "absent":
        assert want.status == 1 and "no support for `ip_masquerade' on this system." in got.stderr
    if name in ("empty", "cut-short", "unknown-protocol"):
        assert got.status == 255 and "net/ip_masquerade:" in got.stderr


@pytest.mark.parametrize("variant", ["-gn --explain", "-gn -4 --explain", "-gnx --explain"])
def test_explain_without_its_hash_lines_is_netstat_s_output(tmp_path: Path, variant: str) -> None:
    root = _snapshot(tmp_path, SNAPSHOTS["kernel"], sockets=True)
    got = netread_snapshot(root, variant.split())
    assert any(line.startswith("# 3   Group") for line in got.lines)
    stripped = "\n".join(line for line in got.lines if not line.startswith("#")).encode()
    want = netstat(root, variant.split()[:-1] if variant.endswith("--explain") else variant.split())
    assert_same(want, type(got)(got.status, stripped, got.stderr), netread_only=_space_path, netstat_only=_cut_space_path)


_HEXES = st.one_of(st.integers(0, 0xFFFF).map("{:04X}".format), st.integers(0, 2**32 - 1).map("{:08X}".format), st.text("0123456789abcdefABCDEF", min_size=1, max_size=18))
_DECIMALS = st.one_of(st.integers(-(2**16), 2**16), st.integers(0, 2**64 + 10)).map(str)
_BLANKS = st.sampled_from([" ", "  ", "\t", "\n", " \n "])


@st.composite
def _masq_record(draw: st.DrawFn, pdelta: bool) -> str:
    proto = draw(st.sampled_from(["TCP", "UDP", "ICMP", "IP", "GRE", "ESP"]))
    fields = [f"{draw(_HEXES)}:{draw(_HEXES)}", f"{draw(_HEXES)}:{draw(_HEXES)}", draw(_HEXES), draw(_HEXES), draw(_DECIMALS)]
    fields += [draw(_DECIMALS)] * pdelta + [draw(st.integers(0, 2**64 - 1).map(str))]
    return proto + "".join(draw(_BLANKS) + f for f in fields) + "\n"


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.booleans().flatmap(lambda p: st.tuples(st.just(p), st.lists(_masq_record(p), max_size=20))), st.sampled_from(["-Mn", "-Mne"]),
       st.sampled_from(["", "TCP C0A80102:0401\n", "SCTP 0:0 0:0 0 0 0 0 0\n"]))  # fmt: skip
def test_generated_masquerade_files_equal_netstat(tmp_path_factory: pytest.TempPathFactory, spec: tuple[bool, list[str]], variant: str, tail: str) -> None:
    pdelta, records = spec
    header = MASQ_HEADER if pdelta else "Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta Expires\n"
    root = FakeProc(tmp_path_factory.mktemp("masq")).table("ip_masquerade", header + "".join(records) + tail).root
    assert_same(netstat(root, variant.split()), netread_snapshot(root, variant.split()))
