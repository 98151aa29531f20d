"""net/sctp/eps and net/sctp/assocs text as the kernel writes it (net/sctp/proc.c), for the -S tests.

No hypothesis here: the strategies in tests/test_sctp.py and tests/oracle/test_oracle_sctp.py
draw the values and these functions lay them out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

EPS_HEADER = " ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\n"
ASSOCS_HEADER = (
    " ASSOC     SOCK   STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS <-> RADDRS"
    " HBINT INS OUTS MAXRT T1X T2X RTXC wmema wmemq sndbuf rcvbuf\n"
)
#: What %8pK prints with kptr_restrict set (the tests run as root, so any value would do).
POINTER = "0000000000000000"


def address_text(address: str) -> str:
    """``%pI4`` (dotted quad) or ``%pI6`` (eight groups of four lowercase hex digits)."""
    ip = ipaddress.ip_address(address)
    if ip.version == 4:
        return str(ip)
    return ":".join(f"{ip.packed[i] << 8 | ip.packed[i + 1]:04x}" for i in range(0, 16, 2))


def _addresses(addresses: Sequence[str], primary: int | None = None) -> str:
    """Each address and a space; ``*`` before the primary one (sctp_seq_dump_*_addrs)."""
    return "".join(("*" if i == primary else "") + address_text(a) + " " for i, a in enumerate(addresses))


def eps_line(st: int, port: int, uid: int, inode: int, addresses: Sequence[str], sty: int = 2, bucket: int = 12) -> str:
    """sctp_eps_seq_show's line for one endpoint."""
    return f"{POINTER} {POINTER} {sty:<3d} {st:<3d} {bucket:<4d} {port:<5d} {uid:5d} {inode:5d} " + _addresses(addresses) + "\n"


def assoc_line(
    st: int,
    lport: int,
    rport: int,
    local: Sequence[str],
    remote: Sequence[str],
    *,
    tx: int = 0,
    rx: int = 0,
    uid: int = 0,
    inode: int = 0,
    assoc_state: int = 3,
    assoc_id: int = 1,
    primary: int | None = 0,
) -> str:
    """sctp_assocs_seq_show's line for one association (the primary path marked in both lists)."""
    head = f"{POINTER} {POINTER} {2:<3d} {st:<3d} {assoc_state:<2d} {0:<4d} {assoc_id:4d} {tx:8d} {rx:8d} {uid:7d} {inode:5d} {lport:<5d} {rport:5d} "
    tail = f"\t{30000:8d} {10:5d} {10:5d} {10:4d} {0:4d} {0:4d} {0:8d} {1:8d} {0:8d} {212992:8d} {212992:8d}\n"
    return head + " " + _addresses(local, primary) + "<-> " + _addresses(remote, primary) + tail


def eps_text(lines: Sequence[str]) -> str:
    return EPS_HEADER + "".join(lines)


def assocs_text(lines: Sequence[str]) -> str:
    return ASSOCS_HEADER + "".join(lines)
