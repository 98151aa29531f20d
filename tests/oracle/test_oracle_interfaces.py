"""``netread -i``, ``-ia``, ``-ie`` equal real netstat's, in a network namespace the test makes.

netstat -i takes only the counters (net/dev) and the IPv6 addresses
(net/if_inet6) from /proc; everything else it asks the kernel of its network
namespace by ioctl (reference/netstat-other-modes.md 5.1, 5.8).  So every
comparison runs netstat inside a namespace of known interfaces (tests/netns.py:
bridge, veth pair, tun, ifb, macvlan, dummy where the module exists, IPv4 and
IPv6 addresses, an alias label):

- live: netread -i there equals netstat -i there (once more if counters moved);
- capture: ``netread capture`` there, replayed anywhere with ``--proc``, equals
  what netstat printed at capture time;
- files: generated and hand-made net/dev and if_inet6 files, bound over /proc
  for netstat in the namespace and given to netread as a snapshot holding the
  namespace's captured kernel/ifreq, print the same bytes and exit the same.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PEER
from conftest import SAMPLE_PROC
from conftest import examples
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from netns import Netns
from oracle import Run
from oracle import assert_same
from oracle import netread_snapshot

from netread.parse.ifreq import SYSFS_FILES
from netread.parse.ifreq import decode_ifreq
from netread.parse.ifreq import from_sysfs

pytestmark = pytest.mark.oracle

FLAGS = ("-i", "-ia", "-ie", "-iee", "-iae")
DEV_HEADER = (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
)
#: The older layouts' second header lines (procnetdev_version 2 and 1).
OLD_HEADERS = (
    "Inter-|   Receive                            |  Transmit\n face |bytes    packets errs drop fifo frame|bytes    packets errs drop fifo colls carrier\n",
    "Inter-|   Receive                  |  Transmit\n face |packets errs drop fifo frame|packets errs drop fifo colls carrier\n",
)
SHARED_PEERS = Path(__file__).resolve().parents[3] / "shared" / "peer_fixtures"


def _same_or_moved(before: Run, got: Run, after: Run) -> bool:
    return got.status == before.status == after.status and got.stdout in (before.stdout, after.stdout)


def test_live_namespace_equals_netstat() -> None:
    with Netns() as ns:
        ns.settle()
        for flags in FLAGS:
            for _attempt in range(5):  # counters that move between the two reads: let them settle, ask again
                before, got, after = ns.netstat([flags]), ns.netread([flags]), ns.netstat([flags])
                if _same_or_moved(before, got, after):
                    break
                ns.settle(5.0)  # a new link's router solicitations and MLD reports come seconds apart
            assert_same(after, got)
            assert b"br0:1 " in got.stdout or b"br0:1:" in got.stdout  # the IPv4 label SIOCGIFCONF adds
            assert got.stdout.startswith(b"Kernel Interface table\n")


def test_capture_replays_what_netstat_printed_then(tmp_path: Path) -> None:
    with Netns() as ns:
        ns.settle()
        for attempt in range(3):
            snap = tmp_path / f"snap{attempt}"
            before = {flags: ns.netstat([flags]) for flags in FLAGS}
            ns.capture(snap)
            after = {flags: ns.netstat([flags]) for flags in FLAGS}
            replays = {flags: netread_snapshot(snap, [flags]) for flags in FLAGS}
            if all(_same_or_moved(before[f], replays[f], after[f]) for f in FLAGS):
                break
        for flags in FLAGS:
            if not _same_or_moved(before[flags], replays[flags], after[flags]):
                assert_same(after[flags], replays[flags])
        assert b"tun0: flags=4241<UP,POINTOPOINT,NOARP,MULTICAST>" in replays["-ie"].stdout
        assert b"destination 10.9.0.2" in replays["-ie"].stdout


def test_captured_sysfs_gives_the_kernels_answers_but_user_set_promisc(tmp_path: Path) -> None:
    """The sysfs copies alone give what the ioctls gave (flags by dev_get_flags' rule), except
    PROMISC set by the user (mv0: ``ip link set promisc on``), which sysfs does not tell apart."""
    with Netns() as ns:
        ns.settle()
        ns.capture(tmp_path / "snap")
    answers, problems = decode_ifreq((tmp_path / "snap" / "kernel" / "ifreq").read_text())
    assert not problems
    base = tmp_path / "snap" / "sysfs" / "class" / "net"
    devices = sorted(p.name for p in base.iterdir())
    assert {"br0", "v0", "v1", "tun0", "ifb3", "mv0", "lo"} <= set(devices)
    for name in devices:
        files = {f: (base / name / f).read_text() if (base / name / f).exists() else None for f in SYSFS_FILES}
        derived, bad = from_sysfs(name, files, str(base / name))
        assert not bad and derived is not None
        want = answers[name]
        flags = want.flags & ~0x100 if name == "mv0" else want.flags
        assert (derived.flags, derived.mtu, derived.tx_queue_len, derived.hw_type, derived.hw_address) == (
            flags, want.mtu, want.tx_queue_len, want.hw_type, want.hw_address,
        ), name  # fmt: skip


# -- files through the oracle, in one namespace ----------------------------------------------


class Bench:
    """One namespace and its capture: snapshots of given net/dev and if_inet6 texts with the
    namespace's kernel/ifreq, read by netstat there and by netread anywhere."""

    def __init__(self, ns: Netns, base: Path) -> None:
        self.ns = ns
        self.base = base
        self.names = list(decode_ifreq((base / "kernel" / "ifreq").read_text())[0])

    def compare(self, dev: str | bytes | None, inet6: str | bytes | None, flags: str) -> Run:
        with tempfile.TemporaryDirectory() as tmp:
            snap = Path(tmp) / "snap"
            shutil.copytree(self.base, snap, symlinks=True)
            for name, data in (("dev", dev), ("if_inet6", inet6)):
                target = snap / "net" / name
                target.unlink(missing_ok=True)
                if data is not None:
                    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape"))
            want = self.ns.netstat([flags], snapshot=snap)
            got = netread_snapshot(snap, [flags])
            assert_same(want, got)
            return got


@pytest.fixture(scope="module")
def bench() -> Iterator[Bench]:
    with Netns() as ns, tempfile.TemporaryDirectory() as tmp:
        ns.settle()
        ns.capture(Path(tmp) / "base")
        yield Bench(ns, Path(tmp) / "base")


def _dev_line(name: str, values: list[int]) -> str:
    return "%6s: %7d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n" % (name, *values)


COUNTER = st.one_of(st.integers(0, 2000), st.integers(0, 2**64 - 1), st.sampled_from([1024, 1025, 2**20 + 1, 2**50, 2**50 + 1, 2**60 + 1]))


@st.composite
def dev_text(draw: st.DrawFn, names: list[str]) -> str:
    """net/dev as the kernel writes it, for some of ``names`` (and now and then a name the
    namespace does not have, or a line netstat reads in its own way)."""
    header = draw(st.sampled_from([DEV_HEADER, DEV_HEADER, DEV_HEADER, *OLD_HEADERS]))
    chosen = draw(st.lists(st.sampled_from(names), max_size=len(names) + 2))
    lines = []
    for name in chosen:
        values = draw(st.lists(COUNTER, min_size=16, max_size=16))
        kind = draw(st.sampled_from(["kernel"] * 6 + ["short", "minus", "huge", "nocolon", "tight"]))
        line = _dev_line(name, values)
        if kind == "short":
            line = " ".join(line.split()[: draw(st.integers(1, 16))]) + "\n"
        elif kind == "minus":
            line = line.replace(f" {values[1]} ", " -1 ", 1)
        elif kind == "huge":
            line = line.replace(f" {values[0]} ", " 99999999999999999999999 ", 1)
        elif kind == "nocolon":
            line = line.replace(":", "", 1)
        elif kind == "tight":
            line = line.replace(": ", ":", 1).lstrip()
        lines.append(line)
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), _dev_line("ghost0", [1] * 16))
    return header + "".join(lines)


