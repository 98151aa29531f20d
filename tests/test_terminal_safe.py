"""Issue 14, class 4 and the cut of class 8: nothing from /proc, a snapshot, /etc or a name reaches
the terminal raw, in any format, and no cut text ends inside an escape."""

from __future__ import annotations

import ipaddress
import json
import re
import tarfile
import tempfile
import unicodedata
from pathlib import Path

import pytest
from conftest import examples
from fakeproc import FakeProc
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oracle import Run
from oracle import netread_snapshot

from netread.escape import escape_text
from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import Table
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import addr_do_one
from netread.render.records import CSV_KEYS
from netread.select import Options

#: What the issue lists as passing escape_text before: format controls, separators, tags.
FORMAT_CONTROLS = [
    "\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064",
    "\ufeff", "\u2028", "\u2029", "\u00ad", "\u061c", "\u180e", "\ufff9", "\ufffa", "\ufffb",
    "\U000e0001", "\U000e0041", "\U000e007f",
]  # fmt: skip

UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def assert_terminal_safe(text: str) -> None:
    """No character of the categories a terminal obeys or hides (Cc but newline, Cf, Zl, Zp) and no
    undecodable byte."""
    for ch in text:
        assert ch == "\n" or unicodedata.category(ch) not in UNSAFE, repr(ch)


HEADER_UNIX = "Num       RefCount Protocol Flags    Type St Inode Path\n"
HEADER_TCP = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
BAD_TCP = "   0: ZZ000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
TERMINAL_TRICKS = "snap\x1b]0;owned\x07\x07\x1b[2J\x1b[H\u202e"


def unix_line(inode: int, path: str) -> str:
    return f"0000000000000000: 00000002 00000000 00010000 0001 01 {inode} {path}\n"


