"""What each column and each state of a netstat listing means, and where it comes from.

Plain data for ``--explain``: the column legend (one entry per column netstat
can print, naming the /proc field it is read from) and the state glossary
(every TCP state 01-0B, UDP's two, raw's two, unix 0-4), written from the
kernel's side (include/net/tcp_states.h, net/ipv4/tcp_ipv4.c get_tcp4_sock,
net/ipv4/udp.c udp4_format_sock, net/unix/af_unix.c unix_seq_show; proc(5)).  Then the
prose of ``--explain-line`` (explain/line*.py), which explains one raw field at
a time: what each field is, the states, timers, socket types and IP protocols.
"""

from __future__ import annotations

import dataclasses

from netread.model import TcpState
from netread.model import UnixState
from netread.model import UnixType


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of netstat's output: its header text, its /proc source and its meaning."""

    header: str
    source: str
    meaning: str


INET_COLUMNS: tuple[Column, ...] = (
    Column(
        "Proto",
        "the file the row is in",
        "tcp = /proc/net/tcp (IPv4), tcp6 = /proc/net/tcp6 (IPv6, and IPv4 on an IPv6 socket), "
        "udp/udp6, udpl/udpl6 = udplite, raw/raw6.",
    ),
    Column(
        "Recv-Q",
        "rx_queue: the 2nd half of field 5 (tx_queue:rx_queue), hex",
        "netstat shows it first though /proc prints it second. TCP: bytes received that the program "
        "has not read yet. On a LISTEN socket: connections waiting for accept() (the accept queue); "
        "its limit, the listen() backlog capped by net.core.somaxconn, is not in /proc. "
        "UDP and raw: receive-buffer memory in bytes (with overhead), not payload.",
    ),
    Column(
        "Send-Q",
        "tx_queue: the 1st half of field 5, hex",
        "TCP: bytes sent but not yet acknowledged plus bytes not yet sent (a SYN or FIN counts as one). "
        "On a LISTEN socket always 0, not the backlog limit (ss shows the limit there; netstat does not). "
        "UDP and raw: send-buffer memory.",
    ),
    Column(
        "Local Address",
        "local_address: field 2, ADDRESS:PORT in hex, address words in host byte order",
        "host:port on this machine. 0.0.0.0 or [::] (:: with -n) is every address; * is port 0; "
        "an IPv4-mapped IPv6 address is shown as IPv4; for raw sockets the port is the IP protocol "
        "number. Cut to 23 characters unless -W.",
    ),
    Column(
        "Foreign Address",
        "rem_address: field 3",
        "the peer. 0.0.0.0:* or [::]:* when there is none: a listener, an unconnected UDP or raw socket.",
    ),
    Column(
        "State",
        "st: field 4, hex",
        "TCP: the state name (glossary below). UDP: ESTABLISHED when connect()ed, blank when not. "
        "raw: the bare number (1 connected, 7 not).",
    ),
    Column(
        "User",
        "uid: field 8 (-e)",
        "the socket's owner as a user name (the number with -n). TIME_WAIT rows always say uid 0; "
        "a SYN_RECV request row has the listener's uid.",
    ),
    Column(
        "Inode",
        "inode: field 10 (-e)",
        "the socket's inode, what /proc/<pid>/fd links name as socket:[N]. 0 means no process can "
        "hold it: TIME_WAIT, SYN_RECV request, orphaned after close(), or not yet accept()ed.",
    ),
    Column(
        "PID/Program name",
        "/proc/<pid>/fd/* links to socket:[inode], /proc/<pid>/cmdline (-p)",
        "the first process found holding the socket: pid/argv[0] (its last path part when absolute), "
        "cut to 19 bytes. - when no process has it or its fds could not be read.",
    ),
    Column(
        "Timer",
        "tr:tm->when (field 6), retrnsmt (field 7), timeout (field 9) (-o)",
        "word (seconds left/retransmits/unanswered probes). Words: off, on (retransmit, or a "
        "request's SYN-ACK), keepalive, timewait, probe (zero-window probe); UDP and raw on1/on2.",
    ),
)

