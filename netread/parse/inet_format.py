"""The one description of the /proc/net socket line formats: field names, row variants, tables.

All eight inet tables print one line format::

    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
     0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 ...

Every row starts with the ten :data:`HEAD_FIELDS`; what follows the inode
depends on the kernel function that printed the row:

- ``full``: a full TCP socket, ``get_tcp4_sock`` / ``get_tcp6_sock``
  (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c), 17 fields;
- ``timewait``: a TIME_WAIT row, ``get_timewait4_sock`` / ``get_timewait6_sock``,
  12 fields;
- ``request``: a request socket in SYN_RECV, ``get_openreq4`` / ``get_openreq6``,
  12 fields;
- ``dgram``: udp and udplite (``udp4_format_sock``, net/ipv4/udp.c), udp6,
  udplite6 and raw6 (``__ip6_dgram_sock_seq_show``, net/ipv6/datagram.c), raw
  (``raw_sock_seq_show``, net/ipv4/raw.c), 13 fields.

/proc/net/unix has its own fields (``unix_seq_show``, net/unix/af_unix.c).
The careful decoder (parse/inet.py, parse/unix.py), the fast path
(render/netstat_fast.py) and ``--explain-line`` (explain/line*.py) take the
names and counts from here.

>>> len(VARIANT_FIELDS["full"]), len(VARIANT_FIELDS["timewait"]), len(VARIANT_FIELDS["dgram"])
(17, 12, 13)
>>> tcp_variant(12, 0x06, 3), tcp_variant(12, 0x03, 1), tcp_variant(17, 0x0A, 0)
('timewait', 'request', 'full')
"""

from __future__ import annotations

from netread.model import INET_TABLES
from netread.model import TcpState
from netread.model import TcpTimer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    RowVariant = Literal["full", "timewait", "request", "dgram"]

#: Every table a socket line may come from: the eight inet tables, then unix.
TABLES: tuple[str, ...] = (*INET_TABLES, "unix")

#: The fields every inet row starts with, in /proc order, named as the IPv4 headers name them.
HEAD_FIELDS: tuple[str, ...] = (
    "sl",
    "local_address",
    "rem_address",
    "st",
    "tx_queue:rx_queue",
    "tr:tm->when",
    "retrnsmt",
    "uid",
    "timeout",
    "inode",
)
#: The name the IPv6 headers (tcp6, udp6, udplite6, raw6) give the third field instead of rem_address.
REMOTE_ADDRESS_V6 = "remote_address"

#: The fields after the inode of a full TCP socket row.
TCP_FULL_EXTRA: tuple[str, ...] = ("ref", "pointer", "rto", "ato", "quick/pingpong", "cwnd", "ssthresh")
#: The fields after the inode of a TIME_WAIT or request-socket row: nothing follows the pointer.
TCP_SHORT_EXTRA: tuple[str, ...] = ("ref", "pointer")
#: The fields after the inode of a datagram row (udp, udplite, raw).
DATAGRAM_EXTRA: tuple[str, ...] = ("ref", "pointer", "drops")

#: Most fields after the inode a row of each kind has.
#: A uid as the kernel prints it (``%5u``: 0 to 4294967295), longest alternatives first (so an atomic
#: group may take it): a fast path takes no row whose uid the careful decoder would report.
UID_DIGITS = (
    "429496729[0-5]|42949672[0-8][0-9]|4294967[01][0-9]{2}|429496[0-6][0-9]{3}|42949[0-5][0-9]{4}|4294[0-8][0-9]{5}"
    "|429[0-3][0-9]{6}|42[0-8][0-9]{7}|4[01][0-9]{8}|[1-3][0-9]{9}|[1-9][0-9]{0,8}|0"
)
MAX_EXTRA_TCP = len(TCP_FULL_EXTRA)
MAX_EXTRA_DATAGRAM = len(DATAGRAM_EXTRA)

#: Every field of each row variant, in /proc order.
VARIANT_FIELDS: dict[RowVariant, tuple[str, ...]] = {
    "full": HEAD_FIELDS + TCP_FULL_EXTRA,
    "timewait": HEAD_FIELDS + TCP_SHORT_EXTRA,
    "request": HEAD_FIELDS + TCP_SHORT_EXTRA,
    "dgram": HEAD_FIELDS + DATAGRAM_EXTRA,
}
#: The field counts of each kind of row: a full TCP socket (17), a TIME_WAIT or request socket (12),
#: a datagram socket (13).
TCP_FULL_FIELD_COUNT = len(VARIANT_FIELDS["full"])
TCP_SHORT_FIELD_COUNT = len(VARIANT_FIELDS["timewait"])
DATAGRAM_FIELD_COUNT = len(VARIANT_FIELDS["dgram"])
TCP_FIELD_COUNTS = (TCP_SHORT_FIELD_COUNT, TCP_FULL_FIELD_COUNT)

#: /proc/net/unix fields in order.  Kernels before 2.6 print no Inode; Path is there only for a bound socket.
UNIX_FIELDS: tuple[str, ...] = ("Num", "RefCount", "Protocol", "Flags", "Type", "St", "Inode", "Path")
#: The fields a current kernel prints for every unix socket; Path follows after one space, if any.
UNIX_FIXED_FIELDS: tuple[str, ...] = UNIX_FIELDS[:-1]


def is_timewait_row(st: int | None, tr: int | None) -> bool:
    """State and timer of a TIME_WAIT row: TIME_WAIT, or an orphaned FIN_WAIT2, with the timewait timer."""
    return st in (TcpState.FIN_WAIT2, TcpState.TIME_WAIT) and tr == TcpTimer.TIMEWAIT


def is_request_row(st: int | None, tr: int | None) -> bool:
    """State and timer of a request-socket row: SYN_RECV with the retransmit (SYN-ACK) timer."""
    return st == TcpState.SYN_RECV and tr == TcpTimer.RETRANSMIT


def tcp_variant(fields: int, st: int | None, tr: int | None) -> RowVariant:
    """Which kernel function printed a tcp row of ``fields`` fields with state ``st`` and timer ``tr``.

    ``st`` and ``tr`` are None when they are missing or not hex.  A row of
    neither 12 nor 17 fields is told by its state and timer as far as they go.
    """
    if fields == TCP_FULL_FIELD_COUNT:
        return "full"
    short = fields == TCP_SHORT_FIELD_COUNT
    if tr == TcpTimer.TIMEWAIT or (short and st in (TcpState.FIN_WAIT2, TcpState.TIME_WAIT)):
        return "timewait"
    if is_request_row(st, tr) or short:
        return "request"
    return "full"
