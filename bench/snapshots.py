"""Snapshots with every address distinct (a busy server, a NAT gateway), written by the shared
kernel-text encoder (tests/kernel_text.py), so each line is exactly what a kernel prints.

    .venv/bin/python bench/snapshots.py DIR --rows 1000000 --family 4 [--seed 1]

The rows are full TCP sockets in random states with random addresses and ports on both ends,
random queues, uids and inodes; a tenth are TIME_WAIT rows (12 fields), as on a busy server.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.kernel_text import TcpEntry
from tests.kernel_text import format_tcp
from tests.kernel_text import header_line


def entry(rng: random.Random, table: str, sl: int) -> TcpEntry:
    six = table == "tcp6"
    bits = 128 if six else 32

    def address() -> str:
        return str(ipaddress.ip_address(rng.getrandbits(bits)) if not six else ipaddress.IPv6Address(rng.getrandbits(bits)))

    if rng.random() < 0.1:
        return TcpEntry(table, "timewait", sl, address(), rng.randrange(1, 65536), address(), rng.randrange(1, 65536),
                        6, 0, 0, 3, rng.randrange(6000), 0, 0, 0, 0, 3, "0000000000000000")
    return TcpEntry(
        table, "full", sl, address(), rng.randrange(1, 65536), address(), rng.randrange(1, 65536),
        rng.choice((1, 1, 1, 1, 2, 4, 5, 7, 8, 9, 10, 11)), rng.randrange(0, 1 << rng.randrange(1, 24)), rng.randrange(0, 1 << rng.randrange(1, 20)),
        rng.choice((0, 1, 2, 4)), rng.randrange(1 << 16), rng.randrange(4), rng.choice((0, 33, 1000, 65534)), rng.randrange(3),
        rng.randrange(1, 1 << 40), 1, "0000000000000000", 20, 4, 30, 10, -1,
    )


def write(root: Path, rows: int, family: int, seed: int = 1) -> Path:
    """``root``/net/tcp (family 4) or tcp6 (6) of ``rows`` distinct-address rows; returns ``root``."""
    table = "tcp6" if family == 6 else "tcp"
    net = root / "net"
    net.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(net / table, "w") as out:
        out.write(header_line(table))
        for start in range(0, rows, 10000):
            out.write("".join(format_tcp(entry(rng, table, sl)) for sl in range(start, min(rows, start + 10000))))
    if family == 6:  # netstat -t reads tcp first; an empty one, as on an IPv6-only host
        (net / "tcp").write_text(header_line("tcp"))
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--family", type=int, choices=(4, 6), default=4)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    write(args.dir, args.rows, args.family, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
