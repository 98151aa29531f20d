"""Run inside a fresh network namespace: open loopback sockets, then list them twice.

Prints one JSON object: the outputs of ``netstat ARGS`` and ``netread ARGS``
taken back to back (the pair is retaken once if the tables moved in between).
Every socket is closed before it exits; the namespace goes with it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from scripts.netns import bring_lo_up


def open_sockets(tmpdir: str) -> list[socket.socket]:
    held: list[socket.socket] = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((host, 0))
        listener.listen(8)
        client = socket.create_connection(listener.getsockname()[:2], timeout=5)
        server, _ = listener.accept()
        client.sendall(b"x" * 100)  # unread: Recv-Q 100 on the server side
        pending = socket.create_connection(listener.getsockname()[:2], timeout=5)  # never accepted
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        udp_client = socket.socket(family, socket.SOCK_DGRAM)
        udp_client.connect(udp.getsockname()[:2])
        held += [listener, client, server, pending, udp, udp_client]
    if hasattr(socket, "IPPROTO_ICMP"):
        try:
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            raw.bind(("127.0.0.1", 0))
            held.append(raw)
        except PermissionError:
            pass
    unix_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_listener.bind(os.path.join(tmpdir, "live space.sock"))
    unix_listener.listen(4)
    unix_client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix_client.connect(os.path.join(tmpdir, "live space.sock"))
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    abstract.bind("\0netread-live")
    held += [unix_listener, unix_client, abstract, *socket.socketpair()]
    return held


def main() -> None:
    args = sys.argv[1:]
    bring_lo_up()
    tmpdir = os.environ["NETREAD_LIVE_TMP"]
    held = open_sockets(tmpdir)
    env = {**os.environ, "LC_ALL": "C"}
    try:
        for _attempt in range(2):
            want = subprocess.run(["netstat", *args], capture_output=True, env=env, timeout=30)
            got = subprocess.run([sys.executable, "-m", "netread", *args], capture_output=True, env=env, timeout=30)
            again = subprocess.run(["netstat", *args], capture_output=True, env=env, timeout=30)
            if want.stdout == again.stdout:
                break
        print(
            json.dumps(
                {
                    "netstat": want.stdout.decode("utf-8", "replace"),
                    "netread": got.stdout.decode("utf-8", "replace"),
                    "netstat_status": want.returncode,
                    "netread_status": got.returncode,
                    "netread_stderr": got.stderr.decode("utf-8", "replace"),
                }
            )
        )
    finally:
        for s in held:
            s.close()


if __name__ == "__main__":
    main()
