"""CPU of ``netread watch`` at 10k sockets with a 1 s refresh: user+sys of the watch process over ~20 s.

    python bench/watch.py [--sockets 10000] [--seconds 20] [--interval 1]

Runs in a new network namespace (``unshare -n``, needs root) so that only the held sockets are
listed: 10k loopback TCP sockets (bench/holder.py) and a churn of a few connections opened and
closed every second
(and once without it: the steady state, where no table changes).  The watch runs twice: with no terminal (the one-line-per-change stream,
stdout a pipe) and, when tmux is installed, full screen in a 160x50 tmux pane.  The CPU is read
from /proc/PID/stat (utime+stime) after a warm-up of 3 s (start-up is not the steady state).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def churn(until: float, port: int) -> None:
    """Open and close a few connections every 0.2 s until ``until`` (the watch has changes to show)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    held: list[socket.socket] = []
    while time.monotonic() < until:
        for _ in range(2):
            c = socket.create_connection(("127.0.0.1", port))
            s, _ = listener.accept()
            held += [c, s]
        while len(held) > 20:
            held.pop(0).close()
        time.sleep(0.2)
    for s in held:
        s.close()
    listener.close()


def measure(cmd: list[str], seconds: float, warmup: float = 3.0, tmux: bool = False, changes: bool = True) -> float:
    """The share of one core the watch used over ``seconds`` after ``warmup``."""
    server = f"netread-bench-{os.getpid()}"
    if tmux:
        subprocess.run(["tmux", "-L", server, "new-session", "-d", "-x", "160", "-y", "50", "-s", "b", " ".join(cmd)], check=True)
        time.sleep(0.5)
        pane = subprocess.run(["tmux", "-L", server, "display", "-p", "-t", "b", "#{pane_pid}"], capture_output=True, text=True, check=True)
        pid = int(pane.stdout)
        proc = None
    else:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        pid = proc.pid
    try:
        time.sleep(warmup)
        start_cpu, start = cpu_seconds(pid), time.monotonic()
        if changes:
            churn(start + seconds, 30000)
        else:
            time.sleep(seconds)
        used, took = cpu_seconds(pid) - start_cpu, time.monotonic() - start
    finally:
        if proc is not None:
            proc.terminate()
            proc.communicate(timeout=30)
        else:
            subprocess.run(["tmux", "-L", server, "kill-server"], check=False)
    return used / took


def inner(args: argparse.Namespace) -> int:
    from run import start_holders
    from run import stop_holders

    from scripts.netns import bring_lo_up

    bring_lo_up()
    holders = start_holders(args.sockets, 0)
    try:
        rows = sum(1 for _ in open("/proc/net/tcp")) - 1
        cmd = [args.netread, "watch", "-tan", "--interval", str(args.interval)]
        steady = measure(cmd, args.seconds, changes=False)
        stream = measure(cmd, args.seconds)
        screen = measure(cmd, args.seconds, tmux=True) if shutil.which("tmux") else None
    finally:
        stop_holders(holders)
    print(f"netread watch -tan --interval {args.interval:g}, {rows} tcp rows, {args.seconds:g} s after a 3 s warm-up:")
    print(f"  no terminal, no socket changing:               {steady * 100:.1f}% of one core")
    print(f"  no terminal, 10 connections opened and closed a second: {stream * 100:.1f}% of one core")
    if screen is not None:
        print(f"  full screen in tmux, the same churn:           {screen * 100:.1f}% of one core")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sockets", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--netread", default=str(Path(sys.executable).parent / "netread"))
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        return inner(args)
    cmd = ["unshare", "-n", sys.executable, __file__, "--inner", "--sockets", str(args.sockets), "--seconds", str(args.seconds), "--interval", str(args.interval), "--netread", args.netread]
    return subprocess.call(cmd)


if __name__ == "__main__":
    raise SystemExit(main())
