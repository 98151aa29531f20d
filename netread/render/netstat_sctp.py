"""SCTP rows exactly as net-tools netstat 2.10 prints them (sctp_eps_do_one, sctp_assoc_do_one).

A socket takes one line per address: an endpoint's every address with its
port in a 47-byte column; an association's local and remote lists side by
side in two 23-byte columns, the port after the first address of each only.
Nothing is cut (netstat cuts a host name at 63 bytes, a port never exceeds
5).  The host is a number when any of -n, --numeric-hosts, --numeric-ports,
--numeric-users is given (netstat hands the whole flag_not to sprint); ports
are never named (get_sname knows only tcp, udp and raw).  -e, -p and -o add
finish_this_one's columns to the last line; an endpoint with no address is
that suffix alone.
"""

from __future__ import annotations

from netread.escape import escape_text
from netread.render.netstat import _ljust
from netread.render.netstat import numeric_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.model import IPAddress
    from netread.model import SctpSocket
    from netread.render.netstat import NetstatFormatter

#: netstat's tcp_state[] (netstat.c), which sctp_socket_state_str indexes by the SST column.
STATES = ("", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")
#: process_sctp_addr_str's local_addr/remote_addr buffers: 64 bytes with the NUL.
HOST_BUFFER = 63
INDENT = " " * 20


def state_text(st: int) -> str:
    """sctp_socket_state_str: netstat's TCP name, ``UNKNOWN(n)`` past CLOSING."""
    return STATES[st] if 0 <= st < len(STATES) else f"UNKNOWN({st})"


def _host(fmt: NetstatFormatter, address: IPAddress) -> str:
    opts = fmt.opts
    name = None
    if not (opts.numeric_hosts or opts.numeric_ports or opts.numeric_users) and fmt.names is not None:
        name = fmt.names.host(address)
    text = numeric_host(address) if name is None else name
    return escape_text(text.encode("utf-8", "surrogateescape")[:HOST_BUFFER].decode("utf-8", "surrogateescape"))


def _port(port: int) -> str:
    return "*" if port == 0 else str(port)


def _suffix(fmt: NetstatFormatter, sock: SctpSocket) -> str:
    """finish_this_one with no timers."""
    opts = fmt.opts
    text = ""
    if opts.extend:
        text += " " + fmt.user(sock.uid) + " " + "%-10d" % sock.inode
    if opts.programs:
        text += " " + fmt.program(sock.inode)
    if opts.timers:
        text += " "
    return text


def sctp_row(fmt: NetstatFormatter, sock: SctpSocket) -> str:
    """The lines of one endpoint or association, with their newline."""
    lines: list[str] = []
    state = state_text(sock.st)
    if not sock.association:
        service = _port(sock.local_port)
        for address in sock.local:
            lead = "sctp" + INDENT[4:] if not lines else INDENT
            lines.append(lead + _ljust(_host(fmt, address) + ":" + service, 47) + " %-11s" % (state if not lines else ""))
        return "\n".join(lines) + _suffix(fmt, sock) + "\n"
    count = max(len(sock.local), len(sock.remote))
    for index in range(count):
        first = index == 0
        line = "sctp  %6d %6d " % (sock.rx_queue, sock.tx_queue) if first else INDENT
        for addresses, port in ((sock.local, sock.local_port), (sock.remote, sock.remote_port)):
            if index < len(addresses):
                text = _host(fmt, addresses[index]) + (":" + _port(port) if first else "")
                line += _ljust(text, 23)
            else:
                line += " " * 23
            line += " " if addresses is sock.local else ""
        lines.append(line + " %-11s" % (state if first else ""))
    return "\n".join(lines) + _suffix(fmt, sock) + "\n"
