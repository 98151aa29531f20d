"""``netread completion bash|zsh|fish``: the scripts, printed by the real command, complete in the real shells."""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import pytest
import typer
from conftest import ROOT

from netread.cli.app import app
from netread.cli.completion import Command
from netread.cli.completion import Option
from netread.cli.completion import Value
from netread.cli.completion import command_tree
from netread.cli.completion import script

NETREAD = [sys.executable, str(ROOT / "bin" / "netread")]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _printed(shell: str) -> str:
    """What the netread command (bin/netread, the quick entry point first) prints for ``completion SHELL``."""
    proc = subprocess.run([*NETREAD, "completion", shell], capture_output=True, env=ENV, timeout=60)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    return proc.stdout.decode()


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("completion")
    paths = {}
    for shell in ("bash", "zsh", "fish"):
        paths[shell] = where / f"netread.{shell}"
        paths[shell].write_text(_printed(shell))
    return paths


def _subcommands() -> list[str]:
    return list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _help_of(option: str) -> str:
    return next(o.help for o in command_tree(typer.main.get_command(app))[0].options if option in o.names)


# -- bash: the function the script registers, called as bash calls it ---------------------------------

def _bash(script_path: Path, words: list[str], cwd: Path, wordbreaks: str | None = None) -> list[str]:
    """COMPREPLY after the script's completion function ran for ``words`` (the last one: the word
    being completed), one entry a line."""
    code = (
        f"source {script_path}\n"
        + (f"COMP_WORDBREAKS={wordbreaks!r}\n" if wordbreaks is not None else "")
        + "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMPREPLY=()\n"
        "$(complete -p netread | sed 's/^complete -F \\([^ ]*\\) netread$/\\1/')\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", code, "bash", *words], capture_output=True, cwd=cwd, timeout=30)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    return [line for line in proc.stdout.decode().split("\n")[:-1] if line]


def test_bash_registers_the_function(scripts: dict[str, Path]) -> None:
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", f"source {scripts['bash']}; complete -p netread"], capture_output=True, timeout=30)
    assert proc.stdout == b"complete -F _netread netread\n" and proc.stderr == b""


def test_bash_completes_for_to_format(scripts: dict[str, Path], tmp_path: Path) -> None:
    assert _bash(scripts["bash"], ["netread", "--for"], tmp_path) == ["--format"]
    assert _bash(scripts["bash"], ["netread", "-tn", "--for"], tmp_path) == ["--format"]


def test_bash_completes_the_values_of_an_option(scripts: dict[str, Path], tmp_path: Path) -> None:
    bash = scripts["bash"]
    assert _bash(bash, ["netread", "--format", ""], tmp_path) == ["netstat", "json", "ndjson", "csv"]
    assert _bash(bash, ["netread", "--format", "=", "n"], tmp_path) == ["netstat", "ndjson"]  # bash splits at =
    assert _bash(bash, ["netread", "--format", "="], tmp_path) == ["netstat", "json", "ndjson", "csv"]
    assert _bash(bash, ["netread", "--format=n"], tmp_path, wordbreaks=" \t\n") == ["--format=netstat", "--format=ndjson"]
    assert _bash(bash, ["netread", "-A", "inet"], tmp_path) == ["inet", "inet6"]
    assert _bash(bash, ["netread", "--state", "TIME"], tmp_path) == ["TIME_WAIT"]
    assert _bash(bash, ["netread", "--state", "LISTEN,CLOSE_"], tmp_path) == ["LISTEN,CLOSE_WAIT"]  # a list: after its last comma
    assert _bash(bash, ["netread", "-A", "unix,"], tmp_path) == ["unix,inet", "unix,inet6", "unix,unix"]
    assert _bash(bash, ["netread", "--state", "=", "ESTABLISHED,SYN_"], tmp_path) == ["ESTABLISHED,SYN_RECV", "ESTABLISHED,SYN_SENT"]
    assert _bash(bash, ["netread", "--explain-line", "x", "--table", "udp"], tmp_path) == ["udp", "udp6", "udplite", "udplite6"]
    assert _bash(bash, ["netread", "--byte-order", ""], tmp_path) == ["little", "big"]
    assert _bash(bash, ["netread", "--user", "roo"], tmp_path) == ["root"]
    assert _bash(bash, ["netread", "--port", ""], tmp_path) == []  # a number: nothing to offer


