"""Run real net-tools netstat and netread on the same /proc tree, and compare.

The oracle bind-mounts a snapshot directory over /proc inside a private mount
namespace (``unshare -m``), so netstat reads the snapshot's files as its own.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netread.cli import app

ORACLE_SCRIPT = 'mount --bind "$0" /proc && exec netstat "$@"'


@dataclasses.dataclass(frozen=True)
class Run:
    status: int
    stdout: bytes
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.decode("utf-8", "surrogateescape").split("\n")


@functools.cache
def oracle_refusal() -> str | None:
    """Why the oracle cannot run here, or None when it can.

    Only a refused ``unshare``/``mount`` is a reason to skip; a missing netstat
    is a broken test machine and fails the tests instead (.ci/run installs it).
    """
    if shutil.which("netstat") is None:
        pytest.fail("netstat is not installed: .ci/run installs net-tools")
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "net").mkdir()
        proc = subprocess.run(
            ["unshare", "-m", "sh", "-c", ORACLE_SCRIPT, tmp, "-xa"],
            capture_output=True,
            env={**os.environ, "LC_ALL": "C"},
            timeout=30,
        )
    if proc.returncode not in (0, 1):
        return f"unshare -m / mount --bind refused here: {proc.stderr.decode(errors='replace').strip()}"
    return None


def need_oracle() -> None:
    reason = oracle_refusal()
    if reason is not None:
        pytest.skip(f"oracle unavailable: {reason}")


def netstat(root: Path, args: Sequence[str]) -> Run:
    """Real netstat reading ``root`` as /proc."""
    need_oracle()
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", ORACLE_SCRIPT, str(Path(root).resolve()), *args],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C"},
        timeout=60,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


_RUNNER = CliRunner()


def netread(args: Sequence[str]) -> Run:
    """netread's CLI, in-process."""
    result = _RUNNER.invoke(app, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout_bytes, result.stderr)


def netread_snapshot(root: Path, args: Sequence[str]) -> Run:
    return netread(["--proc", str(root), *args])


Allowed = Callable[[str], bool]


def assert_same(want: Run, got: Run, *, netread_only: Allowed | None = None, netstat_only: Allowed | None = None) -> None:
    """Byte-for-byte equality of stdout and equal exit status.

    Lines may differ only where a named deliberate difference allows it:
    ``netread_only(line)`` approves a line only netread printed, and
    ``netstat_only(line)`` one only netstat printed.
    """
    assert got.status == want.status, (want.status, got.status, got.stderr)
    if want.stdout == got.stdout:
        return
    import difflib

    unexplained = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=want.lines, b=got.lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for line in want.lines[i1:i2]:
            if netstat_only is None or not netstat_only(line):
                unexplained.append("- " + line)
        for line in got.lines[j1:j2]:
            if netread_only is None or not netread_only(line):
                unexplained.append("+ " + line)
    assert not unexplained, "netread differs from netstat:\n" + "\n".join(unexplained)