@pytest.mark.parametrize("ch", FORMAT_CONTROLS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_format_control_is_escaped(ch: str) -> None:
    cp = ord(ch)
    want = f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"
    assert escape_text(f"/run/{ch}kcos.nim") == f"/run/{want}kcos.nim"


def test_controls_and_bytes_keep_their_escapes_and_ordinary_text_is_itself() -> None:
    assert escape_text("a\x1b[2J\x07\n\t\r\x7f\x9b\udcff") == "a\\x1b[2J\\x07\\n\\t\\r\\x7f\\xc2\\x9b\\xff"
    assert escape_text("/run/user/1000/bus café 東京 ok") == "/run/user/1000/bus café 東京 ok"
    assert escape_text("a\u00a0b\u3000c") == "a\\u00a0b\\u3000c"  # spaces that are not the space
    assert escape_text("\ue000") == "\\ue000"  # private use: Co
    assert escape_text(escape_text("x\u202e\x1b")) == escape_text("x\u202e\x1b")  # idempotent


@settings(max_examples=examples(300))
@given(st.text())
def test_escaped_text_is_printable(text: str) -> None:
    assert escape_text(text).isprintable()


def test_a_snapshot_root_with_terminal_sequences_is_escaped_in_warnings(tmp_path: Path) -> None:
    root = tmp_path / TERMINAL_TRICKS
    FakeProc(root).tables({"tcp": HEADER_TCP + BAD_TCP, "unix": HEADER_UNIX + unix_line(7, "/run/\u202ekcos.nim")})
    got = netread_snapshot(root, ["-txa"])
    assert got.status == 0
    shown = escape_text(str(root))
    assert shown.endswith("snap\\x1b]0;owned\\x07\\x07\\x1b[2J\\x1b[H\\u202e")
    assert got.stderr == (
        f"netread: warning: {shown}/net/tcp:2: field local_address: bad value 'ZZ000000:0016': want HEXADDRESS:HEXPORT;"
        f" line: {BAD_TCP.strip()}\n"
        "netread: 1 problem in the tables (each named above); every other row is shown\n"
    )
    assert got.stdout.decode().endswith("unix  2      [ ACC ]     STREAM     LISTENING     7        /run/\\u202ekcos.nim\n")


def test_a_tarball_whose_top_directory_holds_a_title_sequence(tmp_path: Path) -> None:
    top = tmp_path / TERMINAL_TRICKS
    FakeProc(top).tables({"tcp": HEADER_TCP + BAD_TCP})
    tarball = tmp_path / "snap.tar"
    with tarfile.open(tarball, "w") as tar:
        tar.add(top, arcname=TERMINAL_TRICKS)
    got = netread_snapshot(tarball, ["-ta"])
    assert got.status == 0, got.stderr
    assert "warning:" in got.stderr and "net/tcp:2: field local_address" in got.stderr
    assert_terminal_safe(got.stderr)


def test_an_unreadable_root_named_with_controls_is_one_escaped_line(tmp_path: Path) -> None:
    root = tmp_path / TERMINAL_TRICKS
    got = netread_snapshot(root, ["-ta"])
    assert got.status != 0 and "Traceback" not in got.stderr
    assert got.stderr.count("\n") == 1 and "\\x1b]0;owned\\x07" in got.stderr
    assert_terminal_safe(got.stderr)


def test_a_reversed_path_in_every_format(tmp_path: Path) -> None:
    path = "/run/\u202ekcos.nim\u200b"
    FakeProc(tmp_path).tables({"unix": HEADER_UNIX + unix_line(7, path)})
    text = netread_snapshot(tmp_path, ["-xa"]).stdout.decode()
    assert text.splitlines()[-1] == "unix  2      [ ACC ]     STREAM     LISTENING     7        /run/\\u202ekcos.nim\\u200b"
    explained = netread_snapshot(tmp_path, ["-xa", "--explain"]).stdout.decode()
    assert "/run/\\u202ekcos.nim\\u200b" in explained
    assert_terminal_safe(explained)
    # JSON is data: the exact value, every non-ASCII character written \uXXXX by the encoder.
    document = netread_snapshot(tmp_path, ["-xa", "--format", "json"]).stdout
    assert document.isascii() and b"\\u202e" in document
    assert json.loads(document)["sockets"][0]["path"] == path
    (record,) = [json.loads(line) for line in netread_snapshot(tmp_path, ["-xa", "--format", "ndjson"]).stdout.splitlines()]
    assert record["path"] == path
    csv_text = netread_snapshot(tmp_path, ["-xa", "--format", "csv"]).stdout.decode()
    assert csv_text.splitlines()[1].split(",")[CSV_KEYS.index("path")] == "/run/\\u202ekcos.nim\\u200b"


# -- the cut (class 8): netstat cuts the bytes; the cut text is escaped, never an escape cut ----------


class Names:
    def __init__(self, hosts: dict[str, str], services: dict[int, str] | None = None) -> None:
        self.hosts = hosts
        self.services = services or {}

    def host(self, address: IPAddress) -> str | None:
        return self.hosts.get(str(address))

    def service(self, port: int, proto: str) -> str | None:
        return self.services.get(port)


def _sock(local: str, lport: int, remote: str, rport: int) -> InetSocket:
    A = ipaddress.ip_address
    fields = {"tx_queue": 0, "rx_queue": 0, "timer": 0, "when": 0, "retrnsmt": 0, "uid": 0, "timeout": 0, "inode": 7}
    return InetSocket(Table.TCP, 2, 0, Endpoint(A(local), lport), Endpoint(A(remote), rport), 1, **fields)  # type: ignore[arg-type]


PARTIAL = re.compile(r"\\(x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})$")


def test_a_host_name_is_cut_before_it_is_escaped() -> None:
    host = "h" * 17 + "\x1b" + "zzzz"  # escaped first and then cut, the column ended in "\x"
    fmt = NetstatFormatter(Options.resolve(), names=Names({"10.0.0.1": host}, {22: "ssh"}))
    assert fmt.address(ipaddress.ip_address("10.0.0.1"), 22, "tcp") == "h" * 17 + "\\x1bz:ssh"
    wide = NetstatFormatter(Options.resolve(wide=True), names=Names({"10.0.0.1": host}, {22: "ssh"}))
    assert wide.address(ipaddress.ip_address("10.0.0.1"), 22, "tcp") == "h" * 17 + "\\x1bzzzz:ssh"
    row = fmt.inet_row(_sock("10.0.0.1", 22, "0.0.0.0", 0))
    assert row.startswith("tcp        0      0 " + "h" * 17 + "\\x1bz:ssh 0.0.0.0:*")


@settings(max_examples=examples(300), deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=25), st.booleans())
@example("h" * 17 + "\u202e" + "zz", "ssh", False)
@example("é" * 12, "x", False)
def test_no_cut_ends_in_part_of_an_escape(host: str, service: str, wide: bool) -> None:
    fmt = NetstatFormatter(Options.resolve(wide=wide), names=Names({"10.0.0.1": host}, {22: service}))
    shown = fmt.address(ipaddress.ip_address("10.0.0.1"), 22, "tcp")
    raw = addr_do_one(host.encode("utf-8", "surrogateescape"), service.encode("utf-8", "surrogateescape"), b":", wide)
    assert shown == escape_text(raw.decode("utf-8", "surrogateescape"))  # netstat's bytes, then escaped
    assert shown.isprintable() and not PARTIAL.search(shown.rsplit(":", 1)[0])
    if (host + service).isprintable() and (host + service).isascii():
        assert shown == addr_do_one(host, service, ":", wide)  # ordinary names: netstat's text


