"""Route files as the kernel writes them (net/route, net/rt_cache, net/ipv6_route), and hypothesis
strategies for them: well-formed rows, rows with netstat's quirks (big and negative numbers, long
names, bad hex, missing fields, blank lines), and headers with columns moved or missing."""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
CACHE_HEADER = (
    "Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst"
)
COLUMNS = ["Iface", "Destination", "Gateway", "Flags", "RefCnt", "Use", "Metric", "Mask", "MTU", "Window", "IRTT"]


def hex4(address: str) -> str:
    """An IPv4 address as net/route writes it on a little-endian host."""
    return ipaddress.IPv4Address(address).packed[::-1].hex().upper()


def route_line(iface: str, dest: str, gw: str, flags: int, metric: int, mask: str, mtu: int = 0, window: int = 0, irtt: int = 0) -> str:
    """One net/route row (fib_route_seq_show), padded to 127 columns."""
    text = f"{iface}\t{hex4(dest)}\t{hex4(gw)}\t{flags:04X}\t0\t0\t{metric}\t{hex4(mask)}\t{mtu}\t{window}\t{irtt}"
    return f"{text:<127}"


def route_file(rows: list[str]) -> str:
    return "".join(line + "\n" for line in [f"{ROUTE_HEADER:<127}", *rows])


def v6hex(address: str) -> str:
    return ipaddress.IPv6Address(address).packed.hex()


def ipv6_line(dest: str, plen: int, hop: str, metric: int, refcnt: int, use: int, flags: int, dev: str) -> str:
    """One net/ipv6_route row (rt6_info_seq_show)."""
    return f"{v6hex(dest)} {plen:02x} {'0' * 32} 00 {v6hex(hop)} {metric:08x} {refcnt:08x} {use:08x} {flags:08x} {dev:>8}"


IFACE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=17)
HEX8 = st.integers(0, 2**32 - 1).map(lambda v: f"{v:08X}")
ADDRESS4 = st.one_of(
    HEX8,
    st.sampled_from(["00000000", "0100007F", "000000FF", "0000000A", "00FFFFFF", "FFFFFFFF", "0002000A"]),
    st.sampled_from(["ZZ000000", "0100", "0100a8c0", "0100A8C0FF"]),
)
MASK4 = st.integers(0, 32).map(lambda n: f"{((0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF).to_bytes(4, 'big')[::-1].hex().upper()}")
DECIMAL = st.one_of(
    st.integers(0, 70000).map(str),
    st.sampled_from(["4294967295", "99999999999", "-1", "+7", "18446744073709551616", "-99999999999999999999999", "12x", "x"]),
)
FLAGS4 = st.one_of(
    st.sampled_from([0x1, 0x3, 0x5, 0x7, 0x201, 0x203, 0x1, 0x0]).map(lambda v: f"{v:04X}"),
    st.integers(0, 2**32 - 1).map(lambda v: f"{v:04X}"),
    st.sampled_from(["-1", "0x3", "1ffffffff1", "zz"]),
)


@st.composite
def route_row(draw: st.DrawFn) -> str:
    fields = [
        draw(IFACE), draw(ADDRESS4), draw(ADDRESS4), draw(FLAGS4), draw(DECIMAL), draw(DECIMAL), draw(DECIMAL),
        draw(st.one_of(MASK4, ADDRESS4)), draw(DECIMAL), draw(DECIMAL), draw(DECIMAL),
    ]  # fmt: skip
    cut = draw(st.sampled_from([11, 11, 11, 11, 10, 9, 3, 0]))
    sep = draw(st.sampled_from(["\t", " ", "\t\t"]))
    return sep.join(fields[:cut]).ljust(draw(st.sampled_from([0, 127])))


@st.composite
def route_header(draw: st.DrawFn) -> str:
    columns = list(COLUMNS)
    change = draw(st.sampled_from(["none", "none", "none", "extra", "drop", "swap"]))
    if change == "extra":
        columns.insert(draw(st.integers(0, len(columns))), draw(st.sampled_from(["Foo", "|", "X"])))
    elif change == "drop":
        columns.pop(draw(st.integers(0, len(columns) - 1)))
    elif change == "swap":
        i = draw(st.integers(0, len(columns) - 2))
        columns[i], columns[i + 1] = columns[i + 1], columns[i]
    return "\t".join(columns).ljust(127)


