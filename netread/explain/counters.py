"""Prose for the -s counters that signal trouble: (section, counter) -> one line saying what a rise means.

The counters are the kernel's (include/uapi/linux/snmp.h, net/ipv4/proc.c,
net/ipv6/proc.c); --explain with -s labels each one a section shows.
"""

from __future__ import annotations

_UDP_IN = "datagrams that could not be delivered (checksum, a full receive buffer, memory): lost to the application"
_UDP_RCVBUF = "datagrams dropped because a socket's receive buffer was full: the reader is too slow, or SO_RCVBUF too small"
_UDP_SNDBUF = "datagrams not sent because a socket's send buffer was full"
_UDP_NOPORTS = "datagrams to a port nothing listens on (answered with ICMP port unreachable)"
_UDP_CSUM = "datagrams with a bad checksum: damaged on the wire or by a NIC/offload bug"
_UDP_MEM = "datagrams dropped because UDP ran out of its memory budget (net.ipv4.udp_mem)"

TROUBLE: dict[tuple[str, str], str] = {
    ("Ip", "InHdrErrors"): "IPv4 packets dropped for a bad header (checksum, version, TTL exceeded)",
    ("Ip", "InAddrErrors"): "IPv4 packets dropped for a destination this host does not accept",
    ("Ip", "InDiscards"): "IPv4 packets dropped on input for lack of resources (no error in the packet)",
    ("Ip", "OutDiscards"): "IPv4 packets dropped on output for lack of resources",
    ("Ip", "OutNoRoutes"): "IPv4 packets dropped because no route led to their destination",
    ("Ip", "ReasmFails"): "IPv4 fragment reassemblies that failed (lost fragments, timeouts)",
    ("Ip", "FragFails"): "IPv4 packets that needed fragmenting but had Don't Fragment set",
    ("Icmp", "InErrors"): "ICMP messages received with errors (bad checksum, too short)",
    ("Icmp", "OutErrors"): "ICMP messages not sent for lack of resources",
    ("Icmp", "InCsumErrors"): "ICMP messages with a bad checksum",
    ("Tcp", "RetransSegs"): "TCP segments sent again because no ACK came in time: loss or congestion on the path",
    ("Tcp", "InErrs"): "TCP segments received with errors (bad checksum, bad header)",
    ("Tcp", "AttemptFails"): "connection attempts that failed: refused, timed out or reset before they were established",
    ("Tcp", "EstabResets"): "established connections reset by the peer (RST received)",
    ("Tcp", "OutRsts"): "RSTs sent: connections refused or aborted by this host",
    ("Tcp", "InCsumErrors"): "TCP segments with a bad checksum: damaged on the wire or by a NIC/offload bug",
    ("TcpExt", "ListenOverflows"): "times a listening socket's accept queue was full: the application accepts too slowly, or its backlog (listen(), net.core.somaxconn) is too small",
    ("TcpExt", "ListenDrops"): "SYNs to listening sockets dropped, for any reason (a full accept queue counts here too)",
    ("TcpExt", "TCPTimeouts"): "retransmission timeouts: an ACK did not come back at all, the worst kind of loss",
    ("TcpExt", "TCPSynRetrans"): "SYNs and SYN-ACKs sent again: a peer or the path is not answering connection setup",
    ("TcpExt", "TCPLostRetransmit"): "retransmitted segments that were lost again",
    ("TcpExt", "TCPFastRetrans"): "segments retransmitted after duplicate ACKs (fast retransmit): packet loss",
    ("TcpExt", "TCPSlowStartRetrans"): "segments retransmitted in slow start: loss early in a connection",
    ("TcpExt", "TCPAbortOnMemory"): "connections aborted because TCP ran out of memory (net.ipv4.tcp_mem)",
    ("TcpExt", "TCPAbortOnTimeout"): "connections aborted after too many retransmission timeouts",
    ("TcpExt", "TCPMemoryPressures"): "times TCP entered memory pressure (net.ipv4.tcp_mem)",
    ("TcpExt", "PruneCalled"): "times a receive queue had to be pruned because its socket buffer overran",
    ("TcpExt", "RcvPruned"): "packets dropped from a receive queue because the socket buffer overran",
    ("TcpExt", "OfoPruned"): "out-of-order packets dropped because the socket buffer overran",
    ("TcpExt", "TCPBacklogDrop"): "packets dropped because a socket's backlog was full while the application held it",
    ("TcpExt", "TCPRcvQDrop"): "packets dropped because a receive queue was full",
    ("TcpExt", "TCPReqQFullDrop"): "SYNs dropped because the SYN queue was full and SYN cookies are off",
    ("TcpExt", "TCPReqQFullDoCookies"): "times the SYN queue was full and SYN cookies were sent instead",
    ("TcpExt", "SyncookiesSent"): "SYN cookies sent: the SYN queue overflowed (a SYN flood, or too small a backlog)",
    ("TcpExt", "SyncookiesFailed"): "ACKs with an invalid SYN cookie",
    ("Udp", "InErrors"): _UDP_IN,
    ("Udp", "RcvbufErrors"): _UDP_RCVBUF,
    ("Udp", "SndbufErrors"): _UDP_SNDBUF,
    ("Udp", "NoPorts"): _UDP_NOPORTS,
    ("Udp", "InCsumErrors"): _UDP_CSUM,
    ("Udp", "MemErrors"): _UDP_MEM,
    ("UdpLite", "InErrors"): _UDP_IN,
    ("UdpLite", "RcvbufErrors"): _UDP_RCVBUF,
    ("Ip6", "Ip6InHdrErrors"): "IPv6 packets dropped for a bad header",
    ("Ip6", "Ip6InAddrErrors"): "IPv6 packets dropped for a destination this host does not accept",
    ("Ip6", "Ip6InDiscards"): "IPv6 packets dropped on input for lack of resources",
    ("Ip6", "Ip6OutDiscards"): "IPv6 packets dropped on output for lack of resources",
    ("Ip6", "Ip6OutNoRoutes"): "IPv6 packets dropped because no route led to their destination",
    ("Ip6", "Ip6InNoRoutes"): "IPv6 packets received that could not be routed",
    ("Ip6", "Ip6ReasmFails"): "IPv6 fragment reassemblies that failed",
    ("Icmp6", "Icmp6InErrors"): "ICMPv6 messages received with errors",
    ("Icmp6", "Icmp6OutErrors"): "ICMPv6 messages not sent for lack of resources",
    ("Udp6", "Udp6InErrors"): _UDP_IN,
    ("Udp6", "Udp6RcvbufErrors"): _UDP_RCVBUF,
    ("Udp6", "Udp6SndbufErrors"): _UDP_SNDBUF,
    ("Udp6", "Udp6NoPorts"): _UDP_NOPORTS,
    ("Udp6", "Udp6InCsumErrors"): _UDP_CSUM,
    ("Udp6", "Udp6MemErrors"): _UDP_MEM,
}
