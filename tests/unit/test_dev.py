"""net/dev, net/if_inet6, kernel/ifreq and sysfs decoding; netstat's interface order and the
``-i`` formats: pinned vectors, round trips, and "never raises, always reports" on junk."""

from __future__ import annotations

import ipaddress
import subprocess
import sys

import pytest
from conftest import ROOT
from fakeproc import FakeProc
from hypothesis import given
from hypothesis import strategies as st
from oracle import netread_snapshot

from netread.errors import ParseError
from netread.parse.dev import DevCounters
from netread.parse.dev import Interface
from netread.parse.dev import decode_if_inet6
from netread.parse.dev import decode_net_dev
from netread.parse.dev import get_name
from netread.parse.dev import interface_order
from netread.parse.dev import nstrcmp
from netread.parse.ifreq import Address
from netread.parse.ifreq import IfReq
from netread.parse.ifreq import Inet4
from netread.parse.ifreq import decode_ifreq
from netread.parse.ifreq import encode_ifreq
from netread.parse.ifreq import from_sysfs
from netread.render import netstat_interfaces as render

HEADER = "Inter-|   Receive\n face |bytes    packets errs drop fifo frame compressed multicast|bytes\n"

# lib/nstrcmp.c's own test vectors (NSTRCMP_TEST), sign only.
NSTRCMP = [
    ("eth1", "eth1", 0), ("eth0:1", "eth0:1", 0), ("lan", "lan", 0), ("100", "100", 0), ("", "", 0), (":", ":", 0),
    ("a:b:c", "a:b:c", 0), ("a:", "a:", 0), (":a", ":a", 0), ("a", "aa", -1), ("eth0", "eth1", -1), ("eth1", "eth20", -1),
    ("eth20", "eth100", -1), ("eth1", "eth13", -1), ("eth", "eth2", -1), ("eth0:1", "eth0:2", -1), ("eth1:10", "eth13:10", -1),
    ("eth1:1", "eth1:13", -1), ("a", "a:", -1), ("aa", "a", 1), ("eth2", "eth1", 1), ("eth13", "eth1", 1), ("eth2", "eth", 1),
    ("eth2:10", "eth2:1", 1), ("eth2:5", "eth2:4", 1), ("eth3:2", "eth2:3", 1), ("eth13:1", "eth1:0", 1), ("a:", "a", 1),
    ("a1b12", "a1b2", 1), ("eth1", "eth01", 1), ("eth01", "eth1", -1), ("eth1:1", "eth01:1", 1), ("eth01:1", "eth1:1", -1),
    ("eth1:1", "eth01:01", 1), ("eth1:01", "eth01:1", 1), ("eth01:1", "eth1:01", -1), ("eth01:01", "eth1:1", -1),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "want"), NSTRCMP, ids=[f"{a}|{b}" for a, b, _ in NSTRCMP])
def test_nstrcmp_as_net_tools_own_tests(a: str, b: str, want: int) -> None:
    assert nstrcmp(a, b) == want


def test_interface_order_of_the_reference() -> None:
    assert interface_order(["lo", "ifb0", "ifb1", "eth0"]) == ["eth0", "ifb0", "ifb1", "lo"]
    assert interface_order(["eth10", "eth9", "eth01"]) == ["eth01", "eth9", "eth10"]
    assert interface_order(["v1", "v0:10", "v0", "v0:1"]) == ["v0", "v0:1", "v0:10", "v1"]
    assert interface_order(["br0", "abcdefghijklmno"]) == ["abcdefghijklmno", "br0"]


NAMES = [
    ("    lo: 1", "lo", " 1"),
    ("eth0:1025 2", "eth0", "1025 2"),
    ("v1:2: 5", "v1:2", " 5"),
    ("eth9 1 2", "eth9", " 1 2"),
    ("abcdefghijklmnopq: 1", "abcdefghijklmno", "pq: 1"),
    ("abcdefghijklmno: 1", "abcdefghijklmno", ": 1"),
    ("\n", "", ""),
    ("a\0b: 1", "a", ""),
]


