"""An /etc for a snapshot: hosts, networks, services and passwd that name most of what it holds.

The names are derived from the values (a CRC decides which ones get a name,
and which a long one), so every run builds the same files and both netstat and
netread face the cases that matter: named and unnamed addresses, names longer
than the 23-byte column, duplicate lines, first-octet-zero networks, unnamed
uids.  The fixed services/protocols/nsswitch.conf files live in fixtures/etc.
"""

from __future__ import annotations

import ipaddress
import json
import zlib
from pathlib import Path

from oracle import write_etc

from netread.model import INET_TABLES
from netread.model import InetSocket
from netread.parse.inet import decode_inet
from netread.proc.source import ProcSource

FIXED = Path(__file__).resolve().parent / "fixtures" / "etc"


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def snapshot_sockets(root: Path) -> list[InetSocket]:
    source = ProcSource.snapshot(root)
    rows: list[InetSocket] = []
    for table in INET_TABLES:
        lines = source.read_net(table)
        if lines is None:
            continue
        for row in decode_inet(lines, path=table, table=table, byteorder=source.byteorder):
            if isinstance(row, InetSocket):
                rows.append(row)
    return rows


def _host_name(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    text = str(address)
    pick = _crc(text) % 4
    if pick == 0:
        return None
    slug = text.replace(".", "-").replace(":", "x")
    if pick == 1:
        return f"h{slug[-6:]}"
    return f"host-{slug}.a-rather-long-domain.example"


_NONE: dict[int, str] = {}


def _captured_users(root: Path) -> dict[int, str]:
    """The manifest's uid -> name map (netread uses it for -e), or _NONE without one."""
    try:
        users = json.loads((root / "snapshot.json").read_text())["users"]
    except (OSError, ValueError, KeyError):
        return _NONE
    return {int(uid): name for uid, name in users.items()}


def etc_for(root: Path, where: Path) -> Path:
    """Write the replacement /etc files for the snapshot at ``root`` into ``where``."""
    rows = snapshot_sockets(root)
    hosts = ["127.0.0.1 localhost first-alias", "127.0.0.1 second-line-loses", "::1 ip6-localhost ip6-loopback"]
    networks = ["loopback 127.0.0.0", "link-local 169.254.0.0"]
    services = []
    passwd = ["root:x:0:0:root:/root:/bin/sh"]
    addresses = {a for row in rows for a in (row.local.address, row.remote.address)}
    for address in sorted(addresses, key=lambda a: (a.version, int(a))):
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # named, but netstat never asks for mapped ones
        if not any(address.packed) or str(address) in ("127.0.0.1", "::1"):
            continue
        name = _host_name(address)
        if name is None:
            continue
        if address.version == 4 and address.packed[0] == 0:
            networks.append(f"net-{name} {address}")
        else:
            hosts.append(f"{address} {name} alias-{_crc(name) % 1000}")
    for proto, ports in (("tcp", {r.local.port for r in rows if r.table.startswith("tcp")}),
                         ("udp", {r.local.port for r in rows if r.table.startswith("udp")})):
        for port in sorted(ports | {r.remote.port for r in rows if r.table.startswith(proto)}):
            pick = _crc(f"{proto}{port}") % 3
            if port == 0 or pick == 0:
                continue
            if pick == 2:
                services.append(f"first-{port} {port}/{proto}")
            services.append(f"svc-{port}{'-with-a-long-name' if port % 2 else ''} {port}/{proto}")
    captured = _captured_users(root)
    for uid in sorted({r.uid for r in rows if r.uid is not None} - {0}):
        if uid in captured:  # netread shows the captured host's names; give netstat the same
            passwd.append(f"{captured[uid]}:x:{uid}:{uid}::/:/bin/sh")
        elif _crc(str(uid)) % 3 and captured is _NONE:
            passwd.append(f"user{uid}:x:{uid}:{uid}::/:/bin/sh")
    fixed = {name: (FIXED / name).read_text() for name in ("services", "protocols", "nsswitch.conf")}
    return write_etc(
        where,
        {
            **fixed,
            "services": fixed["services"] + "\n".join(services) + "\n",
            "hosts": "\n".join(hosts) + "\n",
            "networks": "\n".join(networks) + "\n",
            "passwd": "\n".join(passwd) + "\n",
            "group": "root:x:0:\n",
        },
    )
