"""Files of /etc that name things: read here, parsed in netread/parse/etc.py."""

from __future__ import annotations

import os


def read_etc(etc: str | os.PathLike[str], name: str) -> bytes:
    """The bytes of ``etc/name``; empty when it cannot be read (no names, as netstat without it)."""
    try:
        with open(os.path.join(etc, name), "rb") as handle:
            return handle.read()
    except OSError:
        return b""