@pytest.mark.parametrize(("line", "name", "rest"), NAMES, ids=[repr(n[0]) for n in NAMES])
def test_get_name_as_debian_net_tools(line: str, name: str, rest: str) -> None:
    assert get_name(line) == (name, rest)


DEV_CASES = {
    "kernel": ("    lo:  10 2 0 0 0 0 0 0 10 2 0 0 0 0 0 0", DevCounters(rx_bytes=10, rx_packets=2, tx_bytes=10, tx_packets=2), []),
    "short": ("    lo: 1 2 3", DevCounters(1, 2, 3), ["rx_dropped"]),
    "word": ("    lo: 1 x 3", DevCounters(1), ["rx_packets"]),
    "minus": ("    lo: -1 " + "0 " * 15, DevCounters(rx_bytes=2**64 - 1), ["rx_bytes"]),
    "overflow": ("    lo: 0 99999999999999999999999 " + "0 " * 14, DevCounters(rx_packets=2**64 - 1), ["rx_packets"]),
    "plus": ("    lo: +5 " + "0 " * 15, DevCounters(rx_bytes=5), ["rx_bytes"]),
}


@pytest.mark.parametrize("case", sorted(DEV_CASES))
def test_net_dev_line(case: str) -> None:
    line, want, fields = DEV_CASES[case]
    dev = decode_net_dev(HEADER + line + "\n", "snap/net/dev")
    assert dev.counters == {"lo": want}
    assert [p.field for p in dev.problems] == fields
    assert all(p.path == "snap/net/dev" and p.lineno == 3 for p in dev.problems)


def test_net_dev_repeated_name_keeps_earlier_values_not_reached() -> None:
    dev = decode_net_dev(HEADER + "  a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  b: 0\n  a: 7 x\n")
    assert list(dev.counters) == ["a", "b"]
    assert dev.counters["a"].rx_bytes == 7 and dev.counters["a"].rx_packets == 2 and dev.counters["a"].tx_compressed == 16


def test_if_inet6_rows_and_problems() -> None:
    text = (
        "fe800000000000000000000000000001 02 40 20 80     eth0\n"
        "not-hex-not-hex-not-hex-not-hex- 02 40 20 80     eth0\n"
        "fe800000000000000000000000000001 02 40 20\n"
        "fe800000000000000000000000000001 02 40 zz 80     eth0\n"
    )
    rows, problems = decode_if_inet6(text, "p")
    assert [(str(r.address), r.ifindex, r.prefixlen, r.scope, r.flags, r.device) for r in rows] == [("fe80::1", 2, 64, 32, 128, "eth0")]
    assert [(p.lineno, p.field) for p in problems] == [(2, "address"), (3, "flags"), (4, "scope")]


ANSWER = st.builds(
    IfReq,
    name=st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=15),
    flags=st.integers(0, 0xFFFF),
    mtu=st.integers(-(2**31), 2**31 - 1),
    tx_queue_len=st.none() | st.integers(-(2**31), 2**31 - 1),
    hw_type=st.integers(0, 0xFFFF),
    hw_address=st.binary(min_size=8, max_size=8),
    irq=st.integers(0, 255),
    base_addr=st.integers(0, 0xFFFF),
    mem_start=st.integers(0, 2**64 - 1),
    mem_end=st.integers(0, 2**64 - 1),
    dma=st.integers(0, 255),
    port=st.integers(0, 255),
    listed=st.booleans(),
    inet=st.none() | st.builds(Inet4, st.ip_addresses(v=4), st.none() | st.ip_addresses(v=4), st.none() | st.ip_addresses(v=4), st.none() | st.ip_addresses(v=4)),
)


@given(st.lists(ANSWER, max_size=6, unique_by=lambda a: a.name))
def test_ifreq_round_trip(answers: list[IfReq]) -> None:
    decoded, problems = decode_ifreq(encode_ifreq(answers))
    assert problems == []
    assert list(decoded.values()) == answers