UNIX_COLUMNS: tuple[Column, ...] = (
    Column("Proto", "Protocol field", "unix (the kernel always prints protocol 0)."),
    Column("RefCnt", "RefCount, hex", "references to the socket; shown in decimal."),
    Column(
        "Flags",
        "Flags, hex",
        "ACC: listening (__SO_ACCEPTCON). netstat also knows W and N, which current kernels never set.",
    ),
    Column("Type", "Type", "STREAM, DGRAM or SEQPACKET (1, 2, 5)."),
    Column("State", "St", "blank, LISTENING, CONNECTING, CONNECTED or DISCONNECTING (glossary below)."),
    Column(
        "I-Node",
        "Inode",
        "the socket's inode; 0 for the server side of a connection not accept()ed yet.",
    ),
    Column(
        "PID/Program name",
        "/proc/<pid>/fd/* links (-p)",
        "the first process found holding the socket, as for Internet sockets.",
    ),
    Column(
        "Path",
        "Path (everything after the inode)",
        "the address: a file path; @name for an abstract name (each NUL in it shown as @); "
        "@ and 5 hex digits for an autobound one; blank when unnamed (socketpair, most clients). "
        "The server side of a connection shows the listener's path.",
    ),
)

#: ``netstat -g``: net/ipv4/igmp.c igmp_mc_seq_show and net/ipv6/mcast.c igmp6_mc_seq_show.
GROUP_COLUMNS: tuple[Column, ...] = (
    Column(
        "Interface",
        "igmp: the device line above the group (Device); igmp6: field 2",
        "the interface that joined the group: its first 15 bytes, as netstat's buffer holds them.",
    ),
    Column(
        "RefCnt",
        "igmp: Users; igmp6: field 4",
        "how many joins of the group there are on that interface: sockets (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP) "
        "and the kernel itself (224.0.0.1 and ff02::1 on every multicast interface, the solicited-node "
        "ff02::1:ffXX:XXXX of each IPv6 address).",
    ),
    Column(
        "Group",
        "igmp: Group, 8 hex digits, a host-order word; igmp6: field 3, 32 hex digits",
        "the multicast group address (a name from /etc/hosts or DNS without -n). igmp's rows come first, then igmp6's.",
    ),
)


@dataclasses.dataclass(frozen=True)
class State:
    """A state as netstat prints it (``shown``), with the kernel's name and what it means."""

    shown: str
    kernel: str
    meaning: str


TCP_STATES: dict[int, State] = {
    0x01: State(
        TcpState.ESTABLISHED.name,
        "TCP_ESTABLISHED (01)",
        "the connection is open both ways. With inode 0 and no owner: the kernel completed it but the "
        "program has not accept()ed it yet; it waits in the listener's accept queue.",
    ),
    0x02: State(
        TcpState.SYN_SENT.name,
        "TCP_SYN_SENT (02)",
        "connect() sent a SYN and waits for the peer's SYN-ACK; the 1 in Send-Q is the SYN. "
        "If it lasts, the peer or a firewall is not answering.",
    ),
    0x03: State(
        TcpState.SYN_RECV.name,
        "TCP_SYN_RECV (03)",
        "a peer's SYN reached a listener, which answered with a SYN-ACK and waits for the last ACK. "
        "These rows are request sockets (kernel state 0C, printed as 03): inode 0, no process, the "
        "listener's uid.",
    ),
    0x04: State(
        TcpState.FIN_WAIT1.name,
        "TCP_FIN_WAIT1 (04)",
        "this side closed and sent a FIN, not yet acknowledged. After close() the socket is orphaned "
        "(inode 0) and the kernel still sends what is left in Send-Q.",
    ),
    0x05: State(
        TcpState.FIN_WAIT2.name,
        "TCP_FIN_WAIT2 (05)",
        "our FIN was acknowledged; waiting for the peer's FIN. A socket still open (shutdown()) is a full "
        "row; an orphaned one is a timewait-style row with a timer (net.ipv4.tcp_fin_timeout).",
    ),
    0x06: State(
        TcpState.TIME_WAIT.name,
        "TCP_TIME_WAIT (06)",
        "both sides closed and this side closed first; the kernel keeps the address pair for 60 s so "
        "late segments cannot join a new connection. No process owns it (uid 0, inode 0).",
    ),
    0x07: State(
        TcpState.CLOSE.name,
        "TCP_CLOSE (07)",
        "not connected: a TCP socket in transition (rare in /proc/net/tcp). For UDP and raw this is "
        "the ordinary unconnected state.",
    ),
    0x08: State(
        TcpState.CLOSE_WAIT.name,
        "TCP_CLOSE_WAIT (08)",
        "the peer closed (its FIN is the 1 in Recv-Q) and the program has not called close(). "
        "Only the program can end this state.",
    ),
    0x09: State(
        TcpState.LAST_ACK.name,
        "TCP_LAST_ACK (09)",
        "the peer closed, then this side closed; waiting for the ACK of our FIN (counted in Send-Q).",
    ),
    0x0A: State(
        TcpState.LISTEN.name,
        "TCP_LISTEN (0A)",
        "a server waiting for connections; Recv-Q is how many are complete and waiting for accept().",
    ),
    0x0B: State(
        TcpState.CLOSING.name,
        "TCP_CLOSING (0B)",
        "both sides sent a FIN at the same time (simultaneous close); waiting for the ACK of ours.",
    ),
}