def test_bash_completes_paths_with_spaces(scripts: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "snap dir").mkdir()
    (tmp_path / "snap.tar.gz").write_bytes(b"")
    (tmp_path / "other").write_bytes(b"")
    bash = scripts["bash"]
    assert sorted(_bash(bash, ["netread", "--proc", "sn"], tmp_path)) == ["snap dir", "snap.tar.gz"]
    assert sorted(_bash(bash, ["netread", "--netns", "sn"], tmp_path)) == ["snap dir", "snap.tar.gz"]
    assert _bash(bash, ["netread", "capture", "sn"], tmp_path) == ["snap dir"]  # DIR: directories only
    assert sorted(_bash(bash, ["netread", "capture", "--tar", "sn"], tmp_path)) == ["snap dir", "snap.tar.gz"]
    assert _bash(bash, ["netread", "capture", "--force", "sn"], tmp_path) == ["snap dir"]  # a flag takes no value


def test_bash_netns_offers_all_and_the_named_namespaces(scripts: dict[str, Path], tmp_path: Path) -> None:
    named = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
    assert sorted(_bash(scripts["bash"], ["netread", "--netns", ""], tmp_path)) == sorted(["all", *named])


def test_bash_completes_subcommands_and_their_arguments(scripts: dict[str, Path], tmp_path: Path) -> None:
    bash = scripts["bash"]
    assert _bash(bash, ["netread", ""], tmp_path) == _subcommands()
    assert "capture" in _subcommands() and "completion" in _subcommands()
    assert _bash(bash, ["netread", "completion", ""], tmp_path) == ["bash", "zsh", "fish"]
    assert sorted(_bash(bash, ["netread", "completion", "--"], tmp_path)) == ["--help"]
    assert sorted(_bash(bash, ["netread", "capture", "--f"], tmp_path)) == ["--force", "--full-cmdline"]
    assert _bash(bash, ["netread", "-t", ""], tmp_path) == []  # a listing takes no argument


def test_diff_and_watch_complete_the_listing_flags(scripts: dict[str, Path], tmp_path: Path) -> None:
    """They pass the listing's flags on (cli/diff.listing_request), so the flags are offered after them too."""
    bash = scripts["bash"]
    assert _bash(bash, ["netread", "diff", "a", "b", "--for"], tmp_path) == ["--format"]
    assert _bash(bash, ["netread", "diff", "a", "--format", "nd"], tmp_path) == ["ndjson"]
    assert _bash(bash, ["netread", "watch", "--sta"], tmp_path) == ["--state"]
    assert _bash(bash, ["netread", "watch", "--state", "CLOSE_"], tmp_path) == ["CLOSE_WAIT"]
    assert _bash(bash, ["netread", "watch", "--inter"], tmp_path) == ["--interval"]  # not --interfaces: a mode
    assert _bash(bash, ["netread", "watch", "--for"], tmp_path) == ["--format"]  # netstat's rows or ndjson events
    assert _bash(bash, ["netread", "watch", "--expl"], tmp_path) == []  # the findings are a listing's and diff's
    assert sorted(_bash(bash, ["netread", "diff", "--pro"], tmp_path)) == ["--program", "--programs", "--protocol"]  # not --proc: diff reads its two sides


# -- fish: its own `complete -C` -------------------------------------------------------------------

def _fish(script_path: Path, line: str) -> list[str]:
    proc = subprocess.run(["fish", "--no-config", "-c", f"source {script_path}; complete -C {line!r}"], capture_output=True, timeout=30)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    return proc.stdout.decode().split("\n")[:-1]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_for_to_format(scripts: dict[str, Path]) -> None:
    fish = scripts["fish"]
    assert _fish(fish, "netread --for") == [f"--format\t{_help_of('--format')}"]
    assert _fish(fish, "netread --format ") == [f"{word}\t{_help_of('--format')}" for word in sorted(["netstat", "json", "ndjson", "csv"])]
    assert _fish(fish, "netread --format=nd") == [f"--format=ndjson\t{_help_of('--format')}"]
    assert _fish(fish, "netread completion ") == ["bash", "fish", "zsh"]
    assert _fish(fish, "netread --state LISTEN,CLOSE_") == [f"LISTEN,CLOSE_WAIT\t{_help_of('--state')}"]
    assert _fish(fish, "netread -A unix,i") == [f"unix,{word}\t{_help_of('-A')}" for word in ("inet", "inet6")]
    assert _fish(fish, "netread completion --for") == []  # the listing's options are not completion's
    assert _fish(fish, "netread diff a b --for") == [f"--format\t{_help_of('--format')}"]
    assert [line.split("\t")[0] for line in _fish(fish, "netread ")] == sorted(_subcommands())


# -- zsh: typed into an interactive zsh in a private tmux server -------------------------------------

class _Tmux:
    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"netread-completion-{os.getpid()}"
        self.tmp_path = tmp_path

    def run(self, *args: str) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, timeout=30)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.decode()

    def screen_after(self, keys: list[str], want: str) -> str:
        """Type ``keys`` (a fresh line first), then wait up to 10 s for ``want`` on the screen."""
        self.run("send-keys", "-t", "t", "C-u", *keys)
        deadline = time.monotonic() + 10
        while True:
            screen = self.run("capture-pane", "-p", "-t", "t")
            if want in screen or time.monotonic() > deadline:
                return screen
            time.sleep(0.1)