def test_sysfs_flags_and_address() -> None:
    files = {"mtu": "1500\n", "tx_queue_len": "500\n", "type": "65534\n", "address": "\n", "flags": "0x1091\n", "operstate": "down\n"}
    got, problems = from_sysfs("tun0", files, "s")
    assert problems == [] and got is not None
    assert (got.flags, got.hw_type, got.hw_address, got.tx_queue_len) == (0x1091, 65534, bytes(8), 500)
    bad, problems = from_sysfs("x", {**files, "flags": "zz"}, "s")
    assert bad is None and [p.path for p in problems] == ["s/flags"]


# -- never raises, always reports --------------------------------------------------------

JUNK = st.text(st.sampled_from(list("0123456789abcdef: \t\n-+x\0\x1b\udcff\u00b2lo")), max_size=400)


@given(JUNK)
def test_junk_net_dev_never_raises(text: str) -> None:
    dev = decode_net_dev(text, "j")
    assert all(isinstance(p, ParseError) and p.path == "j" for p in dev.problems)
    for name, counters in dev.counters.items():
        assert all(0 <= v < 2**64 for v in vars_of(counters)), name


def vars_of(counters: DevCounters) -> list[int]:
    import dataclasses

    return [getattr(counters, f.name) for f in dataclasses.fields(counters)]


@given(JUNK)
def test_junk_if_inet6_never_raises_and_reports_each_bad_line(text: str) -> None:
    rows, problems = decode_if_inet6(text, "j")
    filled = [line for line in text.split("\n") if line.strip(" \t\n\v\f\r")]
    assert len(rows) + len(problems) == len(filled)


@given(JUNK)
def test_junk_ifreq_never_raises_and_reports_each_bad_line(text: str) -> None:
    answers, problems = decode_ifreq("header\n" + text, "j")
    bad = {p.lineno for p in problems}
    for lineno, line in enumerate(text.split("\n"), 2):
        if line.strip():
            assert lineno in bad or line.split()[0] in answers, line


@given(st.dictionaries(st.sampled_from(["mtu", "tx_queue_len", "type", "address", "flags", "operstate"]), JUNK))
def test_junk_sysfs_never_raises(files: dict[str, str]) -> None:
    answer, problems = from_sysfs("x", files, "s")
    assert answer is not None or "flags" not in files or problems


