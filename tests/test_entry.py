"""The quick command-line parser agrees with the typer application, and never imports typer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from netread.cli import quick as entry
from netread.cli.request import Request

SHORTS = "tuUwx46lanWepocvNCFd"
LONGS = sorted(entry.LONG)


def _typer_flags(argv: list[str]) -> tuple[set[str], list[str], Path | None, str | None] | None:
    """What the typer application would pass to netread.cli.listing.execute for ``argv`` (None: it would not)."""
    from typer.testing import CliRunner

    from netread.cli.app import app

    seen: list[tuple[set[str], list[str], Path | None, str | None]] = []

    def fake(request: Request) -> int:
        seen.append((set(request.flags), list(request.protocol), None if request.proc is None else Path(request.proc), request.netns))
        return 0

    with mock.patch("netread.cli.listing.execute", fake):
        result = CliRunner().invoke(app, argv)
    return seen[0] if result.exit_code == 0 and seen else None


ARGS = st.lists(
    st.one_of(
        st.text(SHORTS, min_size=1, max_size=5).map(lambda s: "-" + s),
        st.sampled_from(LONGS),
        st.sampled_from([["--proc", "snap"], ["--proc=other"], ["-A", "inet"], ["--protocol", "unix,inet6"], ["--netns", "all"], ["--netns=42"]]),
    ),
    max_size=5,
).map(lambda parts: [a for p in parts for a in ([p] if isinstance(p, str) else p)])


@given(ARGS)
def test_quick_parse_agrees_with_typer(argv: list[str]) -> None:
    parsed = entry.quick_parse(argv)
    want = _typer_flags(argv)
    if parsed is None:
        return  # typer handles it
    assert want is not None
    flags, protocol, proc, netns = want
    assert parsed.flags == flags and list(parsed.protocol) == protocol and parsed.proc == (None if proc is None else str(proc)) and parsed.netns == netns


def test_anything_else_goes_to_typer() -> None:
    for argv in (["--help"], ["-h"], ["-V"], ["capture", "d"], ["--explain-line", "x"], ["-tz"], ["--tcpp"], ["-Ainet"], ["--proc"], ["--proc", "a", "--proc", "b"]):
        assert entry.quick_parse(argv) is None, argv


def test_a_plain_listing_does_not_import_typer() -> None:
    # the live /proc (a --proc snapshot is opened with pathlib, which is fine there)
    code = "import sys; sys.argv = ['netread', '-tuwxan']\nfrom netread.cli.quick import quick_parse\nfrom netread.cli.listing import execute\np = quick_parse(sys.argv[1:])\nexecute(p)\nprint('typer' in sys.modules, 'dataclasses' in sys.modules, 'pathlib' in sys.modules, file=sys.stderr)"
    # -S: no site, so an editable install's import hook (which imports pathlib) stays out of the count
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(ROOT / "sample_proc")], capture_output=True, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().strip().endswith("False False False")
    assert b"Active Internet connections" in proc.stdout


#: What the start-up of a listing must not import (issue 13: the start-up is 2x the bare interpreter at most).
HEAVY = ("typing", "enum", "ipaddress", "functools", "contextlib", "dataclasses", "pathlib", "json", "subprocess", "threading", "socket", "typer")


def _imported(argv: list[str]) -> tuple[set[str], bytes]:
    code = (
        "import sys; before = set(sys.modules); sys.argv = ['netread', *sys.argv[1:]]\n"
        "from netread.cli import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(set(sys.modules) - before)), file=sys.stderr)"
    )
    # -S: no site, so an editable install's import hook (which imports pathlib) stays out of the count
    proc = subprocess.run([sys.executable, "-S", "-c", code, *argv], capture_output=True, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stderr.decode().split()), proc.stdout


def test_an_empty_listing_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "net").mkdir()
    for table in ("tcp", "tcp6"):
        (tmp_path / "net" / table).write_text("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
    modules, out = _imported(["--proc", str(tmp_path), "-tan"])
    assert out == b"Active Internet connections (servers and established)\nProto Recv-Q Send-Q Local Address           Foreign Address         State      \n"
    # no rows, no pattern: re (and the columnar parser that compiles its patterns) come with the first row
    assert not modules & {*HEAVY, "re", "netread.parse.inet_columns"}, modules & {*HEAVY, "re"}


def test_a_listing_with_rows_imports_re_and_nothing_heavier() -> None:
    modules, out = _imported(["--proc", str(ROOT / "sample_proc"), "-tuwxan"])
    assert b"Active UNIX domain sockets" in out
    assert "re" in modules and "netread.parse.inet_columns" in modules
    # re brings enum and functools; the snapshot's manifest is json; IPv6 text is socket.inet_ntop's
    assert not modules & set(HEAVY) - {"enum", "functools", "json", "socket"}, modules & set(HEAVY)



def test_the_command_is_our_script_without_re() -> None:
    """bin/netread, installed by script-files: a generated console-script wrapper imports re first."""
    script = (ROOT / "bin" / "netread").read_text()
    assert script.startswith("#!python\n") and "import re" not in script and "from netread.cli import run" in script
    argv = [sys.executable, "-S", str(ROOT / "bin" / "netread"), "--proc", str(ROOT / "sample_proc"), "-tn"]
    proc = subprocess.run(argv, capture_output=True, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith(b"Active Internet connections (w/o servers)\n"), proc.stderr


def test_a_listing_does_not_import_the_statistics_mode() -> None:
    """-s's parser, renderer and mode come only with -s (netread/cli/modes.py imports them)."""
    statistics = {"netread.cli.mode_statistics", "netread.parse.netstat_counters", "netread.render.netstat_stats", "netread.explain.counters"}
    modules, _ = _imported(["--proc", str(ROOT / "sample_proc"), "-tuwxan"])
    assert not modules & statistics


@pytest.mark.parametrize(
    "argv",
    [["-tn", "-6", "-4"], ["-4", "-A", "inet6,unix", "-x"], ["--inet6", "--protocol=inet", "-4"], ["-x46", "-6"], ["-tuwxan"]],
)
def test_quick_parse_and_typer_list_the_families_in_order(argv: list[str]) -> None:
    """netstat's afname order (-s accepts exactly one family): both parsers keep it, repeats too."""
    from typer.testing import CliRunner

    from netread.cli.app import app

    seen: list[Request] = []
    with mock.patch("netread.cli.listing.execute", lambda request: seen.append(request) or 0):
        CliRunner().invoke(app, argv)
    quick = entry.quick_parse(argv)
    assert quick is not None and seen and quick.families == seen[0].families


def test_a_listing_of_every_namespace_starts_without_typer() -> None:
    """--netns all takes the quick parser's path: typer costs ~50 ms, more than a namespace's tables."""
    code = "import sys, netread.cli as c; sys.argv = ['netread', '--netns', 'all', '-tuwxan']\ntry:\n    c.run()\nexcept SystemExit:\n    pass\nprint('typer' in sys.modules, file=sys.stderr)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")}, timeout=60)
    assert proc.stderr.decode().strip().endswith("False"), proc.stderr
