"""``netstat -M``: masqueraded connections, as lib/masq_info.c print_masq prints them.

Only a snapshot can hold net/ip_masquerade (Linux 2.2).  Nothing is printed
when it has no records; otherwise a title, a header (a longer one with -e)
and a row per record: the protocol ``%-4s``, the expiry ``%3ld:%02ld.%02ld ``
(minutes:seconds.centiseconds), with -e ``%10lu %5hd %5hd `` (initseq, delta,
pdelta or ``    -``), source and destination ``%-20s `` each, and ``sport ->
dport (mport)``.  Host and service names are looked up by the core and
handed in (``hosts``, ``service``); every text from the file or a lookup is
escaped.
"""

from __future__ import annotations

from netread.escape import escape_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ipaddress
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Mapping

    from netread.parse.masquerade import Entry

TITLE = "IP masquerading entries"
HEADER = "prot   expire source               destination          ports"
HEADER_EXTENDED = "prot   expire    initseq delta prevd source               destination          ports"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - len(text.encode("utf-8", "surrogateescape")))


def masquerade_text(
    entries: Iterable[Entry],
    *,
    extended: bool = False,
    hosts: Mapping[ipaddress.IPv4Address, str] | None = None,
    service: Callable[[int, str], str | None] | None = None,
) -> str:
    """The table (empty without entries).  ``hosts`` maps an address to its name (absent: the
    number); ``service(port, proto)`` names a port (None, or no ``service``: the number).

    >>> import ipaddress
    >>> from netread.parse.masquerade import Entry
    >>> print(masquerade_text([Entry("tcp", ipaddress.ip_address("192.168.1.2"), 1025, ipaddress.ip_address("10.0.0.1"), 23,
    ...                              61440, 0, 0, 0, 8998, 2)]), end="")
    IP masquerading entries
    prot   expire source               destination          ports
    tcp   1:29.98 192.168.1.2          10.0.0.1             1025 -> 23 (61440)
    """
    rows = []
    for e in entries:
        minutes, seconds, centis = e.expires // 6000, (e.expires // 100) % 60, e.expires % 100
        row = f"{_pad(e.proto, 4)}{minutes:3d}:{seconds:02d}.{centis:02d} "
        if extended:
            row += f"{e.initseq:10d} {e.delta:5d} " + ("    - " if e.pdelta is None else f"{e.pdelta:5d} ")
        for address in (e.source, e.destination):
            name = None if hosts is None else hosts.get(address)
            row += escape_text(_pad(str(address) if name is None else name, 20)) + " "

        def port(number: int, proto: str = e.proto) -> str:
            if number == 0:
                return "*"
            name = None if service is None else service(number, proto)
            return str(number) if name is None else escape_text(name)

        rows.append(f"{row}{port(e.sport)} -> {port(e.dport)} ({port(e.mport)})\n")
    if not rows:
        return ""
    return f"{TITLE}\n{HEADER_EXTENDED if extended else HEADER}\n" + "".join(rows)