# -- the property: random names everywhere, every format, never a raw control on stdout or stderr ---

NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\n\x00/"), min_size=1, max_size=12) | st.sampled_from(
    [TERMINAL_TRICKS.replace("/", ""), "\u202egnp.exe", "\u2028x", "a\u00adb"]
)
FLAGS = ["-txa", "-txae", "-txap", "-txaWep", "-txa --explain", "-txap --format json", "-txa --format ndjson", "-txape --format csv"]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(NAMES, NAMES, NAMES, NAMES, st.sampled_from(FLAGS))
def test_random_names_never_reach_the_terminal_raw(root_name: str, path: str, program: str, user: str, flags: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / root_name
        good = unix_line(4242, "@" + path)
        FakeProc(root).tables(
            {
                "unix": HEADER_UNIX + good,
                "tcp": HEADER_TCP
                + BAD_TCP
                + "   1: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0 100 0 0 10 0\n",
            }
        ).manifest(users={"1000": user})
        FakeProc(root).process(99, program.encode("utf-8", "surrogateescape") + b"\0--secret", {3: "socket:[4242]", 4: "socket:[777]"})
        got = netread_snapshot(root, [*flags.split(), "--numeric-hosts"])
        assert got.status == 0, got.stderr
        assert "Traceback" not in got.stderr and "field local_address" in got.stderr
        assert_terminal_safe(got.stdout.decode("utf-8"))
        assert_terminal_safe(got.stderr)


# -- class 7: CSV is exact data; the README says how to open it in a spreadsheet safely ---------------


def test_csv_keeps_formula_looking_cells_exact_and_no_cell_starts_with_tab_or_cr(tmp_path: Path) -> None:
    import csv
    import io

    paths = ["@=HYPERLINK(\"http://x\")", "=1+2", "+SUM(A1)", "-2+3", "@abstract", "\t=cmd", "\r=cmd"]
    FakeProc(tmp_path).tables({"unix": HEADER_UNIX + "".join(unix_line(10 + i, p) for i, p in enumerate(paths))})
    FakeProc(tmp_path).process(99, b"=cmd|' /C calc'!A0\0arg", {3: "socket:[10]"})
    out = netread_snapshot(tmp_path, ["-xap", "--format", "csv"]).stdout.decode()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["path"] for r in rows] == ["@=HYPERLINK(\"http://x\")", "=1+2", "+SUM(A1)", "-2+3", "@abstract", "\\t=cmd", "\\r=cmd"]
    assert rows[0]["program"] == "=cmd|' /C calc'!A0"
    for line in out.splitlines():
        assert not any(cell[:1] in ("\t", "\r") for cell in line.split(","))


