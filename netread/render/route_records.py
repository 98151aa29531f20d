"""Routes as records (``--format json/ndjson/csv`` with ``-r``): the decoded facts, no names.

One flat record per route, the same keys for IPv4 and IPv6 (None where a
table has no such column), so CSV has one header.  Addresses are written as
records write them everywhere (netread.model.address_text); ``flags`` is the
kernel's number and ``flag_letters`` netstat's letters for it.  Text from the
file (``iface``) holds no undecodable byte (netread.escape.undecodable_escaped).
"""

from __future__ import annotations

from netread.escape import undecodable_escaped
from netread.model import address_text
from netread.render.netstat_routes import fib6_flags
from netread.render.netstat_routes import fib_flags

TYPE_CHECKING = False
if TYPE_CHECKING:
    from netread.parse.route import Route
    from netread.parse.route import Route6

Record = dict[str, object]

ROUTE_KEYS = (
    "family", "table", "line", "iface", "destination", "prefix_len", "gateway", "genmask", "source",
    "flags", "flag_letters", "metric", "refcnt", "use", "mss", "window", "irtt", "carried",
)  # fmt: skip


def _prefix(mask: int) -> int | None:
    """The prefix length of a contiguous netmask, None for another."""
    inverted = ~mask & 0xFFFFFFFF
    return 32 - inverted.bit_length() if inverted & (inverted + 1) == 0 else None


def route4_record(row: Route, table: str) -> Record:
    """An IPv4 route (net/route, or net/rt_cache when ``table`` is ``cache``)."""
    return {
        "family": "inet", "table": table, "line": row.lineno, "iface": undecodable_escaped(row.iface),
        "destination": address_text(row.destination),
        "prefix_len": _prefix(int(row.mask)) if table == "fib" else None,
        "gateway": address_text(row.gateway),
        "genmask": address_text(row.mask) if table == "fib" else None,
        "source": None if row.source is None else address_text(row.source),
        "flags": row.flags, "flag_letters": fib_flags(row.flags) if table == "fib" else None,
        "metric": row.metric, "refcnt": row.refcnt, "use": row.use, "mss": row.mss, "window": row.window,
        "irtt": row.irtt, "carried": sorted(row.carried | row.unset),
    }  # fmt: skip


def route6_record(row: Route6, table: str) -> Record:
    """An IPv6 route of net/ipv6_route."""
    return {
        "family": "inet6", "table": table, "line": row.lineno, "iface": undecodable_escaped(row.iface),
        "destination": address_text(row.destination), "prefix_len": row.prefix_len,
        "gateway": address_text(row.next_hop), "genmask": None, "source": None,
        "flags": row.flags, "flag_letters": fib6_flags(row.flags), "metric": row.metric, "refcnt": row.refcnt,
        "use": row.use, "mss": None, "window": None, "irtt": None, "carried": sorted(row.carried | row.unset),
    }  # fmt: skip
