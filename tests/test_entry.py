"""The quick command-line parser agrees with the typer application, and never imports typer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest import mock

from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from netread.cli import quick as entry
from netread.cli.request import Request

SHORTS = "tuUwx46lanWepocv"
LONGS = sorted(entry.LONG)


def _typer_flags(argv: list[str]) -> tuple[set[str], list[str], Path | None] | None:
    """What the typer application would pass to netread.cli.listing.execute for ``argv`` (None: it would not)."""
    from typer.testing import CliRunner

    from netread.cli.app import app

    seen: list[tuple[set[str], list[str], Path | None]] = []

    def fake(request: Request) -> int:
        seen.append((set(request.flags), list(request.protocol), None if request.proc is None else Path(request.proc)))
        return 0

    with mock.patch("netread.cli.listing.execute", fake):
        result = CliRunner().invoke(app, argv)
    return seen[0] if result.exit_code == 0 and seen else None


ARGS = st.lists(
    st.one_of(
        st.text(SHORTS, min_size=1, max_size=5).map(lambda s: "-" + s),
        st.sampled_from(LONGS),
        st.sampled_from([["--proc", "snap"], ["--proc=other"], ["-A", "inet"], ["--protocol", "unix,inet6"]]),
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
    flags, protocol, proc = want
    assert parsed.flags == flags and list(parsed.protocol) == protocol and parsed.proc == (None if proc is None else str(proc))


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
