"""Many hosts' snapshots in one query: the NDJSON of three hosts (host, taken_at and netns on
every record) read by DuckDB with the README's queries, which give exactly the counts the
snapshots hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT
from fakeproc import FakeProc
from kernel_text import DgramEntry
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import format_table
from oracle import netread_snapshot

duckdb = pytest.importorskip("duckdb")

PTR = "0" * 16
#: host -> (captured_at as the manifest writes it, the same in UTC as the records carry it)
HOSTS = {
    "web1": ("2026-12-02T06:00:05+00:00", "2026-12-02T06:00:05Z"),
    "web2": ("2026-12-02T07:00:07+01:00", "2026-12-02T06:00:07Z"),
    "db1": ("2026-12-02T06:00:09+00:00", "2026-12-02T06:00:09Z"),
}
LISTEN, ESTABLISHED, CLOSE_WAIT, TIME_WAIT = 10, 1, 8, 6

#: host -> [(table, local, port, remote, port, state, inode, program)]: inode 0 is a TIME_WAIT row
#: (no owner); a program is the pid's cmdline.
SOCKETS: dict[str, list[tuple[str, str, int, str, int, int, int, str | None]]] = {
    "web1": [
        ("tcp", "0.0.0.0", 22, "0.0.0.0", 0, LISTEN, 101, "sshd"),
        ("tcp", "0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 102, "nginx"),
        ("tcp", "10.0.0.1", 80, "10.9.0.1", 50001, ESTABLISHED, 103, "nginx"),
        ("tcp", "10.0.0.1", 80, "10.9.0.2", 50002, ESTABLISHED, 104, "nginx"),
        ("tcp", "10.0.0.1", 41000, "10.0.0.3", 5432, CLOSE_WAIT, 105, "app"),
        ("tcp", "10.0.0.1", 41001, "10.0.0.3", 5432, CLOSE_WAIT, 106, "app"),
        ("tcp", "10.0.0.1", 41002, "10.0.0.3", 5432, CLOSE_WAIT, 107, "app"),
        ("tcp6", "::", 9100, "::", 0, LISTEN, 108, "node_exporter"),
    ],
    "web2": [
        ("tcp", "0.0.0.0", 22, "0.0.0.0", 0, LISTEN, 201, "sshd"),
        ("tcp", "0.0.0.0", 80, "0.0.0.0", 0, LISTEN, 202, "nginx"),
        ("tcp", "10.0.0.2", 80, "10.9.0.5", 50005, CLOSE_WAIT, 203, "nginx"),
        ("tcp", "10.0.0.2", 80, "10.9.0.6", 50006, CLOSE_WAIT, 204, "nginx"),
        ("tcp", "10.0.0.2", 41000, "10.0.0.3", 5432, CLOSE_WAIT, 205, "app"),
        ("tcp", "10.0.0.2", 80, "10.9.0.7", 50007, ESTABLISHED, 206, "nginx"),
        ("udp", "0.0.0.0", 123, "0.0.0.0", 0, 7, 207, "chronyd"),
    ],
    "db1": [
        ("tcp", "0.0.0.0", 22, "0.0.0.0", 0, LISTEN, 301, "sshd"),
        ("tcp", "0.0.0.0", 5432, "0.0.0.0", 0, LISTEN, 302, "postgres"),
        ("tcp", "10.0.0.3", 5432, "10.0.0.1", 41000, CLOSE_WAIT, 303, "postgres"),
        ("tcp", "10.0.0.3", 5432, "10.0.0.1", 41001, CLOSE_WAIT, 304, "postgres"),
        ("tcp", "10.0.0.3", 5432, "10.0.0.2", 41000, CLOSE_WAIT, 305, "postgres"),
        ("tcp", "10.0.0.3", 5432, "10.0.0.1", 41002, CLOSE_WAIT, 306, "postgres"),
        ("tcp", "10.0.0.3", 5432, "10.0.0.1", 40000, TIME_WAIT, 0, None),
        ("tcp", "10.0.0.3", 5432, "10.0.0.1", 40001, TIME_WAIT, 0, None),
    ],
}
#: db1's unix listener, held by postgres.
PG_UNIX = UnixEntry("0000000000000000", 2, 0x10000, 1, 1, 309, "/run/postgresql/.s.PGSQL.5432")
PIDS = {"sshd": 10, "nginx": 20, "app": 30, "node_exporter": 40, "chronyd": 50, "postgres": 60}


def _tcp(table: str, sl: int, local: str, lport: int, remote: str, rport: int, st: int, inode: int) -> TcpEntry:
    if st == TIME_WAIT:
        return TcpEntry(table, "timewait", sl, local, lport, remote, rport, st, 0, 0, 3, 500, 0, 0, 0, 0, 3, PTR)
    return TcpEntry(table, "full", sl, local, lport, remote, rport, st, 0, 0, 0, 0, 0, 0, 0, inode, 1, PTR)


def _snapshot(root: Path, host: str) -> FakeProc:
    tables: dict[str, list[TcpEntry | DgramEntry | UnixEntry]] = {name: [] for name in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix")}
    owned: dict[str, list[int]] = {}
    for sl, (table, local, lport, remote, rport, st, inode, program) in enumerate(SOCKETS[host]):
        if table == "udp":
            tables[table].append(DgramEntry(table, sl, local, lport, remote, rport, st, 0, 0, 0, inode, 2, PTR, 0))
        else:
            tables[table].append(_tcp(table, sl, local, lport, remote, rport, st, inode))
        if program is not None:
            owned.setdefault(program, []).append(inode)
    if host == "db1":
        tables["unix"].append(PG_UNIX)
        owned["postgres"].append(PG_UNIX.inode)
    fake = FakeProc(root).tables({name: format_table(name, entries) for name, entries in tables.items()})
    for program, inodes in owned.items():
        fake.owner(PIDS[program], f"/usr/sbin/{program}\0".encode(), inodes)
    captured_at, _ = HOSTS[host]
    return fake.manifest(format=1, captured_at=captured_at, hostname=host, byteorder="little", clk_tck=100)


def readme_queries() -> list[str]:
    """The ```sql blocks of the README's "Many hosts: fleet queries" section, in order."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Many hosts: fleet queries\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``fleet/<host>.ndjson``: ``netread --proc SNAP -tuwxanp --format ndjson`` of each host."""
    base = tmp_path_factory.mktemp("fleet")
    (base / "fleet").mkdir()
    for host in HOSTS:
        snap = _snapshot(base / "snapshots" / host, host)
        got = netread_snapshot(snap.root, ["-tuwxanp", "--format", "ndjson"])
        assert got.status == 0, got.stderr
        (base / "fleet" / f"{host}.ndjson").write_bytes(got.stdout)
    return base


def _query(fleet: Path, sql: str) -> list[tuple[object, ...]]:
    """``sql`` run by DuckDB in ``fleet``, the directory holding ``fleet/`` (as the README runs it)."""
    import os

    here = os.getcwd()
    con = duckdb.connect()
    try:
        os.chdir(fleet)
        return con.execute(sql).fetchall()  # type: ignore[no-any-return]
    finally:
        os.chdir(here)
        con.close()


def test_every_record_says_its_host_time_and_namespace(fleet: Path) -> None:
    for host, (_, taken_at) in HOSTS.items():
        records = [json.loads(line) for line in (fleet / "fleet" / f"{host}.ndjson").read_text().splitlines()]
        assert len(records) == len(SOCKETS[host]) + (host == "db1")
        assert {(r["host"], r["taken_at"], r["netns"]) for r in records} == {(host, taken_at, None)}
        assert all(list(r)[:3] == ["host", "taken_at", "netns"] for r in records)


def test_the_readme_has_the_three_queries() -> None:
    assert len(readme_queries()) == 3


def test_sockets_per_state_per_host(fleet: Path) -> None:
    assert _query(fleet, readme_queries()[0]) == [
        ("db1", "CLOSE_WAIT", 4),
        ("db1", "LISTEN", 2),
        ("db1", "LISTENING", 1),
        ("db1", "TIME_WAIT", 2),
        ("web1", "CLOSE_WAIT", 3),
        ("web1", "ESTABLISHED", 2),
        ("web1", "LISTEN", 3),
        ("web2", "CLOSE", 1),
        ("web2", "CLOSE_WAIT", 3),
        ("web2", "ESTABLISHED", 1),
        ("web2", "LISTEN", 2),
    ]


def test_top_close_wait_programs_across_the_fleet(fleet: Path) -> None:
    assert _query(fleet, readme_queries()[1]) == [
        ("app", 4, 2),
        ("postgres", 4, 1),
        ("nginx", 2, 1),
    ]


def test_listeners_on_some_hosts_but_not_others(fleet: Path) -> None:
    assert _query(fleet, readme_queries()[2]) == [
        ("tcp", "0.0.0.0", 80, ["web1", "web2"], ["db1"]),
        ("tcp", "0.0.0.0", 5432, ["db1"], ["web1", "web2"]),
        ("tcp6", "::", 9100, ["web1"], ["db1", "web2"]),
    ]


# -- where the three values come from (proc/source.py ProcSource.fleet) ----------------------------


def test_live_fleet_is_this_machines_name_the_moment_and_the_readers_namespace() -> None:
    import os

    from netread.proc.source import Fleet
    from netread.proc.source import ProcSource

    with open("/proc/sys/kernel/hostname") as handle:
        host = handle.read().rstrip("\n")
    got = ProcSource.live().fleet(now=lambda: 1_764_656_037.9)  # 2025-12-02T06:13:57.9Z: cut, not rounded
    assert got == Fleet(host, "2025-12-02T06:13:57Z", os.stat("/proc/self/ns/net").st_ino)


def test_live_ndjson_records_say_when_they_were_read() -> None:
    import datetime
    import os

    from oracle import netread

    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    run = netread(["-xa", "--format", "ndjson"])
    after = datetime.datetime.now(datetime.timezone.utc)
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert records, run.stderr
    [(host, taken_at, netns)] = {(r["host"], r["taken_at"], r["netns"]) for r in records}  # once per listing
    assert (host, netns) == (os.uname().nodename, os.stat("/proc/self/ns/net").st_ino)
    assert before <= datetime.datetime.fromisoformat(taken_at) <= after and taken_at.endswith("Z")


def test_a_snapshot_without_a_manifest_names_its_host_from_its_hostname_file(tmp_path: Path) -> None:
    from netread.proc.source import Fleet
    from netread.proc.source import ProcSource

    snap = FakeProc(tmp_path / "a").net().file("sys/kernel/hostname", "old-box\n")
    assert ProcSource.snapshot(snap.root).fleet() == Fleet("old-box", None, None)
    assert ProcSource.snapshot(FakeProc(tmp_path / "b").net().root).fleet() == Fleet(None, None, None)
    listed = FakeProc(tmp_path / "c").net().manifest(hostname="h", netns=[{"inode": 4026531840, "via": "self", "path": "net"}])
    assert ProcSource.snapshot(listed.root).fleet() == Fleet("h", None, 4026531840)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"hostname": 7}, "hostname: must be a string of 1 to 255 characters, not 7"),
        ({"hostname": ""}, "hostname: must be a string of 1 to 255 characters, not ''"),
        ({"captured_at": "yesterday"}, "captured_at: must be an ISO 8601 time, not 'yesterday'"),
        ({"captured_at": ["2026"]}, "captured_at: must be an ISO 8601 time, not list"),
    ],
    ids=["host-number", "host-empty", "time-text", "time-list"],
)
def test_a_bad_host_or_time_in_a_manifest_is_ignored_and_said(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    """As every bad manifest value (issue 14): ignored (null in the records), one warning naming
    the field, the rest of the snapshot listed; --strict makes it status 1."""
    snap = FakeProc(tmp_path).table("tcp", format_table("tcp", [_tcp("tcp", 0, "10.0.0.1", 22, "10.0.0.9", 40000, 1, 900)])).table("tcp6", format_table("tcp6", [])).manifest(**{"hostname": "h", "captured_at": "2026-12-01T10:00:00Z", **fields})
    got = netread_snapshot(snap.root, ["-tan", "--format", "ndjson"])
    assert (got.status, got.stderr) == (0, f"netread: warning: {snap.root}/snapshot.json: {message}; ignored\n")
    (record,) = map(json.loads, got.stdout.splitlines())
    kept = {"host": "h", "taken_at": "2026-12-01T10:00:00Z"}
    kept.update({"host" if "hostname" in fields else "taken_at": None})
    assert {k: record[k] for k in ("host", "taken_at", "netns")} == {**kept, "netns": None}
    assert netread_snapshot(snap.root, ["-tan", "--format", "ndjson", "--strict"]).status == 1
