"""Holders of network namespaces for the live --netns tests (run as root): ``python netns_holders.py NAME``.

Makes, each with sockets in it (a TCP listener on 127.0.0.1:PORT, the same
port in every namespace, a UDP socket and an abstract unix listener):

- two namespaces each held by a process (``unshare(CLONE_NEWNET)`` in a child);
- one held only by a thread of the first process's child (the thread unshares);
- one held only by a bind mount (``ip netns add NAME``): this process enters it,
  makes the sockets, and comes back, so they are held by a process of another
  namespace;
- one held only by an open file descriptor of this process (a child made it and
  exited);
- one held only by its sockets: a child made it and the sockets, passed them to this process
  over SCM_RIGHTS, and exited.

Prints one JSON line, ``{"pids": {...}, "mount": "/run/netns/NAME", "fd": "/proc/PID/fd/N",
"thread": [pid, tid]}``, then holds everything until its stdin closes; then it
removes the bind mount and exits.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import subprocess
import sys
import threading

CLONE_NEWNET = 0x40000000
PORT = 18080
_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def unshare_net() -> None:
    _check(_libc.unshare(CLONE_NEWNET))


def setns(fd: int) -> None:
    _check(_libc.setns(fd, CLONE_NEWNET))


def sockets(tag: str) -> list[socket.socket]:
    """A TCP listener on 127.0.0.1:PORT, a UDP socket, an abstract unix listener; lo brought up."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False, capture_output=True)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", PORT))
    tcp.listen(8)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", PORT))
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(f"\0netread-test-{tag}")
    unix.listen(1)
    return [tcp, udp, unix]


def child_in_namespace(tag: str, thread_too: bool, make: bool = True) -> tuple[int, int | None, int]:
    """A forked child in a namespace of its own holding sockets (and, if asked, a thread in a
    third namespace); returns (pid, tid, write end of a pipe that tells it to exit when closed)."""
    ready_r, ready_w = os.pipe()
    stop_r, stop_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(stop_w)
        try:
            unshare_net()
            held = sockets(tag) if make else []
            tid = 0
            if thread_too:
                got = threading.Event()
                tids: list[int] = []

                def in_thread() -> None:
                    unshare_net()
                    held.extend(sockets(tag + "-thread"))
                    tids.append(threading.get_native_id())
                    got.set()
                    os.read(stop_r, 1)

                threading.Thread(target=in_thread, daemon=True).start()
                got.wait(10)
                tid = tids[0]
            os.write(ready_w, f"{tid}\n".encode())
            os.read(stop_r, 1)
        finally:
            os._exit(0)
    os.close(ready_w)
    os.close(stop_r)
    line = os.read(ready_r, 64).decode().strip()
    os.close(ready_r)
    return pid, (int(line) or None) if line else None, stop_w


def main() -> None:
    name = sys.argv[1]
    out: dict[str, object] = {}
    held: list[socket.socket] = []
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    first, tid, stop1 = child_in_namespace("a", thread_too=True)
    second, _, stop2 = child_in_namespace("b", thread_too=False)
    out["pids"] = [first, second]
    out["thread"] = [first, tid]
    subprocess.run(["ip", "netns", "add", name], check=True)
    mount = f"/run/netns/{name}"
    target = os.open(mount, os.O_RDONLY)
    setns(target)
    held += sockets("mount")
    setns(home)
    os.close(target)
    out["mount"] = mount
    # an fd-only namespace: a child makes it, this process opens its ns/net, the child exits
    third, _, stop3 = child_in_namespace("fd", thread_too=False, make=False)
    nsfd = os.open(f"/proc/{third}/ns/net", os.O_RDONLY)
    setns(nsfd)
    held += sockets("fd")
    setns(home)
    os.close(stop3)
    os.waitpid(third, 0)
    out["fd"] = f"/proc/{os.getpid()}/fd/{nsfd}"
    # a socket-only namespace: a child makes it and its sockets, hands them over, and exits
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fourth = os.fork()
    if fourth == 0:
        try:
            unshare_net()
            made = sockets("socket")
            socket.send_fds(theirs, [b"x"], [s.fileno() for s in made])
        finally:
            os._exit(0)
    _, fds, _, _ = socket.recv_fds(ours, 1, 8)
    os.waitpid(fourth, 0)
    held += [socket.socket(fileno=fd) for fd in fds]
    out["socket_fds"] = fds
    out["holder"] = os.getpid()
    print(json.dumps(out), flush=True)
    try:
        sys.stdin.read()
    finally:
        for stop in (stop1, stop2):
            os.close(stop)
        for pid in (first, second):
            os.waitpid(pid, 0)
        subprocess.run(["ip", "netns", "del", name], check=False)


if __name__ == "__main__":
    main()