TCP_UNKNOWN = State(
    "UNKNOWN",
    "a number outside 01-0B",
    "not a state /proc/net/tcp prints; netstat would read past its name table, netread says UNKNOWN.",
)

UDP_STATES: dict[int, State] = {
    0x01: State(TcpState.ESTABLISHED.name, "TCP_ESTABLISHED (01)", "connect()ed to one peer; it only receives from that peer."),
    0x07: State(
        "(blank)",
        "TCP_CLOSE (07)",
        "not connected: it receives from anyone. The normal state of a UDP server.",
    ),
}

RAW_STATES: dict[int, State] = {
    0x01: State("1", "TCP_ESTABLISHED (01)", "connect()ed: the remote address is fixed."),
    0x07: State("7", "TCP_CLOSE (07)", "not connected: receives every packet of its protocol."),
}

UNIX_STATES: dict[int, State] = {
    0: State("FREE", "SS_FREE (00)", "not allocated; the kernel does not list such sockets."),
    1: State(
        "(blank) or LISTENING",
        "SS_UNCONNECTED (01)",
        "has a socket but no connection: LISTENING with the ACC flag (a server after listen()), else "
        "bound, unbound or an unconnected DGRAM socket.",
    ),
    2: State(
        "CONNECTING",
        "SS_CONNECTING (02)",
        "the server side of a connection the listener has not accept()ed yet: inode 0, no process, "
        "the listener's path.",
    ),
    3: State("CONNECTED", "SS_CONNECTED (03)", "one end of a connected pair (or a DGRAM socket someone connect()ed to)."),
    4: State("DISCONNECTING", "SS_DISCONNECTING (04)", "no socket left and not connected; rarely seen."),
}

UNIX_UNKNOWN = State("UNKNOWN", "a number outside 00-04", "not a state the kernel prints.")


# ---------------------------------------------------------------------------
# --explain-line: one field of one raw line at a time
# ---------------------------------------------------------------------------

#: What each field is and how it is printed, for a field whose text could not be decoded.
FIELD_FORMATS: dict[str, str] = {
    "sl": "Row number (tcp) or hash bucket (udp, raw): decimal, followed by ':'.",
    "local_address": "Local IP address: one %08X word (IPv4) or four (IPv6) in host byte order.",
    "local_port": "Local port, %04X hex.",
    "rem_address": "Remote IP address: one %08X word (IPv4) or four (IPv6) in host byte order.",
    "remote_address": "Remote IP address: four %08X words in host byte order.",
    "rem_port": "Remote port, %04X hex.",
    "remote_port": "Remote port, %04X hex.",
    "st": "Socket state, %02X hex.",
    "tx_queue": "Send queue, %08X hex.",
    "rx_queue": "Receive queue, %08X hex.",
    "tx_queue:rx_queue": "Send queue and receive queue, two %08X hex numbers joined by ':' (tx first).",
    "tr": "Timer code, %02X hex.",
    "tm->when": "Time left on the timer, %08lX hex clock ticks.",
    "tr:tm->when": "Timer code and time left on it, hex, joined by ':'.",
    "retrnsmt": "Retransmission count, %08X hex.",
    "uid": "Owner uid, decimal.",
    "timeout": "Unanswered probes, signed decimal.",
    "inode": "Socket inode number, decimal.",
    "ref": "Reference count, signed decimal.",
    "pointer": "Kernel address (%pK), hex.",
    "rto": "Retransmission timeout, decimal clock ticks.",
    "ato": "Delayed-ACK timeout, decimal clock ticks.",
    "quick/pingpong": "(quick << 1) | pingpong, decimal.",
    "cwnd": "Congestion window, decimal segments.",
    "ssthresh": "Slow-start threshold, signed decimal segments.",
    "drops": "Dropped datagrams, decimal.",
    "Num": "Kernel address (%pK) followed by ':'.",
    "RefCount": "Reference count, %08X hex.",
    "Protocol": "Protocol, %08X hex (always 0).",
    "Flags": "Socket flags, %08X hex.",
    "Type": "Socket type, %04X hex.",
    "St": "Socket state, %02X hex.",
    "Inode": "Socket inode number, decimal.",
    "Path": "The bound name, after one space.",
}
#: The meaning of a field that the row it is in does not have.
NOT_IN_ROW = "Not part of this kind of row."

