"""Helpers for work inside a fresh network namespace (``unshare -n``): stdlib only.

Used by scripts/make_sample_proc.py, bench/run.py and the live tests.
"""

from __future__ import annotations

import fcntl
import socket
import struct
import time

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def bring_lo_up() -> None:
    """ioctl(SIOCSIFFLAGS): lo |= IFF_UP (no iproute2 needed), then wait until ::1 is usable."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        req = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, SIOCGIFFLAGS, req)[:18])[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))
    for _ in range(50):  # ::1 becomes usable asynchronously
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.bind(("::1", 0))
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("::1 did not become usable on lo")
