"""The peer projects' /proc captures under tests/fixtures/peer/, and how netstat and netread
deliberately differ on some of them (README "Differences from netstat").

The snapshots are copied verbatim from the peer projects named in
tests/fixtures/peer/SOURCES.md (all MIT, Apache-2.0 or BSD).
"""

from __future__ import annotations

import re

from conftest import PEER
from oracle import Allowed

#: Every peer capture holding a net/ directory.
SNAPSHOTS = sorted(p.name for p in PEER.iterdir() if (p / "net").is_dir())

# Deliberate differences (README "Differences from netstat"), by snapshot:
# (why, lines only netread prints, lines only netstat prints).
_OLD_LAYOUT_GARBAGE = re.compile(r"^unix .* -        (-                    )?\d*$")
DELIBERATE: dict[str, tuple[str, Allowed | None, Allowed | None]] = {
    "scylla-operator": (
        "headerless file: netstat eats the first row as a header, netread shows it and warns",
        lambda line: line.startswith("tcp        0      0 0.0.0.0:8043 "),
        None,
    ),
    "prometheus_procfs-unix_without_inode": (
        "old unix layout: netstat prints an uninitialised inode as the path, netread the path",
        lambda line: re.match(r"^unix .* -        (-                    )?(/.*)?$", line) is not None,
        lambda line: _OLD_LAYOUT_GARBAGE.match(line) is not None,
    ),
    "psutil-emulate_unix": (
        "headerless unix file: netstat takes it for the old layout and prints inodes as paths",
        lambda line: re.match(r"^unix .* \d+ +(-                    )?@/tmp/dbus-", line) is not None,
        lambda line: _OLD_LAYOUT_GARBAGE.match(line) is not None,
    ),
}
