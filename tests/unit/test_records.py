"""netread/render/records.py: whole records of sample_proc's sockets, the CSV flattening, findings as JSON."""

from __future__ import annotations

import ipaddress

from conftest import SAMPLE_PROC

from netread.explain.findings import Finding
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Owner
from netread.model import Table
from netread.model import UnixSocket
from netread.proc.source import ProcSource
from netread.render.records import CSV_KEYS
from netread.render.records import finding_record
from netread.render.records import flat
from netread.render.records import fleet_fields
from netread.render.records import inet_record
from netread.render.records import record_batches
from netread.render.records import unix_record
from netread.select import Options
from netread.select import plan
from netread.sockets import read_sockets

V4, V6 = ipaddress.IPv4Address, ipaddress.IPv6Address
#: A host name with a byte that is not UTF-8: written \xff in every record.
FLEET = fleet_fields("web\udcff1", "2026-12-02T06:13:57Z", 4026531840)
ESTABLISHED = InetSocket(Table.TCP, 22, 20, Endpoint(V4("127.0.0.1"), 80), Endpoint(V4("127.0.0.1"), 58362), 1, 0, 124928, 0, 0, 0, 0, 0, 5831514)


def test_an_inet_record_keeps_the_kernel_facts() -> None:
    got = inet_record(ESTABLISHED, [Owner(9089, "demo-web", "demo-web")], {0: "root"}, 100, FLEET)
    assert list(got)[:4] == ["host", "taken_at", "netns", "proto"]  # where the row comes from, first
    assert got == {
        "host": "web\\xff1", "taken_at": "2026-12-02T06:13:57Z", "netns": 4026531840,
        "proto": "tcp", "family": "inet", "local_address": "127.0.0.1", "local_port": 80,
        "remote_address": "127.0.0.1", "remote_port": 58362, "state": "ESTABLISHED", "st": 1,
        "recv_q": 124928, "send_q": 0, "uid": 0, "user": "root", "inode": 5831514,
        "timer": {"name": "off", "code": 0, "seconds": 0.0, "retransmits": 0, "probes": 0},
        "drops": None, "pid": 9089, "program": "demo-web", "pids": [9089],
    }  # fmt: skip


def test_mapped_addresses_timers_and_udp_close() -> None:
    mapped = Endpoint(V6("::ffff:127.0.0.1"), 8082)
    sock = InetSocket(Table.UDP6, 2, 0, mapped, Endpoint(V6("::"), 0), 7, 0, 0, 2, 250, 0, 1000, 0, 9, 3)
    record = inet_record(sock, None, {}, 250)
    assert (record["family"], record["local_address"], record["remote_address"], record["state"]) == ("inet6", "::ffff:127.0.0.1", "::", "CLOSE")
    assert record["timer"] == {"name": "on2", "code": 2, "seconds": 2.5, "retransmits": 0, "probes": 0}  # datagram timers tick at 100 Hz
    assert (record["user"], record["drops"], record["pid"], record["program"], record["pids"]) == (None, 3, None, None, None)
    tcp = inet_record(sock._replace(table=Table.TCP6, st=0x0D, timer=3), [], {}, 250)
    assert (tcp["state"], tcp["timer"]["name"], tcp["timer"]["seconds"], tcp["pids"]) == ("UNKNOWN", "timewait", 1.0, [])


def test_a_unix_record_and_undecodable_bytes() -> None:
    path = b"/tmp/\xff\x1b[31m".decode("utf-8", "surrogateescape")
    sock = UnixSocket(2, 0, 2, 0, 1 << 16, 5, 1, 42, path)
    assert unix_record(sock, [Owner(7, "d\udcfe", None)], FLEET) == {
        "host": "web\\xff1", "taken_at": "2026-12-02T06:13:57Z", "netns": 4026531840,
        "proto": "unix", "family": "unix", "refcnt": 2, "flags": ["ACC"], "type": "SEQPACKET",
        "state": "LISTENING", "st": 1, "inode": 42, "path": "/tmp/\\xff\x1b[31m",
        "suspect": None, "pid": 7, "program": "d\\xfe", "pids": [7],
    }  # fmt: skip
    forged = unix_record(sock._replace(suspect="forged"), None)
    assert (forged["suspect"], forged["path"], forged["inode"]) == ("forged", "/tmp/\\xff\x1b[31m", 42)
    assert (forged["host"], forged["taken_at"], forged["netns"]) == (None, None, None)  # no source given: not known
    assert flat(forged)["suspect"] == "forged"
    row = flat(unix_record(sock, [Owner(7, "d", None), Owner(8, "d", None)]))
    assert (row["flags"], row["pids"]) == ("ACC", "7|8")


def test_records_of_sample_proc_are_in_table_order_with_every_holder() -> None:
    source = ProcSource.snapshot(SAMPLE_PROC)
    sockets = read_sockets(source, plan(Options.resolve(all=True)), owners=True, users={0: "root"}.get)
    fleet = fleet_fields(*source.fleet())
    assert fleet == {"host": "vm", "taken_at": "2026-12-02T06:13:57Z", "netns": None}  # the manifest's; it lists no namespaces
    got = [r for batch in record_batches([sockets.inet or []], lambda: sockets.unix, sockets.owners, sockets.users, source.clk_tck, fleet) for r in batch]
    assert [r["proto"] for r in got] == sorted((r["proto"] for r in got), key=["tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6", "unix"].index)
    [established] = [r for r in got if r["inode"] == 5831514]
    assert established == inet_record(ESTABLISHED, [Owner(9089, "demo-web", "demo-web")], {0: "root"}, 100, fleet)
    assert all(set(flat(r)) <= set(CSV_KEYS) for r in got)
    assert {r["program"] for r in got if r["program"]} == {"demo-web", "./relname-worker", "netread-long-process-name-worker", "demo-agent"}


def test_a_finding_as_a_record() -> None:
    finding = Finding("close-wait", "warning", "2 in CLOSE_WAIT", ("program", "count"), (("9/x\udcff", "2"),), "why", "next", more=3)
    assert finding_record(finding, FLEET) == {
        "host": "web\\xff1", "taken_at": "2026-12-02T06:13:57Z", "netns": 4026531840,
        "rule": "close-wait", "severity": "warning", "summary": "2 in CLOSE_WAIT",
        "evidence": [{"program": "9/x\\xff", "count": "2"}], "more": 3, "why": "why", "next": "next",
    }  # fmt: skip