@pytest.mark.skipif(shutil.which("zsh") is None or shutil.which("tmux") is None, reason="zsh or tmux is not installed")
def test_zsh_completes_for_to_format(scripts: dict[str, Path], tmp_path: Path) -> None:
    home = tmp_path / "zdot"
    home.mkdir()
    (home / ".zshrc").write_text(f"PS1='%% '\nautoload -U compinit && compinit -u -D\nsource {scripts['zsh']}\nprint ready\n")
    tmux = _Tmux(tmp_path)
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", "150", "-y", "30", f"env ZDOTDIR={home} TERM=xterm zsh -i")
    try:
        assert "ready" in tmux.screen_after([], "ready")
        screen = tmux.screen_after(["netread --for", "Tab"], "% netread --format")
        assert screen.rstrip().split("\n")[-1] == "% netread --format", screen  # tmux drops the trailing space
        screen = tmux.screen_after(["netread --format ", "Tab"], "netstat")
        assert "csv      json     ndjson   netstat" in screen, screen
        screen = tmux.screen_after(["netread completion ", "Tab"], "fish")
        assert "bash  fish  zsh" in screen, screen
        screen = tmux.screen_after(["netread --format=nd", "Tab"], "--format=ndjson")
        assert screen.rstrip().split("\n")[-1] == "% netread --format=ndjson", screen
        screen = tmux.screen_after(["netread --state LISTEN,TIME", "Tab"], "LISTEN,TIME_WAIT")
        assert screen.rstrip().split("\n")[-1] == "% netread --state LISTEN,TIME_WAIT", screen
    finally:
        tmux.run("kill-server")


# -- the command and the generator --------------------------------------------------------------------

def test_an_unknown_shell_is_a_usage_error() -> None:
    proc = subprocess.run([*NETREAD, "completion", "ksh\x1b[2J"], capture_output=True, env=ENV, timeout=60)
    assert (proc.returncode, proc.stdout) == (2, b"")
    assert proc.stderr == b"netread completion: the shell must be one of bash, zsh, fish, not 'ksh\\x1b[2J'\n"
    proc = subprocess.run([*NETREAD, "completion"], capture_output=True, env=ENV, timeout=60)
    assert (proc.returncode, proc.stdout) == (2, b"") and proc.stderr.endswith(b"Error: Missing argument 'SHELL'.\n")


def test_the_script_is_the_same_through_typer() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["completion", "bash"])
    assert result.exit_code == 0 and result.stdout == _printed("bash")


class _Mode(enum.Enum):
    fast = "fast"
    slow = "slow"


def test_the_tree_comes_from_the_typer_app() -> None:
    """Subcommands and options added to the app are in the scripts, their values from their types."""
    demo = typer.Typer(add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})

    @demo.callback(invoke_without_command=True)
    def main(
        tcp: Annotated[bool, typer.Option("-t", "--tcp", help="TCP\n  sockets.")] = False,
        output: Annotated[str, typer.Option("--format", help="The format.")] = "netstat",
    ) -> None:
        """Main."""

    @demo.command()
    def diff(
        a: Annotated[str, typer.Argument()],
        b: Annotated[str, typer.Argument()],
        record: Annotated[Path | None, typer.Option("--record", file_okay=False, help="Where.")] = None,
        mode: Annotated[_Mode, typer.Option("--mode", help="How.")] = _Mode.fast,
        interval: Annotated[float, typer.Option("--interval", help="Seconds.")] = 1.0,
    ) -> None:
        """Compare A and B.

        More text.
        """

    helps = ("-h", "--help")
    assert command_tree(typer.main.get_command(demo)) == (
        Command("", "Main.", (
            Option(("-t", "--tcp"), None, "TCP sockets."),
            Option(("--format",), Value("words", ("netstat", "json", "ndjson", "csv")), "The format."),
            Option(helps, None, "Show this message and exit."),
        ), ()),
        Command("diff", "Compare A and B.", (
            Option(("--record",), Value("dir"), "Where."),
            Option(("--mode",), Value("words", ("fast", "slow")), "How."),
            Option(("--interval",), Value("none"), "Seconds."),
            Option(helps, None, "Show this message and exit."),
        ), (Value("snapshot"), Value("snapshot"))),
    )  # fmt: skip


def test_a_word_a_shell_would_quote_is_refused() -> None:
    tree = (Command("", "", (Option(("--x",), Value("words", ("a b",)), ""),), ()),)
    for shell in ("bash", "zsh", "fish"):
        with pytest.raises(ValueError, match="'a b' cannot be a completion word"):
            script(shell, tree)
