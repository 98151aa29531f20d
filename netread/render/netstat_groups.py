"""``netstat -g``: the group memberships table, as net-tools netstat 2.10 prints it.

netstat.c main() prints the title and header (always ``IPv6/IPv4``, even for
``-4``) and igmp_do_one each row, ``printf("%-15s %-6d %s\\n", device, refcnt,
mcast_addr)``.  The group is ``INET_sprint``/``INET6_sprint``'s text: with
``-n`` the dotted quad or inet_ntop (an IPv4-mapped group as a dotted quad),
else the name netread.resolve.Resolver found for it (looked up by the core,
handed in here as ``names``).  Every byte from the files or the name lookup
is escaped (netread.escape) after it is padded.
"""

from __future__ import annotations

from netread.escape import escape_text
from netread.render.netstat import numeric_host

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Mapping

    from netread.model import IPAddress
    from netread.parse.igmp import Membership

TITLE = "IPv6/IPv4 Group Memberships"
HEADER = "Interface       RefCnt Group"
RULE = "--------------- ------ ---------------------"


def groups_header() -> str:
    """The three lines before the rows, each ending in a newline."""
    return f"{TITLE}\n{HEADER}\n{RULE}\n"


def _pad(text: str, width: int) -> str:
    """``%-Ns``: padded to ``width`` bytes (printf counts bytes)."""
    return text + " " * (width - len(text.encode("utf-8", "surrogateescape")))


def group_text(address: IPAddress, names: Mapping[IPAddress, str] | None) -> str:
    """The Group column: the looked-up name, else the number; not escaped."""
    name = None if names is None else names.get(address)
    return numeric_host(address) if name is None else name


def group_rows(memberships: Iterable[Membership], names: Mapping[IPAddress, str] | None = None) -> str:
    """The rows, one line each; ``names`` maps a group to its name (None or absent: the number).

    >>> import ipaddress
    >>> from netread.parse.igmp import Membership
    >>> group_rows([Membership("igmp", 3, "lo", 1, ipaddress.ip_address("224.0.0.1"))])
    'lo              1      224.0.0.1\\n'
    """
    return "".join(
        f"{escape_text(_pad(m.device, 15))} {str(m.users).ljust(6)} {escape_text(group_text(m.group, names))}\n" for m in memberships
    )
