"""What of a socket table stays the same while its sockets do: the text ``netread watch`` compares
between two reads to skip the decoding of a table whose sockets did not change.

A tcp/udp/raw line keeps its endpoints, state, queues, uid and inode; the slot number (rows move
up when one before them goes) and the timer fields (``tr:tm->when``, ``retrnsmt``, ``timeout``,
which move on every read) are dropped, and so is the tail after the inode (net/ipv4/tcp_ipv4.c
``get_tcp4_sock``: refcount, address, rto, ato...).  A unix line is kept whole.  A line that does
not look like the kernel's is left out: a header, or a careful decoder's business (a changed
malformed line alone is not seen until another line changes).

>>> stable_text(b"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0\\n")
[(b'0100007F:1F90 00000000:0000 0A 00000000:00000000', b'0', b'100')]
"""

from __future__ import annotations

import re

_INET = re.compile(rb"^ *\d+: +(\S+ +\S+ +\S+ +\S+) +\S+ +\S+ +(\S+) +\S+ +(\S+)[^\n]*", re.MULTILINE)


def stable_text(data: bytes, unix: bool = False) -> bytes | list[tuple[bytes, bytes, bytes]]:
    """``data`` (a whole table) with what moves between two reads of the same sockets taken out:
    the unix table as it is, an inet table as the (endpoints-state-queues, uid, inode) of each line
    (``re.findall``: made in C, a few ms for 10k lines)."""
    return data if unix else _INET.findall(data)
