"""net/ip_masquerade (Linux 2.2 only), read as netstat 2.10's lib/masq_info.c reads it.

No kernel since 2.2 writes the file; a snapshot may hold one.  netstat reads
its first line with ``fgets`` (255 bytes): a ``PDelta`` in it means the
records have a pdelta field.  The rest is one ``fscanf`` stream, a record at a
time, newlines being blanks like any other::

    TCP C0A80102:0401 0A000001:0017 F000 00000000     0     0  8998

is `` %s %x:%hX %x:%hX %hX %lX %hd [%hd] %lu``: protocol, source ip:port,
destination ip:port, masquerading port, initseq, delta, [pdelta], expires (in
centiseconds).  The addresses are host-order numbers (``C0A80102`` is
192.168.1.2 on any host).  A record with too few fields, or a protocol other
than IP, TCP, UDP, ICMP, GRE, ESP, ends the read: netstat then prints nothing
and exits 255 (:attr:`Masquerade.error`).  Pure: text in, records out.
"""

from __future__ import annotations

import dataclasses
import ipaddress

from netread.errors import ParseError
from netread.parse.scanf import Scan
from netread.parse.scanf import wrap

#: The protocols masq_info knows, as the file names them -> as netstat prints them.
PROTOCOLS = {"IP": "ip", "TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "GRE": "gre", "ESP": "esp"}
#: fgets(buf, 256): the header line is read 255 bytes at most; the rest is the records' stream.
HEADER_BYTES = 255


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One masqueraded connection."""

    #: The protocol as netstat prints it (``tcp``).
    proto: str
    source: ipaddress.IPv4Address
    sport: int
    destination: ipaddress.IPv4Address
    dport: int
    mport: int
    initseq: int
    delta: int
    #: None when the header has no PDelta.
    pdelta: int | None
    #: Centiseconds left.
    expires: int
    #: The line the record starts on (1-based).
    lineno: int


@dataclasses.dataclass
class Masquerade:
    """What :func:`parse_masquerade` read."""

    entries: list[Entry] = dataclasses.field(default_factory=list)
    has_pdelta: bool = False
    #: What made netstat give up (status 255, nothing printed); None when the file read to its end.
    error: ParseError | None = None


def parse_masquerade(data: bytes, path: str = "net/ip_masquerade") -> Masquerade:
    """The records of ``data``, the whole file.

    >>> m = parse_masquerade(b"Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta PDelta Expires\\n"
    ...                      b"TCP C0A80102:0401 0A000001:0017 F000 00000000     0     0  8998\\n")
    >>> e = m.entries[0]; (e.proto, str(e.source), e.sport, str(e.destination), e.dport, e.mport, e.expires)
    ('tcp', '192.168.1.2', 1025, '10.0.0.1', 23, 61440, 8998)
    """
    result = Masquerade()
    if not data:
        result.error = ParseError(path, 1, "header", "the file is empty (netstat: fgets() failed)", "")
        return result
    newline = data.find(b"\n", 0, HEADER_BYTES)
    end = newline + 1 if newline >= 0 else min(len(data), HEADER_BYTES)
    header, rest = data[:end], data[end:]
    if 0 in header:
        header = header[: header.index(0)]
    result.has_pdelta = b"PDelta" in header
    line_base = 1 if newline >= 0 else 0
    scan = Scan(rest)
    while True:
        scan.blanks()
        if scan.done:
            return result
        lineno = line_base + rest.count(b"\n", 0, scan.at) + 1
        line_end = rest.find(b"\n", scan.at)
        raw = rest[scan.at : line_end if line_end >= 0 else len(rest)].decode("utf-8", "surrogateescape")
        entry, field = _record(scan, result.has_pdelta, lineno)
        if entry is None:
            result.error = ParseError(path, lineno, field, "missing or not a number (netstat: ip_masquerade format error)", raw)
            return result
        if entry.proto not in PROTOCOLS:
            result.error = ParseError(path, lineno, "protocol", "not IP, TCP, UDP, ICMP, GRE or ESP (netstat: ip_masquerade unknown type)", raw)
            return result
        result.entries.append(dataclasses.replace(entry, proto=PROTOCOLS[entry.proto]))


def _record(scan: Scan, has_pdelta: bool, lineno: int) -> tuple[Entry | None, str]:
    """One record's conversions; (None, the first field that did not convert) when one did not."""
    proto = scan.word().decode("utf-8", "surrogateescape")
    values: list[int] = []
    #: (field, base, strtoul, bits stored, signed, a ':' before it)
    fields = [("source", 16, True, 32, False, False), ("sport", 16, True, 16, False, True),
              ("destination", 16, True, 32, False, False), ("dport", 16, True, 16, False, True),
              ("mport", 16, True, 16, False, False), ("initseq", 16, True, 64, False, False),
              ("delta", 10, False, 16, True, False)]  # fmt: skip
    if has_pdelta:
        fields.append(("pdelta", 10, False, 16, True, False))
    fields.append(("expires", 10, True, 64, False, False))
    for name, base, unsigned, bits, signed, colon in fields:
        if colon and not scan.literal(b":"):
            return None, name
        value = scan.integer(base, unsigned)
        if value is None:
            return None, name
        values.append(wrap(value, bits, signed))
    pdelta = values[7] if has_pdelta else None
    return (
        Entry(proto, ipaddress.IPv4Address(values[0]), values[1], ipaddress.IPv4Address(values[2]), values[3], values[4],
              values[5], values[6], pdelta, values[-1], lineno),
        "",
    )  # fmt: skip