#: The TCP states /proc/net/tcp prints, one sentence each.
TCP_STATE_MEANINGS: dict[int, str] = {
    TcpState.ESTABLISHED: "Connected: data can flow both ways.",
    TcpState.SYN_SENT: "connect() sent a SYN and waits for the SYN-ACK.",
    TcpState.SYN_RECV: "A SYN came in and a SYN-ACK went out; waiting for the final ACK of the handshake.",
    TcpState.FIN_WAIT1: "This side closed and sent a FIN, not yet acknowledged.",
    TcpState.FIN_WAIT2: "This side's FIN was acknowledged; waiting for the peer to close.",
    TcpState.TIME_WAIT: "Closed; the address pair is held for a while (60 s) to catch stray segments.",
    TcpState.CLOSE: "Closed (rare and brief in this file).",
    TcpState.CLOSE_WAIT: "The peer closed (sent FIN); the program has not closed its side yet.",
    TcpState.LAST_ACK: "Both sides closed; waiting for the ACK of this side's FIN.",
    TcpState.LISTEN: "Listening: waiting for incoming connections (listen() was called).",
    TcpState.CLOSING: "Both sides closed at the same time; waiting for the ACK of this side's FIN.",
}


@dataclasses.dataclass(frozen=True)
class Timer:
    """A ``tr`` code: what the timer is, netstat -o's word for it, and one sentence on it."""

    what: str
    word: str
    detail: str


#: The ``tr`` codes of get_tcp4_sock (net/ipv4/tcp_ipv4.c).
TCP_TIMERS: dict[int, Timer] = {
    0: Timer("no timer", "off", "No timer is pending, so tm->when is 0."),
    1: Timer("retransmit", "on", "The retransmit timer (also RACK reorder and tail-loss probe)."),
    2: Timer(
        "keepalive", "keepalive", "The sk_timer: keepalive (for an orphan it may be the FIN_WAIT2 timer)."
    ),
    3: Timer("timewait", "timewait", "The TIME_WAIT timer: the row disappears when it runs out."),
    4: Timer(
        "zero-window probe",
        "probe",
        "The zero-window probe timer: the peer advertised a zero receive window.",
    ),
}
#: The detail of timer 1 in a request-socket row.
REQUEST_RETRANSMIT = (
    "The retransmit timer (also RACK reorder and tail-loss probe): for a request socket, the SYN-ACK"
    " retransmit timer."
)

#: IP protocol numbers (/etc/protocols), for the local "port" of a raw socket.
IP_PROTOCOLS: dict[int, str] = {
    0: "ip",
    1: "icmp",
    2: "igmp",
    4: "ipencap",
    6: "tcp",
    17: "udp",
    41: "ipv6",
    47: "gre",
    50: "esp",
    51: "ah",
    58: "ipv6-icmp",
    89: "ospf",
    103: "pim",
    112: "vrrp",
    132: "sctp",
    136: "udplite",
    255: "raw (IPPROTO_RAW)",
}

#: The St values of /proc/net/unix, one sentence each.
UNIX_STATE_MEANINGS: dict[int, str] = {
    UnixState.FREE: "FREE: never printed by current kernels.",
    UnixState.UNCONNECTED: (
        "UNCONNECTED: a socket that is not connected: listening (with the ACC flag), bound only, unbound,"
        " or an unconnected DGRAM socket. netstat shows LISTENING with ACC, else an empty State."
    ),
    UnixState.CONNECTING: (
        "CONNECTING: the server-side half of a connection not yet accept()ed (no struct socket, so inode 0;"
        " the path shown is the listener's)."
    ),
    UnixState.CONNECTED: "CONNECTED: connected to a peer.",
    UnixState.DISCONNECTING: "DISCONNECTING: no struct socket and not connected (rare).",
}

#: The Type values of /proc/net/unix, one sentence each.
UNIX_TYPE_MEANINGS: dict[int, str] = {
    UnixType.STREAM: "SOCK_STREAM: a byte stream, like TCP.",
    UnixType.DGRAM: "SOCK_DGRAM: messages, unreliable in principle, like UDP (reliable on unix sockets).",
    UnixType.RAW: "SOCK_RAW: not created by current kernels for unix sockets.",
    UnixType.RDM: "SOCK_RDM: not created by current kernels for unix sockets.",
    UnixType.SEQPACKET: "SOCK_SEQPACKET: connected, with message boundaries.",
}


