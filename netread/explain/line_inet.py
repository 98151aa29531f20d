"""``--explain-line`` for the eight inet tables: which row variant the line is, then each field.

The variants and their fields come from parse/inet_format.py; every field has
one explainer, in line_inet_fields.py (sl to inode) or line_inet_extra.py (the
rest):

>>> set().union(*VARIANT_FIELDS.values()) == set(EXPLAINERS)
True
"""

from __future__ import annotations

from netread.explain import line_inet_extra as extra
from netread.explain import line_inet_fields as head
from netread.explain.line_base import NOT_DECODED
from netread.explain.line_base import Collector
from netread.explain.line_base import read_hex
from netread.explain.line_inet_fields import Explainer
from netread.explain.line_inet_fields import InetRow
from netread.model import TcpState
from netread.parse.inet_format import TCP_SHORT_FIELD_COUNT
from netread.parse.inet_format import VARIANT_FIELDS
from netread.parse.inet_format import is_request_row
from netread.parse.inet_format import is_timewait_row
from netread.parse.inet_format import tcp_variant

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from netread.explain.line_base import ByteOrder

#: The explainer of each field, by the name parse/inet_format.py gives it.
EXPLAINERS: dict[str, Explainer] = {
    "sl": head.sl,
    "local_address": head.local_address,
    "rem_address": head.rem_address,
    "st": head.st,
    "tx_queue:rx_queue": head.queues,
    "tr:tm->when": head.timer,
    "retrnsmt": head.retrnsmt,
    "uid": head.uid,
    "timeout": head.timeout,
    "inode": head.inode,
    "ref": extra.ref,
    "pointer": extra.pointer,
    "rto": extra.rto,
    "ato": extra.ato,
    "quick/pingpong": extra.quick_pingpong,
    "cwnd": extra.cwnd,
    "ssthresh": extra.ssthresh,
    "drops": extra.drops,
}


def explain_inet(tokens: list[str], table: str, byteorder: ByteOrder, clk_tck: int, out: Collector) -> None:
    """Explain the fields of an inet row of ``table`` (split on blanks) into ``out``."""
    proto: Literal["tcp", "udp", "raw"] = (
        "tcp" if table.startswith("tcp") else ("raw" if table.startswith("raw") else "udp")
    )
    n = len(tokens)
    st = read_hex(tokens[3]) if n > 3 else None
    tr = read_hex(tokens[5].partition(":")[0]) if n > 5 and proto == "tcp" else None
    c = InetRow(
        table=table,
        proto=proto,
        family=6 if table.endswith("6") else 4,
        byteorder=byteorder,
        clk_tck=clk_tck,
        variant=tcp_variant(n, st, tr) if proto == "tcp" else "dgram",
        st=st,
        tr=tr,
    )
    out.notes.append(_variant_note(c, n))
    names = VARIANT_FIELDS[c.variant]
    for name, token in zip(names, tokens):
        EXPLAINERS[name](token, c, out)
    if n < len(names):
        missing = [_display_name(name, c) for name in names[n:]]
        out.problems.append(
            f"{', '.join(missing)}: missing; the line ends after {n} field{'s' * (n != 1)},"
            f" and {_rows_have(c)}."
        )
    elif n > len(names):
        for token in tokens[len(names) :]:
            out.add("(extra)", token, NOT_DECODED, f"Not part of a {table} row.")
        out.problems.append(
            f"(extra): {n - len(names)} field(s) after {_display_name(names[-1], c)}"
            f" that a {table} row does not have; {_rows_have(c)}."
        )
    if (
        proto == "tcp"
        and n == TCP_SHORT_FIELD_COUNT
        and not (is_timewait_row(c.st, c.tr) or is_request_row(c.st, c.tr))
    ):
        out.problems.append(
            "st/tr: a 12-field tcp row is a TIME_WAIT row (st 06 or 05 with tr 03) or a request socket"
            " (st 03 with tr 01), and this one is neither."
        )


def _variant_note(c: InetRow, n: int) -> str:
    note = _variant_text(c)
    if n == len(VARIANT_FIELDS[c.variant]):
        return note
    fields = f"{n} field{'s' * (n != 1)}"
    return f"{note} This line has {fields}; it is explained as that kind of row as far as it goes."


def _variant_text(c: InetRow) -> str:
    if c.variant == "full":
        return f"A full TCP socket row (get_tcp{c.v}_sock): 17 fields."
    if c.variant == "timewait":
        what = (
            "an orphaned FIN_WAIT2 connection (closed by its program) kept as a timewait mini-socket"
            if c.st == TcpState.FIN_WAIT2
            else "a connection in TIME_WAIT"
        )
        return (
            f"A TIME_WAIT row (get_timewait{c.v}_sock), {what}: 12 fields; queues, retrnsmt, uid, timeout and"
            " inode are hard-coded 0, tr is 3, and nothing follows the pointer."
        )
    if c.variant == "request":
        return (
            f"A request-socket row (get_openreq{c.v}): a connection still in the handshake, shown as SYN_RECV"
            " (the kernel's NEW_SYN_RECV, 0x0C, is printed as 03); 12 fields, inode 0, the listener's uid."
        )
    fn = f"udp{c.v}_format_sock" if c.family == 4 else "__ip6_dgram_sock_seq_show"
    if c.proto == "raw" and c.family == 4:
        fn = "raw_sock_seq_show"
    return f"A datagram row ({fn}): 13 fields, the last three ref, pointer and drops."


def _display_name(name: str, c: InetRow) -> str:
    """The name the table's own header gives field ``name``: IPv6 tables call rem_address remote_address."""
    return c.remote_name if name == "rem_address" else name


def _rows_have(c: InetRow) -> str:
    if c.proto == "tcp":
        return "a tcp row has 17 fields (full socket) or 12 (TIME_WAIT or request socket)"
    return f"a {c.table} row has 13 fields"
