"""netstat's rows straight from the fast path's field tokens (netread/parse/inet_fast.py).

The one special case of the pipeline: a numeric listing streamed a piece at a
time without building records, for speed and flat memory.  For lines in the
kernel's format it prints what :class:`netread.render.netstat.NetstatFormatter`
prints from the records (tests/test_fast.py); at 40,000 sockets the record
path spends several µs a row on objects the output does not need, this one ~1.5 µs.
"""

from __future__ import annotations

from netread.render.netstat import ADDR_COLUMN
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import _ljust
from netread.render.netstat import remember
from netread.render.netstat import state_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.model import Table
    from netread.parse.inet import ByteOrder
    from netread.parse.inet_fast import Row

_ZERO_ADDRESSES = frozenset({"0" * 8, "0" * 32})

def format_rows(fmt: NetstatFormatter, table: Table, rows: list[Row], byteorder: ByteOrder) -> list[str]:
    """netstat's lines (each ending in a newline) for the rows the options select
    (netread.select.keep_inet's rule, on the hex tokens)."""
    opts = fmt.opts
    family = table.services
    tcp = table.tcp
    head = "%-5s" % table.label
    every, listening = opts.all, opts.listening
    extend, programs, timers = opts.extend, opts.programs, opts.timers
    columns = fmt.columns.setdefault(family, {})
    queues = fmt.queue_texts
    states: dict[str, str] = {}

    def column(endpoint: str) -> str:
        address, _, port = endpoint.partition(":")
        return remember(columns, endpoint, _ljust(fmt.join_address(fmt.host_of_token(address, byteorder), fmt.port_of_token(port, family)), ADDR_COLUMN))

    out: list[str] = []
    append = out.append
    for row in rows:
        local, remote, st, tx, rx = row[:5]
        if not every:
            connected = remote[-4:] != "0000" if tcp else remote[:-5] not in _ZERO_ADDRESSES
            if connected == listening:
                continue
        rxq = queues.get(rx)
        if rxq is None:
            rxq = remember(queues, rx, " %6d" % int(rx, 16))
        txq = queues.get(tx)
        if txq is None:
            txq = remember(queues, tx, " %6d" % int(tx, 16))
        state = states.get(st)
        if state is None:
            state = states[st] = " %-11s" % state_text(int(st, 16), family)
        line = head + rxq + txq + " " + (columns.get(local) or column(local)) + " " + (columns.get(remote) or column(remote)) + state
        if extend or programs or timers:
            tr, when, retr, uid, timeout, inode = row[5:]
            if extend:
                line += " " + fmt.user(int(uid)) + " " + inode.ljust(10)
            if programs:
                line += " " + fmt.program(int(inode))
            if timers:
                line += " " + fmt.timer_text(int(tr, 16), int(when, 16), int(retr, 16), int(timeout), family)
        append(line + "\n")
    return out
