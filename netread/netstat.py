"""Rows and headers exactly as net-tools netstat 2.10 prints them.

Widths, truncation and state names come from netstat.c (tcp_do_one,
udp_do_one, raw_do_one, unix_do_one, addr_do_one, finish_this_one) and were
checked against the real binary on the same files; see
shared/reference/netstat-and-proc-net.md §6.  Where netstat misbehaves
(undefined state numbers, unix paths cut at whitespace, control bytes written
raw) the text here differs on purpose; README "Differences from netstat".
"""

from __future__ import annotations

import ipaddress
import socket

from netread.escape import escape_text
from netread.model import PROTO_LABEL
from netread.model import SO_ACCEPTCON
from netread.model import SO_NOSPACE
from netread.model import SO_WAITDATA
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import UnixSocket
from netread.options import Options

#: netstat.c tcp_state[]: index = kernel state number.
TCP_STATE_NAMES = (
    "",
    "ESTABLISHED",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT1",
    "FIN_WAIT2",
    "TIME_WAIT",
    "CLOSE",
    "CLOSE_WAIT",
    "LAST_ACK",
    "LISTEN",
    "CLOSING",
)
UNKNOWN = "UNKNOWN"
UNIX_TYPE_NAMES = {1: "STREAM", 2: "DGRAM", 3: "RAW", 4: "RDM", 5: "SEQPACKET"}
UNIX_STATE_NAMES = {0: "FREE", 2: "CONNECTING", 3: "CONNECTED", 4: "DISCONNECTING"}

#: addr_do_one's short_len: host + port longer than this are cut (unless -W).
ADDR_SHORT_LEN = 22
ADDR_COLUMN = 23
#: snprintf buffer sizes of the address text in tcp_do_one (128) and udp/raw (64).
ADDR_BUFFER = {"tcp": 127, "udp": 63, "raw": 63}

INET_HEADER = "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
UNIX_HEADER = "Proto RefCnt Flags       Type       State         I-Node  "


def banner(kind: str, opts: Options) -> str:
    """``Active Internet connections (servers and established)`` and the like."""
    what = "Internet connections" if kind == "inet" else "UNIX domain sockets"
    if opts.all:
        scope = "(servers and established)"
    elif opts.listening:
        scope = "(only servers)"
    else:
        scope = "(w/o servers)"
    return f"Active {what} {scope}"


def inet_header(opts: Options) -> str:
    header = INET_HEADER
    if opts.extend:
        header += " User       Inode     "
    if opts.programs:
        header += " " + "PID/Program name".ljust(20)
    if opts.timers:
        header += " Timer"
    return header


def unix_header(opts: Options) -> str:
    header = UNIX_HEADER
    if opts.programs:
        header += " " + "PID/Program name".ljust(20)
    return header + " Path"


def _c_long(value: int) -> int:
    """The value as printf ``%ld`` shows an ``unsigned long`` scanned by ``%lX``."""
    if value > 0x7FFFFFFFFFFFFFFF:
        value = min(value, 0xFFFFFFFFFFFFFFFF) - (1 << 64)
    return value


def numeric_host(address: IPAddress) -> str:
    """netstat -n host text: dotted IPv4, inet_ntop IPv6, IPv4-mapped shown as IPv4."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    mapped = address.ipv4_mapped
    if mapped is not None:
        return str(mapped)
    # inet_ntop, not ipaddress: they differ on IPv4-compatible ::a.b.c.d.
    return socket.inet_ntop(socket.AF_INET6, address.packed)


class NetstatFormatter:
    """Formats decoded rows as netstat lines; caches address text per run."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self._hosts: dict[IPAddress, str] = {}

    def host(self, address: IPAddress) -> str:
        text = self._hosts.get(address)
        if text is None:
            text = self._hosts[address] = numeric_host(address)
        return text

    def port(self, port: int, family: str) -> str:
        del family  # service names come with name resolution
        return "*" if port == 0 else str(port)

    def address(self, address: IPAddress, port: int, family: str) -> str:
        """addr_do_one: ``host:port``, cut to 23 characters unless --wide."""
        host = self.host(address)
        service = self.port(port, family)
        if not self.opts.wide and len(host) + len(service) > ADDR_SHORT_LEN:
            port_len = min(len(service), ADDR_SHORT_LEN - 4)
            return host[: ADDR_SHORT_LEN - port_len] + ":" + service[:port_len]
        return (host + ":" + service)[: ADDR_BUFFER[family]]

    def inet_state(self, sock: InetSocket, family: str) -> str:
        st = sock.st
        if family == "tcp":
            return TCP_STATE_NAMES[st] if 0 < st < len(TCP_STATE_NAMES) else UNKNOWN
        if family == "udp":
            return "ESTABLISHED" if st == 1 else "" if st == 7 else UNKNOWN
        return str(st)

    def inet_row(self, sock: InetSocket) -> str:
        """One Internet row, without its newline."""
        table = sock.table
        family = "tcp" if table.startswith("tcp") else "raw" if table.startswith("raw") else "udp"
        local = self.address(sock.local.address, sock.local.port, family)
        remote = self.address(sock.remote.address, sock.remote.port, family)
        line = "%-5s %6d %6d %-23s %-23s %-11s" % (
            PROTO_LABEL[table],
            _c_long(sock.rx_queue),
            _c_long(sock.tx_queue),
            local,
            remote,
            self.inet_state(sock, family),
        )
        return line

    def unix_row(self, sock: UnixSocket) -> str:
        """One unix row, without its newline."""
        flags = "[ "
        if sock.flags & SO_ACCEPTCON:
            flags += "ACC "
        if sock.flags & SO_WAITDATA:
            flags += "W "
        if sock.flags & SO_NOSPACE:
            flags += "N "
        flags += "]"
        if sock.st == 1:
            state = "LISTENING" if sock.flags & SO_ACCEPTCON else ""
        else:
            state = UNIX_STATE_NAMES.get(sock.st, UNKNOWN)
        line = "%-5s %-6d %-11s %-10s %-13s " % (
            "unix" if sock.protocol == 0 else "??",
            _c_long(sock.refcount),
            flags,
            UNIX_TYPE_NAMES.get(sock.type, UNKNOWN),
            state,
        )
        line += "%-8d" % sock.inode if sock.inode is not None else "-       "
        path = sock.path
        return line + " " + (escape_text(path) if path is not None else "")


def inet_selected(sock: InetSocket, opts: Options) -> bool:
    """netstat's -a/-l/default rule: by remote port for tcp, remote address otherwise."""
    if opts.all:
        return True
    if sock.table.startswith("tcp"):
        connected = sock.remote.port != 0
    else:
        connected = not sock.remote.address.packed.count(0) == len(sock.remote.address.packed)
    return connected != opts.listening


def unix_selected(sock: UnixSocket, opts: Options) -> bool:
    """netstat's rule for unix: servers are unconnected sockets with the accept flag."""
    return opts.all or sock.listening == opts.listening
