"""The fields after the inode of an inet row, explained one at a time for ``--explain-line``.

Every row goes on with ref and pointer; a full TCP socket row then has rto,
ato, quick/pingpong, cwnd and ssthresh, a datagram row drops
(parse/inet_format.py).  netstat reads none of them.
"""

from __future__ import annotations

from netread.explain.line_inet_fields import Explainer
from netread.explain.line_inet_fields import InetRow
from netread.explain.line_inet_fields import by_variant
from netread.explain.line_inet_fields import seconds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from netread.explain.line_base import Collector

_REFCOUNT = "Reference count of the kernel socket (sk_refcnt): a debugging aid, ignored by netstat."

ref = by_variant(
    "ref",
    "signed",
    {
        "full": _REFCOUNT,
        "timewait": _REFCOUNT,
        "request": "Printed as 0 for a request socket (the slot of the reference count).",
        "dgram": _REFCOUNT,
    },
)


def pointer(token: str, c: InetRow, out: Collector) -> None:
    value = out.read("pointer", token, "hex")
    if value is None:
        return
    shown = "all zeros: hidden by kptr_restrict" if value == 0 else "a hashed kernel address"
    out.add(
        "pointer",
        token,
        f"0x{token.upper()}",
        f"Kernel address of the socket (%pK), {shown}. Useless as an ID; netstat ignores it.",
    )


def ticks(name: str, about: str, extra: str = "") -> Explainer:
    """The explainer of a decimal field in clock ticks."""

    def explain(token: str, c: InetRow, out: Collector) -> None:
        value = out.read(name, token, "dec")
        if value is not None:
            out.add(
                name,
                token,
                f"{value} ticks = {seconds(value, c.clk_tck)}",
                f"{about}, in clock ticks (decimal): seconds = ticks / {c.clk_tck}.{extra}",
            )

    return explain


def fixed(name: str, show: Callable[[int], str], meaning: str) -> Explainer:
    """The explainer of a decimal field whose meaning is the same in every row."""

    def explain(token: str, c: InetRow, out: Collector) -> None:
        value = out.read(name, token, "dec")
        if value is not None:
            out.add(name, token, show(value), meaning)

    return explain


rto = ticks("rto", "Retransmission timeout (icsk_rto)", " A listener shows 100, the initial 1 s.")
ato = ticks("ato", "Delayed-ACK timeout (icsk_ack.ato)")

quick_pingpong = fixed(
    "quick/pingpong",
    lambda value: f"{value} = quick {value >> 1}, pingpong {value & 1}",
    "(quick << 1) | pingpong: quick = ACKs still to send at once (quick-ACK mode); pingpong = 1 when"
    " the connection looks interactive and ACKs are delayed.",
)

cwnd = fixed(
    "cwnd",
    lambda value: f"{value} segments",
    "Congestion window (snd_cwnd): how many segments may be in flight unacknowledged.",
)

drops = fixed(
    "drops",
    str,
    "Datagrams dropped for this socket (sk_drops): receive buffer full, bad checksum, filters.",
)


def ssthresh(token: str, c: InetRow, out: Collector) -> None:
    value = out.read("ssthresh", token, "signed")
    if value is None:
        return
    if c.listen:
        out.add(
            "ssthresh",
            token,
            str(value),
            "For a LISTEN socket this slot holds the TCP Fast Open queue maximum (usually 0).",
        )
    elif value == -1:
        out.add(
            "ssthresh",
            token,
            "-1 (initial slow start)",
            "Slow-start threshold: -1 means still in the initial slow start (no threshold set yet).",
        )
    else:
        out.add(
            "ssthresh",
            token,
            f"{value} segments",
            "Slow-start threshold (snd_ssthresh): the window grows exponentially below it.",
        )
