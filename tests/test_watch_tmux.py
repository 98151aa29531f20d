"""netread watch in a real terminal: tmux runs it in a 160x50 pane, ``capture-pane -e`` shows the
screen with its colours.  A listener opened on 127.0.0.1 during the watch shows up highlighted
(bold green ``+``) within two refreshes, a closed one is marked (red, struck through, ``-``), the
age advances, ``q`` ends it with status 0, out of the alternate screen, the terminal as it was."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

INTERVAL = 0.2
#: An address of the loopback net that no other test uses: the "/" filter keeps only these rows.
HOST = "127.77.7.7"


class Pane:
    def __init__(self, server: str) -> None:
        self.server = server

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.server, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def screen(self) -> list[str]:
        return self.tmux("capture-pane", "-p", "-e", "-t", "w").split("\n")

    def until(self, what: str, seconds: float = 10.0) -> tuple[float, list[str]]:
        """Wait for a line matching ``what`` (a regex over the line with its SGR sequences); (when, screen)."""
        end = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if any(re.search(what, line) for line in screen):
                return time.monotonic(), screen
            assert time.monotonic() < end, f"no line matches {what!r} in:\n" + "\n".join(screen)
            time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _listener(port: int) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen()
    return s


def test_watch_in_tmux(tmp_path: Path) -> None:
    old, new = _free_port(), _free_port()
    server = f"netread-watch-{id(tmp_path)}"
    pane = Pane(server)
    script = (
        f"stty -g > {tmp_path}/before; {sys.executable} -m netread watch -tln --interval {INTERVAL};"
        f" echo $? > {tmp_path}/rc; stty -g > {tmp_path}/after; sleep 60"
    )
    kept = _listener(old)  # there before the watch: not highlighted, and its age grows
    opened: socket.socket | None = None
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-x", "160", "-y", "50", "-s", "w", script], check=True)
    try:
        row_old = rf"tcp        0      0 127\.77\.7\.7:{old} +0\.0\.0\.0:\* +LISTEN"
        row_new = rf"tcp        0      0 127\.77\.7\.7:{new} +0\.0\.0\.0:\* +LISTEN"
        _, screen = pane.until(r"^  +0s " + row_old)
        assert screen[0].startswith("\x1b[7mnetread watch, every 0.2s")
        assert screen[2] == "  Age  Proto Recv-Q Send-Q Local Address           Foreign Address         State"
        assert pane.tmux("display", "-p", "-t", "w", "#{alternate_on}") == "1\n"
        pane.tmux("send-keys", "-t", "w", "/127.77.7.")
        pane.until(r"^\x1b\[7m/127\.77\.7\.")  # the prompt
        pane.tmux("send-keys", "-t", "w", "Enter")
        pane.until(r"filter: 127\.77\.7\.")
        rows = [line for line in pane.screen()[3:] if "tcp " in line]
        assert len(rows) == 1 and re.search(row_old, rows[0]), rows  # only the rows holding the filter's text
        opened = _listener(new)
        start = time.monotonic()
        seen_at, screen = pane.until(r"^\x1b\[1m\x1b\[32m\+ +\d+s " + row_new)
        assert seen_at - start < 2 * INTERVAL + 1.0  # two refreshes, and the slack of a loaded machine
        opened.close()
        opened = None
        pane.until(r"^\x1b\[9m\x1b\[31m- +\d+s " + row_new)  # marked closed, struck through, red
        pane.until(r"^  +[2-9]s " + row_old)  # the age advances
        pane.tmux("send-keys", "-t", "w", "s")
        pane.until(r"s sort: state filter: 127\.77\.7\.")
        pane.tmux("send-keys", "-t", "w", "p")
        pane.until(r"^\x1b\[7mnetread watch, every 0\.2s  PAUSED")
        pane.tmux("send-keys", "-t", "w", "p")
        pane.until(r"^\x1b\[7mnetread watch, every 0\.2s  \d")
        pane.tmux("send-keys", "-t", "w", "q")
        end = time.monotonic() + 10
        while not ((tmp_path / "after").exists() and (tmp_path / "after").read_text().endswith("\n")):  # stty has written it whole
            assert time.monotonic() < end, "q did not end the watch"
            time.sleep(0.05)
        assert (tmp_path / "rc").read_text() == "0\n"
        assert (tmp_path / "after").read_text() == (tmp_path / "before").read_text()
        assert pane.tmux("display", "-p", "-t", "w", "#{alternate_on}") == "0\n"
        assert not any("netread watch" in line for line in pane.screen())
    finally:
        kept.close()
        if opened is not None:
            opened.close()
        subprocess.run(["tmux", "-L", server, "kill-server"], check=False)