# -- netstat -r ----------------------------------------------------------------------------
#
# The columns of the routing tables (lib/inet_gr.c rprint_fib/rprint_cache, lib/inet6_gr.c
# rprint_fib6) and the flag letters (include/uapi/linux/route.h, ipv6_route.h; in_route.h RTCF_*).

ROUTE_COLUMNS: tuple[Column, ...] = (
    Column("Destination", "Destination (net/route, 8 hex digits, byte-reversed) or dst/plen (ipv6_route)",
           "the network or host the route leads to; default (0.0.0.0 with -n) is every address."),
    Column("Gateway", "Gateway", "the next router; 0.0.0.0 when the destination is on the link itself."),
    Column("Next Hop", "nexthop (ipv6_route)", "the next router; :: when the destination is on the link itself."),
    Column("Genmask", "Mask", "the netmask of Destination: 255.255.255.255 for a host route, 0.0.0.0 for default."),
    Column("Source", "Source (rt_cache)", "the source address of the cached route."),
    Column("Flags", "Flags (hex RTF_* bits)", "letters for the bits; the legend below names those shown."),
    Column("Flag", "flags (hex RTF_* bits)", "letters for the bits; the legend below names those shown."),
    Column("Metric", "Metric", "the route's priority (lower wins); -1 is 4294967295 printed signed."),
    Column("Met", "metric (hex)", "the route's priority (lower wins); -1 is ffffffff printed signed."),
    Column("Ref", "RefCnt / refcnt", "references to the route (always 0 in net/route on current kernels)."),
    Column("Use", "Use / use", "lookups of the route (always 0 on current kernels)."),
    Column("MSS", "MTU (advmss + 40, or 0)", "the TCP maximum segment size the route advertises, plus 40: "
           "the file's MTU column, as netstat shows it; 0 when the route sets none."),
    Column("Window", "Window", "the TCP window clamp set on the route (ip route ... window N); 0 for none."),
    Column("irtt", "IRTT (rtt >> 3)", "the initial round-trip time set on the route; 0 for none."),
    Column("Iface", "Iface", "the device the route sends through; * for a reject route. Cut to 6 with -ee."),
    Column("If", "dev (ipv6_route)", "the device the route sends through (lo for reject routes)."),
    Column("TOS", "TOS (rt_cache, hex read as decimal)", "the type of service of the cached route."),
    Column("HHRef", "HHRef (rt_cache)", "references to the hardware header cache."),
    Column("HHUptod", "HHUptod (rt_cache)", "1 when the cached hardware header is up to date."),
    Column("SpecDst", "SpecDst (rt_cache)", "the specific destination (the local address replies come from)."),
)  # fmt: skip

#: letter -> meaning, for the IPv4 FIB (rprint_fib).
ROUTE_FLAGS: dict[str, str] = {
    "U": "up (RTF_UP)", "G": "via a gateway (RTF_GATEWAY)", "!": "reject: unreachable, prohibit (RTF_REJECT)",
    "H": "a host route, /32 (RTF_HOST)", "R": "reinstate (RTF_REINSTATE)", "D": "made by a redirect (RTF_DYNAMIC)",
    "M": "modified by a redirect (RTF_MODIFIED)", "d": "default (RTF_DEFAULT)", "a": "all on link (RTF_ALLONLINK)",
    "c": "addrconf or cache (RTF_ADDRCONF, RTF_CACHE)", "o": "no next hop (RTF_NONEXTHOP)", "e": "expires (RTF_EXPIRES)",
    "f": "flow (RTF_FLOW)", "p": "policy (RTF_POLICY)", "l": "local (RTF_LOCAL)", "u": "MTU set (RTF_MTU)",
    "w": "window set (RTF_WINDOW)", "i": "irtt set (RTF_IRTT)", "n": "not cached (RTF_NOTCACHED)",
}  # fmt: skip
#: letter -> meaning, for ipv6_route (rprint_fib6).
ROUTE6_FLAGS: dict[str, str] = {
    "U": "up (RTF_UP)", "!": "reject: unreachable, prohibit, blackhole (RTF_REJECT)", "G": "via a gateway (RTF_GATEWAY)",
    "H": "a host route (RTF_HOST)", "D": "made by a redirect (RTF_DYNAMIC)", "A": "from addrconf (RTF_ADDRCONF)",
    "C": "a cache entry (RTF_CACHE)", "a": "all on link (RTF_ALLONLINK)", "e": "expires (RTF_EXPIRES)",
    "m": "modified (RTF_MODIFIED)", "n": "no next hop: local, or on the link (RTF_NONEXTHOP)", "f": "flow (RTF_FLOW)",
}  # fmt: skip
