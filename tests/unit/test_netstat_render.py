"""netread/render/netstat.py: netstat 2.10's row text from records, byte for byte (widths from netstat.c)."""

from __future__ import annotations

import ipaddress

import pytest

from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import IPAddress
from netread.model import Owner
from netread.model import Owners
from netread.model import Table
from netread.model import UnixSocket
from netread.render.netstat import NetstatFormatter
from netread.render.netstat import banner
from netread.render.netstat import inet_header
from netread.render.netstat import state_text
from netread.render.netstat import unix_header
from netread.select import Options

A = ipaddress.ip_address


def sock(table: Table, local: str, lport: int, remote: str, rport: int, st: int, **kw: int) -> InetSocket:
    fields = {"tx_queue": 0, "rx_queue": 0, "timer": 0, "when": 0, "retrnsmt": 0, "uid": 0, "timeout": 0, "inode": 7, **kw}
    return InetSocket(table, 2, 0, Endpoint(A(local), lport), Endpoint(A(remote), rport), st, **fields)  # type: ignore[arg-type]


class Names:
    def host(self, address: IPAddress) -> str | None:
        return {"10.0.0.1": "a-very-long-host-name.example.org"}.get(str(address))

    def service(self, port: int, proto: str) -> str | None:
        return {(80, "tcp"): "http", (1, "raw"): "icmp"}.get((port, proto))


NUMERIC = Options.resolve(numeric_hosts=True, numeric_ports=True, numeric_users=True)


@pytest.mark.parametrize(
    ("row", "want"),
    [
        (sock(Table.TCP, "127.0.0.1", 80, "0.0.0.0", 0, 0x0A, rx_queue=2),
         "tcp        2      0 127.0.0.1:80            0.0.0.0:*               LISTEN     "),
        (sock(Table.TCP6, "::ffff:127.0.0.1", 8082, "::ffff:127.0.0.1", 33458, 1),
         "tcp6       0      0 127.0.0.1:8082          127.0.0.1:33458         ESTABLISHED"),
        (sock(Table.TCP6, "::", 22, "::", 0, 0x0A), "tcp6       0      0 :::22                   :::*                    LISTEN     "),
        (sock(Table.UDP, "0.0.0.0", 53, "0.0.0.0", 0, 7), "udp        0      0 0.0.0.0:53              0.0.0.0:*                          "),
        (sock(Table.UDPLITE6, "::1", 9, "::1", 10, 1), "udpl6      0      0 ::1:9                   ::1:10                  ESTABLISHED"),
        (sock(Table.RAW, "0.0.0.0", 1, "0.0.0.0", 0, 7), "raw        0      0 0.0.0.0:1               0.0.0.0:*               7          "),
        (sock(Table.TCP, "127.0.0.1", 1, "127.0.0.1", 2, 0x0D), "tcp        0      0 127.0.0.1:1             127.0.0.1:2             UNKNOWN    "),
        (sock(Table.TCP6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", 65535, "::", 0, 0x0A, tx_queue=1 << 64 - 1),
         "tcp6       0 -9223372036854775808 2001:db8:aaaa:bbb:65535 :::*                    LISTEN     "),
    ],
    ids=["listen", "mapped", "any6", "udp-blank", "udplite6", "raw-number", "unknown-state", "cut-and-%ld"],  # host[:22-len(port)]
)  # fmt: skip
def test_inet_rows(row: InetSocket, want: str) -> None:
    assert NetstatFormatter(NUMERIC).inet_row(row) == want


def test_names_cut_wide_extend_programs_timers() -> None:
    row = sock(Table.TCP, "10.0.0.1", 80, "0.0.0.0", 0, 1, uid=1000, inode=4242, timer=2, when=750, timeout=3)
    owners = Owners({4242: (31337, 1)}, {31337: Owner(31337, "a-long-program-name"), 1: Owner(1, "init")})
    opts = Options.resolve(extend=True, programs=True, timers=True)
    fmt = NetstatFormatter(opts, owners=owners, clk_tck=250, user_name={1000: "alice"}.get, names=Names())
    assert fmt.inet_row(row) == (
        "tcp        0      0 a-very-long-host-n:http 0.0.0.0:*               ESTABLISHED alice      4242      "
        " 31337/a-long-progra  keepalive (3.00/0/3)"
    )
    wide = NetstatFormatter(Options.resolve(wide=True), names=Names())
    assert wide.inet_row(row).startswith("tcp        0      0 a-very-long-host-name.example.org:http 0.0.0.0:* ")
    udp = NetstatFormatter(Options.resolve(timers=True, numeric_hosts=True, numeric_ports=True))
    assert udp.inet_row(row._replace(table=Table.UDP, timer=2, retrnsmt=5)).endswith(" on2 (7.50/0/3)")  # udp_do_one: HZ 100, retr reset
    assert udp.inet_row(row._replace(table=Table.RAW, timer=9)).endswith(" unkn-9 (7.50/0/3)")


def test_unix_rows() -> None:
    fmt = NetstatFormatter(Options.resolve(programs=True), owners=Owners({42: (9,)}, {9: Owner(9, "sshd")}))
    server = UnixSocket(2, 0, 2, 0, (1 << 16) | (1 << 17), 1, 1, 42, "/run/a b\x1b.sock")
    assert fmt.unix_row(server) == "unix  2      [ ACC W ]   STREAM     LISTENING     42       9/sshd               /run/a b\\x1b.sock"
    assert fmt.unix_row(UnixSocket(3, 0, 3, 0, 0, 2, 1, None, None)) == "unix  3      [ ]         DGRAM                    -        -                    "
    assert fmt.unix_row(UnixSocket(4, 0, 1, 1, 0, 9, 9, 5, "@x")) == "??    1      [ ]         UNKNOWN    UNKNOWN       5        -                    @x"


def test_headers_banners_and_states() -> None:
    assert banner("inet", Options.resolve(all=True)) == "Active Internet connections (servers and established)"
    assert banner("unix", Options.resolve(listening=True)) == "Active UNIX domain sockets (only servers)"
    assert banner("inet", Options.resolve()) == "Active Internet connections (w/o servers)"
    assert inet_header(Options.resolve(extend=True, programs=True, timers=True)) == (
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name     Timer"
    )
    assert unix_header(Options.resolve(programs=True)) == "Proto RefCnt Flags       Type       State         I-Node   PID/Program name     Path"
    assert [state_text(st, "tcp") for st in (1, 6, 0x0B, 0, 0x0C)] == ["ESTABLISHED", "TIME_WAIT", "CLOSING", "UNKNOWN", "UNKNOWN"]
    assert [state_text(st, "udp") for st in (1, 7, 2)] == ["ESTABLISHED", "", "UNKNOWN"]
    assert state_text(255, "raw") == "255"
