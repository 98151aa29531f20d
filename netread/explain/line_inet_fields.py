"""The ten fields every inet row starts with (sl to inode), explained one at a time for ``--explain-line``.

Each explainer takes the field's text, the :class:`InetRow` it is in (table,
row variant, state and timer: what the meaning depends on) and the
:class:`~netread.explain.line_base.Collector`, and adds one field or more
(``tx_queue:rx_queue`` gives two) or a problem.  Their names and order are
those of parse/inet_format.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Mapping

from netread.explain.glossary import REQUEST_RETRANSMIT
from netread.explain.glossary import TCP_STATE_MEANINGS
from netread.explain.glossary import TCP_TIMERS
from netread.explain.line_address import address_meaning
from netread.explain.line_address import address_value
from netread.explain.line_address import looks_local
from netread.explain.line_address import ntop
from netread.explain.line_address import other_order
from netread.explain.line_address import packed
from netread.explain.line_address import port_meaning
from netread.explain.line_base import HEX
from netread.explain.line_base import Collector
from netread.explain.line_base import read_dec
from netread.explain.line_base import why_hex
from netread.model import TcpState
from netread.parse.inet import decode_address
from netread.parse.inet_format import REMOTE_ADDRESS_V6

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from netread.explain.line_base import ByteOrder
    from netread.explain.line_base import NumberFormat
    from netread.parse.inet_format import RowVariant


@dataclasses.dataclass(frozen=True, slots=True)
class InetRow:
    """What the explanation of one inet field may depend on."""

    table: str
    proto: Literal["tcp", "udp", "raw"]
    family: int
    byteorder: ByteOrder
    clk_tck: int
    variant: RowVariant
    st: int | None
    tr: int | None

    @property
    def v(self) -> str:
        return "6" if self.family == 6 else "4"

    @property
    def remote_name(self) -> str:
        return REMOTE_ADDRESS_V6 if self.family == 6 else "rem_address"

    @property
    def listen(self) -> bool:
        return self.proto == "tcp" and self.st == TcpState.LISTEN


Explainer = Callable[[str, InetRow, Collector], None]


def by_variant(name: str, fmt: NumberFormat, meanings: Mapping[RowVariant, str]) -> Explainer:
    """The explainer of a number field whose meaning depends only on the kind of row."""

    def explain(token: str, c: InetRow, out: Collector) -> None:
        value = out.read(name, token, fmt)
        if value is not None:
            out.add(name, token, str(value), meanings[c.variant])

    return explain


def seconds(ticks: int, hz: int) -> str:
    return f"{ticks / hz:.2f} s"


def sl(token: str, c: InetRow, out: Collector) -> None:
    number = read_dec(token[:-1]) if token.endswith(":") else None
    if number is None:
        out.bad("sl", token, f"{token!r} is not a decimal number followed by ':'")
        return
    if c.proto == "tcp":
        meaning = (
            "Running row number of this read (0, 1, 2, … over listeners first, then the other sockets):"
            " not an ID, and not stable from one read to the next."
        )
    else:
        meaning = "The hash-bucket index of the socket, not a row number: it is often large and can repeat."
    out.add("sl", token, str(number), meaning)


def endpoint(token: str, c: InetRow, out: Collector, local: bool) -> None:
    addr_name = "local_address" if local else c.remote_name
    port_name = "local_port" if local else c.remote_name.replace("_address", "_port")
    hexaddr, sep, hexport = token.partition(":")
    if not sep:
        out.bad(addr_name, token, f"{token!r} has no ':'; want HEXADDRESS:HEXPORT")
        return
    data = packed(hexaddr, c.byteorder)
    if data is None:
        if HEX.fullmatch(hexaddr) is None:
            out.bad(addr_name, hexaddr, why_hex(hexaddr))
        else:
            out.bad(addr_name, hexaddr, f"{len(hexaddr)} hex digits; want 8 (IPv4) or 32 (IPv6)")
    else:
        family_ok = (len(data) == 16) == (c.family == 6)
        if not family_ok:
            want = "32 (IPv6)" if c.family == 6 else "8 (IPv4)"
            out.problems.append(
                f"{addr_name}: {len(hexaddr)} hex digits, but a {c.table} address has {want};"
                " decoded by its length anyway"
            )
        out.add(
            addr_name,
            hexaddr,
            address_value(hexaddr, c.byteorder),
            address_meaning(data, local, family_ok, c.table),
        )
        other = other_order(c.byteorder)
        swapped = decode_address(hexaddr, other).packed
        if looks_local(swapped) and not looks_local(data) and any(data):
            out.notes.append(
                f"{addr_name} reads as {ntop(data)} in {c.byteorder}-endian order but as loopback"
                f" {ntop(swapped)} in {other}-endian order: was the line written on a"
                f" {other}-endian machine?"
            )
    port = out.read(port_name, hexport, "hex")
    if port is None:
        return
    if port > 0xFFFF:
        out.bad(port_name, hexport, f"0x{hexport} = {port} is above 0xFFFF, the largest port")
    else:
        value, meaning = port_meaning(port, local, c.proto)
        out.add(port_name, hexport, value, meaning)


def local_address(token: str, c: InetRow, out: Collector) -> None:
    endpoint(token, c, out, local=True)


def rem_address(token: str, c: InetRow, out: Collector) -> None:
    endpoint(token, c, out, local=False)


def st(token: str, c: InetRow, out: Collector) -> None:
    value = out.read("st", token, "hex")
    if value is None:
        return
    if c.proto == "tcp":
        if value in TCP_STATE_MEANINGS:
            name = TcpState(value).name
            header = f"TCP state {value:02X} = {name} (include/net/tcp_states.h)."
            out.add("st", token, name, f"{header} {TCP_STATE_MEANINGS[value]}")
            return
        if value == TcpState.NEW_SYN_RECV:
            out.add(
                "st",
                token,
                "NEW_SYN_RECV",
                "0C is the kernel's NEW_SYN_RECV, which /proc never prints (request sockets show 03).",
            )
        else:
            out.add("st", token, f"unknown ({value})", "Not a TCP state the kernel prints (01 to 0B).")
        out.problems.append(f"st: {token} is not a state the kernel prints in {c.table} (01 to 0B)")
        return
    raw = c.proto == "raw"
    if value == 0x07:
        shown = "the bare number 7" if raw else "an empty State"
        out.add(
            "st",
            token,
            "CLOSE (unconnected)",
            f"07 is TCP_CLOSE, used for a datagram socket that is not connected; netstat shows {shown}.",
        )
    elif value == 0x01:
        shown = "the bare number 1" if raw else "ESTABLISHED"
        out.add(
            "st",
            token,
            "ESTABLISHED (connected)",
            "01 is TCP_ESTABLISHED: the socket was connect()ed to the remote address;"
            f" netstat shows {shown}.",
        )
    else:
        label, shown = ("bare number", f"{value}") if raw else ("State column", "UNKNOWN")
        out.add(
            "st",
            token,
            f"unknown ({value})",
            "Datagram sockets show only 01 (connected) or 07 (unconnected);"
            f" netstat's {label} shows {shown}.",
        )
        out.problems.append(f"st: {token} is not a state a datagram socket shows (01 or 07)")


def queues(token: str, c: InetRow, out: Collector) -> None:
    tx_raw, sep, rx_raw = token.partition(":")
    if not sep:
        out.bad("tx_queue:rx_queue", token, f"{token!r} has no ':'; want TX:RX, two hex numbers")
        return
    tx = out.read("tx_queue", tx_raw, "hex")
    if tx is not None:
        order = "Printed first here, but netstat shows Recv-Q (rx_queue) first and this second, as Send-Q."
        out.add("tx_queue", tx_raw, f"{tx} bytes", f"{_send_q(tx, c)} {order}")
    rx = out.read("rx_queue", rx_raw, "hex")
    if rx is not None:
        order = "Printed second here, but netstat shows it first, as Recv-Q."
        value, meaning = _recv_q(rx, c)
        out.add("rx_queue", rx_raw, value, f"{meaning} {order}")


def _send_q(tx: int, c: InetRow) -> str:
    if c.proto != "tcp":
        return "Send-Q: send-buffer memory in use (sk_wmem_alloc), in bytes of buffer, not payload."
    if c.variant in ("timewait", "request"):
        return "Hard-coded 0 in this kind of row."
    if c.listen:
        return "Always 0 for a listening socket."
    extra = " The SYN counts as one byte." if c.st == TcpState.SYN_SENT and tx else ""
    return f"Send-Q: bytes not yet acknowledged by the peer, sent or not (write_seq - snd_una).{extra}"


def _recv_q(rx: int, c: InetRow) -> tuple[str, str]:
    """(value, meaning) of rx_queue."""
    if c.proto != "tcp":
        return f"{rx} bytes", (
            "Recv-Q: receive-buffer memory of the queued datagrams (truesize, with per-packet overhead),"
            " not payload bytes."
        )
    if c.variant in ("timewait", "request"):
        return f"{rx} bytes", "Hard-coded 0 in this kind of row."
    if c.listen:
        return f"{rx} connection{'s' * (rx != 1)}", (
            "For a LISTEN socket: connections that finished the handshake and wait for accept()"
            " (the accept queue)."
        )
    extra = " The peer's FIN counts as one." if c.st == TcpState.CLOSE_WAIT and rx else ""
    return (
        f"{rx} bytes",
        f"Recv-Q: bytes received but not yet read by the program (rcv_nxt - copied_seq).{extra}",
    )


def timer(token: str, c: InetRow, out: Collector) -> None:
    tr_raw, sep, when_raw = token.partition(":")
    if not sep:
        out.bad("tr:tm->when", token, f"{token!r} has no ':'; want TR:WHEN, two hex numbers")
        return
    tr = out.read("tr", tr_raw, "hex")
    if tr is not None:
        _timer_code(tr_raw, tr, c, out)
    when = out.read("tm->when", when_raw, "hex")
    if when is None:
        return
    if c.proto != "tcp":
        out.add(
            "tm->when",
            when_raw,
            f"{when} ticks = {seconds(when, 100)}",
            "Always 0 for datagram sockets; netstat divides it by 100 for udp and raw.",
        )
        return
    hz = c.clk_tck
    extra = " A TIME_WAIT timer starts at 60 s (about 0x1770 ticks)." if c.variant == "timewait" else ""
    out.add(
        "tm->when",
        when_raw,
        f"{when} ticks = {seconds(when, hz)}",
        f"Time left on the timer in clock ticks (USER_HZ, hex): seconds = ticks / {hz}."
        f" netstat -o shows the seconds first in the brackets, as in on (1.10/0/0).{extra}",
    )


def _timer_code(tr_raw: str, tr: int, c: InetRow, out: Collector) -> None:
    if c.proto != "tcp":
        out.add("tr", tr_raw, str(tr), "Timer code: always 00 for datagram sockets, which report no timer.")
    elif tr in TCP_TIMERS:
        t = TCP_TIMERS[tr]
        detail = REQUEST_RETRANSMIT if tr == 1 and c.variant == "request" else t.detail
        out.add("tr", tr_raw, f"{tr} ({t.what})", f"Timer code. {detail} netstat -o shows it as '{t.word}'.")
    else:
        out.add("tr", tr_raw, f"{tr} (unknown)", "Timer code: the kernel prints only 0 to 4 here.")
        out.problems.append(f"tr: {tr_raw} is not a timer code the kernel prints (0 to 4)")


retrnsmt = by_variant(
    "retrnsmt",
    "hex",
    {
        "dgram": "Always 0 for datagram sockets.",
        "timewait": "Hard-coded 0 in a TIME_WAIT row.",
        "request": "How many times the SYN-ACK timer has run out for this connection request (hex).",
        "full": (
            "Retransmissions of the oldest unacknowledged segment (icsk_retransmits). Printed in HEX,"
            " unlike uid, timeout and inode; netstat -o shows it second in the brackets"
            " (secs/retrnsmt/timeout)."
        ),
    },
)

timeout = by_variant(
    "timeout",
    "signed",
    {
        "dgram": "Always 0 for datagram sockets.",
        "timewait": "Hard-coded 0 in this kind of row.",
        "request": "Hard-coded 0 in this kind of row.",
        "full": (
            "Keepalive or zero-window probes sent and not answered (icsk_probes_out), decimal; netstat -o"
            " shows it last in the brackets."
        ),
    },
)


def uid(token: str, c: InetRow, out: Collector) -> None:
    value = out.read("uid", token, "dec")
    if value is None:
        return
    if c.variant == "timewait":
        meaning = "Hard-coded 0 in a TIME_WAIT row, whoever owned the connection, so netstat -e shows root."
    elif c.variant == "request":
        meaning = "The uid of the listening socket's owner (a request socket has no owner of its own)."
    else:
        meaning = (
            "The socket owner's user id (decimal), as seen from the reader's user namespace; netstat -e"
            " shows the user name."
        )
    if value == 65534 and c.variant != "timewait":
        meaning += " 65534 is nobody, or the overflow uid of a user that is not mapped into this namespace."
    out.add("uid", token, str(value), meaning)


def inode(token: str, c: InetRow, out: Collector) -> None:
    value = out.read("inode", token, "dec")
    if value is None:
        return
    if value:
        meaning = (
            "The socket's inode number: a program holding the socket has a /proc/<pid>/fd link to"
            f" socket:[{value}], which is how netstat -p finds it."
        )
    else:
        if c.variant == "timewait":
            why = "a TIME_WAIT mini-socket has none"
        elif c.variant == "request":
            why = "a request socket has none"
        elif c.proto == "tcp" and c.st in (TcpState.FIN_WAIT1, TcpState.LAST_ACK, TcpState.CLOSING):
            why = "the program close()d it and the kernel finishes the connection alone (orphan)"
        elif c.proto == "tcp" and c.st in (TcpState.ESTABLISHED, TcpState.SYN_RECV, TcpState.CLOSE_WAIT):
            why = "it waits in a listener's queue, not yet accept()ed, or was orphaned by close()"
        else:
            why = "it is orphaned, or not yet accept()ed, or being torn down"
        meaning = f"0: the sock has no struct socket ({why}), so no process can own it; netstat -p shows -."
    out.add("inode", token, str(value), meaning)
