"""--state, --port, --sport, --dport, --pid, --program, --user: which sockets to keep.

Filters look at the records of netread/records.py, so they mean the same in
every output format.  They combine with AND.  A unix socket has no port and no
uid, so a port or user filter leaves it out.
"""

from __future__ import annotations

from typing import NamedTuple

from netread.render.records import Record

#: State names a --state filter accepts: the kernel's TCP names, UDP/raw's, unix's.
STATES = frozenset(
    {
        "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
        "LAST_ACK", "LISTEN", "CLOSING", "UNKNOWN", "FREE", "UNCONNECTED", "LISTENING", "CONNECTING",
        "CONNECTED", "DISCONNECTING",
    }
)  # fmt: skip


class FilterError(ValueError):
    """A filter value that cannot mean anything (an unknown state, a port out of range)."""


class Filters(NamedTuple):
    states: frozenset[str] | None = None
    port: int | None = None
    sport: int | None = None
    dport: int | None = None
    pid: int | None = None
    program: str | None = None
    user: str | None = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in self)

    @property
    def need_owners(self) -> bool:
        """Whether the fd scan must run (a pid or program filter) even without -p."""
        return self.pid is not None or self.program is not None

    def matches(self, record: Record) -> bool:
        if self.states is not None:
            state = record["state"]
            listening_alias = state == "LISTENING" and "LISTEN" in self.states
            if state not in self.states and not listening_alias:
                return False
        local, remote = record.get("local_port"), record.get("remote_port")
        if self.port is not None and self.port not in (local, remote):
            return False
        if self.sport is not None and local != self.sport:
            return False
        if self.dport is not None and remote != self.dport:
            return False
        if self.pid is not None and record["pid"] != self.pid:
            return False
        if self.program is not None and record["program"] != self.program:
            return False
        if self.user is not None:
            if self.user.isascii() and self.user.isdigit():
                return record.get("uid") == int(self.user)
            return record.get("user") == self.user
        return True


def parse_states(text: str) -> frozenset[str]:
    """``LISTEN,close_wait`` -> {"LISTEN", "CLOSE_WAIT"}; an unknown name is an error.

    >>> sorted(parse_states("listen,Time_Wait"))
    ['LISTEN', 'TIME_WAIT']
    """
    names = frozenset(part.strip().upper().replace("-", "_") for part in text.split(",") if part.strip())
    unknown = sorted(names - STATES)
    if unknown or not names:
        raise FilterError(f"unknown state {', '.join(unknown) or repr(text)}; known: {', '.join(sorted(STATES))}")
    return names


def parse_port(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 0xFFFF:
        raise FilterError(f"{what} wants a port number 0-65535, not {text!r}")
    return int(text)
