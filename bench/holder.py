"""A process that holds loopback sockets for the benchmark until its stdin closes.

    python holder.py tcp PORT PAIRS     one listener on 127.0.0.1:PORT and PAIRS connected pairs
    python holder.py unix PAIRS         PAIRS socketpairs plus a few listening and connected sockets

It prints "ready" once every socket exists, then waits for EOF on stdin.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import tempfile


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold_tcp(port: int, pairs: int) -> list[socket.socket]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4096)
    held = [listener]
    for _ in range(pairs):
        client = socket.create_connection(("127.0.0.1", port))
        server, _ = listener.accept()
        held += [client, server]
    return held


def hold_unix(pairs: int) -> list[socket.socket]:
    held: list[socket.socket] = []
    for _ in range(pairs):
        held += socket.socketpair()
    where = tempfile.mkdtemp(prefix="netread-bench-")
    for i in range(8):
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(os.path.join(where, f"s{i}.sock"))
        listener.listen(64)
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(os.path.join(where, f"s{i}.sock"))
        held += [listener, client, listener.accept()[0]]
    return held


def main() -> None:
    raise_fd_limit()
    kind = sys.argv[1]
    held = hold_tcp(int(sys.argv[2]), int(sys.argv[3])) if kind == "tcp" else hold_unix(int(sys.argv[2]))
    print("ready", flush=True)
    sys.stdin.read()
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
