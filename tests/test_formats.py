"""--format json/ndjson/csv, the filters, and the Python API."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT
from conftest import SAMPLE_PROC
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from kernel_text import TABLE_NAMES
from kernel_text import format_table
from oracle import need_oracle
from oracle import netread_snapshot
from oracle import netstat
from strategies import table_entries

from netread.model import PROTO_LABEL
from netread.render.records import CSV_KEYS

SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
SOCKET = {**SCHEMA["$defs"]["socket"], "$defs": SCHEMA["$defs"]}


def as_json(root: Path, flags: list[str]) -> dict:  # type: ignore[type-arg]
    got = netread_snapshot(root, [*flags, "--format", "json"])
    assert got.status in (0, 1), got.stderr
    return json.loads(got.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("flags", ["-tuwxanpeo", "-tuwxa", "-xl", "-Uan"])
def test_json_and_ndjson_follow_the_schema(flags: str) -> None:
    document = as_json(SAMPLE_PROC, flags.split())
    jsonschema.validate(document, SCHEMA)
    assert document["sockets"]
    lines = netread_snapshot(SAMPLE_PROC, [*flags.split(), "--format", "ndjson"]).stdout.decode().splitlines()
    assert [json.loads(line) for line in lines] == document["sockets"]
    for line in lines:
        jsonschema.validate(json.loads(line), SOCKET)
    rows = list(csv.DictReader(io.StringIO(netread_snapshot(SAMPLE_PROC, [*flags.split(), "--format", "csv"]).stdout.decode())))
    assert len(rows) == len(document["sockets"])
    assert list(rows[0]) == list(CSV_KEYS)
    for row, record in zip(rows, document["sockets"]):
        assert row["proto"] == record["proto"] and row["inode"] == str(record["inode"] if record["inode"] is not None else "")


def test_records_keep_the_kernel_facts() -> None:
    sockets = as_json(SAMPLE_PROC, ["-tuwxanp"])["sockets"]
    mapped = [s for s in sockets if s["proto"] == "tcp6" and s["local_address"].startswith("::ffff:")]
    assert mapped and mapped[0]["local_address"] == "::ffff:127.0.0.1"  # full, not netstat's 127.0.0.1
    assert {s["state"] for s in sockets if s["proto"] == "udp"} == {"CLOSE", "ESTABLISHED"}
    assert all(isinstance(s["local_port"], int) for s in sockets if s["proto"] != "unix")
    listening = [s for s in sockets if s["proto"] == "unix" and s["state"] == "LISTENING"]
    assert listening and all("ACC" in s["flags"] for s in listening)
    owned = [s for s in sockets if s["program"] == "netread-long-process-name-worker"]
    assert owned, "programs are named in full, not cut to netstat's 19 bytes"
    assert as_json(SAMPLE_PROC, ["-tan"])["sockets"][0]["pid"] is None  # owners only with -p


def _netstat_rows(text: str) -> list[tuple[str, str, str, str]]:
    """(proto, Recv-Q or RefCnt, Send-Q, inode) of each row of `netstat -e` output."""
    rows = []
    for line in text.split("\n"):
        fields = line.split()
        if not fields or fields[0] not in set(PROTO_LABEL.values()):
            continue
        if fields[0] == "unix":
            rows.append(("unix", line[6:12].strip(), "", line[50:].split()[0]))
        else:
            rows.append((fields[0], fields[1], fields[2], fields[-1]))
    return rows


def _json_rows(sockets: list[dict]) -> list[tuple[str, str, str, str]]:  # type: ignore[type-arg]
    rows = []
    for s in sockets:
        if s["proto"] == "unix":
            rows.append(("unix", str(s["refcnt"]), "", str(s["inode"])))
        else:
            rows.append((PROTO_LABEL[s["proto"]], str(s["recv_q"]), str(s["send_q"]), str(s["inode"])))
    return rows


ALL_TABLES = st.fixed_dictionaries({name: table_entries(name, max_rows=10) for name in TABLE_NAMES})


@pytest.mark.oracle
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ALL_TABLES, st.sampled_from(["-tuwxane", "-tuwxlne", "-tune", "-xne", "-tuwxUane"]))
def test_every_format_carries_exactly_the_netstat_rows(tables: dict, flags: str) -> None:  # type: ignore[type-arg]
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        FakeProc(root).tables({name: format_table(name, entries) for name, entries in tables.items()})
        want = _netstat_rows(netstat(root, flags.split()).stdout.decode("utf-8", "surrogateescape"))
        sockets = as_json(root, flags.split())["sockets"]
        assert _json_rows(sockets) == want
        lines = netread_snapshot(root, [*flags.split(), "--format", "ndjson"]).stdout.decode().splitlines()
        assert _json_rows([json.loads(line) for line in lines]) == want
        rows = list(csv.DictReader(io.StringIO(netread_snapshot(root, [*flags.split(), "--format", "csv"]).stdout.decode())))
        assert [(r["proto"], r["inode"]) for r in rows] == [(s["proto"], str(s["inode"])) for s in sockets]


# -- filters -----------------------------------------------------------------------

STATE_NAMES = ["LISTEN", "ESTABLISHED", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "SYN_RECV", "CONNECTED", "LISTENING", "UNCONNECTED"]


def brute(sockets: list[dict], f: dict[str, object]) -> list[dict]:  # type: ignore[type-arg]
    """The filters written out the obvious way, over the full JSON: --pid and --program match any holder."""
    program_of = {s["pid"]: s["program"] for s in sockets if s["pid"] is not None}
    out = []
    for s in sockets:
        if "state" in f and s["state"] not in f["state"] and not (s["state"] == "LISTENING" and "LISTEN" in f["state"]):  # type: ignore[operator]
            continue
        if "port" in f and f["port"] not in (s.get("local_port"), s.get("remote_port")):
            continue
        if "sport" in f and s.get("local_port") != f["sport"]:
            continue
        if "dport" in f and s.get("remote_port") != f["dport"]:
            continue
        if "pid" in f and f["pid"] not in (s["pids"] or []):
            continue
        if "program" in f and f["program"] not in [program_of.get(p) for p in s["pids"] or []]:
            continue
        if "user" in f and s.get("uid") != int(f["user"]):  # type: ignore[call-overload]
            continue
        out.append(s)
    return out


@st.composite
def filters(draw: st.DrawFn, sockets: list[dict]) -> dict[str, object]:  # type: ignore[type-arg]
    ports = sorted({p for s in sockets for p in (s.get("local_port"), s.get("remote_port")) if p is not None} | {22})
    pids = sorted({s["pid"] for s in sockets if s["pid"] is not None} | {1})
    programs = sorted({s["program"] for s in sockets if s["program"] is not None} | {"nobody-has-it"})
    chosen: dict[str, object] = {}
    if draw(st.booleans()):
        chosen["state"] = draw(st.lists(st.sampled_from(STATE_NAMES), min_size=1, max_size=3, unique=True))
    for key in ("port", "sport", "dport"):
        if draw(st.integers(0, 3)) == 0:
            chosen[key] = draw(st.sampled_from(ports))
    if draw(st.integers(0, 3)) == 0:
        chosen["pid"] = draw(st.sampled_from(pids))
    if draw(st.integers(0, 3)) == 0:
        chosen["program"] = draw(st.sampled_from(programs))
    if draw(st.integers(0, 3)) == 0:
        chosen["user"] = str(draw(st.sampled_from([0, 1000, 65534])))
    return chosen


def _args(f: dict[str, object]) -> list[str]:
    args = []
    for key, value in f.items():
        args += [f"--{key}", ",".join(value) if isinstance(value, list) else str(value)]  # type: ignore[arg-type]
    return args


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(ALL_TABLES, st.data())
def test_each_filter_equals_a_brute_force_filter_and_they_compose(tables: dict, data: st.DataObject) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fake = FakeProc(root).tables({name: format_table(name, entries) for name, entries in tables.items()})
        inodes = [e.inode for entries in tables.values() for e in entries if e.inode]
        for pid, owned in ((10, inodes[::2]), (11, inodes[1::3])):
            fake.owner(pid, b"/usr/bin/prog%d\0" % pid, owned)
        full = as_json(root, ["-tuwxanp"])["sockets"]
        chosen = data.draw(filters(full))
        got = as_json(root, ["-tuwxanp", *_args(chosen)])["sockets"]
        assert got == brute(full, chosen)
        # the same rows in netstat format: banners and headers stay, the rows are those
        text = netread_snapshot(root, ["-tuwxane", *_args(chosen)]).stdout.decode("utf-8", "surrogateescape")
        assert "Active Internet connections" in text and "Active UNIX domain sockets" in text
        assert _netstat_rows(text) == _json_rows(got)


def test_filter_errors_are_clear() -> None:
    from oracle import netread

    for args, text in ((["--state", "bogus"], "unknown state BOGUS"), (["--port", "70000"], "--port wants a port number"), (["--format", "xml"], "--format must be one of")):
        got = netread(["--proc", str(SAMPLE_PROC), *args])
        assert got.status == 2 and text in got.stderr


# -- the API ------------------------------------------------------------------------------


def test_api_connections_match_the_json() -> None:
    import netread

    records = [c for c in netread.connections("all", proc=SAMPLE_PROC) if c.proto != "unix"]
    sockets = [s for s in as_json(SAMPLE_PROC, ["-tuwUanp"])["sockets"] if s["proto"] in ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6")]
    assert [(c.proto, c.local_address, c.local_port, c.remote_address, c.remote_port, c.state, c.recv_q, c.send_q, c.inode, c.pid) for c in records] == [
        (s["proto"], s["local_address"], s["local_port"], s["remote_address"], s["remote_port"], s["state"], s["recv_q"], s["send_q"], s["inode"], s["pid"]) for s in sockets
    ]
    assert {c.program for c in records if c.pid} >= {"demo-web"}
    assert netread.connections("tcp4", proc=SAMPLE_PROC, owners=False)[0].pid is None
    with pytest.raises(ValueError, match="unknown kind"):
        netread.connections("sctp")