@st.composite
def inet6_text(draw: st.DrawFn, names: list[str]) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        address = draw(st.one_of(st.ip_addresses(v=6), st.ip_addresses(v=4).map(lambda a: __import__("ipaddress").IPv6Address(b"\0" * 10 + b"\xff\xff" + a.packed))))
        device = draw(st.sampled_from([n for n in names if ":" not in n] + ["ghost0"]))
        index, plen, scope, flags = draw(st.integers(0, 255)), draw(st.integers(0, 128)), draw(st.sampled_from([0, 0x10, 0x20, 0x40, 0x80, 0x90, 0xA0, 0x01, 0x05, 0xE0, 0xFF])), draw(st.integers(0, 255))
        rows.append("%s %02x %02x %02x %02x %8s\n" % (address.packed.hex(), index, plen, scope, flags, device))
    return "".join(rows)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(data=st.data(), flags=st.sampled_from(FLAGS))
def test_generated_dev_and_if_inet6_equal_netstat(bench: Bench, data: st.DataObject, flags: str) -> None:
    names = [n for n in bench.names if ":" not in n]
    bench.compare(data.draw(dev_text(names)), data.draw(inet6_text(names)), flags)


HAND_MADE = {
    "kernel": DEV_HEADER + _dev_line("lo", [5] * 16) + _dev_line("br0", list(range(16))),
    "repeated name keeps its place, last counters": DEV_HEADER + _dev_line("v1", [1] * 16) + _dev_line("lo", [2] * 16) + "    v1: 7 8 x\n",
    "alias line": DEV_HEADER + _dev_line("br0", [3] * 16) + "br0:1: 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4\n",
    "no colon, no space after colon": DEV_HEADER + "lo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\nbr0:1025 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
    "minus one and overflow": DEV_HEADER + "    lo: -1 99999999999999999999 18446744073709551615 -18446744073709551615 1 1 1 1 1 1 1 1 1 1 1 1\n",
    "missing fields keep zero": DEV_HEADER + "    lo: 1 2 3\n   br0:\n",
    "layout 2": OLD_HEADERS[0] + "    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13\n",
    "layout 1": OLD_HEADERS[1] + "    lo: 1 2 3 4 5 6 7 8 9 10 11\n",
    "a blank line names the empty interface": DEV_HEADER + _dev_line("lo", [1] * 16) + "\n" + _dev_line("br0", [1] * 16),
    "unknown interface stops the table": DEV_HEADER + _dev_line("br0", [1] * 16) + _dev_line("ghost0", [1] * 16) + _dev_line("v1", [1] * 16),
    "headers only": DEV_HEADER,
    "empty file": "",
    "a long line in 511-byte pieces": DEV_HEADER + "    lo: " + "1 " * 300 + "\n" + _dev_line("br0", [2] * 16),
}


