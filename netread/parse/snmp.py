"""The counters and sysctls --explain weighs the rows against: net/snmp, net/netstat, sys/net/*.

Pure: :func:`read_facts` takes a reader of files relative to the /proc root
(:meth:`netread.proc.source.ProcSource.read_text`).
"""

from __future__ import annotations

import dataclasses

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Facts:
    """Numbers from the same /proc as the tables (None or absent when the file was not there)."""

    somaxconn: int | None = None
    port_range: tuple[int, int] | None = None
    fin_timeout: int | None = None
    #: ``"TcpExt:ListenOverflows"`` -> value, from net/netstat and net/snmp.
    counters: dict[str, int] = dataclasses.field(default_factory=dict)


def _int(text: str | None) -> int | None:
    try:
        return int(text.split()[0]) if text else None
    except (ValueError, IndexError):
        return None


def parse_counters(text: str | None) -> dict[str, int]:
    """net/snmp and net/netstat: pairs of lines ``Prefix: names...`` / ``Prefix: values...``.

    >>> parse_counters("Udp: InDatagrams RcvbufErrors\\nUdp: 10 2\\n")
    {'Udp:InDatagrams': 10, 'Udp:RcvbufErrors': 2}
    """
    counters: dict[str, int] = {}
    lines = (text or "").splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        prefix, _, rest = names.partition(":")
        vprefix, _, vrest = values.partition(":")
        if prefix != vprefix:
            continue
        for name, value in zip(rest.split(), vrest.split()):
            try:
                counters[f"{prefix}:{name}"] = int(value)
            except ValueError:
                pass
    return counters


def read_facts(read: Callable[[str], str | None]) -> Facts:
    """Facts from a reader of files relative to the /proc root (``ProcSource.read_text``)."""
    ports = (read("sys/net/ipv4/ip_local_port_range") or "").split()
    port_range = (int(ports[0]), int(ports[1])) if len(ports) == 2 and all(p.isdigit() for p in ports) else None
    counters = parse_counters(read("net/snmp"))
    counters.update(parse_counters(read("net/netstat")))
    return Facts(
        somaxconn=_int(read("sys/net/core/somaxconn")),
        port_range=port_range,
        fin_timeout=_int(read("sys/net/ipv4/tcp_fin_timeout")),
        counters=counters,
    )