@given(JUNK, JUNK)
def test_junk_snapshot_never_raises_in_the_cli(dev: str, inet6: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        snap = FakeProc(tmp).table("dev", dev).table("if_inet6", inet6).file("kernel/ifreq", encode_ifreq([IfReq("lo", 0x49, 65536, 1000, 772)]))
        for flags in ("-ia", "-iae"):
            run = netread_snapshot(snap.root, [flags])
            assert run.status in (0, 1)
            assert "Traceback" not in run.stderr


# -- formats -------------------------------------------------------------------------------


def test_byte_units() -> None:
    assert [render.human_bytes(v) for v in (0, 1024, 1025, 2**50, 2**50 + 1, 2**60 + 1, 2**64 - 1)] == [
        "0.0 B", "1024.0 B", "1.0 KiB", "1024.0 TiB", "1.0 PiB", "1.0 EiB", "16.0 EiB",
    ]  # fmt: skip


def test_short_and_long_of_one_interface() -> None:
    answer = IfReq("eth0", 0x1043, 1400, 1000, 1, bytes.fromhex("02fc000000010000"),
                   inet=Inet4(Address("192.0.2.2"), Address("255.255.255.0"), Address("192.0.2.255"), Address("192.0.2.2")))  # fmt: skip
    counters = DevCounters(rx_bytes=230566494, rx_packets=12399, tx_bytes=1144797, tx_packets=10122)
    inet6 = decode_if_inet6("fd000000000000000000000000000002 02 40 00 80     eth0\n")[0]
    row = Interface(answer, counters, inet6)
    assert render.short_row(row) == "eth0             1400    12399      0      0 0         10122      0      0      0 BMRU\n"
    assert render.long_block(row) == (
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n"
        "        inet 192.0.2.2  netmask 255.255.255.0  broadcast 192.0.2.255\n"
        "        inet6 fd00::2  prefixlen 64  scopeid 0x0<global>\n"
        "        ether 02:fc:00:00:00:01  txqueuelen 1000  (Ethernet)\n"
        "        RX packets 12399  bytes 230566494 (219.8 MiB)\n"
        "        RX errors 0  dropped 0  overruns 0  frame 0\n"
        "        TX packets 10122  bytes 1144797 (1.0 MiB)\n"
        "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n"
        "\n"
    )


def test_a_name_with_an_escape_is_shown_escaped() -> None:
    row = Interface(IfReq("a\x1b[31m", 0x1), None)
    assert "\x1b" not in render.short_row(row) and "\\x1b" in render.short_row(row)
    assert "\x1b" not in render.long_block(row)


def test_ipv4_ioctl_failures_print_none_set() -> None:
    row = Interface(IfReq("p0", 0x11, inet=Inet4(Address("10.0.0.1"), None, None, None)), None)
    assert "        inet 10.0.0.1  netmask [NONE SET]  destination [NONE SET]\n" in render.long_block(row)


def test_v4_mapped_if_inet6_is_dotted() -> None:
    rows, _ = decode_if_inet6("00000000000000000000ffff0a000001 03 60 00 80      br0\n")
    assert render.inet6_text(rows[0]) == "10.0.0.1"
    assert rows[0].address == ipaddress.IPv6Address("::ffff:10.0.0.1")


# -- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--interfaces=eth0"], ["-I"], ["-Ieth0"], ["-aI"]])
def test_interface_selection_is_netstats_usage_error(argv: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "netread", *argv], capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 3 and proc.stdout == b""
    assert b"netread: " in proc.stderr


def test_a_snapshot_without_kernel_answers_says_so(tmp_path: object) -> None:
    snap = FakeProc(str(tmp_path)).table("dev", HEADER + "    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")
    run = netread_snapshot(snap.root, ["-i"])
    assert run.status == 1
    assert run.stdout == b"Kernel Interface table\n" + render.HEADER.encode()
    assert "lo: error fetching interface information: Device not found" in run.stderr
    assert "netread capture" in run.stderr


def test_sysfs_snapshot_replays_without_ipv4(tmp_path: object) -> None:
    snap = FakeProc(str(tmp_path)).table("dev", HEADER + "    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n")
    for file, text in {"mtu": "65536\n", "tx_queue_len": "1000\n", "type": "772\n", "address": "00:00:00:00:00:00\n", "flags": "0x9\n", "operstate": "unknown\n"}.items():
        snap.file(f"sysfs/class/net/lo/{file}", text)
    run = netread_snapshot(snap.root, ["-ia"])
    assert run.status == 0, run.stderr
    assert run.lines[2] == "lo              65536        2      3      4 5            10     11     12     13 LRU"


def _answered_snapshot(root: object) -> FakeProc:
    answers = [
        IfReq("lo", 0x49, 65536, 1000, 772, listed=True, inet=Inet4(Address("127.0.0.1"), Address("255.0.0.0"), Address("0.0.0.0"), Address("127.0.0.1"))),
        IfReq("eth0", 0x1043, 1400, None, 1, bytes.fromhex("02fc000000010000"), listed=True, inet=Inet4(Address("192.0.2.2"), None, None, None)),
        IfReq("eth0:1", 0x1043, 1400, 1000, 1, listed=True, inet=Inet4(Address("192.0.2.9"), Address("255.255.255.0"), Address("192.0.2.255"), Address("192.0.2.9"))),
        IfReq("ifb0", 0x82, 1500, 32, 1),
    ]
    return (
        FakeProc(str(root))
        .table("dev", HEADER + "    lo: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n  eth0: 18446744073709551615 2 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  ifb0: 0\n")
        .table("if_inet6", "00000000000000000000000000000001 01 80 10 80       lo\n")
        .file("kernel/ifreq", encode_ifreq(answers))
    )


def test_json_and_ndjson_follow_the_schema(tmp_path: object) -> None:
    import json

    import jsonschema

    schema = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
    snap = _answered_snapshot(tmp_path)
    document = json.loads(netread_snapshot(snap.root, ["-ia", "--format", "json"]).stdout)
    jsonschema.validate(document, schema)
    assert [i["name"] for i in document["interfaces"]] == ["eth0", "eth0:1", "ifb0", "lo"]
    assert document["interfaces"][1]["counters"] is None and document["interfaces"][0]["counters"]["rx_bytes"] == 2**64 - 1
    up = json.loads(netread_snapshot(snap.root, ["-i", "--format", "json"]).stdout)
    assert [i["name"] for i in up["interfaces"]] == ["eth0", "eth0:1", "lo"]
    interface = {**schema["$defs"]["interface"], "$defs": schema["$defs"]}
    lines = netread_snapshot(snap.root, ["-ia", "--format", "ndjson"]).stdout.decode().splitlines()
    assert len(lines) == 4
    for line in lines:
        jsonschema.validate(json.loads(line), interface)
    csv_lines = netread_snapshot(snap.root, ["-ia", "--format", "csv"]).stdout.decode().splitlines()
    assert csv_lines[0].startswith("host,taken_at,netns,kind,name,flags,") and len(csv_lines) == 5
    assert csv_lines[4].startswith(",,,interface,lo,up|loopback|running,73,65536,1000,772,loop,Local Loopback,")


def test_explain_labels_the_columns(tmp_path: object) -> None:
    snap = _answered_snapshot(tmp_path)
    short = netread_snapshot(snap.root, ["-i", "--explain"]).stdout.decode()
    assert "\nColumns:\n" in short and "  RX-OVR  receive FIFO overruns" in short
    assert short.startswith("Kernel Interface table\n" + render.HEADER)
    long = netread_snapshot(snap.root, ["-ie", "--explain"]).stdout.decode()
    assert "  inet6 " in long.split("Columns:")[1]


def test_replayed_snapshot_text(tmp_path: object) -> None:
    snap = _answered_snapshot(tmp_path)
    run = netread_snapshot(snap.root, ["-iae"])
    assert run.status == 0, run.stderr
    text = run.stdout.decode()
    assert "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n        inet 192.0.2.2  netmask [NONE SET]  broadcast [NONE SET]\n" in text
    assert "        ether 02:fc:00:00:00:01  (Ethernet)\n        RX packets 2  bytes 18446744073709551615 (16.0 EiB)\n" in text
    assert "eth0:1: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1400\n        inet 192.0.2.9  netmask 255.255.255.0  broadcast 192.0.2.255\n        ether 00:00:00:00:00:00  txqueuelen 1000  (Ethernet)\n\n" in text
    assert "ifb0: flags=130<BROADCAST,NOARP>  mtu 1500\n" in text


NAME = st.text(st.sampled_from(list("ab01:9\udcff")), max_size=8)


@given(NAME, NAME)
def test_order_key_compares_as_nstrcmp(a: str, b: str) -> None:
    from netread.parse.dev import order_key

    ka, kb = order_key(a), order_key(b)
    assert nstrcmp(a, b) == (ka > kb) - (ka < kb)


@given(st.lists(NAME, max_size=12))
def test_interface_order_is_netstats_walk(names: list[str]) -> None:
    want: list[str] = []
    for name in names:  # lib/interface.c add_interface, as written
        at = len(want) - 1
        present = False
        while at >= 0:
            n = nstrcmp(want[at], name)
            if n == 0:
                present = True
                break
            if n < 0:
                break
            at -= 1
        if not present:
            want.insert(at + 1, name)
    assert interface_order(names) == want


def test_capture_saves_what_i_replays_also_forced_and_as_a_tarball(tmp_path: object) -> None:
    import json
    import socket
    from pathlib import Path

    from oracle import netread

    base = Path(str(tmp_path))
    assert netread(["capture", str(base / "d")]).status == 0
    assert netread(["capture", "--force", str(base / "d")]).status == 0  # its own kernel/ and sysfs/ are a capture's
    assert netread(["capture", "--tar", str(base / "s.tar.gz")]).status == 0
    manifest = json.loads((base / "d" / "snapshot.json").read_text())
    names = {name for _, name in socket.if_nameindex()}
    assert names <= set(manifest["interfaces"]["names"])
    assert manifest["interfaces"]["kernel"] == "kernel/ifreq"
    for snap in (base / "d", base / "s.tar.gz"):
        run = netread_snapshot(snap, ["-ia"])
        assert run.status == 0, run.stderr
        shown = {line.split()[0] for line in run.lines[2:] if line}
        assert names <= shown


HARDWARE = [
    (1, "02fc000000010000", 1000, "        ether 02:fc:00:00:00:01  txqueuelen 1000  (Ethernet)\n"),
    (772, "0000000000000000", 1000, "        loop  txqueuelen 1000  (Local Loopback)\n"),
    (65534, "0000000000000000", 500, "        unspec 00-00-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 500  (UNSPEC)\n"),
    (65534, "0102030405060708", None, "        unspec 01-02-03-04-05-06-07-08-00-00-00-00-00-00-00-00  (UNSPEC)\n"),
    (768, "0a000001", 1000, "        tunnel   txqueuelen 1000  (IPIP Tunnel)\n"),
    (776, "0a000001", 1000, "        sit  txqueuelen 1000  (IPv6-in-IPv4)\n"),
    (512, "", 3, "        ppp  txqueuelen 3  (Point-to-Point Protocol)\n"),
    (774, "0102030405060000", 100, "        fddi 01-02-03-04-05-06  txqueuelen 100  (Fiber Distributed Data Interface)\n"),
    (780, "0102030405060000", 100, "        hippi 01:02:03:04:05:06  txqueuelen 100  (HIPPI)\n"),
    (27, "0102030405060708", 100, "        eui64 01:02:03:04:05:06:07:08  txqueuelen 100  (Generic EUI-64)\n"),
    (7, "ab", 100, "        arcnet AB  txqueuelen 100  (ARCnet)\n"),
    (15, "ffff", 100, "        dlci -1  txqueuelen 100  (Frame Relay DLCI)\n"),
    (783, "01020380", 8, "        irda ffffff80:03:02:01  txqueuelen 8  (IrLAP)\n"),
    (32, "0102", 100, "        unspec 01-02-00-00-00-00-00-00-00-00-00-00-00-00-00-00  txqueuelen 100  (UNSPEC)\n"),
]


@pytest.mark.parametrize(("hw_type", "address", "qlen", "want"), HARDWARE, ids=[str(h[0]) + "-" + h[1] for h in HARDWARE])
def test_hardware_line(hw_type: int, address: str, qlen: int | None, want: str) -> None:
    answer = IfReq("x", 1, hw_type=hw_type, hw_address=(bytes.fromhex(address) + bytes(8))[:8], tx_queue_len=qlen)
    assert render.hardware_line(answer) == want


def test_i_ignores_stray_arguments_as_netstat(tmp_path: object) -> None:
    from pathlib import Path

    snap = _answered_snapshot(Path(str(tmp_path)) / "s")
    run = [sys.executable, "-m", "netread", "--proc", str(snap.root)]
    plain = subprocess.run([*run, "-ia"], capture_output=True, cwd=ROOT, timeout=60)
    stray = subprocess.run([*run, "-ia", "eth0", "lo"], capture_output=True, cwd=ROOT, timeout=60)
    assert plain.returncode == stray.returncode == 0 and plain.stdout == stray.stdout
