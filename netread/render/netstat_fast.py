"""The fast path for inet tables in the kernel's own format: one regex over many lines.

A chunk of lines is taken here only if every line is exactly as the kernel
prints it (uppercase hex of the kernel's widths, single spaces where the
kernel puts one, decimals without leading zeros).  Any other chunk goes to the
careful decoder (netread/inet.py), which names what is wrong with each line.
For lines in the kernel's format both paths print the same text
(tests/test_fast.py), so this is only about speed: at 40,000 sockets the
careful path spends ~10 µs a row on objects the output does not need, this
one ~1.5 µs.
"""

from __future__ import annotations

import re

from netread.parse.inet import ByteOrder
from netread.parse.inet_format import MAX_EXTRA_DATAGRAM
from netread.parse.inet_format import MAX_EXTRA_TCP
from netread.model import PROTO_LABEL
from netread.render.netstat import ADDR_COLUMN
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import _family
from netread.render.netstat import _ljust
from netread.render.netstat import state_text

_H = "[0-9A-F]"
#: Decimals as the kernel prints them, short enough that int() equals the careful path's saturation.
_DEC = "(?:0|[1-9][0-9]{0,9})"
_INODE = "(?:0|[1-9][0-9]{0,18})"
_ENDPOINT = rf"{_H}{{8}}(?:{_H}{{24}})?:{_H}{{4}}"


def _row(detail: bool, extra: int) -> re.Pattern[str]:
    """sl: local rem st tx:rx tr:when retrnsmt uid timeout inode [ref pointer ...], one line each.

    The detailed form also captures tr, tm->when, retrnsmt, uid, timeout and
    inode (-e, -p, -o); the plain one only what ``-tan`` prints.
    """
    g = "(" if detail else "(?:"
    # Plain rows do not use uid, timeout or inode, so their length does not matter there (and
    # unbounded repeats are faster); detailed rows bound them so that int() equals saturation.
    dec, inode = (_DEC, _INODE) if detail else ("(?:0|[1-9][0-9]*)", "(?:0|[1-9][0-9]*)")
    return re.compile(
        rf"^ *[0-9]+: ({_ENDPOINT}) ({_ENDPOINT}) ({_H}{{2}}) ({_H}{{8}}):({_H}{{8}}) {g}{_H}{{2}}):{g}{_H}{{8}})"
        rf" {g}{_H}{{8}}) +{g}{dec}) +{g}-?{dec}) {g}{inode})(?: \S+){{0,{extra}}} *$",
        re.M,
    )


#: (detail, datagram) -> pattern; a line with more fields than the kernel prints goes to the careful path.
_ROWS = {(d, g): _row(d, MAX_EXTRA_DATAGRAM if g else MAX_EXTRA_TCP) for d in (False, True) for g in (False, True)}
_ZERO_ADDRESSES = frozenset({"0" * 8, "0" * 32})
#: Column texts kept per formatter before the cache is emptied (memory stays flat on huge tables).
COLUMN_CACHE = 1 << 16

Row = tuple[str, ...]


def kernel_rows(text: str, detail: bool = True, datagram: bool = False) -> list[Row] | None:
    """The fields of every line of ``text`` (whole lines, each ending in a newline), or None
    if any line is not in the kernel's exact format.

    A plain row is (local, remote, st, tx, rx) with endpoints as ``HEXADDR:HEXPORT``;
    a detailed one adds (tr, when, retrnsmt, uid, timeout, inode).
    """
    found: list[Row] = _ROWS[(detail, datagram)].findall(text)
    return found if len(found) == text.count("\n") else None


def row_addresses(rows: list[Row]) -> set[str]:
    """The distinct hex address tokens of ``rows`` (for looking names up all at once)."""
    return {row[0].partition(":")[0] for row in rows} | {row[1].partition(":")[0] for row in rows}


def format_rows(fmt: NetstatFormatter, table: str, rows: list[Row], byteorder: ByteOrder) -> list[str]:
    """netstat's lines (each ending in a newline) for the rows the options select."""
    opts = fmt.opts
    family = _family(table)
    tcp = family == "tcp"
    head = "%-5s" % PROTO_LABEL[table]
    every, listening = opts.all, opts.listening
    extend, programs, timers = opts.extend, opts.programs, opts.timers
    columns = fmt.columns.setdefault(family, {})
    queues = fmt.queue_texts
    states: dict[str, str] = {}

    def column(endpoint: str) -> str:
        address, _, port = endpoint.partition(":")
        text = _ljust(fmt.join_address(fmt.host_of_token(address, byteorder), fmt.port_of_token(port, family)), ADDR_COLUMN)
        if len(columns) >= COLUMN_CACHE:
            columns.clear()
        columns[endpoint] = text
        return text

    out = []
    append = out.append
    for row in rows:
        local, remote, st, tx, rx = row[:5]
        if not every:
            connected = remote[-4:] != "0000" if tcp else remote[:-5] not in _ZERO_ADDRESSES
            if connected == listening:
                continue
        rxq = queues.get(rx)
        if rxq is None:
            rxq = queues[rx] = " %6d" % int(rx, 16)
        txq = queues.get(tx)
        if txq is None:
            txq = queues[tx] = " %6d" % int(tx, 16)
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
