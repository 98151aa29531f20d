"""netread/select.py: netstat's flag rules, the table plan, the -a/-l rule and the filters, on records."""

from __future__ import annotations

import ipaddress

import pytest

from netread.model import Endpoint
from netread.model import InetSocket
from netread.model import Owner
from netread.model import Table
from netread.model import UnixSocket
from netread.select import Family
from netread.select import FilterError
from netread.select import Filters
from netread.select import Options
from netread.select import keep_inet
from netread.select import keep_unix
from netread.select import parse_port
from netread.select import parse_states
from netread.select import plan

T = Table
V4 = ipaddress.IPv4Address


def tcp(remote_port: int, st: int = 1, uid: int = 0, inode: int = 7) -> InetSocket:
    return InetSocket(T.TCP, 2, 0, Endpoint(V4("127.0.0.1"), 80), Endpoint(V4("127.0.0.1"), remote_port), st, 0, 0, 0, 0, 0, uid, 0, inode)


def udp(remote: str) -> InetSocket:
    return InetSocket(T.UDP, 2, 0, Endpoint(V4("0.0.0.0"), 53), Endpoint(V4(remote), 0), 7, 0, 0, 0, 0, 0, 0, 0, 8, 0)


LISTENER = UnixSocket(2, 0, 2, 0, 1 << 16, 1, 1, 9, "/run/a.sock")
CONNECTED = UnixSocket(3, 0, 3, 0, 0, 1, 3, 10, None)


@pytest.mark.parametrize(
    ("flags", "want"),
    [
        ({}, [("AF INET (tcp)", ("tcp", "tcp6"), False, False), ("AF INET (udp)", ("udp", "udp6"), False, False),
              ("AF INET (udplite)", ("udplite", "udplite6"), False, False), ("AF INET (raw)", ("raw", "raw6"), False, False),
              ("AF UNIX", ("unix",), False, False)]),
        ({"tcp": True}, [("AF INET (tcp)", ("tcp", "tcp6"), True, True)]),
        ({"tcp": True, "inet6": True}, [("AF INET (tcp)", ("tcp6",), False, False)]),
        ({"unix": True}, [("AF UNIX", ("unix",), True, True)]),
        ({"verbose": True, "udp": True, "inet": True}, [("AF INET (udp)", ("udp",), True, True)]),
        # -4 alone (netstat's flag_noprot): every inet protocol, no unix, absent tables silent and no stop
        ({"inet": True}, [(f"AF INET ({p})", (p,), False, False) for p in ("tcp", "udp", "udplite", "raw")]),
        ({"inet": True, "unix": True, "verbose": True},
         [*[(f"AF INET ({p})", (p,), False, False) for p in ("tcp", "udp", "udplite", "raw")], ("AF UNIX", ("unix",), False, False)]),
    ],
    ids=["none", "-t", "-t6", "-x", "-4uv", "-4", "-4xv"],
)  # fmt: skip
def test_plan_is_netstats_order_and_stop_rule(flags: dict[str, bool], want: list[tuple[str, tuple[str, ...], bool, bool]]) -> None:
    got = plan(Options.resolve(**flags))
    assert got == [Family(name, tuple(Table(t) for t in tables), required, say) for name, tables, required, say in want]


def test_keep_rules() -> None:
    assert keep_inet(Options.resolve(all=True)) is None and keep_unix(Options.resolve(all=True)) is None
    servers, others = keep_inet(Options.resolve(listening=True)), keep_inet(Options.resolve())
    assert servers is not None and others is not None
    assert [servers(s) for s in (tcp(0, st=0x0A), tcp(5), udp("0.0.0.0"), udp("10.0.0.1"))] == [True, False, True, False]
    assert [others(s) for s in (tcp(0, st=0x0A), tcp(5), udp("0.0.0.0"), udp("10.0.0.1"))] == [False, True, False, True]
    unix_servers = keep_unix(Options.resolve(listening=True))
    assert unix_servers is not None and (unix_servers(LISTENER), unix_servers(CONNECTED)) == (True, False)


NGINX = [Owner(10, "nginx", "nginx"), Owner(11, "nginx: worker process", "nginx")]


@pytest.mark.parametrize(
    ("filters", "sock", "owners", "user", "kept"),
    [
        (Filters(states=frozenset({"LISTEN"})), tcp(0, st=0x0A), [], None, True),
        (Filters(states=frozenset({"LISTEN"})), LISTENER, [], None, True),  # LISTEN also means a listening unix socket
        (Filters(states=frozenset({"CONNECTED"})), CONNECTED, [], None, True),
        (Filters(states=frozenset({"ESTABLISHED"})), tcp(0, st=0x0A), [], None, False),
        (Filters(states=frozenset({"CLOSE"})), udp("0.0.0.0"), [], None, True),
        (Filters(port=frozenset({80})), tcp(5), [], None, True),
        (Filters(port=frozenset({5})), tcp(5), [], None, True),
        (Filters(sport=frozenset({5})), tcp(5), [], None, False),
        (Filters(dport=frozenset({5})), tcp(5), [], None, True),
        (Filters(port=frozenset({80})), LISTENER, [], None, False),  # no port: out
        (Filters(pid=11), tcp(5), NGINX, None, True),  # any holder
        (Filters(pid=12), tcp(5), NGINX, None, False),
        (Filters(program="nginx: worker process"), tcp(5), NGINX, None, True),
        (Filters(program="nginx"), tcp(5), [Owner(11, "nginx: worker process", "nginx")], None, True),  # comm
        (Filters(program="ngin"), tcp(5), NGINX, None, False),
        (Filters(program="nginx"), tcp(5), [], None, False),
        (Filters(user="0"), tcp(5), [], "root", True),
        (Filters(user="root"), tcp(5), [], "root", True),
        (Filters(user="daemon"), tcp(5), [], "root", False),
        (Filters(user="0"), LISTENER, [], None, False),  # no uid: out
    ],
)
def test_filters_on_records(filters: Filters, sock: InetSocket | UnixSocket, owners: list[Owner], user: str | None, kept: bool) -> None:
    assert filters.matches(sock, owners, user) is kept


def test_filter_values() -> None:
    assert parse_states("listen, time-wait") == frozenset({"LISTEN", "TIME_WAIT"})
    with pytest.raises(FilterError, match="unknown state BOGUS"):
        parse_states("bogus")
    assert parse_port("443", "--port") == frozenset({443})
    assert parse_port("domain", "--port", lambda name: frozenset({53}) if name == "domain" else frozenset()) == frozenset({53})
    for bad in ("65536", "999999", "-1", ""):
        with pytest.raises(FilterError, match="--port wants a port number"):
            parse_port(bad, "--port", lambda name: frozenset())
    assert Filters().active is False and Filters(pid=1).need_owners and not Filters(port=frozenset({1})).need_owners
