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
import sys
import tempfile
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

import pytest
from fakeproc import FakeProc
from typer.testing import CliRunner

from netread.cli.app import app

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
        FakeProc(tmp).net()
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


def netread_argv_snapshot(root: Path, args: list[str]) -> Run:
    """netread in-process, its command line read first as the entry point reads it (cli/argv.py:
    netstat's getopt, family order and aliases, -s -r usage errors), then ``--proc root``."""
    from netread.cli.argv import read_argv

    reading = read_argv([*args, "--proc", str(root)])
    if reading.action == "run":
        return netread(list(reading.argv))
    return Run(3 if reading.action == "usage" else reading.status, b"", reading.message or "")


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


# ---------------------------------------------------------------------------
# Name resolution: both tools read the same /etc inside a mount namespace.
# ---------------------------------------------------------------------------

#: Files the resolver tests replace; each exists (maybe empty) in the /etc copy.
ETC_FILES = ("hosts", "networks", "services", "protocols", "passwd", "group", "nsswitch.conf", "resolv.conf")

# $0 = the /etc copy, $1 = a directory of replacement files, then the command.
_ETC_SCRIPT = (
    'base=$0; over=$1; shift; mount --bind "$base" /etc || exit 97; '
    'for f in "$over"/*; do mount --bind "$f" "/etc/${f##*/}" || exit 97; done; exec "$@"'
)
_BATCH = Path(__file__).resolve().parent / "netread_batch.py"


@functools.cache
def _etc_base() -> Path:
    """A private copy of /etc holding every file in ETC_FILES, bound over /etc in each namespace.

    Binding a copy (not single files) works where /etc lacks one of them.
    """
    base = Path(tempfile.mkdtemp(prefix="netread-etc-")) / "etc"
    subprocess.run(["cp", "-a", "/etc", str(base)], check=True, timeout=60)
    for name in ETC_FILES:
        if (base / name).is_symlink():  # resolv.conf often is; a bind would land outside /etc
            (base / name).unlink()
        (base / name).touch()
    import atexit

    atexit.register(shutil.rmtree, base.parent, True)
    return base


def write_etc(where: Path, files: dict[str, str]) -> Path:
    """Write replacement /etc files (name -> text) into ``where``; return it."""
    where.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        assert name in ETC_FILES, name
        (where / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    return where


def _in_etc(etc: Path, command: Sequence[str]) -> subprocess.CompletedProcess[bytes]:
    need_oracle()
    proc = subprocess.run(
        ["unshare", "-m", "sh", "-c", _ETC_SCRIPT, str(_etc_base()), str(etc), *command],
        capture_output=True,
        env={**os.environ, "LC_ALL": "C"},
        timeout=120,
    )
    assert proc.returncode != 97, proc.stderr.decode(errors="replace")
    return proc


def netstat_etc(root: Path, args: Sequence[str], etc: Path) -> Run:
    """Real netstat reading ``root`` as /proc and ``etc`` over /etc."""
    proc = _in_etc(etc, ["sh", "-c", ORACLE_SCRIPT, str(Path(root).resolve()), *args])
    return Run(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


def netread_etc(root: Path, argsets: Sequence[Sequence[str]], etc: Path) -> list[Run]:
    """netread ``--proc root`` once per argument list, in one process that sees ``etc`` over /etc."""
    import json

    runs = [["--proc", str(Path(root).resolve()), *args] for args in argsets]
    proc = _in_etc(etc, [sys.executable, str(_BATCH), json.dumps(runs)])
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return [Run(r["status"], r["stdout"].encode("latin-1"), r["stderr"]) for r in json.loads(proc.stdout)]