@pytest.mark.parametrize("flags", ["-ia", "-iae"])
@pytest.mark.parametrize("name", sorted(HAND_MADE))
def test_hand_made_dev_equals_netstat(bench: Bench, name: str, flags: str) -> None:
    bench.compare(HAND_MADE[name], None, flags)


def test_no_net_dev_lists_the_ipv4_labels_only(bench: Bench) -> None:
    got = bench.compare(None, None, "-ia")
    assert b"no statistics available" in got.stdout and b"br0:1" in got.stdout


def test_if_inet6_shapes_equal_netstat(bench: Bench) -> None:
    mapped = "00000000000000000000ffff0a000001"
    rows = (
        f"{mapped} 03 60 00 80      br0\n"
        "fe800000000000000000000000000001 03 40 20 80      br0\n"
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "20010db8000000000000000000000001 05 30 0e 00       v1\n"
        "00000000000000000000000001020304 05 60 80 00       v1\n"
    )
    got = bench.compare(DEV_HEADER + _dev_line("br0", [1] * 16) + _dev_line("lo", [1] * 16) + _dev_line("v1", [1] * 16), rows, "-iae")
    assert b"inet6 10.0.0.1  prefixlen 96" in got.stdout


def _snapshots_with_dev() -> list[Path]:
    roots = [SAMPLE_PROC, *(p for p in PEER.iterdir() if p.is_dir())]
    if SHARED_PEERS.is_dir():
        roots += [p for p in SHARED_PEERS.iterdir() if p.is_dir()]
    return [r for r in roots if (r / "net" / "dev").is_file()]


def test_every_snapshots_net_dev_equals_netstat(bench: Bench) -> None:
    """sample_proc/ and the peers' captures, where they hold net/dev (none did when this was
    written), read with this namespace's kernel answers; always also a snapshot of ours."""
    cases = [(bench.base / "net" / "dev", bench.base / "net" / "if_inet6")]
    cases += [(root / "net" / "dev", root / "net" / "if_inet6") for root in _snapshots_with_dev()]
    for dev, inet6 in cases:
        for flags in ("-ia", "-iae"):
            bench.compare(dev.read_bytes(), inet6.read_bytes() if inet6.is_file() else None, flags)


