"""Shared fixtures, and tests/ on sys.path.

Layout: tests/oracle/ holds the tests that mainly compare with real netstat
(they need root, unshare and mount); the other tests are in tests/. Neither
directory has an __init__.py (pytest runs with --import-mode=importlib), so
the helper modules (oracle.py, kernel_text.py, strategies.py, fakeproc.py,
peers.py, names_etc.py) are imported by name from tests/, which this file
puts first on sys.path. (``import oracle`` finds tests/oracle.py: a module
file wins over a directory without __init__.py.)
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

SAMPLE_PROC = ROOT / "sample_proc"
#: The unix path with a space in sample_proc/ (netstat cuts it at the space).
SPACE_PATH = "/tmp/netread-sample/with space.sock"
PEER = Path(__file__).resolve().parent / "fixtures" / "peer"


@pytest.fixture
def sample_proc() -> Path:
    return SAMPLE_PROC


# -- hypothesis profiles -----------------------------------------------------------------
#
# HYPOTHESIS_PROFILE=ci (the default) runs every example count the tests ask for;
# HYPOTHESIS_PROFILE=dev runs a fifth of them, for a quick loop while editing.
# A test that sets its own count writes max_examples=examples(N): N under ci.

CI_EXAMPLES = 100  # hypothesis's default: what tests without their own count run
settings.register_profile("ci", max_examples=CI_EXAMPLES, deadline=None, derandomize=False, print_blob=True)
settings.register_profile("dev", max_examples=CI_EXAMPLES // 5, deadline=None, derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def examples(n: int) -> int:
    """A test's own example count, scaled as the loaded profile scales the default one."""
    return max(1, round(n * settings.default.max_examples / CI_EXAMPLES))


# -- running netread as another user (nobody) ------------------------------------------
#
# The checkout, and the venv inside it, may sit where other users cannot enter (a clone
# in root's home, mode 700).  So the unprivileged tests do not run netread from the
# checkout: once per session the netread package and the distributions it needs are
# copied into a world-readable directory, and an interpreter that nobody can run
# (and that runs as itself for nobody) is chosen to run it there.

NOBODY = 65534
DROP = ["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]


@dataclass(frozen=True)
class Unprivileged:
    """Commands run as nobody, and netread as nobody from a copy nobody can read."""

    python: str  # an interpreter nobody can run
    path: Path  # world-readable: netread and its dependencies

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        return {**env, "PYTHONPATH": str(self.path), **extra}

    def run(self, command: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        """Run command (its first word a program nobody can run) as nobody, from a directory nobody can enter."""
        return subprocess.run([*DROP, *command], capture_output=True, env=env if env is not None else self.env(), cwd=self.path, timeout=timeout, **kwargs)

    def netread(self, args: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        return self.run([self.python, "-s", "-m", "netread", *args], env=env, timeout=timeout)


def _others_can_enter(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def _world_readable_tmp() -> Path:
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(base) and _others_can_enter(Path(base).resolve()):
            return Path(tempfile.mkdtemp(prefix="netread-nobody-", dir=base)).resolve()
    pytest.skip("no temporary directory that nobody can enter (tried $TMPDIR, /tmp, /var/tmp, /dev/shm)")


def _needed_distributions() -> list[importlib.metadata.Distribution]:
    """netread's run-time requirements and theirs, as installed for this interpreter."""
    from packaging.requirements import Requirement

    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = list(importlib.metadata.requires("netread") or [])
    while todo:
        requirement = Requirement(todo.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen[name] = dist = importlib.metadata.distribution(requirement.name)
        todo += dist.requires or []
    return list(seen.values())


def _copy_for_nobody(target: Path) -> None:
    shutil.copytree(ROOT / "netread", target / "netread", ignore=shutil.ignore_patterns("__pycache__"))
    for dist in _needed_distributions():
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue  # scripts in bin/, and byte code
            source = Path(str(dist.locate_file(file)))
            if source.is_file():
                (target / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / file)
    _open_to_all(target)


def _open_to_all(target: Path) -> None:
    for directory, _, files in os.walk(target):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)


def _interpreter_candidates() -> list[str]:
    found = [sys.executable, os.path.realpath(sys.executable), getattr(sys, "_base_executable", "")]
    found += [shutil.which(name) or "" for name in (f"python{sys.version_info[0]}.{sys.version_info[1]}", "python3")]
    found += [f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}", "/usr/bin/python3", "/usr/local/bin/python3"]
    return list(dict.fromkeys(p for p in found if p and os.path.isfile(p)))


def _nobody_interpreter(target: Path) -> str:
    """The first candidate that nobody can run, that is the same Python for nobody as for us
    (a pyenv python whose lib/ nobody cannot read falls back to another stdlib), and that
    imports the copied netread and its dependencies."""
    probe = "import sys, netread.cli.listing, typer, tabulate; print(sys.version)"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    tried = []
    for python in _interpreter_candidates():
        ours = subprocess.run([python, "-s", "-c", "import sys; print(sys.version)"], capture_output=True, env=env, timeout=60)
        if ours.returncode != 0 or not ours.stdout.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}.".encode()):
            tried.append(f"{python}: not Python {sys.version_info[0]}.{sys.version_info[1]}")
            continue
        theirs = subprocess.run([*DROP, python, "-s", "-c", probe], capture_output=True, env={**env, "PYTHONPATH": str(target)}, cwd=target, timeout=60)
        if theirs.returncode == 0 and theirs.stdout == ours.stdout:
            return python
        why = theirs.stderr.decode(errors="replace").strip().splitlines()[-1:] if theirs.returncode else ["runs another Python as nobody"]
        tried.append(f"{python}: {why[0] if why else theirs.returncode}")
    pytest.skip("no Python interpreter that nobody can run with netread's dependencies: " + "; ".join(tried))


@pytest.fixture(scope="session")
def unprivileged() -> Iterator[Unprivileged]:
    """netread and other programs run as nobody (skips unless root with setpriv(1))."""
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv(1) is not installed")
    if os.geteuid() != 0:
        pytest.skip("needs root to drop to another user")
    target = _world_readable_tmp()
    try:
        os.chmod(target, 0o755)
        _copy_for_nobody(target)
        python = _nobody_interpreter(target)
        subprocess.run([python, "-s", "-m", "compileall", "-q", str(target)], capture_output=True, timeout=300)
        _open_to_all(target)  # the byte code too
        yield Unprivileged(python, target)
    finally:
        shutil.rmtree(target, ignore_errors=True)
