"""netread diff with hostile bytes in every place a side can put them (a snapshot's directory name,
a unix path, a program's name; escapes, a bidi override, undecodable bytes): the text, --explain and
the events show them escaped, never raw, and the output is pinned byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT
from fakeproc import FakeProc
from kernel_text import TcpEntry
from kernel_text import UnixEntry
from kernel_text import format_table
from kernel_text import header_line
from oracle import netread

PTR = "0000000000000000"
_SCHEMA = json.loads((ROOT / "netread" / "schema" / "netread.schema.json").read_text())
#: The schema's diff document and event, each with the definitions they refer to.
DOCUMENT = {**_SCHEMA["$defs"]["diff_document"], "$defs": _SCHEMA["$defs"]}
EVENT = {**_SCHEMA["$defs"]["diff_event"], "$defs": _SCHEMA["$defs"]}
LISTEN = TcpEntry("tcp", "full", 0, "0.0.0.0", 80, "0.0.0.0", 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 1001, 2, PTR)
CONN = TcpEntry("tcp", "full", 0, "10.0.0.1", 80, "10.0.0.9", 40000, 0x01, 0, 0, 0, 0, 0, 0, 0, 1002, 2, PTR)
#: A path that clears the screen, turns text red and reverses the line, with a byte that is not UTF-8.
PATH = "/tmp/\x1b[2J\x1b[31mred\u202e\udcff"
EVIL = b"/bin/ev\x1b]0;owned\x07il\xff\0-d\0"
PLAIN = b"/usr/sbin/web\0"
#: The directory of side A: an OSC title sequence in its name.
SIDE_A = "a\x1b]0;t\x07"


def _snapshot(root: Path, rows: list[TcpEntry], unix: list[UnixEntry], owners: dict[int, tuple[bytes, list[int]]]) -> Path:
    snap = FakeProc(root).table("tcp", format_table("tcp", rows)).table("udp", header_line("udp")).table("unix", format_table("unix", unix))
    for pid, (cmdline, inodes) in owners.items():
        snap.owner(pid, cmdline, inodes)
    return root


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    """A: web holds the listener and the connection, evil holds the unix listener at PATH.
    B: the unix listener is gone, the connection passed to evil, evil opened a second one."""
    unix = UnixEntry(PTR, 2, 1 << 16, 1, 1, 900, PATH)
    second = TcpEntry("tcp", "full", 0, "10.0.0.1", 80, "10.0.0.8", 40001, 0x01, 0, 0, 0, 0, 0, 0, 0, 1003, 2, PTR)
    a = _snapshot(tmp_path / SIDE_A, [LISTEN, CONN], [unix], {7: (PLAIN, [1001, 1002]), 8: (EVIL, [900])})
    b = _snapshot(tmp_path / "b", [LISTEN, CONN, second], [], {7: (PLAIN, [1001]), 8: (EVIL, [1002, 1003])})
    return a, b


def test_text_and_explain_show_hostile_bytes_escaped(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    got = netread(["diff", str(a), str(b), "-tuxanp", "--explain"])
    assert (got.status, got.stderr) == (0, "")
    evil = r"8/ev\x1b]0;owned\x07il\xff"
    path = r"/tmp/\x1b[2J\x1b[31mred\u202e\xff"
    assert got.stdout.decode("ascii") == (
        f"Changes from {tmp_path}/a\\x1b]0;t\\x07 to {tmp_path}/b\n"
        "  Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
        f"~ tcp        0      0 10.0.0.1:80             10.0.0.9:40000          ESTABLISHED {evil:<20} [program 7/web -> {evil}]\n"
        f"+ tcp        0      0 10.0.0.1:80             10.0.0.8:40001          ESTABLISHED {evil}\n"
        "  Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path\n"
        f"- unix  2      [ ACC ]     STREAM     LISTENING     900      {evil} {path}\n"
        "1 opened, 1 closed, 1 changed\n"
        "Programs holding more sockets in a state:\n"
        r"  ev\x1b]0;owned\x07il\xff: ESTABLISHED 0 -> 2 (+2)" "\n"
        "What it likely means:\n"
        f"  - the listener {path} ({evil}) is gone: its service stopped, or moved to another address or port\n"
    )


def test_events_keep_the_text_and_escape_only_what_json_cannot_carry(tmp_path: Path) -> None:
    """The events are records as the listing's JSON makes them: control characters as JSON escapes
    (\\u001b: a terminal shows them as text), undecodable bytes as \\xff, and the document follows the schema."""
    a, b = _pair(tmp_path)
    got = netread(["diff", str(a), str(b), "-tuxanp", "--format", "json"])
    assert (got.status, got.stderr) == (0, "")
    assert b"\x1b" not in got.stdout and b"\x07" not in got.stdout
    document = json.loads(got.stdout)
    jsonschema.validate(document, DOCUMENT)
    assert document["before"]["label"] == f"{tmp_path}/{SIDE_A}"
    events = document["events"]
    changed, opened, closed, grew = events
    assert changed["changed"] == {"program": ["7/web", "8/ev\x1b]0;owned\x07il\\xff"]}
    assert (opened["after"]["program"], opened["after"]["pid"]) == ("ev\x1b]0;owned\x07il\\xff", 8)
    assert (closed["proto"], closed["before"]["path"], closed["before"]["program"]) == ("unix", "/tmp/\x1b[2J\x1b[31mred\u202e\\xff", "ev\x1b]0;owned\x07il\\xff")
    assert grew == {"event": "grew", "host": None, "taken_at": None, "netns": None, "program": "ev\x1b]0;owned\x07il\\xff", "state": "ESTABLISHED", "before": 0, "after": 2}
    lines = netread(["diff", str(a), str(b), "-tuxanp", "--format", "ndjson"]).stdout.splitlines()
    assert [json.loads(line) for line in lines] == events
    for event in events:
        jsonschema.validate(event, EVENT)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-Z"], "netread: No such option: -Z\n"),
        (["--numeric-hostz"], "netread: No such option: --numeric-hostz (Possible options: --numeric, --numeric-hosts, --numeric-ports)\n"),
        (["--\x1b[2J"], "netread: No such option: --\\x1b[2J\n"),
        (["--format"], "netread diff: --format needs a value\n"),
    ],
    ids=["unknown-short", "unknown-long", "hostile-option", "no-value"],
)
def test_a_listing_flag_diff_cannot_take_is_a_usage_error(tmp_path: Path, args: list[str], said: str) -> None:
    """Flags the quick parser leaves to typer: typer's own usage error (its click is typer._click,
    not the click package), said once and escaped, status 2, no traceback."""
    a = _snapshot(tmp_path / "a", [LISTEN], [], {})
    got = netread(["diff", str(a), str(a), *args])
    assert (got.status, got.stdout, got.stderr) == (2, b"", said)


def test_both_sides_live_is_a_usage_error() -> None:
    got = netread(["diff", "-", "-", "-tan"])
    assert (got.status, got.stdout, got.stderr) == (2, b"", "netread diff: at most one side can be the live system (-)\n")


def test_explain_writes_ipv6_endpoints_in_brackets(tmp_path: Path) -> None:
    """``[::1]:8081``, not ``::1:8081`` (which reads as an address); a mapped address as records write it."""
    lo = TcpEntry("tcp6", "full", 0, "::1", 8081, "::", 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 2001, 2, PTR)
    mapped = TcpEntry("tcp6", "full", 0, "::ffff:127.0.0.1", 9090, "::", 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 2002, 2, PTR)
    a = FakeProc(tmp_path / "a").table("tcp", header_line("tcp")).table("tcp6", format_table("tcp6", [lo, mapped])).root
    b = FakeProc(tmp_path / "b").table("tcp", header_line("tcp")).table("tcp6", header_line("tcp6")).root
    got = netread(["diff", str(a), str(b), "-tln", "--explain"])
    assert (got.status, got.stderr) == (0, "")
    assert got.stdout.decode().splitlines()[-2:] == [
        "  - the listener [::1]:8081 is gone: its service stopped, or moved to another address or port",
        "  - the listener [::ffff:127.0.0.1]:9090 is gone: its service stopped, or moved to another address or port",
    ]
