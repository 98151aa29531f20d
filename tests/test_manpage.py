"""netread.1: renders without a warning, names every option netread accepts, and is installed with the package."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer
from conftest import ROOT

from netread.cli import argv
from netread.cli import quick
from netread.cli.app import app

PAGE = ROOT / "netread" / "data" / "netread.1"

#: The surface of issue 17 the page documents whether or not this checkout has it yet.
PLANNED_SUBCOMMANDS = ("capture", "diff", "watch", "completion")
PLANNED_OPTIONS = ("--tar-dir", "--exit-code", "--interval", "--record", "--record-every")


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
@pytest.mark.parametrize("device", ["utf8", "ascii"])
def test_groff_renders_the_page_without_a_warning(device: str) -> None:
    proc = subprocess.run(["groff", "-ww", "-man", f"-T{device}", str(PAGE)], capture_output=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.startswith(b"NETREAD(1)")


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_renders_the_page_without_a_warning() -> None:
    proc = subprocess.run(["man", "--warnings=w", "-l", str(PAGE)], capture_output=True, env={"MANWIDTH": "80", "MANPAGER": "cat", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")
    lines = proc.stdout.decode().split("\n")
    assert lines[0].split() == ["NETREAD(1)", "User", "Commands", "NETREAD(1)"]
    assert max(len(line) for line in lines) <= 80


def _text() -> str:
    """The page as plain text: no bold or underlining, no hyphenation, lines too long to break an option."""
    proc = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", "-rLL=1000n", "-rHY=0", str(PAGE)], capture_output=True, timeout=60, check=True)
    return proc.stdout.decode("ascii")


def _accepted() -> set[str]:
    """Every option spelling netread takes: the typer application's (main command and subcommands,
    hidden ones too), the quick parser's, and netstat's and netread's long options of cli/argv.py."""
    names: set[str] = set()
    group = typer.main.get_command(app)
    for command in [group, *group.commands.values()]:  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name == "option":
                names.update(param.opts, param.secondary_opts)
    names.update({"-h", "--help"})
    names.update("-" + letter for letter in quick.SHORT)
    names.update(quick.LONG)
    names.update("--" + name for name, _, _ in argv.NETSTAT_LONG + argv.NETREAD_LONG)
    names.update("-" + letter for letter in argv.SHORTS if letter != ":")
    return names


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_every_option_netread_accepts_is_in_the_page() -> None:
    text = _text()
    accepted = _accepted()
    assert {"--format", "--proc", "--netns", "--explain-line", "-A", "-?", "--tcpip", "--tar"} <= accepted
    missing = sorted(name for name in accepted | set(PLANNED_OPTIONS) if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))
    assert missing == []


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_every_subcommand_has_its_section() -> None:
    text = _text()
    subcommands = set(typer.main.get_command(app).commands) | set(PLANNED_SUBCOMMANDS)  # type: ignore[attr-defined]
    sections = set(re.findall(r"^   netread (\w+)$", text, re.M))
    assert sections == subcommands
    headings = re.findall(r"^[A-Z][A-Z -]+$", text, re.M)
    assert headings == [
        "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SUBCOMMANDS", "MACHINE-READABLE OUTPUT", "EXIT STATUS",
        "ENVIRONMENT", "FILES", "EXAMPLES", "DIFFERENCES FROM NETSTAT", "SEE ALSO",
    ]  # fmt: skip
    see_also = text.split("\nSEE ALSO\n")[1].split("\n")[0]
    assert see_also.split() == ["netstat(8),", "ss(8),", "ip-netns(8),", "nsenter(1),", "proc(5),", "jq(1)"]


def test_the_wheel_installs_the_page(tmp_path: Path) -> None:
    """pip install . puts it in the package (netread/data/netread.1) and in <prefix>/share/man/man1."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)], capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("netread-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {"netread/data/netread.1", "netread-0.1.0.data/data/share/man/man1/netread.1"} <= names
        assert archive.read("netread/data/netread.1") == PAGE.read_bytes()


def test_the_documented_way_to_find_the_page() -> None:
    """The FILES section's commands find the page in the installed package."""
    text = _text()
    assert "d=$(python3 -c 'import netread; print(netread.__path__[0])')\n" in text and 'man -l "$d/data/netread.1"\n' in text
    proc = subprocess.run([sys.executable, "-c", "import netread; print(netread.__path__[0])"], capture_output=True, timeout=60, check=True)
    assert (Path(proc.stdout.decode().strip()) / "data" / "netread.1").read_bytes() == PAGE.read_bytes()
