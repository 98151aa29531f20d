"""Sockets as plain records (dicts of JSON types) for --format json/ndjson/csv and the filters.

Every decoded fact is kept, with the kernel's meaning rather than netstat's
presentation: addresses in full (``inet_ntop`` text, so ``::ffff:127.0.0.1``
stays as it is), ports as integers, the kernel's state name (``CLOSE`` for an
unconnected UDP socket), queues apart, and ``None`` (JSON ``null``) for what is
not known.  schema/netread.schema.json documents the keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from netread.model import SO_ACCEPTCON
from netread.model import SO_NOSPACE
from netread.model import SO_WAITDATA
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import UnixSocket
from netread.proc.processes import CMDLINE_BYTES
from netread.proc.processes import Owners

Record = dict[str, Any]

INET_KEYS = (
    "proto", "family", "local_address", "local_port", "remote_address", "remote_port", "state", "st",
    "recv_q", "send_q", "uid", "user", "inode", "timer", "drops", "pid", "program",
)  # fmt: skip
UNIX_KEYS = ("proto", "family", "refcnt", "flags", "type", "state", "st", "inode", "path", "pid", "program")
_TCP_STATES = (None, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
               "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")  # fmt: skip
_UNIX_TYPES = {1: "STREAM", 2: "DGRAM", 3: "RAW", 4: "RDM", 5: "SEQPACKET"}
_UNIX_STATES = {0: "FREE", 1: "UNCONNECTED", 2: "CONNECTING", 3: "CONNECTED", 4: "DISCONNECTING"}
_TIMERS = {0: "off", 1: "on", 2: "keepalive", 3: "timewait", 4: "probe"}


def address_text(address: IPAddress) -> str:
    """The full address: dotted IPv4, ``inet_ntop`` IPv6 (mapped addresses kept as they are)."""
    if address.version == 4:
        return str(address)
    import socket

    return socket.inet_ntop(socket.AF_INET6, address.packed)


def inet_state(sock: InetSocket) -> str:
    """The kernel's name for the state (tcp_states.h); udp and raw use TCP_ESTABLISHED/TCP_CLOSE too."""
    st = sock.st
    if sock.table.startswith("tcp"):
        name = _TCP_STATES[st] if 0 < st < len(_TCP_STATES) else None
        return name or "UNKNOWN"
    return "ESTABLISHED" if st == 1 else "CLOSE" if st == 7 else "UNKNOWN"


def unix_state(sock: UnixSocket) -> str:
    """UNCONNECTED, LISTENING (unconnected with the accept flag), CONNECTING, CONNECTED..."""
    if sock.listening:
        return "LISTENING"
    return _UNIX_STATES.get(sock.st, "UNKNOWN")


class RecordMaker:
    """Turns decoded rows into records; looks owners, users and full program names up once each."""

    def __init__(
        self,
        *,
        root: str,
        owners: Owners | None,
        user_name: Callable[[int], str | None] | None,
        clk_tck: int,
        confined: bool = False,
    ) -> None:
        self.root = root
        self.owners = owners
        self.user_name = user_name
        self.clk_tck = clk_tck
        self.confined = confined
        self._users: dict[int, str | None] = {}
        self._programs: dict[bytes, tuple[int | None, str | None]] = {}

    def _owner(self, inode: int | None) -> tuple[int | None, str | None]:
        if self.owners is None:
            return None, None
        label = self.owners.get(inode)
        if label is None:
            return None, None
        found = self._programs.get(label)
        if found is None:
            pid_text, _, cut = label.decode("utf-8", "surrogateescape").partition("/")
            pid = int(pid_text) if pid_text.isdigit() else None
            found = self._programs[label] = (pid, self._full_program(pid_text) or cut)
        return found

    def _full_program(self, pid: str) -> str | None:
        """argv[0] as netstat names it (basename when absolute), but not cut to 19 bytes."""
        from netread.proc.source import open_regular

        try:
            with open_regular(os.path.join(self.root, pid, "cmdline"), os.O_NOFOLLOW if self.confined else 0) as handle:
                argv0 = handle.read(CMDLINE_BYTES).split(b"\0", 1)[0]
        except OSError:
            return None
        if argv0.startswith(b"/"):
            argv0 = argv0.rsplit(b"/", 1)[1]
        return argv0.decode("utf-8", "surrogateescape")

    def _user(self, uid: int | None) -> str | None:
        if uid is None or self.user_name is None:
            return None
        if uid not in self._users:
            self._users[uid] = self.user_name(uid)
        return self._users[uid]

    def inet(self, sock: InetSocket) -> Record:
        pid, program = self._owner(sock.inode)
        tcp = sock.table.startswith("tcp")
        hz = self.clk_tck if tcp else 100
        timer = {
            "name": _TIMERS.get(sock.timer, f"unkn-{sock.timer}") if tcp else ("off" if sock.timer == 0 else f"on{sock.timer}"),
            "code": sock.timer,
            "seconds": round(sock.when / hz, 2),
            "retransmits": sock.retrnsmt,
            "probes": sock.timeout,
        }
        return {
            "proto": sock.table,
            "family": "inet" if sock.local.address.version == 4 else "inet6",
            "local_address": address_text(sock.local.address),
            "local_port": sock.local.port,
            "remote_address": address_text(sock.remote.address),
            "remote_port": sock.remote.port,
            "state": inet_state(sock),
            "st": sock.st,
            "recv_q": sock.rx_queue,
            "send_q": sock.tx_queue,
            "uid": sock.uid,
            "user": self._user(sock.uid),
            "inode": sock.inode,
            "timer": timer,
            "drops": sock.drops,
            "pid": pid,
            "program": program,
        }

    def unix(self, sock: UnixSocket) -> Record:
        pid, program = self._owner(sock.inode)
        flags = [name for bit, name in ((SO_ACCEPTCON, "ACC"), (SO_WAITDATA, "W"), (SO_NOSPACE, "N")) if sock.flags & bit]
        return {
            "proto": "unix",
            "family": "unix",
            "refcnt": sock.refcount,
            "flags": flags,
            "type": _UNIX_TYPES.get(sock.type, "UNKNOWN"),
            "state": unix_state(sock),
            "st": sock.st,
            "inode": sock.inode,
            "path": sock.path,
            "pid": pid,
            "program": program,
        }


def flat(record: Record) -> dict[str, object]:
    """A record for CSV: ``timer`` split into ``timer_name``..., ``flags`` joined with ``|``."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[f"{key}_{sub}"] = inner
        elif isinstance(value, list):
            out[key] = "|".join(value)
        else:
            out[key] = value
    return out


CSV_KEYS = (
    "proto", "family", "local_address", "local_port", "remote_address", "remote_port", "state", "st",
    "recv_q", "send_q", "uid", "user", "inode", "timer_name", "timer_code", "timer_seconds",
    "timer_retransmits", "timer_probes", "drops", "refcnt", "flags", "type", "path", "pid", "program",
)  # fmt: skip