# -- the deliberate differences (README "Differences from netstat") ---------------------------


def test_netstat_on_a_snapshot_asks_the_running_kernel_netread_replays_it(bench: Bench, tmp_path: Path) -> None:
    """netstat -i with a capture bound over /proc, in another namespace (only lo): it fails on the
    first captured interface that namespace lacks; netread shows the capture."""
    with Netns(setup="ip link set lo up") as other:
        want = other.netstat(["-ia"], snapshot=bench.base)
    got = netread_snapshot(bench.base, ["-ia"])
    assert want.status == 1 and "br0: error fetching interface information: Device not found" in want.stderr
    assert got.status == 0 and b"\nbr0 " in got.stdout and b"\ntun0 " in got.stdout


def test_a_malformed_if_inet6_line_is_skipped_and_reported(bench: Bench, tmp_path: Path) -> None:
    good = "fd000000000000000000000000000001 05 40 00 80       v1\nfd000000000000000000000000000002 05 40 00 80       v1\n"
    bad = good.replace("\n", "\nfd00 zz\n", 1)
    dev = DEV_HEADER + _dev_line("v1", [1] * 16)
    clean = bench.compare(dev, good, "-iae")
    with tempfile.TemporaryDirectory() as tmp:
        snap = Path(tmp) / "snap"
        shutil.copytree(bench.base, snap, symlinks=True)
        (snap / "net" / "dev").write_text(dev)
        (snap / "net" / "if_inet6").write_text(bad)
        netstat_run = bench.ns.netstat(["-iae"], snapshot=snap)
        got = netread_snapshot(snap, ["-iae"])
    assert got.stdout == clean.stdout
    assert "if_inet6:2: field" in got.stderr
    assert netstat_run.stdout != clean.stdout  # netstat lost step on the bad line


def test_a_fifteen_byte_name_keeps_its_counters() -> None:
    """netstat 2.10 (Debian's get_name) stops before the colon of a 15-byte name, the longest the
    kernel allows, and shows all its counters as 0; netread shows them."""
    name = "abcdefghijklmno"
    setup = f"ip link set lo up && ip link add {name} type veth peer name p1 && ip link set {name} up && ip link set p1 up"
    with Netns(setup=setup) as ns:
        ns.settle()
        for _attempt in range(5):  # until nothing moved while netread and netstat looked
            dev = ns.run(["cat", "/proc/net/dev"]).stdout.decode()
            got, after = ns.netread(["-ia"]), ns.netstat(["-ia"])
            if ns.run(["cat", "/proc/net/dev"]).stdout.decode() == dev:
                break
            ns.settle()
    ours = [line for line in got.lines if line.startswith(name)]
    theirs = [line for line in after.lines if line.startswith(name)]
    counters = next(line for line in dev.splitlines() if line.strip().startswith(name + ":")).split(":", 1)[1].split()
    assert theirs == [f"{name}  1500        0      0      0 0             0      0      0      0 BMRU"]
    assert ours == ["%-15s %5d %8s %6s %6s %-6s %8s %6s %6s %6s BMRU" % (name, 1500, counters[1], counters[2], counters[3], counters[4], counters[9], counters[10], counters[11], counters[12])]
    assert_same(after, got, netread_only=lambda line: line in ours, netstat_only=lambda line: line in theirs)


def test_a_name_with_a_control_byte_is_escaped() -> None:
    """The kernel takes any name byte but ``/``, ``:`` and white space: netstat writes an ESC
    raw to the terminal, netread shows it as ``\\x1b`` (the rest of the table is the same)."""
    name = "e\x1bx"
    with Netns(setup=f"ip link set lo up && ip link add '{name}' type veth peer name p1") as ns:
        want, got = ns.netstat(["-ia"]), ns.netread(["-ia"])
    raw = [line for line in want.lines if line.startswith(name)]
    shown = [line for line in got.lines if line.startswith("e\\x1bx")]
    assert len(raw) == 1 and len(shown) == 1 and "\x1b" not in got.stdout.decode()
    assert shown[0].split()[1:] == raw[0].split()[1:]
    assert_same(want, got, netread_only=lambda line: line in shown, netstat_only=lambda line: line in raw)