def _with_etc(tmp: Path, rows: str, etc: dict[str, str], runs: list[list[str]]) -> list[Run]:
    """netread's runs of ``runs`` over a tcp table of ``rows``, with ``etc`` as its /etc (oracle.netread_etc)."""
    from oracle import netread_etc
    from oracle import write_etc

    root = FakeProc(tmp / "proc").table("tcp", HEADER_TCP + rows).root
    return netread_etc(root, runs, write_etc(tmp / "etc", etc))


@pytest.mark.oracle
def test_host_and_service_names_from_etc_are_escaped_in_every_terminal_format(tmp_path: Path) -> None:
    rows = (
        "   0: 0100007F:0016 0200007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 20 4 30 10 -1\n"
        "   1: 0100007F:0017 0300007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1\n"
    )
    etc = {
        "hosts": "127.0.0.1 plain\n127.0.0.2 \u202emoc.knab\u2066\n127.0.0.3 zero\u200bwidth\u2028x\n",
        "services": "s\ufeffsh 22/tcp\nhttp\u00adalt 8080/tcp\ntelnet 23/tcp\n",
        "nsswitch.conf": "hosts: files\nservices: files\nprotocols: files\n",
    }
    text, wide, explained = _with_etc(tmp_path, rows, etc, [["-ta"], ["-taW"], ["-ta", "--explain"]])
    # netstat's cut is on bytes: 14 + 9 bytes > 22, so the host keeps 13, ending in 2 bytes of U+2066.
    assert "tcp        0      0 plain:s\\ufeffsh         \\u202emoc.knab\\xe2\\x81:http\\u00adalt ESTABLISHED" in text.lines
    assert "tcp        0      0 plain:telnet            zero\\u200bwidth\\xe2:http\\u00adalt ESTABLISHED" in text.lines
    assert "tcp        0      0 plain:s\\ufeffsh         \\u202emoc.knab\\u2066:http\\u00adalt ESTABLISHED" in wide.lines
    assert "tcp        0      0 plain:telnet            zero\\u200bwidth\\u2028x:http\\u00adalt ESTABLISHED" in wide.lines
    for run in (text, wide, explained):
        assert_terminal_safe(run.stdout.decode("utf-8"))
        assert_terminal_safe(run.stderr)


ETC_NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\n\x00#"), min_size=1, max_size=14).filter(
    lambda name: not name.isspace() and not any(ch in " \t\r\x0b\x0c" for ch in name)
)


@pytest.mark.oracle
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(hosts=st.lists(ETC_NAMES, min_size=3, max_size=3), services=st.lists(ETC_NAMES, min_size=2, max_size=2))
def test_random_etc_names_never_reach_the_terminal_raw(hosts: list[str], services: list[str], tmp_path_factory: pytest.TempPathFactory) -> None:
    rows = (
        "   0: 0100007F:0016 0200007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 100 1 0000000000000000 20 4 30 10 -1\n"
        "   1: 0300007F:0017 0200007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1\n"
    )
    etc = {
        "hosts": "".join(f"127.0.0.{i + 1} {name}\n" for i, name in enumerate(hosts)),
        "services": f"{services[0]} 22/tcp\n{services[1]} 8080/tcp\n",
        "passwd": f"root:x:0:0::/root:/bin/sh\n{hosts[0]}:x:1000:1000::/:/bin/sh\n",
        "nsswitch.conf": "passwd: files\nhosts: files\nservices: files\nprotocols: files\n",
    }
    flags = [["-ta"], ["-taW"], ["-tae"], ["-ta", "--explain"], ["-tae", "--format", "csv"], ["-tae", "--format", "json"]]
    for run in _with_etc(tmp_path_factory.mktemp("etc-names"), rows, etc, flags):
        assert run.status == 0, run.stderr
        assert_terminal_safe(run.stdout.decode("utf-8"))
        assert_terminal_safe(run.stderr)