@st.composite
def route_files(draw: st.DrawFn) -> str:
    """A net/route file: a header (usually the kernel's), rows of every kind."""
    first = route_line("eth0", "0.0.0.0", "10.0.0.1", 3, 0, "0.0.0.0")
    rows = draw(st.lists(st.one_of(route_row(), st.just("")), max_size=8))
    return "".join(line + "\n" for line in [draw(route_header()), first, *rows])


HEX32 = st.one_of(
    st.integers(0, 2**128 - 1).map(lambda v: f"{v:032x}"),
    st.sampled_from(["0" * 32, "0" * 31 + "1", "00000000000000000000ffff0a000001", "fe80" + "0" * 28, "ff02" + "0" * 27 + "1"]),
)
HEX8L = st.one_of(st.integers(0, 2**32 - 1).map(lambda v: f"{v:08x}"), st.sampled_from(["ffffffff", "80200001", "00200200", "01000001"]))


@st.composite
def ipv6_row(draw: st.DrawFn) -> str:
    plen = draw(st.one_of(st.integers(0, 128).map(lambda v: f"{v:02x}"), st.sampled_from(["zz", "-1", "fff"])))
    dev = draw(st.one_of(IFACE.map(lambda s: f"{s:>8}"), st.just(" " * 8)))
    fields = [draw(HEX32), plen, "0" * 32, "00", draw(HEX32), draw(HEX8L), draw(HEX8L), draw(HEX8L), draw(HEX8L), dev]
    text = " ".join(fields)
    cut = draw(st.one_of(st.just(len(text)), st.integers(0, len(text))))
    return text[:cut]


@st.composite
def ipv6_files(draw: st.DrawFn) -> str:
    """A net/ipv6_route file whose first row is whole (netstat's variables start uninitialised)."""
    first = ipv6_line("fd00::", 64, "::", 256, 1, 0, 1, "eth0")
    rows = draw(st.lists(st.one_of(ipv6_row(), st.just(""), st.just("garbage line")), max_size=8))
    return "".join(line + "\n" for line in [first, *rows])


@st.composite
def cache_files(draw: st.DrawFn) -> str:
    """A net/rt_cache file: usually the modern kernel's header alone, sometimes 2.2-era rows."""
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        fields = [
            draw(IFACE.filter(lambda s: len(s) <= 15)), draw(HEX8), draw(HEX8), draw(FLAGS4), draw(DECIMAL), draw(DECIMAL),
            draw(DECIMAL), draw(HEX8), draw(DECIMAL), draw(DECIMAL), draw(DECIMAL), draw(DECIMAL), draw(DECIMAL),
            draw(DECIMAL), draw(HEX8),
        ]  # fmt: skip
        rows.append("\t".join(fields[: draw(st.sampled_from([15, 15, 12, 11]))]))
    return "".join(line + "\n" for line in [CACHE_HEADER.ljust(127), *rows])


@st.composite
def ndisc_files(draw: st.DrawFn) -> str:
    """A net/ndisc file (Linux 2.1): whole rows, then any of them cut short, junk or blank."""
    def row() -> str:
        hw = " ".join(draw(st.lists(st.integers(0, 255).map(lambda v: f"{v:02x}"), min_size=6, max_size=6)))
        state = draw(st.sampled_from([0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x33]))
        times = draw(st.lists(st.integers(0, 2**32 - 1), min_size=3, max_size=3))
        gc = draw(st.integers(0, 0xFFFF))
        return (
            f"{draw(HEX32)} {draw(st.integers(0, 255)):02x} {draw(st.integers(0, 128)):02x} 00 {state:02x} "
            f"{times[0]:08x} {times[1]:08x} {times[2]:08x} {gc:04x} {draw(st.integers(0, 3)):04x} "
            f"{draw(st.integers(0, 0xFF)):04x} {draw(IFACE.filter(lambda s: len(s) <= 8)):>8} {hw}"
        )

    first = row()
    rest = [draw(st.one_of(st.just(row()), st.just(""), st.just("zz"), st.just(row()[: draw(st.integers(0, 60))]))) for _ in range(draw(st.integers(0, 5)))]
    return "".join(line + "\n" for line in [first, *rest])
